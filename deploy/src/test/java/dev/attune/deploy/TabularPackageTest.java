package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledTables;
import dev.attune.data.TabularData;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.Groups;
import dev.attune.evaluation.ModelCard;
import dev.attune.spi.AdapterWeights;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A German credit model, packaged whole and as a LoRA adapter: the predictor on the raw test rows
 * gives, bit for bit, what the model gives on the test set as {@code Tabular} encoded it.
 */
class TabularPackageTest {
    static TabularData train;
    static TabularData test;
    static List<Map<String, String>> rawTest;
    static FineTuneResult result;
    static EvaluationReport report;

    @TempDir
    Path dir;

    @BeforeAll
    static void fineTune() throws Exception {
        train = BundledTables.GERMAN_CREDIT.train();
        test = BundledTables.GERMAN_CREDIT.test();
        rawTest = rows("/dev/attune/data/tables/german-credit/test.csv");
        int features = train.featureNames().size();
        result = FineTuner.builder(Fixtures.mlp(features, 16, 2, 7)).epochs(3).batchSize(64).seed(7).build()
                .fit(train.data());
        report = EvaluationReport.builder(result, test.data()).classNames(train.classNames())
                .groups("sex", Groups.of(test.groups("sex").toArray(String[]::new))).resamples(200).build();
    }

    @Test
    void aWholeModelRoundTripsWithItsMetadataAndPredictsRawRowsAsTheModelPredictsEncodedOnes() {
        ModelCard card = ModelCard.builder(report).intendedUse("Flag applications for manual review.")
                .outOfScopeUses("Refusing credit without a human decision.").baseModel("credit-mlp", "Apache-2.0")
                .data("German credit (Statlog): 700 training and 300 test rows.", "GPL-2.0-or-later")
                .limitations("Applicants of the 1990s in one country; small groups.").reproduce("./train.sh --seed 7")
                .build();
        Path file = dir.resolve("credit-risk.attune");
        ModelPackage written = ModelPackage.builder("credit-risk").from(result).tabular(train.transform())
                .evaluation(report).modelCard(card).reproduceCommand("./train.sh --seed 7").write(file);

        ModelPackage p = ModelPackage.load(file);
        assertThat(p.contentSha256()).isEqualTo(written.contentSha256());
        assertThat(p.name()).isEqualTo("credit-risk");
        assertThat(p.classNames()).containsExactly("good", "bad");
        assertThat(p.isAdapter()).isFalse();
        assertThat(p.modelFingerprint()).contains(result.model().fingerprint());
        assertThat(p.input().kind()).isEqualTo(InputKind.TABULAR);
        assertThat(p.input().columns()).isEqualTo(train.transform().featureColumns()).contains("purpose", "duration");
        assertThat(p.input().names()).isEqualTo(train.featureNames());
        assertThat(p.input().exampleShape()).containsExactly((long) train.featureNames().size());
        assertThat(p.provenance()).contains(result.provenance());
        assertThat(p.metrics()).containsEntry("accuracy", report.accuracy().estimate())
                .containsEntry("f1Macro", report.f1Macro().estimate())
                .containsEntry("examples", 300.0)
                .containsKey("fairness.sex.demographic_parity_difference.verdict");
        assertThat(p.evaluationJson()).contains(report.toJson());
        assertThat(p.evaluationHtml()).contains(report.toHtml());
        assertThat(p.modelCard()).contains(card.toMarkdown());
        assertThat(p.tabularTransform()).contains(train.transform());
        assertThat(p.reproduce()).contains("./train.sh --seed 7").contains("| seed | 7 |")
                .contains(result.provenance().trainData()).contains(result.provenance().baseModel())
                .contains(result.provenance().dl4jVersion());
        assertThat(p.network().fingerprint()).isEqualTo(result.model().fingerprint());

        Predictor predictor = p.predictor();
        List<Prediction> predictions = predictor.predictRows(rawTest);
        INDArray expected = result.model().output(test.data().features());
        assertThat(predictions).hasSize(300);
        for (int i = 0; i < 300; i++) {
            for (int c = 0; c < 2; c++) {
                // bit for bit: the same float, widened exactly
                assertThat(predictions.get(i).probabilities().get(c)).as("row %d class %d", i, c)
                        .isEqualTo((double) expected.getFloat(i, c));
            }
            assertThat(predictions.get(i).label()).isEqualTo(p.classNames().get(predictions.get(i).classIndex()));
        }
        // One row at a time and as a CSV line give the same.
        assertThat(predictor.predict(rawTest.get(5))).isEqualTo(predictions.get(5));
        String line = String.join(",", p.input().columns().stream().map(c -> csv(rawTest.get(5).get(c))).toList());
        assertThat(predictor.predictCsvRow(line)).isEqualTo(predictions.get(5));
    }

    @Test
    void badRowsAreRefusedNamingTheColumn() {
        Path file = dir.resolve("credit-risk.attune");
        Predictor predictor = ModelPackage.builder("credit-risk").from(result).tabular(train.transform()).write(file)
                .predictor();
        Map<String, String> unseen = new LinkedHashMap<>(rawTest.get(0));
        unseen.put("purpose", "spaceship");
        assertThatThrownBy(() -> predictor.predict(unseen)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'spaceship' was not seen in the training data");
        Map<String, String> notANumber = new LinkedHashMap<>(rawTest.get(0));
        notANumber.put("duration", "twelve");
        assertThatThrownBy(() -> predictor.predict(notANumber)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'twelve' is not a number");
        Map<String, String> missing = new LinkedHashMap<>(rawTest.get(0));
        missing.remove("duration");
        assertThatThrownBy(() -> predictor.predict(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0 has no value for feature column 'duration'");
        assertThatThrownBy(() -> predictor.predictCsvRow("1,2,3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the row is not valid CSV for the columns");
        assertThatThrownBy(() -> predictor.predictText("hello")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("takes tabular input; call predict(Map) or predictCsvRow(String)");
    }

    @Test
    void aLoraAdapterPackageNeedsItsBaseAndRefusesAnother() {
        Network base = Network.of(Fixtures.mlp(train.featureNames().size(), 16, 2, 3));
        FineTuneResult tuned = FineTuner.builder(base).adapter(Lora.rank(2).alpha(4).targets("dense*"))
                .epochs(2).batchSize(64).seed(3).build().fit(train.data());
        AdapterWeights adapter = tuned.adapters().orElseThrow();
        Path file = dir.resolve("credit-lora.attune");
        ModelPackage.builder("credit-lora").adapter(adapter).baseModel("credit-mlp seed 3").provenance(tuned.provenance())
                .tabular(train.transform()).write(file);

        ModelPackage p = ModelPackage.load(file);
        assertThat(p.isAdapter()).isTrue();
        assertThat(p.baseFingerprint()).contains(base.fingerprint());
        assertThat(p.entries()).extracting(PackageEntry::name).contains(ModelPackage.ADAPTER)
                .doesNotContain(ModelPackage.MODEL);
        assertThatThrownBy(p::predictor).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds an adapter, not a whole model");

        List<Prediction> predictions = p.predictor(base).predictRows(rawTest.subList(0, 50));
        // The same batch of 50: a BLAS product may round differently in a batch of another size.
        INDArray first50 = test.data().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 50),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray expected = AdaptedNetwork.of(base).add("x", adapter).output(first50);
        for (int i = 0; i < 50; i++) {
            for (int c = 0; c < 2; c++) {
                assertThat(predictions.get(i).probabilities().get(c)).isEqualTo((double) expected.getFloat(i, c));
            }
        }

        Network other = Network.of(Fixtures.mlp(train.featureNames().size(), 16, 2, 4));
        assertThatThrownBy(() -> p.predictor(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds an adapter for the base model of fingerprint " + base.fingerprint())
                .hasMessageContaining("the given base model's fingerprint is " + other.fingerprint())
                .hasMessageContaining("'credit-mlp seed 3'");
    }

    static String csv(String v) {
        return v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    /** The rows of a bundled CSV as column -> value (quoted fields hold no quotes in these files). */
    static List<Map<String, String>> rows(String resource) throws Exception {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                TabularPackageTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            List<String> header = fields(r.readLine());
            List<Map<String, String>> out = new ArrayList<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = fields(line);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), f.get(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(b.toString());
                b.setLength(0);
            } else {
                b.append(ch);
            }
        }
        out.add(b.toString());
        return out;
    }
}

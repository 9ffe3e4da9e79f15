package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.data.BundledTables;
import dev.attune.data.TabularData;
import dev.attune.evaluation.EvaluationReport;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's deployment package example, and checks that the README shows it. */
class ReadmeDeployExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        TabularData train = BundledTables.GERMAN_CREDIT.train();
        TabularData test = BundledTables.GERMAN_CREDIT.test();
        FineTuneResult result = FineTuner.builder(Fixtures.mlp(train.featureNames().size(), 16, 2, 7)).epochs(2)
                .seed(7).build().fit(train.data());
        EvaluationReport report = EvaluationReport.builder(result, test.data()).classNames(train.classNames())
                .resamples(100).build();
        Path file = dir.resolve("credit-risk.attune");
        Map<String, String> applicant = TabularPackageTest.rows("/dev/attune/data/tables/german-credit/test.csv").get(0);

        // README example: begin
        KeyPair keys = PackageKeys.generate();         // or PackageKeys.readPrivate(path), readPublic(path)
        ModelPackage.builder("credit-risk")
                .from(result)                          // the fine-tuned model and its provenance
                .tabular(train.transform())            // or .text(tokenizerJson, 32), .image(255f, 784)
                .evaluation(report)                    // evaluation.json and .html; metrics in the manifest
                .reproduceCommand("./train.sh --seed 7")
                .signWith(keys.getPrivate())           // optional: an Ed25519 signature
                .write(file);                          // credit-risk.attune, written atomically

        ModelPackage loaded = ModelPackage.load(file, keys.getPublic());  // verifies every entry and the signature
        Prediction p = loaded.predictor().predict(applicant);   // column -> raw value, as in the CSV
        String label = p.label();                               // "good" or "bad"
        double risk = p.probability("bad");
        // README example: end

        assertThat(label).isIn("good", "bad");
        org.nd4j.linalg.api.ndarray.INDArray first = test.data().features().getRow(0, true).dup();
        assertThat(risk).isEqualTo((double) result.model().output(first).getFloat(0, 1));
        assertThat(loaded.signatureVerified()).isTrue();
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeDeployExampleTest.class);
    }
}

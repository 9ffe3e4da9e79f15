package dev.attune.benchmarks;

import dev.attune.EarlyStopping;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Metric;
import dev.attune.Predictions;
import dev.attune.data.Balancing;
import dev.attune.data.BundledTables;
import dev.attune.data.DataAudit;
import dev.attune.data.TabularData;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.Fairness;
import dev.attune.evaluation.FairnessMeasure;
import dev.attune.evaluation.Groups;
import dev.attune.evaluation.Metrics;
import dev.attune.evaluation.ModelCard;
import dev.attune.evaluation.Perturbations;
import dev.attune.evaluation.ReportFiles;
import dev.attune.evaluation.Robustness;
import dev.attune.evaluation.RobustnessReport;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The bias-audit job on German credit: audits the training rows against the sensitive attributes
 * (sex, foreign worker, age 25 or younger), pretrains a small tabular network without labels (an
 * autoencoder on the features of half of the training rows, whose labels are never read), fine-tunes
 * it on four fifths of the other half with and without reweighing by sex (the last of 30 epochs), and
 * reweighed with the epoch chosen on the remaining fifth: the best validation macro-F1, and the best
 * among the epochs whose demographic parity difference by sex is at most 0.1. It reports test accuracy, macro-F1,
 * the demographic parity difference of the predictions per sensitive attribute and the chosen epoch
 * for each, over five seeds, as a table and as {@code target/attune/bias-audit/results.json}.
 */
public final class BiasAuditJob {
    static final long[] SEEDS = {1, 2, 3, 4, 5};
    static final int EPOCHS = 30;
    static final double PARITY_LIMIT = 0.1;
    static final String BY_F1 = "reweighed, epoch by F1";
    static final String CONSTRAINED = "reweighed, epoch by F1 with foreign-worker parity <= 0.1";
    static final List<String> MODES = List.of("plain", "reweighed", BY_F1, CONSTRAINED);
    static final int GOOD = 0;

    private BiasAuditJob() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        TabularData train = BundledTables.GERMAN_CREDIT.train();
        TabularData test = BundledTables.GERMAN_CREDIT.test();
        Map<String, List<String>> trainGroups = sensitive(train);
        Map<String, List<String>> testGroups = sensitive(test);
        System.out.println("bias audit: German credit (" + train.size() + " training, " + test.size()
                + " test rows), favourable class 'good'; " + BaseModels.threadSettings());

        DataAudit audit = DataAudit.of(train.data()).positiveClass(GOOD)
                .reference("sex", Map.of("female", 0.5, "male", 0.5)).missing(train.missing());
        for (Map.Entry<String, List<String>> g : trainGroups.entrySet()) {
            audit = audit.group(g.getKey(), g.getValue());
        }
        DataAudit.Report report = audit.run();
        System.out.println("data audit: " + report.status());
        report.checks().forEach(c -> System.out.printf(Locale.ROOT, "  %-18s %-15s %-5s %.3f%n", c.name(),
                c.column() == null ? "" : c.column(), c.status(), c.value()));

        // Half of the training rows, labels unread, pretrain the network; the other half fine-tunes it.
        // A fifth of the labelled half, stratified, is the validation set that chooses the epoch.
        GermanCreditRows rows = GermanCreditRows.of(train);
        LabeledData unlabelled = rows.unlabelled();
        LabeledData fitRows = rows.fit();
        LabeledData validation = rows.validation();
        List<String> fitSex = rows.fitGroups().get("sex");
        List<String> validationForeign = rows.validationGroups().get("foreign_worker");
        Metric parity = Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, "foreign_worker",
                Groups.of(validationForeign.toArray(String[]::new)));
        Map<String, Long> validationCounts = validationForeign.stream().collect(
                java.util.stream.Collectors.groupingBy(g -> g, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        System.out.println("validation rows by foreign_worker: " + validationCounts);
        System.out.println("fine-tuning on " + fitRows.size() + " labelled rows, " + validation.size()
                + " validation rows; modes: " + String.join(", ", MODES));

        // One pretrained base per seed, shared by the modes: fine-tuning never changes the base it is given.
        Map<Long, MultiLayerNetwork> bases = new LinkedHashMap<>();
        for (long seed : SEEDS) {
            bases.put(seed, pretrain(unlabelled.features(), seed));
        }
        Map<String, Groups> testColumns = new LinkedHashMap<>();
        testGroups.forEach((column, groups) -> testColumns.put(column, Groups.of(groups.toArray(String[]::new))));

        Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
        FineTuneResult reported = null;
        for (String mode : MODES) {
            List<Map<String, Double>> perSeed = new ArrayList<>();
            for (long seed : SEEDS) {
                MultiLayerNetwork base = bases.get(seed);
                FineTuner.Builder b = FineTuner.builder(base).replaceHead(2).optimizer(Optimizer.adam(1e-3))
                        .epochs(EPOCHS).batchSize(32).seed(seed).metrics(Metrics.f1Macro(), parity);
                if (!mode.equals("plain")) {
                    b = b.balance(Balancing.reweigh(fitSex));
                }
                if (mode.equals(BY_F1)) {
                    b = b.earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(EPOCHS));
                } else if (mode.equals(CONSTRAINED)) {
                    // Best validation F1 among the epochs whose parity difference by foreign worker is at most 0.1.
                    b = b.earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(EPOCHS).subjectTo(parity, PARITY_LIMIT));
                }
                FineTuneResult result = b.build().fit(fitRows, validation);
                if (mode.equals(CONSTRAINED) && seed == SEEDS[0]) {
                    reported = result;
                }
                Predictions p = result.model().predict(test.data());
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("accuracy", p.score(Metrics.accuracy()));
                m.put("f1_macro", p.score(Metrics.f1Macro()));
                testColumns.forEach((column, groups) -> m.put("parity_difference_" + column,
                        Fairness.of(p, groups).positiveClass(GOOD).demographicParityDifference()));
                m.put("epoch", (double) result.bestEpoch());
                perSeed.add(m);
                System.out.printf(Locale.ROOT, "  %s, seed %d: %s%n", mode, seed, format(m));
            }
            runs.put(mode, perSeed);
        }

        List<String> keys = new ArrayList<>(runs.get("plain").get(0).keySet());
        System.out.println();
        System.out.println("| fine-tuning | " + String.join(" | ", keys) + " |");
        System.out.println("|---|" + "---:|".repeat(keys.size()));
        for (Map.Entry<String, List<Map<String, Double>>> e : runs.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " |");
            for (String k : keys) {
                double[] v = e.getValue().stream().mapToDouble(m -> m.get(k)).toArray();
                row.append(String.format(Locale.ROOT, " %.3f ± %.3f |", mean(v), sd(v)));
            }
            System.out.println(row);
        }
        Path out = Path.of("target/attune/bias-audit/results.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json(report, runs));
        System.out.println();
        System.out.println("wrote " + out);
        String split = fitRows.size() + " training, " + validation.size() + " validation (by foreign_worker: "
                + validationCounts + ")";
        ReportFiles files = writeReport(reported, test, testColumns, report, split, out.resolveSibling("report"));
        System.out.println("wrote the evaluation report and model card of '" + CONSTRAINED + "', seed " + SEEDS[0]
                + ": " + files.json() + ", " + files.html() + ", " + files.modelCard());
    }

    /**
     * The evaluation report (test metrics with intervals, per group of each sensitive attribute with
     * fairness checks, robustness to feature noise and missing values, the data audit) and the model
     * card of one fine-tuned model, as JSON, HTML and Markdown in {@code dir}.
     */
    static ReportFiles writeReport(FineTuneResult result, TabularData test, Map<String, Groups> testColumns,
                                   DataAudit.Report audit, String split, Path dir) {
        RobustnessReport robustness = Robustness.of(result.model()).metrics(Metrics.accuracy(), Metrics.f1Macro())
                .perturb(Perturbations.featureNoise(0.1, 0.3, 0.5))
                .perturb(Perturbations.missingValues(0.1, 0.2, 0.4))
                .run(test.data());
        EvaluationReport.Builder b = EvaluationReport.builder(result, test.data()).classNames(test.classNames())
                .positiveClass(GOOD).robustness(robustness).dataAudit(audit);
        testColumns.forEach(b::groups);
        ModelCard card = ModelCard.builder(b.build())
                .modelName("German credit risk (good/bad), reweighed by sex, epoch chosen by validation F1 with"
                        + " foreign-worker parity difference <= " + PARITY_LIMIT + " (seed " + SEEDS[0] + ")")
                .intendedUse("A worked example of auditing data and constraining fairness while fine-tuning a"
                        + " small tabular network; to study methods, not to score applicants.")
                .outOfScopeUses("Any real credit decision, or any decision about a person.")
                .baseModel("a 54-32-16 network pretrained by this job as an autoencoder of the features of half of"
                        + " the training rows (labels unread), with a new 2-class head", "Apache-2.0 (weights"
                        + " trained by the job)")
                .data("German credit (Statlog) from Debian's weka package (credit-g.arff): " + split + " and "
                        + test.size() + " test rows; sex from personal_status, age banded at 25,"
                        + " foreign worker; see data/DATA.md", "GPL-2+ as the weka package distributes it")
                .limitations("The 1,000 applicants of the Statlog German credit table, decades old; the"
                        + " validation set that chose the epoch is small (" + split + "), so the parity constraint rests on very few people; the"
                        + " constrained choice lowers macro-F1 against the last epoch (see results.json).")
                .reproduce("mvn -B -DskipTests -Pbias-audit verify")
                .build();
        return ReportFiles.write(dir, card.report(), card);
    }

    /** The sensitive attributes of a table: sex, foreign worker, and age banded at 25. */
    static Map<String, List<String>> sensitive(TabularData t) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("sex", t.groups("sex"));
        g.put("foreign_worker", t.groups("foreign_worker"));
        g.put("age", t.groups("age").stream().map(a -> Double.parseDouble(a) <= 25 ? "25 or younger" : "over 25").toList());
        return g;
    }

    /** A seeded stratified split of the row indices: {@code fraction} of each class first, the rest second. */
    static int[][] split(LabeledData data, double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        for (int c = 0; c < data.numClasses(); c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                if (data.label(i) == c) {
                    members.add(i);
                }
            }
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int cut = (int) (members.size() * fraction);
            first.addAll(members.subList(0, cut));
            second.addAll(members.subList(cut, members.size()));
        }
        int[] a = first.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] b = second.stream().mapToInt(Integer::intValue).sorted().toArray();
        return new int[][] {a, b};
    }

    /**
     * A small tabular network pretrained without labels: an autoencoder (features to 32 to 16 and back)
     * trained to reconstruct the standardised features with DL4J's own fit.
     */
    static MultiLayerNetwork pretrain(INDArray features, long seed) {
        int n = (int) features.size(1);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(n).nOut(32).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(32).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("reconstruction").nIn(16).nOut(n)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int epoch = 0; epoch < 100; epoch++) {
            net.fit(features, features);
        }
        return net;
    }

    private static String format(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %.3f  ", k, v)));
        return b.toString().trim();
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static double sd(double[] v) {
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    private static String json(DataAudit.Report report, Map<String, List<Map<String, Double>>> runs) {
        StringBuilder b = new StringBuilder("{\n  \"data\": \"German credit (BundledTables.GERMAN_CREDIT)\",\n");
        b.append("  \"favourable_class\": \"good\",\n  \"seeds\": ").append(Arrays.toString(SEEDS)).append(",\n");
        b.append("  \"audit\": ").append(report.toJson().strip().replace("\n", "\n  ")).append(",\n  \"runs\": {");
        int i = 0;
        for (Map.Entry<String, List<Map<String, Double>>> e : runs.entrySet()) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    \"").append(e.getKey()).append("\": [");
            int j = 0;
            for (Map<String, Double> m : e.getValue()) {
                b.append(j++ == 0 ? "\n" : ",\n").append("      {");
                int k = 0;
                for (Map.Entry<String, Double> v : m.entrySet()) {
                    b.append(k++ == 0 ? "" : ", ").append('"').append(v.getKey()).append("\": ")
                            .append(String.format(Locale.ROOT, "%.6f", v.getValue()));
                }
                b.append('}');
            }
            b.append("\n    ]");
        }
        return b.append("\n  }\n}\n").toString();
    }
}

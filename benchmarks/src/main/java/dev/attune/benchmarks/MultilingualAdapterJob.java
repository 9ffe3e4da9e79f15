package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.EarlyStopping;
import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.AssistantIntents;
import dev.attune.data.BundledText;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.data.TextData;
import dev.attune.data.TokenizedText;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.evaluation.Bootstrap;
import dev.attune.evaluation.ConfidenceInterval;
import dev.attune.evaluation.Metrics;
import dev.attune.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bundled assistant intents (16 intents in English, German, Spanish, French and Italian,
 * {@link BundledText#assistantIntents(String)}) on all-MiniLM-L6-v2, an English-pretrained encoder,
 * tokenised to {@value #MAX_LENGTH} positions. Per language: a frozen-encoder head (head only), one
 * LoRA adapter per language, one LoRA adapter shared by all languages (trained on their training sets
 * together), and the English adapter applied to the other languages as they are (zero-shot); test
 * accuracy with bootstrap 95% intervals, and how the English tokenizer cuts each language (word
 * pieces per word, unknown pieces). Every model trains on the same {@value #VALIDATION_PERCENT}%-smaller
 * part of each training set: the rest, a stratified validation split, chooses each LoRA adapter's
 * learning rate and epoch (the best validation accuracy over the candidates, ties to the lower
 * validation loss; the test sets are used only to score). Then the five per-language adapters served
 * from one base, with {@link AdaptedNetwork} switching adapters between sub-batches
 * ({@link SwitchingAdapterServer}) and with {@link MultiAdapterNetwork} in one pass per batch
 * ({@link OnePassAdapterServer}), on the same batches: p50 and p95 per batch and throughput for
 * batches of one language, with and without an adapter switch before each, and for mixed batches.
 * Everything goes to {@code target/attune/multilingual-adapters/results.json}. Seed 1.
 */
public final class MultilingualAdapterJob {
    static final int MAX_LENGTH = 32;
    static final int HEAD_EPOCHS = 60;
    /** The LoRA learning rates tried, each for up to its maximum epochs. */
    static final List<Double> LORA_RATES = List.of(5e-3, 2e-3);
    static final int LORA_MAX_EPOCHS = 4;
    static final int SHARED_MAX_EPOCHS = 3;
    static final int VALIDATION_PERCENT = 20;
    static final int BATCH = 16;
    static final int WARMUP_ROUNDS = 3;
    static final int ROUNDS = 20;
    static final int BOOTSTRAP_RESAMPLES = 1000;

    /** Where the job writes its figures. */
    static final Path RESULTS = Path.of("target/attune/multilingual-adapters/results.json");

    private MultilingualAdapterJob() {
    }

    /** One language's data: the training set without its validation split, the split, the test set. */
    record Language(String locale, LabeledData train, LabeledData validation, LabeledData test, TokenizerStats tokens) {
    }

    /**
     * A LoRA adapter chosen on validation: the kept run, its learning rate, its best epoch (whose weights
     * it holds), and every candidate's best validation figures.
     */
    record Chosen(FineTuneResult result, double learningRate, double seconds, List<Map<String, Object>> candidates) {
        int epoch() {
            return result.bestEpoch();
        }

        double validationAccuracy() {
            return result.best().metrics().get(Metrics.accuracy().name());
        }
    }

    /** How the tokenizer cuts a language's training and test texts. */
    record TokenizerStats(double piecesPerWord, double unknownShare, double meanTokens, int truncated) {
    }

    /** One language's row of the accuracy table. */
    record Row(String locale, int train, int validation, int test, TokenizerStats tokens, ConfidenceInterval headOnly,
               Chosen chosen, ConfidenceInterval lora, ConfidenceInterval shared, ConfidenceInterval englishZeroShot) {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        WordPieceTokenizer tokenizer = IntentFineTuningJob.miniLmTokenizer(MAX_LENGTH);
        BertEncoder encoder = IntentFineTuningJob.miniLmEncoder();
        Network base = Network.of(encoder);
        List<Language> languages = new ArrayList<>();
        for (String locale : AssistantIntents.LOCALES) {
            languages.add(language(BundledText.assistantIntents(locale), tokenizer));
        }
        int classes = AssistantIntents.CLASS_NAMES.size();
        System.out.println("assistant intents, " + classes + " intents in " + AssistantIntents.LOCALES
                + "; all-MiniLM-L6-v2, max length " + MAX_LENGTH + "; " + VALIDATION_PERCENT + "% of each training set held"
                + " out for validation; seed 1; "
                + BaseModels.threadSettings() + "; load average " + IntentFineTuningJob.loadAverage());

        Map<String, Object> timing = new LinkedHashMap<>();
        Map<String, Predictions> head = new LinkedHashMap<>();
        Map<String, Chosen> chosen = new LinkedHashMap<>();
        Map<String, FineTuneResult> lora = new LinkedHashMap<>();
        double headSeconds = 0;
        double loraSeconds = 0;
        long headParams = 0;
        long loraParams = 0;
        for (Language l : languages) {
            FineTuneResult h = FineTuner.builder(base).replaceHead(classes).freeze(Freeze.allExcept("head"))
                    .optimizer(dev.attune.spi.Optimizer.adam(1e-2)).epochs(HEAD_EPOCHS).batchSize(32).seed(1).build()
                    .fit(l.train(), null);
            head.put(l.locale(), h.predict(l.test()));
            headSeconds += seconds(h);
            headParams = h.trainableParams();
            Chosen c = chooseLora("LoRA " + l.locale(), base, classes, l.train(), l.validation(), LORA_MAX_EPOCHS);
            FineTuneResult a = c.result();
            chosen.put(l.locale(), c);
            lora.put(l.locale(), a);
            loraSeconds += c.seconds();
            loraParams = a.trainableParams();
            System.out.printf(Locale.ROOT, "%s: head-only %.1f s, LoRA %.1f s for %d candidates; chose learning rate %s,"
                    + " epoch %d (validation accuracy %.3f)%n", l.locale(), seconds(h), c.seconds(), c.candidates().size(),
                    c.learningRate(), c.epoch(), c.validationAccuracy());
        }
        LabeledData sharedTrain = concat(languages, Language::train);
        LabeledData pooledValidation = concat(languages, Language::validation);
        LabeledData sharedValidation = withoutCopiesOf(pooledValidation, sharedTrain);
        System.out.printf(Locale.ROOT, "shared validation: %d examples, %d dropped as copies of another language's"
                + " training examples%n", sharedValidation.size(), pooledValidation.size() - sharedValidation.size());
        Chosen sharedChoice = chooseLora("shared LoRA", base, classes, sharedTrain, sharedValidation, SHARED_MAX_EPOCHS);
        FineTuneResult shared = sharedChoice.result();
        System.out.printf(Locale.ROOT, "shared LoRA: %.1f s for %d candidates; chose learning rate %s, epoch %d"
                + " (validation accuracy %.3f)%n", sharedChoice.seconds(), sharedChoice.candidates().size(),
                sharedChoice.learningRate(), sharedChoice.epoch(), sharedChoice.validationAccuracy());
        timing.put("headOnlySecondsAllLanguages", headSeconds);
        timing.put("loraSecondsAllLanguagesAllCandidates", loraSeconds);
        timing.put("sharedLoraSecondsAllCandidates", sharedChoice.seconds());
        timing.put("headOnlyTrainableParams", headParams);
        timing.put("loraTrainableParamsPerAdapter", loraParams);
        timing.put("sharedLoraTrainableParams", shared.trainableParams());

        List<Row> rows = new ArrayList<>();
        FineTuneResult english = lora.get("en-us");
        for (Language l : languages) {
            rows.add(new Row(l.locale(), l.train().size(), l.validation().size(), l.test().size(), l.tokens(),
                    accuracy(head.get(l.locale())), chosen.get(l.locale()), accuracy(lora.get(l.locale()).predict(l.test())),
                    accuracy(shared.predict(l.test())), accuracy(english.predict(l.test()))));
        }
        System.out.println();
        System.out.print(MultilingualResults.table(rows));
        System.out.printf(Locale.ROOT, "%nshared LoRA: learning rate %s, epoch %d of %d%n", sharedChoice.learningRate(),
                sharedChoice.epoch(), SHARED_MAX_EPOCHS);
        System.out.printf(Locale.ROOT, "%ntraining: head-only %,d trainable parameters, %.1f s for all five;"
                + " LoRA %,d per adapter, %.1f s for all five with every candidate; shared LoRA %,d, %.1f s with every"
                + " candidate%n", headParams, headSeconds, loraParams, loraSeconds, shared.trainableParams(),
                sharedChoice.seconds());

        // Serving: the five per-language adapters on one base.
        AdaptedNetwork network = AdaptedNetwork.of(base);
        for (Language l : languages) {
            network.add(l.locale(), lora.get(l.locale()).adapters().orElseThrow());
        }
        double gap = 0;
        for (Language l : languages) {
            network.activate(l.locale());
            INDArray served = network.output(l.test().features());
            gap = Math.max(gap, served.sub(lora.get(l.locale()).model().output(l.test().features())).amaxNumber().doubleValue());
        }
        System.out.printf(Locale.ROOT, "%nserved adapters vs their merged models, largest difference of the test"
                + " probabilities: %.2e%n", gap);
        MultiAdapterNetwork multi = MultiAdapterNetwork.of(base);
        for (Language l : languages) {
            multi.put(l.locale(), lora.get(l.locale()).adapters().orElseThrow());
        }
        SwitchingAdapterServer switching = new SwitchingAdapterServer(network);
        OnePassAdapterServer onePass = new OnePassAdapterServer(multi);
        ServingLatency.Batches batches = batches(languages);
        double onePassGap = onePassGap(switching, onePass, batches, languages);
        System.out.printf(Locale.ROOT, "one-pass server vs switching server, largest difference of the probabilities"
                + " (every test set, and the mixed batch): %.2e%n", onePassGap);
        List<ServingLatency.Result> latency = ServingLatency.measure(List.of(switching, onePass), batches,
                WARMUP_ROUNDS, ROUNDS);
        System.out.println("serving latency, batches of " + BATCH + " test utterances at " + MAX_LENGTH
                + " positions, " + WARMUP_ROUNDS + " warm-up and " + ROUNDS + " measured rounds; load average "
                + IntentFineTuningJob.loadAverage());
        System.out.println();
        System.out.print(ServingLatency.table(latency));
        System.out.printf(Locale.ROOT, "%nadapter switches: %d, %.2f ms each on average%n", switching.switches(),
                switching.switchNanos() / 1e6 / Math.max(1, switching.switches()));

        Map<String, Object> environment = RunEnvironment.environment(loadBefore, RunEnvironment.loadAverage());
        RunEnvironment.write(RESULTS, MultilingualResults.json(rows, sharedChoice, timing, gap, onePassGap, latency, switching, environment));
        System.out.println("wrote " + RESULTS);
    }

    /**
     * Trains the LoRA adapter at every learning rate of {@link #LORA_RATES} for up to {@code maxEpochs}
     * epochs, keeping each run's best epoch on the validation split (accuracy, ties to the earlier
     * epoch), and keeps the run whose best epoch has the highest validation accuracy, ties to the lower
     * validation loss, then to the rate tried first.
     */
    static Chosen chooseLora(String label, Network base, int classes, LabeledData train, LabeledData validation,
            int maxEpochs) {
        Chosen best = null;
        double seconds = 0;
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (double rate : LORA_RATES) {
            FineTuneResult r = FineTuner.builder(base).replaceHead(classes).adapter(loraMethod())
                    .optimizer(dev.attune.spi.Optimizer.adam(rate)).epochs(maxEpochs).batchSize(BATCH).seed(1)
                    .metrics(Metrics.accuracy()).earlyStopping(EarlyStopping.on(Metrics.accuracy()).patience(maxEpochs))
                    .listener(epochs(label + ", learning rate " + rate)).build().fit(train, validation);
            seconds += seconds(r);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("learningRate", rate);
            c.put("bestEpoch", r.bestEpoch());
            c.put("validationAccuracy", r.best().metrics().get(Metrics.accuracy().name()));
            c.put("validationLoss", r.best().validationLoss());
            List<Object> history = new ArrayList<>();
            for (EpochRecord e : r.history()) {
                history.add(Map.of("epoch", e.epoch(), "trainLoss", e.trainLoss(), "validationLoss", e.validationLoss(),
                        "validationAccuracy", e.metrics().get(Metrics.accuracy().name())));
            }
            c.put("epochs", history);
            candidates.add(c);
            Chosen candidate = new Chosen(r, rate, 0, List.of());
            if (best == null || better(candidate, best)) {
                best = candidate;
            }
        }
        return new Chosen(best.result(), best.learningRate(), seconds, candidates);
    }

    private static boolean better(Chosen a, Chosen b) {
        if (a.validationAccuracy() != b.validationAccuracy()) {
            return a.validationAccuracy() > b.validationAccuracy();
        }
        return a.result().best().validationLoss() < b.result().best().validationLoss();
    }

    private static TrainingListener epochs(String name) {
        return new TrainingListener() {
            @Override
            public void onEpochEnd(EpochEnd event) {
                EpochRecord r = event.record();
                System.out.printf(Locale.ROOT, "  %s epoch %d: train loss %.4f, validation loss %.4f, accuracy %.3f, %.0f s,"
                        + " load average %s%n", name, r.epoch(), r.trainLoss(), r.validationLoss(),
                        r.metrics().get(Metrics.accuracy().name()), event.sinceStart().toMillis() / 1e3,
                        IntentFineTuningJob.loadAverage());
            }
        };
    }

    /**
     * The largest difference between the one-pass and the switching server's outputs, over every
     * language's test set served as one batch and over the mixed batch.
     */
    static double onePassGap(MultiAdapterServer switching, MultiAdapterServer onePass, ServingLatency.Batches batches,
            List<Language> languages) {
        double gap = 0;
        for (Language l : languages) {
            List<String> names = java.util.Collections.nCopies(l.test().size(), l.locale());
            gap = Math.max(gap, onePass.output(names, l.test().features()).sub(switching.output(names, l.test().features()))
                    .amaxNumber().doubleValue());
        }
        INDArray a = onePass.output(batches.mixedAdapters(), batches.mixed());
        INDArray b = switching.output(batches.mixedAdapters(), batches.mixed());
        return Math.max(gap, a.sub(b).amaxNumber().doubleValue());
    }

    /** LoRA r = 8, alpha 16 on the query and value projections, as the intent job. */
    static Lora loraMethod() {
        return Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value");
    }

    static Language language(AssistantIntents intents, WordPieceTokenizer tokenizer) {
        TextData trainText = intents.train();
        TextData testText = intents.test();
        TokenizedText trainTokens = trainText.tokenize(tokenizer);
        TokenizedText testTokens = testText.tokenize(tokenizer);
        List<String> texts = new ArrayList<>(trainText.texts());
        texts.addAll(testText.texts());
        long words = 0;
        long pieces = 0;
        long unknown = 0;
        for (String t : texts) {
            words += t.split("\\s+").length;
            for (String p : tokenizer.tokenize(t)) {
                pieces++;
                unknown += "[UNK]".equals(p) ? 1 : 0;
            }
        }
        double tokens = 0;
        for (int i = 0; i < trainTokens.size(); i++) {
            tokens += trainTokens.tokenCount(i);
        }
        for (int i = 0; i < testTokens.size(); i++) {
            tokens += testTokens.tokenCount(i);
        }
        TokenizerStats stats = new TokenizerStats((double) pieces / words, (double) unknown / pieces,
                tokens / texts.size(), trainTokens.truncated() + testTokens.truncated());
        Split split = Splits.stratified(trainTokens.labeled(trainText.labels(), trainText.numClasses()),
                VALIDATION_PERCENT / 100.0, 1);
        return new Language(intents.locale(), split.train(), split.validation(),
                testTokens.labeled(testText.labels(), testText.numClasses()), stats);
    }

    /** One part (training or validation) of every language, one after the other (the trainer shuffles). */
    static LabeledData concat(List<Language> languages, java.util.function.Function<Language, LabeledData> part) {
        List<LabeledData> parts = languages.stream().map(part).toList();
        INDArray[] features = parts.stream().map(LabeledData::features).toArray(INDArray[]::new);
        int[] labels = parts.stream().flatMapToInt(d -> java.util.Arrays.stream(d.labels(), 0, d.size())).toArray();
        return LabeledData.of(Nd4j.concat(0, features), labels, parts.get(0).numClasses());
    }

    /**
     * The serving batches: per language, {@value #BATCH} of its test utterances spread over its test
     * set; and mixed batches of {@value #BATCH} taking rows from every language in turn.
     */
    static ServingLatency.Batches batches(List<Language> languages) {
        Map<String, INDArray> perLanguage = new LinkedHashMap<>();
        List<INDArray> mixedRows = new ArrayList<>();
        List<String> mixedNames = new ArrayList<>();
        Map<String, int[]> spreads = new LinkedHashMap<>();
        for (Language l : languages) {
            int[] spread = spread(l.test().size(), BATCH);
            spreads.put(l.locale(), spread);
            perLanguage.put(l.locale(), SwitchingAdapterServer.rows(l.test().features(), spread));
        }
        for (int i = 0; i < BATCH; i++) {
            Language l = languages.get(i % languages.size());
            int row = spreads.get(l.locale())[i];
            mixedRows.add(SwitchingAdapterServer.rows(l.test().features(), new int[] {row}));
            mixedNames.add(l.locale());
        }
        return new ServingLatency.Batches(perLanguage, mixedNames, Nd4j.concat(0, mixedRows.toArray(new INDArray[0])));
    }

    /**
     * The examples of {@code data} whose features are no exact copy of any example of {@code of}: the
     * pooled validation splits hold utterances that another language's training set has word for word
     * (a name, a short reply), which would score the shared adapter on what it was trained on.
     */
    static LabeledData withoutCopiesOf(LabeledData data, LabeledData of) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < of.size(); i++) {
            seen.add(java.util.Arrays.toString(of.features().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).ravel()
                    .toFloatVector()));
        }
        int[] keep = java.util.stream.IntStream.range(0, data.size()).filter(i -> !seen.contains(java.util.Arrays.toString(
                data.features().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).ravel().toFloatVector()))).toArray();
        return data.select(keep);
    }

    /** {@code k} indices spread evenly over {@code [0, n)}. */
    static int[] spread(int n, int k) {
        if (n < k) {
            throw new IllegalArgumentException("a test set of " + n + " is smaller than a batch of " + k);
        }
        int[] r = new int[k];
        for (int i = 0; i < k; i++) {
            r[i] = (int) ((long) i * n / k);
        }
        return r;
    }

    static ConfidenceInterval accuracy(Predictions p) {
        return Bootstrap.of(Metrics.accuracy()).resamples(BOOTSTRAP_RESAMPLES).seed(1).interval(p, 0.95);
    }

    private static double seconds(FineTuneResult r) {
        return r.wallTime().toNanos() / 1e9;
    }
}

package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.internal.bert.BertConfig;
import dev.attune.internal.bert.BertGraph;
import dev.attune.internal.bert.BertHandle;
import dev.attune.internal.bert.BertTrainable;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fine-tuning a BERT encoder through {@link FineTuner}, on a tiny random BERT of the same code and on
 * token sequences whose class is the group of one signal token among filler tokens.
 */
public class BertFineTuningTest {
    static final BertConfig TINY = new BertConfig(50, 16, 2, 2, 32, 16, 2, 1e-12);
    static final int LENGTH = 10;
    static final int CLASSES = 3;
    /** The head's parameters: W [16, 3] and b [3]. */
    static final long HEAD_PARAMS = 16 * 3 + 3;
    static final Metric ACCURACY = Fixtures.ACCURACY;

    private static final LabeledData ALL = sequences(330, 1);
    private final LabeledData train = ALL.select(java.util.stream.IntStream.range(0, 240).toArray());
    private final LabeledData validation = ALL.select(java.util.stream.IntStream.range(240, 330).toArray());

    public static BertEncoder tiny(DataType dataType) {
        return BertEncoder.of(BertGraph.random(TINY, 7, dataType, BertGraph.Lookup.GATHER));
    }

    /**
     * [CLS]=1, filler ids from 20..27 (so ids repeat), one signal id from 10 + 3c .. 12 + 3c for class c
     * at a random position, [SEP]=2, then padding 0; lengths 5 to {@value #LENGTH}; no two alike.
     */
    static LabeledData sequences(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 2 * LENGTH];
        int[] labels = new int[n];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            labels[i] = c;
            int len = 5 + rng.nextInt(LENGTH - 4);
            int signal = 1 + rng.nextInt(len - 2);
            for (int t = 0; t < LENGTH; t++) {
                int id = t >= len ? 0 : t == 0 ? 1 : t == len - 1 ? 2 : t == signal ? 10 + 3 * c + rng.nextInt(3)
                        : 20 + rng.nextInt(8);
                x[i * 2 * LENGTH + t] = id;
                x[i * 2 * LENGTH + LENGTH + t] = t < len ? 1 : 0;
            }
            if (!seen.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(x, i * 2 * LENGTH, (i + 1) * 2 * LENGTH)))) {
                i--;
            }
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 2, LENGTH}, 'c'), labels, CLASSES);
    }

    /**
     * Non-trivial values in every tensor (layer-norm gains about 1, everything else about 0, spread
     * 0.3), so that every op's gradient matters.
     */
    public static void randomise(Map<String, INDArray> tensors, long seed) {
        Random rng = new Random(seed);
        tensors.forEach((name, w) -> {
            double[] v = new double[(int) w.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (name.endsWith("LayerNorm.weight") ? 1.0 : 0.0) + 0.3 * rng.nextGaussian();
            }
            w.assign(Nd4j.createFromArray(v).reshape(w.shape()));
        });
    }

    /** A new head of 3 classes, batches of 32, seed 5, accuracy as a metric. */
    private static FineTuner.Builder tuner(Network base, int epochs, Optimizer optimizer) {
        return FineTuner.builder(base).replaceHead(CLASSES).optimizer(optimizer).epochs(epochs).batchSize(32)
                .seed(5).metrics(ACCURACY);
    }

    @Test
    void fullFineTuningLearns() {
        Network base = Network.of(tiny(DataType.FLOAT));
        FineTuneResult r = tuner(base, 12, Optimizer.adam(1e-2)).build().fit(train, validation);
        assertThat(r.trainableParams()).isEqualTo(base.numParams() + HEAD_PARAMS);
        assertThat(r.frozenParams()).isZero();
        assertThat(r.optimizerStateSize()).isEqualTo(2 * (base.numParams() + HEAD_PARAMS));
        List<EpochRecord> h = r.history();
        assertThat(h.get(h.size() - 1).trainLoss()).isLessThan(0.3 * h.get(0).trainLoss());
        assertThat(h.get(0).metric("accuracy")).isLessThan(0.8);
        assertThat(r.evaluate(validation, ACCURACY)).isGreaterThanOrEqualTo(0.95);
        assertThat(r.model().layers()).extracting(LayerInfo::name)
                .containsExactly("embeddings", "encoder.0", "encoder.1", "head");
        // Every layer learned, the word embeddings included.
        INDArray before = base.handle().params();
        Map<String, INDArray> after = ((BertHandle) r.model().handle()).tensors();
        Map<String, INDArray> original = ((BertHandle) base.handle()).tensors();
        original.forEach((name, v) -> assertThat(after.get(name)).as(name).isNotEqualTo(v));
        assertThat(before).isEqualTo(Network.of(tiny(DataType.FLOAT)).handle().params());
    }

    @Test
    void headOnlyTrainsExactlyTheHeadOnCachedEmbeddings() {
        Network base = Network.of(tiny(DataType.FLOAT));
        List<TrainingListener.FitStart> starts = new ArrayList<>();
        FineTuneResult r = tuner(base, 12, Optimizer.adam(5e-2)).freeze(Freeze.allExcept("head"))
                .listener(new TrainingListener() {
                    @Override
                    public void onFitStart(FitStart event) {
                        starts.add(event);
                    }
                }).build().fit(train, validation);
        assertThat(r.trainableParams()).isEqualTo(HEAD_PARAMS);
        assertThat(r.frozenParams()).isEqualTo(base.numParams());
        assertThat(r.optimizerStateSize()).isEqualTo(2 * HEAD_PARAMS);
        assertThat(r.frozenLayers()).containsExactly("embeddings", "encoder.0", "encoder.1");
        assertThat(starts.get(0).cachedFrozenFeatures()).isTrue();
        Map<String, INDArray> after = ((BertHandle) r.model().handle()).tensors();
        ((BertHandle) base.handle()).tensors().forEach((name, v) -> assertThat(after.get(name)).as(name).isEqualTo(v));
        assertThat(r.history().get(r.history().size() - 1).trainLoss()).isLessThan(r.history().get(0).trainLoss());
        // Predictions of the result agree with the validation metric of its last epoch.
        assertThat(r.evaluate(validation, ACCURACY)).isEqualTo(r.history().get(r.history().size() - 1).metric("accuracy"));
    }

    @Test
    void freezingByNameKeepsThoseLayersAndRefusesUnknownNames() {
        Network base = Network.of(tiny(DataType.FLOAT));
        FineTuneResult r = tuner(base, 2, Optimizer.adam(1e-2)).freeze(Freeze.layers("embeddings", "encoder.0")).build()
                .fit(train, validation);
        BertHandle tuned = (BertHandle) r.model().handle();
        long encoder1 = base.layer("encoder.1").numParams();
        assertThat(r.trainableParams()).isEqualTo(encoder1 + HEAD_PARAMS);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * (encoder1 + HEAD_PARAMS));
        ((BertHandle) base.handle()).tensors().forEach((name, v) -> {
            if (name.startsWith("encoder.1.")) {
                assertThat(tuned.tensors().get(name)).as(name).isNotEqualTo(v);
            } else {
                assertThat(tuned.tensors().get(name)).as(name).isEqualTo(v);
            }
        });
        FineTuneResult upTo = tuner(base, 1, Optimizer.adam(1e-2)).freeze(Freeze.upTo("encoder.0")).build().fit(train, validation);
        assertThat(upTo.frozenLayers()).containsExactly("embeddings", "encoder.0");

        assertThatThrownBy(() -> tuner(base, 1, Optimizer.adam(1e-2)).freeze(Freeze.layers("encoder.7")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.7").hasMessageContaining("embeddings, encoder.0, encoder.1, head");
        assertThatThrownBy(() -> FineTuner.builder(base).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replaceHead(k)");
        assertThatThrownBy(() -> FineTuner.builder(base).replaceHead(3, "encoder.0").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head name");
    }

    @Test
    void theSameSeedGivesBitIdenticalWeights() {
        Network base = Network.of(tiny(DataType.FLOAT));
        FineTuneResult a = tuner(base, 2, Optimizer.adam(1e-2)).build().fit(train, validation);
        FineTuneResult b = tuner(base, 2, Optimizer.adam(1e-2)).build().fit(train, validation);
        assertThat(a.model().fingerprint()).isEqualTo(b.model().fingerprint());
        assertThat(a.model().handle().params()).isEqualTo(b.model().handle().params());
        FineTuneResult c = FineTuner.builder(base).replaceHead(CLASSES).optimizer(Optimizer.adam(1e-2)).epochs(2)
                .batchSize(32).seed(6).build().fit(train, validation);
        assertThat(c.model().fingerprint()).isNotEqualTo(a.model().fingerprint());
    }

    @Test
    void saveLoadAndCheckpointsRoundTripBitExactly(@TempDir Path dir) throws Exception {
        Network base = Network.of(tiny(DataType.FLOAT));
        FineTuneResult r = tuner(base, 3, Optimizer.adam(1e-2)).checkpoints(CheckpointStore.directory(dir.resolve("ck"))).build()
                .fit(train, validation);
        Path zip = dir.resolve("bert.zip");
        r.model().save(zip);
        Network loaded = Network.load(zip);
        assertThat(loaded.fingerprint()).isEqualTo(r.model().fingerprint());
        assertThat(loaded.handle().params()).isEqualTo(r.model().handle().params());
        assertThat(loaded.layers()).isEqualTo(r.model().layers());
        assertThat(loaded.output(validation.features())).isEqualTo(r.model().output(validation.features()));
        assertThat(loaded.numOutputs()).isEqualTo(CLASSES);
        // The fingerprint covers the architecture: the same weights under another head name differ.
        assertThat(base.fingerprint()).isNotEqualTo(loaded.fingerprint());
        try (var files = Files.list(dir.resolve("ck"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("checkpoint-00000016.zip", "checkpoint-00000024.zip", "epoch-001.zip",
                            "epoch-002.zip", "epoch-003.zip");
        }
        assertThat(Network.load(dir.resolve("ck/epoch-003.zip")).fingerprint()).isEqualTo(r.model().fingerprint());
        assertThat(Network.load(dir.resolve("ck/epoch-001.zip")).fingerprint()).isNotEqualTo(r.model().fingerprint());
        // A loaded model fine-tunes again, keeping its head.
        FineTuneResult again = FineTuner.builder(loaded).freeze(Freeze.allExcept("head")).epochs(1).build()
                .fit(train, validation);
        assertThat(again.trainableParams()).isEqualTo(HEAD_PARAMS);
        // A truncated file is refused.
        Path cut = dir.resolve("cut.zip");
        byte[] bytes = Files.readAllBytes(zip);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Network.load(cut)).isInstanceOf(AttuneException.class);
    }

    @Test
    void trainingGradientsMatchFiniteDifferencesWithRepeatedIds() {
        Network base = Network.of(tiny(DataType.DOUBLE));
        Nd4j.getRandom().setSeed(3);
        BertTrainable model = (BertTrainable) base.handle().prepare(
                new TrainingPlan(CLASSES, "head", Freeze.none(), Optimizer.sgd(0.1), 3));
        Map<String, INDArray> t = model.trainedTensors();
        randomise(t, 13);
        // id 21 three times in row 0 and once in row 1, id 5 twice in row 1; padding in row 2.
        INDArray x = Nd4j.create(new double[][][] {
                {{1, 21, 21, 7, 21, 2}, {1, 1, 1, 1, 1, 1}},
                {{1, 5, 21, 5, 2, 0}, {1, 1, 1, 1, 1, 0}},
                {{1, 9, 2, 0, 0, 0}, {1, 1, 1, 0, 0, 0}}});
        INDArray y = Nd4j.create(new double[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}});
        Map<String, INDArray> grads = model.compute(x, y, null).gradients();
        Map<String, long[]> checked = Map.of(
                BertGraph.WORDS, new long[] {21 * 16, 21 * 16 + 7, 5 * 16 + 3, 7 * 16 + 15, 30 * 16},
                "embeddings.position_embeddings.weight", new long[] {0, 16 + 4, 5 * 16 + 1},
                "encoder.0.attention.self.query.weight", new long[] {0, 100, 255},
                "encoder.1.output.dense.weight", new long[] {3, 300},
                "encoder.1.output.LayerNorm.bias", new long[] {2},
                "head.W", new long[] {0, 20, 47},
                "head.b", new long[] {1});
        double h = 1e-6;
        int compared = 0;
        for (var e : checked.entrySet()) {
            INDArray w = t.get(e.getKey());
            INDArray g = grads.get(e.getKey()).dup();
            for (long i : e.getValue()) {
                double original = w.getDouble(i);
                w.putScalar(i, original + h);
                double plus = model.compute(x, y, null).loss();
                w.putScalar(i, original - h);
                double minus = model.compute(x, y, null).loss();
                w.putScalar(i, original);
                double numeric = (plus - minus) / (2 * h);
                double analytic = g.getDouble(i);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
                assertThat(Math.abs(numeric - analytic)).as("%s[%d]: analytic %s, numeric %s", e.getKey(), i, analytic, numeric)
                        .isLessThanOrEqualTo(1e-8 + 1e-5 * scale);
                compared += scale > 1e-6 ? 1 : 0;
            }
        }
        // id 30 occurs nowhere: no gradient; the checks above must not pass on zeros.
        assertThat(grads.get(BertGraph.WORDS).getRow(30).amaxNumber().doubleValue()).isZero();
        assertThat(compared).isGreaterThanOrEqualTo(16);
    }

    @Test
    void updatesFollowTheOptimizer() {
        Network base = Network.of(tiny(DataType.DOUBLE));
        INDArray x = sequences(6, 4).features().castTo(DataType.DOUBLE);
        INDArray y = Nd4j.create(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        for (Optimizer opt : List.of(Optimizer.sgd(0.5), Optimizer.adamW(0.01, 0.1))) {
            Nd4j.getRandom().setSeed(3);
            BertTrainable model = (BertTrainable) base.handle().prepare(
                    new TrainingPlan(CLASSES, "head", Freeze.allExcept("head"), opt, 3));
            INDArray pooled = model.encode(x);
            Map<String, INDArray> g = model.compute(pooled, y, null).gradients();
            INDArray gw = g.get("head.W").dup();
            INDArray gb = g.get("head.b").dup();
            INDArray w0 = model.trainedTensors().get("head.W").dup();
            INDArray b0 = model.trainedTensors().get("head.b").dup();
            model.step(pooled, y, null, 0, 0);
            INDArray w1 = model.trainedTensors().get("head.W");
            INDArray b1 = model.trainedTensors().get("head.b");
            if (opt.kind() == Optimizer.Kind.SGD) {
                assertThat(w1.sub(w0.sub(gw.mul(0.5))).amaxNumber().doubleValue()).isLessThan(1e-12);
                assertThat(b1.sub(b0.sub(gb.mul(0.5))).amaxNumber().doubleValue()).isLessThan(1e-12);
            } else {
                // DL4J's Adam, first step: lr sqrt(1 - beta2) / (1 - beta1) m / (sqrt(v) + eps) with
                // m = (1 - beta1) g and v = (1 - beta2) g^2; decoupled decay lr * wd * w on weights only.
                double s = Math.sqrt(1 - 0.999);
                INDArray adamW = gw.mul(s).div(org.nd4j.linalg.ops.transforms.Transforms.abs(gw).mul(s).add(1e-8)).mul(0.01);
                assertThat(w1.sub(w0.sub(adamW).sub(w0.mul(0.01 * 0.1))).amaxNumber().doubleValue()).isLessThan(1e-12);
                INDArray adamB = gb.mul(s).div(org.nd4j.linalg.ops.transforms.Transforms.abs(gb).mul(s).add(1e-8)).mul(0.01);
                assertThat(b1.sub(b0.sub(adamB)).amaxNumber().doubleValue()).isLessThan(1e-12);
            }
        }
    }

    @Test
    void earlyStoppingListenersAndPredictWork() {
        Network base = Network.of(tiny(DataType.FLOAT));
        int[] batches = {0};
        FineTuneResult r = tuner(base, 40, Optimizer.adam(0.3)).freeze(Freeze.allExcept("head"))
                .earlyStopping(EarlyStopping.onValidationLoss().patience(2))
                .listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(BatchEnd event) {
                        batches[0]++;
                    }
                }).build().fit(train, validation);
        assertThat(batches[0]).isEqualTo(r.history().size() * 8);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.history().size()).isLessThan(40);
        assertThat(r.bestEpoch()).isEqualTo(r.history().size() - 2);
        // The best epoch's weights were restored: predictions give its validation loss.
        assertThat(r.predict(validation).logLoss()).isCloseTo(r.best().validationLoss(),
                org.assertj.core.data.Offset.offset(1e-5));
        assertThatThrownBy(() -> r.model().output(Nd4j.zeros(DataType.FLOAT, 2, 3, LENGTH)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[n, 2, seqLen]");
        INDArray badIds = validation.features().dup();
        badIds.putScalar(new long[] {0, 0, 1}, 50);
        assertThatThrownBy(() -> r.model().output(badIds)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 50)");
    }
}

package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.internal.bert.BertHandle;
import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Learning-rate schedules, discriminative rates and gradient clipping on every family: a dense
 * multi-layer network (fused dense step), a convolutional one (DL4J's backward pass), a computation
 * graph and the BERT encoder.
 */
class TrainingControlsTest {
    /** The families, with their layers from the top. */
    enum Family {
        MLP(List.of("out", "dense1", "dense0")),
        CNN(List.of("out", "dense0", "conv0")),
        GRAPH(List.of("out", "dense1", "dense0")),
        BERT(List.of("head", "encoder.1", "encoder.0", "embeddings"));

        final List<String> topDown;

        Family(List<String> topDown) {
            this.topDown = topDown;
        }

        Network base() {
            return switch (this) {
                case MLP -> Network.of(Fixtures.mlp(3, 5));
                case CNN -> Network.of(Fixtures.cnn(3, 9));
                case GRAPH -> Network.of(Fixtures.graph(3, 5));
                case BERT -> Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
            };
        }

        LabeledData data(int n) {
            return switch (this) {
                case MLP, GRAPH -> Fixtures.blobs(n, 8, 3, 1);
                case CNN -> Fixtures.blobs(n, 64, 3, 3);
                case BERT -> BertFineTuningTest.sequences(n, 1);
            };
        }

        FineTuner.Builder tuner(Optimizer optimizer) {
            FineTuner.Builder b = FineTuner.builder(base()).optimizer(optimizer).seed(3);
            return this == BERT ? b.replaceHead(BertFineTuningTest.CLASSES) : b;
        }

        /** A layer's parameters in a result, flat. */
        INDArray params(Network net, String layer) {
            return switch (this) {
                case MLP, CNN -> net.asMultiLayerNetwork().getLayer(layer).params().dup();
                case GRAPH -> net.asComputationGraph().getLayer(layer).params().dup();
                case BERT -> Nd4j.toFlattened(((BertHandle) net.handle()).tensors().entrySet().stream()
                        .filter(e -> e.getKey().startsWith(layer + ".")).map(Map.Entry::getValue)
                        .collect(Collectors.toList()));
            };
        }

        /** A layer's parameters in the base network, flat. */
        INDArray baseParams(String layer) {
            if (this == BERT && layer.equals("head")) {
                throw new IllegalArgumentException("the base has no head");
            }
            return params(base(), layer);
        }
    }

    static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aConstantScheduleUpdatesAsTheModelsOwnStep(Family f) {
        LabeledData data = f.data(48);
        Optimizer adamW = Optimizer.adamW(1e-2, 0.05);
        FineTuneResult own = f.tuner(adamW).epochs(2).batchSize(16).build().fit(data);
        FineTuneResult controlled = f.tuner(adamW).epochs(2).batchSize(16).schedule(Schedule.constant()).build().fit(data);
        for (String layer : f.topDown) {
            INDArray a = f.params(own.model(), layer);
            INDArray b = f.params(controlled.model(), layer);
            assertThat(maxDiff(a, b)).as(layer).isLessThan(2e-5);
            if (!layer.equals("head") && f != Family.BERT) {
                assertThat(maxDiff(a, f.baseParams(layer))).as(layer + " trained").isGreaterThan(1e-3);
            }
        }
        assertThat(controlled.optimizerStateSize()).isEqualTo(own.optimizerStateSize());
        assertThat(controlled.history().get(1).trainLoss()).isCloseTo(own.history().get(1).trainLoss(), within(1e-5));
        assertThat(controlled.provenance().config()).containsEntry("schedule", "constant()");
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theScheduleDrivesTheUpdateAndListenersSeeEachStepsRate(Family f) {
        LabeledData data = f.data(30);
        List<Double> rates = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onBatchEnd(BatchEnd e) {
                rates.add(e.learningRate());
            }
        };
        // Two epochs of one full-batch SGD step each; a warm-up of one step gives the first a rate of 0.
        FineTuneResult warmed = f.tuner(Optimizer.sgd(0.1)).epochs(2).batchSize(30)
                .schedule(Schedule.constant().withWarmup(1)).listener(spy).build().fit(data);
        FineTuneResult oneStep = f.tuner(Optimizer.sgd(0.1)).epochs(1).batchSize(30).build().fit(data);
        FineTuneResult twoSteps = f.tuner(Optimizer.sgd(0.1)).epochs(2).batchSize(30).build().fit(data);
        assertThat(rates).containsExactly(0.0, 0.1);
        assertThat(warmed.history()).extracting(EpochRecord::learningRate).containsExactly(0.0, 0.1);
        assertThat(twoSteps.history()).extracting(EpochRecord::learningRate).containsExactly(0.1, 0.1);
        for (String layer : f.topDown) {
            INDArray w = f.params(warmed.model(), layer);
            assertThat(maxDiff(w, f.params(oneStep.model(), layer))).as(layer).isLessThan(1e-5);
            assertThat(maxDiff(w, f.params(twoSteps.model(), layer))).as(layer).isGreaterThan(1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void discriminativeRatesDivideEachGroupDownByTheFactor(Family f) {
        LabeledData data = f.data(30);
        // One full-batch SGD step from the same weights: each layer's change is its rate times the same gradient.
        FineTuneResult plain = f.tuner(Optimizer.sgd(0.1)).epochs(1).batchSize(30).build().fit(data);
        FineTuneResult disc = f.tuner(Optimizer.sgd(0.1)).epochs(1).batchSize(30).discriminativeLearningRates(4)
                .build().fit(data);
        INDArray headStart = f == Family.BERT ? null : f.baseParams(f.topDown.get(0));
        for (int g = 0; g < f.topDown.size(); g++) {
            String layer = f.topDown.get(g);
            if (g == 0 && headStart == null) {
                assertThat(maxDiff(f.params(disc.model(), layer), f.params(plain.model(), layer))).isLessThan(1e-6);
                continue;
            }
            INDArray start = g == 0 ? headStart : f.baseParams(layer);
            INDArray plainStep = f.params(plain.model(), layer).sub(start);
            INDArray discStep = f.params(disc.model(), layer).sub(start);
            double scale = plainStep.amaxNumber().doubleValue();
            assertThat(scale).as(layer + " moved").isGreaterThan(1e-6);
            assertThat(maxDiff(discStep.mul(Math.pow(4, g)), plainStep) / scale).as(layer).isLessThan(1e-3);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void clippingScalesTheGlobalNormDownToTheLimit(Family f) {
        LabeledData data = f.data(30);
        double lr = 0.1;
        FineTuneResult plain = f.tuner(Optimizer.sgd(lr)).epochs(1).batchSize(30).build().fit(data);
        FineTuneResult clipped = f.tuner(Optimizer.sgd(lr)).epochs(1).batchSize(30).clipGradientNorm(1e-3).build().fit(data);
        double plainSq = 0;
        double clippedSq = 0;
        List<INDArray> plainSteps = new ArrayList<>();
        List<INDArray> clippedSteps = new ArrayList<>();
        Network start = f == Family.BERT ? null : f.base();
        for (String layer : f.topDown) {
            INDArray s0 = layer.equals("head") ? f.params(plain.model(), layer).mul(0) : f.params(start == null ? f.base() : start, layer);
            if (layer.equals("head")) {
                // The BERT head is new: its start is recovered from the plain step (same start for both runs).
                INDArray p = f.params(plain.model(), layer);
                INDArray c = f.params(clipped.model(), layer);
                plainSteps.add(p);
                clippedSteps.add(c);
                continue;
            }
            INDArray p = f.params(plain.model(), layer).sub(s0).castTo(DataType.DOUBLE);
            INDArray c = f.params(clipped.model(), layer).sub(s0).castTo(DataType.DOUBLE);
            plainSq += p.norm2Number().doubleValue() * p.norm2Number().doubleValue();
            clippedSq += c.norm2Number().doubleValue() * c.norm2Number().doubleValue();
            // Clipping scales every tensor by the same factor: the steps are parallel.
            double ratio = c.norm2Number().doubleValue() / p.norm2Number().doubleValue();
            assertThat(maxDiff(c, p.mul(ratio)) / p.amaxNumber().doubleValue()).as(layer).isLessThan(1e-3);
        }
        if (f == Family.BERT) {
            // The head's start is unknown here, but plain - clipped = (1 - ratio) plain step, with the same ratio.
            INDArray diff = plainSteps.get(0).sub(clippedSteps.get(0)).castTo(DataType.DOUBLE);
            double ratio = Math.sqrt(clippedSq / plainSq);
            double headSq = Math.pow(diff.norm2Number().doubleValue() / (1 - ratio), 2);
            plainSq += headSq;
            clippedSq += headSq * ratio * ratio;
        }
        assertThat(Math.sqrt(plainSq) / lr).isGreaterThan(1e-2);
        assertThat(Math.sqrt(clippedSq) / lr).isCloseTo(1e-3, within(1e-6));
    }
}

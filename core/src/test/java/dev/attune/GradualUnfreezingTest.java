package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Gradual unfreezing: what waits, what thaws, Adam's state and bias correction from the thaw, freezing and adapters. */
class GradualUnfreezingTest {
    private static final int N = 30;
    private static final long OUT = 16 * 3 + 3;
    private static final long DENSE1 = 16 * 16 + 16;
    private final LabeledData data = Fixtures.blobs(N, 8, 3, 1);
    private final MultiLayerNetwork base = Fixtures.mlp(3, 5);

    /** Full-batch Adam: one optimizer step per epoch. */
    private FineTuner.Builder tuner(int epochs) {
        return FineTuner.builder(base).optimizer(Optimizer.adam(1e-2)).epochs(epochs).batchSize(N).seed(3)
                .gradualUnfreezing(1);
    }

    private static INDArray layer(FineTuneResult r, String name) {
        return r.model().asMultiLayerNetwork().getLayer(name).params();
    }

    @Test
    void waitingLayersDoNotMoveAndHoldNoStateThenThawWithAdamsFirstStep() {
        FineTuneResult one = tuner(1).build().fit(data);
        assertThat(layer(one, "dense0")).isEqualTo(base.getLayer("dense0").params());
        assertThat(layer(one, "dense1")).isEqualTo(base.getLayer("dense1").params());
        assertThat(layer(one, "out")).isNotEqualTo(base.getLayer("out").params());
        assertThat(one.optimizerStateSize()).isEqualTo(2 * OUT);

        FineTuneResult two = tuner(2).build().fit(data);
        assertThat(layer(two, "dense0")).isEqualTo(base.getLayer("dense0").params());
        assertThat(two.optimizerStateSize()).isEqualTo(2 * (OUT + DENSE1));

        // dense1's first step, at the run's second step, with its own step count 1: m = (1 - b1) g,
        // v = (1 - b2) g^2, alpha = lr sqrt(1 - b2) / (1 - b1), so the step is lr g / (|g| + eps / sqrt(1 - b2)).
        // With the run's step count it would be about 0.74 lr g / |g|.
        MultiLayerNetwork afterOne = one.model().asMultiLayerNetwork();
        afterOne.setInput(data.featuresView());
        afterOne.setLabels(oneHot(data));
        afterOne.computeGradientAndScore();
        INDArray g = afterOne.gradient().getGradientFor("1_W").castTo(DataType.DOUBLE).div(N);
        INDArray expected = g.div(Transforms.abs(g, true).addi(1e-8 / Math.sqrt(1 - 0.999))).mul(-1e-2);
        INDArray step = two.model().asMultiLayerNetwork().getLayer("dense1").getParam("W").castTo(DataType.DOUBLE)
                .sub(base.getLayer("dense1").getParam("W").castTo(DataType.DOUBLE));
        assertThat(step.sub(expected).amaxNumber().doubleValue()).isLessThan(2e-6);
        assertThat(step.amaxNumber().doubleValue()).isGreaterThan(0.99e-2);
    }

    static INDArray oneHot(LabeledData d) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, d.size(), d.numClasses());
        for (int i = 0; i < d.size(); i++) {
            y.putScalar(i, d.labels()[i], 1);
        }
        return y;
    }

    @Test
    void aFrozenLayerNeverThawsAndStaysInTheCachedBottom() {
        List<Boolean> cached = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onFitStart(FitStart e) {
                cached.add(e.cachedFrozenFeatures());
            }
        };
        FineTuneResult one = tuner(1).freeze(Freeze.layers("dense0")).listener(spy).build().fit(data);
        assertThat(layer(one, "dense1")).isEqualTo(base.getLayer("dense1").params());
        FineTuneResult three = tuner(3).freeze(Freeze.layers("dense0")).listener(spy).build().fit(data);
        assertThat(cached).containsExactly(true, true);
        assertThat(layer(three, "dense0")).isEqualTo(base.getLayer("dense0").params());
        assertThat(layer(three, "dense1")).isNotEqualTo(base.getLayer("dense1").params());
        assertThat(three.optimizerStateSize()).isEqualTo(2 * (OUT + DENSE1));
        assertThat(three.provenance().config()).containsEntry("gradualUnfreezing", "every 1 epochs");
    }

    @Test
    void explicitGroupsThawTogether() {
        FineTuneResult two = tuner(2).layerGroups("out", "dense*").build().fit(data);
        assertThat(layer(two, "dense0")).isNotEqualTo(base.getLayer("dense0").params());
        assertThat(layer(two, "dense1")).isNotEqualTo(base.getLayer("dense1").params());
        FineTuneResult one = tuner(1).layerGroups("out", "dense*").build().fit(data);
        assertThat(layer(one, "dense0")).isEqualTo(base.getLayer("dense0").params());
        assertThat(one.provenance().config()).containsEntry("layerGroups", "[out, dense*]");
    }

    @Test
    void withNothingToThawTheFitIsRefused() {
        assertThatThrownBy(() -> tuner(2).freeze(Freeze.allExcept("out")).build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gradual unfreezing has nothing to thaw: the trained layers [out] form a single group");
        assertThatThrownBy(() -> tuner(2).layerGroups("*").build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to thaw");
    }

    @Test
    void withLoraTheAdaptedLayersAdapterTensorsThaw() {
        LabeledData seqs = BertFineTuningTest.sequences(40, 1);
        var lora = BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(4,
                List.of("*.attention.self.query", "*.attention.self.value")));
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        FineTuneResult one = FineTuner.builder(bert).replaceHead(BertFineTuningTest.CLASSES).adapter(lora)
                .optimizer(Optimizer.adam(5e-2)).epochs(1).batchSize(40).gradualUnfreezing(1).build().fit(seqs);
        FineTuneResult two = FineTuner.builder(bert).replaceHead(BertFineTuningTest.CLASSES).adapter(lora)
                .optimizer(Optimizer.adam(5e-2)).epochs(2).batchSize(40).gradualUnfreezing(1).build().fit(seqs);
        // LoRA's B starts at zero: it stays there until its layer's group thaws.
        String b1 = "encoder.1.attention.self.query.lora_B";
        String b0 = "encoder.0.attention.self.query.lora_B";
        assertThat(one.adapters().orElseThrow().tensor(b1).amaxNumber().doubleValue()).isZero();
        assertThat(two.adapters().orElseThrow().tensor(b1).amaxNumber().doubleValue()).isPositive();
        assertThat(two.adapters().orElseThrow().tensor(b0).amaxNumber().doubleValue()).isZero();
        long head = BertFineTuningTest.HEAD_PARAMS;
        long loraPerLayer = 2 * (4 * 16 + 16 * 4);
        assertThat(one.optimizerStateSize()).isEqualTo(2 * head);
        assertThat(two.optimizerStateSize()).isEqualTo(2 * (head + loraPerLayer));
    }
}

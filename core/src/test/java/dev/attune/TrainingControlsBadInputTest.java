package dev.attune;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import org.junit.jupiter.api.Test;

/** Bad values of the training controls: refused when set (or, when they depend on the run, when fit starts). */
class TrainingControlsBadInputTest {
    private final LabeledData data = Fixtures.blobs(40, 8, 3, 1);

    private FineTuner.Builder tuner() {
        return FineTuner.builder(Fixtures.mlp(3, 5));
    }

    @Test
    void aWarmUpLongerThanTheRunIsRefusedAtFitNamingBoth() {
        // 40 rows in batches of 16: 3 steps an epoch, 6 in 2 epochs.
        assertThatThrownBy(() -> tuner().epochs(2).batchSize(16).schedule(Schedule.linear().withWarmup(7)).build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the warm-up of 7 steps is longer than the run's 6 optimizer steps; shorten the warm-up to"
                        + " at most 6 or train for more epochs");
        // With accumulation the run has fewer optimizer steps: 2 an epoch.
        assertThatThrownBy(() -> tuner().epochs(2).batchSize(8).accumulateGradients(3)
                .schedule(Schedule.constant().withWarmup(5)).build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the warm-up of 5 steps is longer than the run's 4 optimizer steps");
        assertThatThrownBy(() -> Schedule.constant().withWarmup(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a warm-up cannot have -1 steps");
    }

    @Test
    void aLearningRateOfZeroOrBelowIsRefusedByTheOptimizer() {
        assertThatThrownBy(() -> Optimizer.adam(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("learning rate must be in (0, 10], got 0.0");
        assertThatThrownBy(() -> Optimizer.sgd(-1e-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("learning rate must be in (0, 10], got -0.001");
    }

    @Test
    void badControlValuesAreRefusedWhenSet() {
        assertThatThrownBy(() -> tuner().accumulateGradients(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gradient accumulation needs at least 1 mini-batch per step, got 0; pass e.g."
                        + " accumulateGradients(4), or 1 for none");
        assertThatThrownBy(() -> tuner().labelSmoothing(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label smoothing must be in [0, 1), got 1.0; 0.1 is a common choice, 0 for none");
        assertThatThrownBy(() -> tuner().labelSmoothing(-0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("label smoothing must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> tuner().labelSmoothing(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("label smoothing must be in [0, 1), got NaN");
        assertThatThrownBy(() -> tuner().clipGradientNorm(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the gradient clipping norm must be a finite number above 0, got 0.0; 1.0 is a common choice");
        assertThatThrownBy(() -> tuner().clipGradientNorm(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the gradient clipping norm must be a finite number above 0, got -1.0");
        assertThatThrownBy(() -> tuner().discriminativeLearningRates(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the discriminative learning-rate factor must be a finite number above 0, got 0.0; pass the"
                        + " divisor from one layer group to the next one down, e.g. 2.6");
        assertThatThrownBy(() -> tuner().discriminativeLearningRates(-2.6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the discriminative learning-rate factor must be a finite number above 0, got -2.6");
        assertThatThrownBy(() -> Schedule.stepDecay(10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stepDecay's factor must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> Schedule.stepDecay(0, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stepDecay's everySteps must be at least 1, got 0");
        assertThatThrownBy(() -> Schedule.cosineWithRestarts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cosineWithRestarts needs at least 1 cycle, got 0");
        assertThatThrownBy(() -> Divergence.rollback(0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the rollback's learning-rate factor must be in (0, 1), got 0.0");
        assertThatThrownBy(() -> Divergence.rollback(0.5, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a rollback guard needs at least 1 rollback, got 0");
        assertThatThrownBy(() -> tuner().gradualUnfreezing(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gradual unfreezing needs at least 1 epoch between thaws, got 0");
        assertThatThrownBy(() -> tuner().layerGroups()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("layerGroups() got no group");
        assertThatThrownBy(() -> tuner().schedule(Schedule.linear()).schedule(Schedule.cosine()))
                .isInstanceOf(IllegalStateException.class).hasMessage("schedule(...) was already set; set each option once");
    }

    @Test
    void layerGroupsThatDoNotFitTheTrainedLayersAreRefused() {
        assertThatThrownBy(() -> tuner().layerGroups("out").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("layerGroups[out] has no use without discriminativeLearningRates(...) or"
                        + " gradualUnfreezing(...)");
        assertThatThrownBy(() -> tuner().discriminativeLearningRates(2).layerGroups("out", "dense1").build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the trained layer 'dense0' is in no layer group [out, dense1]; add a glob that matches it,"
                        + " e.g. \"dense0\"");
        assertThatThrownBy(() -> tuner().freeze(Freeze.layers("dense0")).discriminativeLearningRates(2)
                .layerGroups("out", "dense1", "dense0").build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer group 'dense0' matches no trained layer; the trained layers are [dense1, out] (frozen"
                        + " layers are in no group); fix the glob or drop it");
    }

    @Test
    void aLayerThatAsksDl4jToNormalizeItsGradientsIsRefusedUnderControls() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("dense0").nIn(8).nOut(4)
                        .gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerLayer)
                        .gradientNormalizationThreshold(1).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(4).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        assertThatThrownBy(() -> FineTuner.builder(net).clipGradientNorm(1).build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer 'dense0' asks DL4J to normalize its gradients (ClipL2PerLayer), which the training"
                        + " controls' update does not do; use clipGradientNorm(...) instead, or train without training"
                        + " controls");
    }

    @Test
    void gradualUnfreezingWithNothingToThawIsRefusedAtFit() {
        assertThatThrownBy(() -> tuner().freeze(Freeze.allExcept("out")).gradualUnfreezing(1).build().fit(data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gradual unfreezing has nothing to thaw: the trained layers [out] form a single group; train"
                        + " more layers (loosen the freeze policy), give several layer groups, or remove"
                        + " gradualUnfreezing(...)");
    }
}

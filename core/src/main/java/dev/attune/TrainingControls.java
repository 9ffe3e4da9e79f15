package dev.attune;

import java.util.List;
import java.util.Map;

/**
 * The training controls of a {@link FineTuner}, as set on its builder (unset: the defaults, which leave
 * the optimizer's update as it is).
 *
 * @param schedule the learning-rate schedule, or {@code null}
 * @param discriminativeFactor the divisor of the learning rate from one layer group to the next one down, 0 for none
 * @param layerGroups the layer groups as globs, top first; empty for one group per trained layer
 * @param unfreezeEvery epochs between two thaws of gradual unfreezing, 0 for none
 * @param clipNorm the largest global gradient norm, 0 for no clipping
 * @param accumulate mini-batches per optimizer step
 * @param labelSmoothing the label-smoothing epsilon, 0 for none
 * @param divergence what a NaN or infinite loss does
 */
record TrainingControls(Schedule schedule, double discriminativeFactor, List<String> layerGroups, int unfreezeEvery,
                        double clipNorm, int accumulate, double labelSmoothing, Divergence divergence) {
    TrainingControls {
        layerGroups = List.copyOf(layerGroups);
    }

    /**
     * Whether the update runs under Attune's controlled optimizer step (anything but label smoothing set):
     * without, the model's own step runs unchanged.
     */
    boolean controlsUpdate() {
        return schedule != null || discriminativeFactor > 0 || unfreezeEvery > 0 || clipNorm > 0 || accumulate > 1
                || divergence.maxRollbacks() > 0;
    }

    /** The optimizer steps of an epoch of {@code miniBatches} mini-batches. */
    int stepsPerEpoch(int miniBatches) {
        return (miniBatches + accumulate - 1) / accumulate;
    }

    /** The options set, by name, into a configuration (nothing when none is set). */
    void describe(Map<String, String> config) {
        if (schedule != null) {
            config.put("schedule", schedule.toString());
        }
        if (discriminativeFactor > 0) {
            config.put("discriminativeLearningRates", String.valueOf(discriminativeFactor));
        }
        if (!layerGroups.isEmpty()) {
            config.put("layerGroups", layerGroups.toString());
        }
        if (unfreezeEvery > 0) {
            config.put("gradualUnfreezing", "every " + unfreezeEvery + " epochs");
        }
        if (clipNorm > 0) {
            config.put("clipGradientNorm", String.valueOf(clipNorm));
        }
        if (accumulate > 1) {
            config.put("accumulateGradients", String.valueOf(accumulate));
        }
        if (labelSmoothing > 0) {
            config.put("labelSmoothing", String.valueOf(labelSmoothing));
        }
        if (divergence.maxRollbacks() > 0) {
            config.put("onDivergence", divergence.toString());
        }
    }
}

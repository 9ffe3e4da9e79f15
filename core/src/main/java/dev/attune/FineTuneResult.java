package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.AdapterWeights;
import java.time.Duration;
import java.util.List;

/**
 * What {@link FineTuner#fit} produced. Immutable.
 *
 * @param model the fine-tuned network (the best epoch's weights when early stopping was on), with any
 *     adapter merged into its weights: a plain DL4J network; an adapter that cannot be merged (a
 *     bottleneck adapter) makes it a DL4J {@code ComputationGraph} of stock layers instead
 * @param history what every epoch measured, in order
 * @param bestEpoch the epoch whose weights {@link #model} holds (the last one without early stopping)
 * @param stoppedEarly whether early stopping ended training before the last configured epoch (false when
 *     every epoch ran, even if the patience ran out at the last one)
 * @param trainableParams parameters that were trained
 * @param frozenParams parameters that were held frozen
 * @param frozenLayers the names of the frozen layers
 * @param optimizerStateSize optimizer-state values held during training
 * @param wallTime the time {@code fit} took
 * @param provenance how the result was made
 * @param adapterWeights the trained adapter, or {@code null} when none was configured; see {@link #adapters()}
 */
public record FineTuneResult(Network model, List<EpochRecord> history, int bestEpoch, boolean stoppedEarly,
                             long trainableParams, long frozenParams, List<String> frozenLayers,
                             long optimizerStateSize, Duration wallTime, Provenance provenance,
                             AdapterWeights adapterWeights) {
    /** Validates and copies. */
    public FineTuneResult {
        requireNonNull(model, "model");
        history = List.copyOf(requireNonNull(history, "history"));
        frozenLayers = List.copyOf(requireNonNull(frozenLayers, "frozenLayers"));
        requireNonNull(wallTime, "wallTime");
        requireNonNull(provenance, "provenance");
    }

    /**
     * The trained adapter (its tensors, the new head's, and the seal of its base model), when the
     * fine-tuner had one; save it with the adapters module's {@code AdapterFile}.
     */
    public java.util.Optional<AdapterWeights> adapters() {
        return java.util.Optional.ofNullable(adapterWeights);
    }

    /**
     * Trainable parameters, their share of the network, and optimizer-state bytes against full
     * fine-tuning (values in the network's data type; the optimizer's state per parameter).
     */
    public ParameterReport parameterReport() {
        int width = model.handle().params().dataType().width();
        long all = model.numParams();
        // The optimizer's state values per trained parameter: Adam 2, SGD with momentum 1, plain SGD 0.
        double perParameter = trainableParams == 0 ? 0 : (double) optimizerStateSize / trainableParams;
        return new ParameterReport(trainableParams, frozenParams, optimizerStateSize * width,
                Math.round(perParameter * all) * width);
    }

    /** The history record of the best epoch. */
    public EpochRecord best() {
        return history.get(bestEpoch - 1);
    }

    /**
     * The fine-tuned model's predictions on a labelled set (for example the test set).
     *
     * @throws IllegalArgumentException as {@link Network#predict}: the data's class count differs from
     *     the model's outputs, or its features do not fit the model
     */
    public Predictions predict(LabeledData data) {
        return model.predict(data);
    }

    /** The value of a metric of the fine-tuned model on a labelled set. */
    public double evaluate(LabeledData data, Metric metric) {
        return predict(data).score(metric);
    }
}

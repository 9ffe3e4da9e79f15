package dev.attune.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network prepared for training. Inputs pass through {@link #encode} (the frozen bottom of the
 * network, run in inference mode) before {@link #step} and {@link #predictEncoded}; because frozen
 * layers never change, the trainer may encode the data once and reuse it every epoch.
 */
public interface TrainableModel {
    /** Whether {@link #encode} does any work (a frozen bottom exists). */
    boolean hasFrozenBottom();

    /** The output of the frozen bottom for raw inputs; the input itself without one. */
    INDArray encode(INDArray features);

    /** {@link #encode} into {@code destination}, an array of the encoded shape. */
    default void encodeInto(INDArray features, INDArray destination) {
        destination.assign(encode(features));
    }

    /** One optimizer step on an encoded mini-batch with one-hot labels; returns the mini-batch data loss (without weight decay). */
    default double step(INDArray encodedFeatures, INDArray oneHotLabels, int iteration, int epoch) {
        return step(encodedFeatures, oneHotLabels, null, iteration, epoch);
    }

    /**
     * One optimizer step as {@link #step(INDArray, INDArray, int, int)}, with a loss weight per
     * example ({@code [rows, 1]}, or {@code null} for none): the loss is the weighted sum of the
     * examples' losses divided by the number of rows.
     */
    double step(INDArray encodedFeatures, INDArray oneHotLabels, INDArray weights, int iteration, int epoch);

    /**
     * The trained tensors, in forward order, with the gradient arrays {@link #computeGradients} writes:
     * for training controls that run the update themselves.
     *
     * @throws UnsupportedOperationException when the model does not offer them
     */
    default java.util.List<TrainedTensor> gradientTensors() {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not expose its gradients; train it without training controls");
    }

    /**
     * The mini-batch's data loss, as {@link #step}; each trained tensor's gradient, summed over the rows,
     * is written into its array of {@link #gradientTensors()}. Nothing is updated.
     *
     * @throws UnsupportedOperationException when the model does not offer it
     */
    default double computeGradients(INDArray encodedFeatures, INDArray oneHotLabels, INDArray weights) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not expose its gradients; train it without training controls");
    }

    /** Class probabilities for encoded inputs, in inference mode. */
    INDArray predictEncoded(INDArray encodedFeatures);

    /** Every parameter of the whole network (a live view): best-epoch snapshots and restores. */
    INDArray params();

    /** Parameters being trained. */
    long trainableParams();

    /** Parameters held frozen. */
    long frozenParams();

    /** The names of the frozen layers. */
    java.util.Set<String> frozenLayers();

    /** The number of optimizer-state values held (Adam holds two per trained parameter). */
    long optimizerStateSize();

    /**
     * The tensors being trained by {@code <layer>.<name>}: adapter tensors of adapted layers and every
     * parameter of layers trained in full. Live views.
     */
    java.util.Map<String, INDArray> trainedTensors();

    /** The network being trained, adapters live (shared, not a copy): inference only. */
    ModelHandle live();

    /** The adapted layers of the whole network, in forward order. */
    java.util.List<AdaptedLayer> adaptedLayers();

    /** An independent copy of the whole network as it is now, as a plain model of its family (adapters merged). */
    ModelHandle snapshot();

    /**
     * The optimizer's state (Adam's moments, momentum), by name: live views, which a checkpoint reads
     * and a resumed run assigns. Empty when the optimizer holds none (plain SGD). The names are stable
     * for a given network and plan.
     */
    java.util.Map<String, INDArray> optimizerState();
}

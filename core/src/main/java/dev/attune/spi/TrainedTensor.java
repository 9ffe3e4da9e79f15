package dev.attune.spi;

import static java.util.Objects.requireNonNull;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tensor being trained, with the array its gradient is written to by
 * {@link TrainableModel#computeGradients}: what training controls (learning-rate schedules, layer
 * groups, gradient clipping and accumulation) need to run the update themselves.
 *
 * @param layer the layer it belongs to
 * @param name its name within the layer ({@code "W"}, {@code "lora_A"}, ...)
 * @param value the tensor (a live view)
 * @param gradient its gradient, of the tensor's shape, the sum over a mini-batch's rows
 * @param role how the update treats it
 */
public record TrainedTensor(String layer, String name, INDArray value, INDArray gradient, Role role) {
    /** How the update treats a tensor. */
    public enum Role {
        /** A weight (adapter tensors too): the optimizer's step and weight decay. */
        WEIGHT,
        /** A bias or a normalisation's gain or shift: the optimizer's step, no weight decay. */
        NO_DECAY,
        /** A running statistic (batch normalisation's mean and variance): its "gradient" is subtracted as it is. */
        STATISTIC
    }

    /** Checks that every part is given. */
    public TrainedTensor {
        requireNonNull(layer, "layer");
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        requireNonNull(gradient, "gradient");
        requireNonNull(role, "role");
    }
}

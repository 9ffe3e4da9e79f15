package dev.attune;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one internal view of a network, whatever runs it (a DL4J {@code MultiLayerNetwork} or
 * {@code ComputationGraph}; a SameDiff graph can be added behind it). Layers are addressed by name.
 */
interface ModelHandle {
    /** Every layer in forward (topological) order. */
    List<LayerInfo> layers();

    /** The total number of parameters. */
    long numParams();

    /** The number of outputs of the (single) output layer. */
    int numOutputs();

    /** Inference: output-layer activations for a batch of inputs. Does not change the model. */
    INDArray output(INDArray features);

    /**
     * Refuses inputs of a shape the network cannot take, with a message that names the expected shape,
     * before the runtime sees them. Default: no check.
     *
     * @throws IllegalArgumentException for inputs of the wrong shape
     */
    default void checkInput(INDArray features) {
    }

    /** The DL4J model object. */
    Object unwrap();

    /** The architecture as text (DL4J's JSON), for fingerprints. */
    String architecture();

    /** The flattened parameters (a live view). */
    INDArray params();

    /** Writes a DL4J model zip to the given (temporary) path. */
    void write(Path file) throws java.io.IOException;

    /** Checks a plan against this model (names, head, freezing) without building anything. */
    void check(TrainingPlan plan);

    /** Builds a fresh, independent network to train, as the plan says. Never changes this model. */
    TrainableModel prepare(TrainingPlan plan);

    /**
     * The freeze policy of a network built to serve a trained adapter ({@link AdaptedNetwork}): its
     * trained tensors must include every tensor of the adapter. Default: nothing frozen.
     */
    default FreezePolicy servingFreeze(AdapterWeights adapter) {
        return Freeze.none();
    }
}

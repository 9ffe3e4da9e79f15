package dev.attune.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model of one {@link ModelFamily}, as {@code Network} sees it, whatever runs it (a DL4J
 * {@code MultiLayerNetwork} or {@code ComputationGraph}, a SameDiff graph). Layers are addressed by name.
 */
public interface ModelHandle {
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

    /** The object that runs the model (the DL4J network, the SameDiff graph). */
    Object unwrap();

    /** The architecture as text (DL4J's JSON, the BERT file's description), for fingerprints: stable for one model. */
    String architecture();

    /**
     * Every parameter tensor by {@code <layer>.<name>} (for example {@code dense0.W},
     * {@code encoder.0.attention.self.query.weight}), layers in forward order: live views into
     * {@link #params()}. Its layout is the family's own.
     */
    Map<String, INDArray> parameters();

    /** The flattened parameters (a live view). */
    INDArray params();

    /** The family this model belongs to: the one that reads what {@link #write} writes. */
    ModelFamily family();

    /** Writes the model file of its family (a zip with the family's format tag) to the given (temporary) path. */
    void write(Path file) throws java.io.IOException;

    /** Checks a plan against this model (names, head, freezing) without building anything. */
    void check(TrainingPlan plan);

    /** Builds a fresh, independent network to train, as the plan says. Never changes this model. */
    TrainableModel prepare(TrainingPlan plan);

    /**
     * The layers that a network built to serve a trained adapter ({@code AdaptedNetwork}) trains
     * besides the adapter: the served network freezes every other layer. Its trained tensors must
     * include every tensor of the adapter. Default: empty, which means nothing is frozen.
     */
    default Optional<List<String>> servingOpenLayers(AdapterWeights adapter) {
        return Optional.empty();
    }
}

package dev.attune.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One layer of a network as Attune addresses it: by name.
 *
 * @param name the layer's unique name ({@code "layer0"}, {@code "layer1"}, ... where DL4J named none)
 * @param index the layer's position in forward order (topological order for graphs)
 * @param type the layer's kind, for example {@code "DenseLayer"} or {@code "ConvolutionLayer"}
 * @param numParams the number of parameters the layer holds
 * @param inputs the names of the layers (or graph inputs) that feed this one
 */
public record LayerInfo(String name, int index, String type, long numParams, List<String> inputs) {
    /** Validates and copies. */
    public LayerInfo {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        inputs = List.copyOf(requireNonNull(inputs, "inputs"));
    }

    /** Whether the layer holds any parameters. */
    public boolean hasParams() {
        return numParams > 0;
    }
}

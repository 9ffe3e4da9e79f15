package dev.attune.adapters.bottleneck;

import java.io.Serializable;
import org.nd4j.linalg.activations.Activation;

/**
 * What a bottleneck layer needs to know about its adapter, fixed when the layer is configured.
 *
 * @param size the bottleneck size m
 * @param nonlinearity the nonlinearity f between the projections
 * @param scaling the factor s of the adapter's output
 * @param init how D starts
 */
record BottleneckSpec(int size, Activation nonlinearity, double scaling, Bottleneck.Init init) implements Serializable {
}

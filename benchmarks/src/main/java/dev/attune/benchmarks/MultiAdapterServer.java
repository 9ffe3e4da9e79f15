package dev.attune.benchmarks;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Serves a batch whose rows may each name a different adapter of one base model: row {@code i} of the
 * output is what the base with adapter {@code adapters.get(i)} gives for row {@code i} of the features.
 * {@link MultilingualAdapterJob} measures every server it is given with the same batches (one language
 * per batch, and mixed batches), so another way of serving several adapters at once plugs in here
 * beside {@link SwitchingAdapterServer}.
 */
interface MultiAdapterServer {
    /** The name the job's table gives this server. */
    String name();

    /**
     * The outputs of a batch, one row per example.
     *
     * @param adapters one adapter name per row of {@code features}
     * @throws IllegalArgumentException when the counts differ or a name is not an adapter of the server
     */
    INDArray output(List<String> adapters, INDArray features);

    /** Throws when {@code adapters} does not give exactly one name per row of {@code features}. */
    static void requireOneNamePerRow(List<String> adapters, INDArray features) {
        if (adapters.size() != features.size(0)) {
            throw new IllegalArgumentException(adapters.size() + " adapter names for " + features.size(0)
                    + " rows; give one adapter name per row");
        }
    }
}

package dev.attune.benchmarks;

import dev.attune.MultiAdapterNetwork;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Serves several adapters from one base with {@link MultiAdapterNetwork}: a batch goes through the base
 * once, whatever its mix of adapters, and each row's low-rank updates and head are applied to that row
 * alone. No adapter is ever switched, so a batch of one language and a mixed batch cost one forward pass
 * each. Thread-safe, as {@link MultiAdapterNetwork} is.
 */
final class OnePassAdapterServer implements MultiAdapterServer {
    private final MultiAdapterNetwork network;

    OnePassAdapterServer(MultiAdapterNetwork network) {
        this.network = network;
    }

    @Override
    public String name() {
        return "MultiAdapterNetwork, one pass per batch";
    }

    @Override
    public INDArray output(List<String> adapters, INDArray features) {
        MultiAdapterServer.requireOneNamePerRow(adapters, features);
        for (int i = 0; i < adapters.size(); i++) {
            String name = adapters.get(i);
            if (name == null || network.adapter(name).isEmpty()) {
                throw new IllegalArgumentException("no adapter '" + name + "' (row " + i + "); the server has "
                        + network.names());
            }
        }
        return network.output(features, adapters);
    }
}

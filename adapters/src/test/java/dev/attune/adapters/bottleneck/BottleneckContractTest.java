package dev.attune.adapters.bottleneck;

import dev.attune.adapters.AdapterContract;
import dev.attune.spi.AdapterMethod;
import org.nd4j.linalg.activations.Activation;

/** Bottleneck adapters pass the adapter contract; they cannot be merged, and are exported as stock layers. */
class BottleneckContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int size, String... targets) {
        return Bottleneck.after(targets).size(size).nonlinearity(Activation.GELU).scaling(1.5);
    }

    @Override
    public String[] targets() {
        return new String[] {"dense*"};
    }

    @Override
    public boolean mergeable() {
        return false;
    }
}

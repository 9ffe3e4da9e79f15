package dev.attune.adapters.lora;

import dev.attune.spi.AdapterMethod;

/** DoRA on convolution kernels passes the adapter contract, on the networks of {@link LoraConvContractTest}. */
class DoraConvContractTest extends LoraConvContractTest {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).dora().targets(targets);
    }
}

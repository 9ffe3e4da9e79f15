package dev.attune.adapters.lora;

import dev.attune.adapters.AdapterContract;
import dev.attune.spi.AdapterMethod;

/** DoRA passes the adapter contract. */
class DoraContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).dora().targets(targets);
    }
}

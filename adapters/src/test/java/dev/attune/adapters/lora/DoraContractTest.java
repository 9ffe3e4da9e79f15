package dev.attune.adapters.lora;

import dev.attune.AdapterMethod;
import dev.attune.adapters.AdapterContract;

/** DoRA passes the adapter contract. */
class DoraContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).dora().targets(targets);
    }
}

package dev.attune.adapters.lora;

import dev.attune.adapters.AdapterContract;
import dev.attune.spi.AdapterMethod;

/** LoRA passes the adapter contract. */
class LoraContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).targets(targets);
    }
}

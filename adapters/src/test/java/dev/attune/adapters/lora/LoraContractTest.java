package dev.attune.adapters.lora;

import dev.attune.AdapterMethod;
import dev.attune.adapters.AdapterContract;

/** LoRA passes the adapter contract. */
class LoraContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).targets(targets);
    }
}

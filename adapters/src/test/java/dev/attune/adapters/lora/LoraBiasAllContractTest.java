package dev.attune.adapters.lora;

import dev.attune.adapters.AdapterContract;
import dev.attune.spi.AdapterMethod;

/**
 * LoRA with {@code Bias.ALL} passes the adapter contract: one hidden layer adapted, the biases of the
 * other layers trained alone, every weight outside the adapter frozen.
 */
class LoraBiasAllContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).bias(Lora.Bias.ALL).targets(targets);
    }

    @Override
    public String[] targets() {
        return new String[] {"dense1"};
    }
}

package dev.attune.adapters.lora;

import dev.attune.adapters.AdapterContract;
import dev.attune.spi.AdapterMethod;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * LoRA on the projections of self-attention layers passes the adapter contract. The contract's rows of
 * {@code size * 3} values are read as sequences of 3 steps of {@code size} features.
 */
class AttentionLoraContractTest implements AdapterContract {
    private static final int STEPS = 3;

    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).targets(targets);
    }

    /** attn0 and attn1, self-attention with 2 heads of {@code hidden} values each, then average pooling and out. */
    @Override
    public MultiLayerNetwork base(int size, int hidden, boolean bias, long seed) {
        return AttentionNets.base(new AttentionNets.Shape(size, STEPS, hidden, 2, hidden, 1, 3), false, bias,
                DataType.DOUBLE, seed);
    }

    @Override
    public int inputWidth(int size) {
        return size * STEPS;
    }

    @Override
    public String[] targets() {
        return new String[] {"attn*"};
    }

    @Override
    public MultiLayerNetwork trainingBase(long seed) {
        return AttentionNets.base(new AttentionNets.Shape(4, 2, 6, 2, 3, 1, 3), false, true, DataType.FLOAT, seed);
    }

    @Override
    public int trainingWidth() {
        return 8;
    }

    @Override
    public String trainingTarget() {
        return "attn1";
    }
}

package dev.attune.adapters.lora;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against the gradients of LoRA on attention
 * projections: every adapter tensor of a {@code SelfAttentionLayer} and of a second attention layer (a
 * {@code LearnedSelfAttentionLayer} or another {@code SelfAttentionLayer}), the output layer's parameters and
 * the network's input. Every attention layer is adapted: DL4J 1.0.0-M2.1's own attention layers fail such a
 * check (their gradients are twice the finite differences; the learned one fails in its forward pass).
 */
class LoraAttentionGradientCheckTest {
    @ParameterizedTest(name = "features={0} steps={1} hidden={2} heads={3} headSize={4} queries={5} rank={6} rsLora={7} {8} learned={9}")
    @CsvSource({
            "3, 2, 4, 1, 4, 1, 1, false, Wq Wk Wv Wo, true",
            "4, 3, 4, 2, 2, 2, 2, false, Wq Wk Wv Wo, true",
            "4, 3, 4, 2, 2, 2, 2, false, Wq Wk Wv Wo, false",
            "2, 4, 3, 2, 3, 1, 2, true, Wq Wk Wv Wo, false",
            "5, 3, 6, 3, 2, 3, 3, false, Wq Wv, true",
            "3, 5, 4, 2, 3, 2, 1, true, Wk Wo, false",
    })
    void everyAdapterTensorAndTheInput(int features, int steps, int hidden, int heads, int headSize, int queries,
                                       int rank, boolean rsLora, String projections, boolean learned) {
        Nd4j.getRandom().setSeed(features * 100L + steps * 10L + rank);
        var shape = new AttentionNets.Shape(features, steps, hidden, heads, headSize, queries, 3);
        MultiLayerNetwork base = AttentionNets.base(shape, learned, true, DataType.DOUBLE, 21);
        Lora lora = Lora.rank(rank).alpha(2.5).rsLora(rsLora).projections(projections.split(" ")).targets("attn*");
        MultiLayerNetwork net = AttentionNets.adapted(base, lora, 0, 1);
        assertThat(net.getLayer(0).paramTable().keySet()).hasSize(2 * projections.split(" ").length);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, shape.width()).subi(0.5).muli(2);
        dev.attune.adapters.GradientCheck.check(net, x, LoraNets.oneHot(3, 3, DataType.DOUBLE), 0);
    }
}

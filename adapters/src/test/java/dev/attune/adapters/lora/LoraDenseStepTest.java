package dev.attune.adapters.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.adapters.TestNets;
import dev.attune.internal.dl4j.DenseStep;
import dev.attune.internal.dl4j.DenseStepCheck;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LoRA-adapted dense stacks train in the fused dense step: its loss and gradients are those of the
 * LoRA layers' own backward pass, bit for bit; what it does not cover (DoRA, dropout on the adapter's
 * input) trains through the layers.
 */
class LoraDenseStepTest {
    /** The network a fine-tuning run trains, every B random so that the A path carries a gradient. */
    private static MultiLayerNetwork adapted(MultiLayerNetwork base, Freeze freeze, Lora lora) {
        TrainableModel model = Network.of(base).handle().prepare(new TrainingPlan(0, "head", freeze,
                Optimizer.adam(1e-3), 1, lora));
        MultiLayerNetwork net = (MultiLayerNetwork) model.live().unwrap();
        for (var layer : net.getLayers()) {
            INDArray b = layer.paramTable().get("B");
            if (b != null) {
                b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
            }
        }
        return net;
    }

    @ParameterizedTest(name = "{0}, {1}, targets {2}, bias {3}, rsLoRA {4}, weighted {5}")
    @CsvSource({
            "tanh-sigmoid, DOUBLE, *, NONE, false, false",
            "tanh-sigmoid, FLOAT, *, ADAPTED, true, true",
            "tanh-sigmoid, DOUBLE, dense1, ALL, false, true",
            "relu, FLOAT, *, NONE, false, false",
            "relu, FLOAT, dense*, NONE, false, true",
    })
    void lossAndGradientsAreTheLoraLayersBitForBit(String kind, DataType type, String targets, Lora.Bias bias,
                                                   boolean rsLora, boolean weighted) {
        Nd4j.getRandom().setSeed(9);
        MultiLayerNetwork base = kind.equals("relu") ? Fixtures.mlp(3, 4).convertDataType(type)
                : TestNets.base(8, 6, 3, true, type, 4);
        MultiLayerNetwork net = adapted(base, Freeze.all(), Lora.rank(2).alpha(3).rsLora(rsLora).bias(bias).targets(targets));
        INDArray x = Nd4j.rand(type, 10, 8).subi(0.5);
        DenseStepCheck.assertSameAsDl4j(net, x, TestNets.oneHot(10, 3, type), weighted ? Nd4j.rand(type, 10, 1).addi(0.5) : null);
    }

    @Test
    void doraAndAdapterDropoutTrainThroughTheLayers() {
        MultiLayerNetwork base = TestNets.base(8, 6, 3, true, DataType.FLOAT, 4);
        assertThat(DenseStep.of(adapted(base, Freeze.all(), Lora.rank(2).targets("*")))).isNotNull();
        assertThat(DenseStep.of(adapted(base, Freeze.all(), Lora.rank(2).dora().targets("*")))).isNull();
        assertThat(DenseStep.of(adapted(base, Freeze.all(), Lora.rank(2).dropout(0.1).targets("*")))).isNull();
    }
}

package dev.attune.internal.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The fused dense step against DL4J's own backward pass of the same network and batch (for every module's tests). */
public final class DenseStepCheck {
    private DenseStepCheck() {
    }

    /**
     * Runs DL4J's backward pass and then the fused step on the same network and batch, and asserts the
     * same loss and the same gradient array, bit for bit.
     *
     * @param weights {@code [rows, 1]} example weights, or {@code null}
     */
    public static void assertSameAsDl4j(MultiLayerNetwork net, INDArray x, INDArray y, INDArray weights) {
        ExampleWeightedLoss.during(net.getOutputLayer(), weights, () -> {
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
            return 0;
        });
        double expectedLoss = net.score();
        INDArray expected = net.getFlattenedGradients().dup();
        for (var layer : net.getLayers()) {
            layer.clear();
        }
        DenseStep step = DenseStep.of(net);
        assertThat(step).as("the fused step covers this network").isNotNull();
        // Every gradient the step owes is written again: a missing one would stay 0.
        net.getFlattenedGradients().assign(0);
        double loss = step.step(step.layers(), x, y, weights);

        assertThat(expected.sumNumber().doubleValue()).as("a gradient to compare").isNotZero();
        assertThat(net.getFlattenedGradients().sub(expected).amaxNumber().doubleValue())
                .as("largest gradient difference").isZero();
        assertThat(loss).isEqualTo(expectedLoss);
    }
}

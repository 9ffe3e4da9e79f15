package dev.attune;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** {@link WeightAssertions}: passes on equal weights and names the largest difference, or the structural one. */
class WeightAssertionsTest {
    @Test
    void equalNetworksPass() {
        MultiLayerNetwork net = Fixtures.mlp(3, 5);
        assertThatCode(() -> WeightAssertions.assertThat(Network.of(net)).hasSameWeightsAs(Network.of(Fixtures.mlp(3, 5)))
                .hasWeightsWithin(Network.of(net.clone()), 0)).doesNotThrowAnyException();
    }

    @Test
    void aChangedWeightOfAMultiLayerNetworkIsNamedWithItsLayerParameterIndexAndBothValues() {
        MultiLayerNetwork expected = Fixtures.mlp(3, 5);
        MultiLayerNetwork actual = expected.clone();
        float was = actual.getLayer(1).getParam("W").getFloat(2, 3);
        actual.getLayer(1).getParam("W").putScalar(2, 3, was + 0.5f);
        actual.getLayer(0).getParam("b").putScalar(4, actual.getLayer(0).getParam("b").getFloat(4) + 0.25f);
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(actual)).hasSameWeightsAs(Network.of(expected)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected the same weights as the other network, but 2 of " + expected.numParams()
                        + " values differ (in 2 of 6 tensors)")
                .hasMessageContaining("the largest difference is 0.5, at layer 'dense1', parameter 'W', index [2, 3]: " + (was + 0.5f) + " (actual) against "
                        + was + " (expected)");
    }

    @Test
    void aToleranceAcceptsSmallDifferencesAndNamesTheLargestBeyondIt() {
        MultiLayerNetwork expected = Fixtures.mlp(3, 5);
        MultiLayerNetwork actual = expected.clone();
        float was = actual.getLayer(2).getParam("b").getFloat(1);
        actual.getLayer(2).getParam("b").putScalar(1, was + 0.125f);
        WeightAssertions.assertThat(Network.of(actual)).hasWeightsWithin(Network.of(expected), 0.2);
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(actual)).hasWeightsWithin(Network.of(expected), 0.1))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected every weight within 0.1 of the other network's, but 1 of "
                        + expected.numParams() + " values differ by more")
                .hasMessageContaining("at layer 'out', parameter 'b', index [1]: " + (was + 0.125f) + " (actual) against " + was);
    }

    @Test
    void aComputationGraphIsComparedByVertex() {
        ComputationGraph expected = Fixtures.graph(3, 5);
        ComputationGraph actual = expected.clone();
        actual.getLayer("dense0").getParam("W").putScalar(7, 1, 3.0);
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(actual)).hasSameWeightsAs(Network.of(expected)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("at layer 'dense0', parameter 'W', index [7, 1]: 3.0 (actual) against "
                        + expected.getLayer("dense0").getParam("W").getFloat(7, 1) + " (expected)");
    }

    @Test
    void aBertEncoderIsComparedByTensor() {
        Network expected = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        Network actual = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        WeightAssertions.assertThat(actual).hasSameWeightsAs(expected);
        actual.handle().parameters().get("encoder.1.attention.self.query.weight").putScalar(new long[] {4, 9}, 2.5);
        assertThatThrownBy(() -> WeightAssertions.assertThat(actual).hasSameWeightsAs(expected))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 of " + expected.numParams() + " values differ")
                .hasMessageContaining("at layer 'encoder.1', parameter 'attention.self.query.weight', index [4, 9]: 2.5 (actual)");
    }

    @Test
    void otherLayersOrShapesAreAStructuralMismatch() {
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(Fixtures.mlp(3, 5)))
                .hasSameWeightsAs(Network.of(Fixtures.cnn(3, 5))))
                .isInstanceOf(AssertionError.class)
                .hasMessage("the networks differ in structure: the actual one has layers [dense0, dense1, out], the"
                        + " expected one [conv0, pool0, dense0, out]");
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(Fixtures.mlp(3, 5)))
                .hasWeightsWithin(Network.of(Fixtures.mlp(4, 5)), 1))
                .isInstanceOf(AssertionError.class)
                .hasMessage("the networks differ in structure: layer 'out', parameter 'W' has shape [16, 3] in the actual"
                        + " one and [16, 4] in the expected one");
    }

    @Test
    void anotherDataTypeIsAMismatchForSameWeightsButNotWithinATolerance() {
        MultiLayerNetwork floats = Fixtures.mlp(3, 5);
        MultiLayerNetwork doubles = floats.convertDataType(DataType.DOUBLE);
        assertThatThrownBy(() -> WeightAssertions.assertThat(Network.of(floats)).hasSameWeightsAs(Network.of(doubles)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("layer 'dense0', parameter 'W' is FLOAT in the actual one and DOUBLE in the expected one");
        WeightAssertions.assertThat(Network.of(floats)).hasWeightsWithin(Network.of(doubles), 0);
    }

    @Test
    void aNegativeOrNanToleranceIsRefused() {
        Network net = Network.of(Fixtures.mlp(3, 5));
        assertThatThrownBy(() -> WeightAssertions.assertThat(net).hasWeightsWithin(net, -1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tolerance is -1.0E-6; give an absolute difference of at least 0");
        assertThatThrownBy(() -> WeightAssertions.assertThat(net).hasWeightsWithin(net, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tolerance is NaN");
    }
}

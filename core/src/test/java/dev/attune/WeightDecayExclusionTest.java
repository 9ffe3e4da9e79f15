package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.internal.bert.BertHandle;
import dev.attune.spi.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Weight decay decays weights and leaves biases and normalisation gains and shifts alone: after one step
 * from the same weights, with and without decay, those are bit for bit equal and the weights are not.
 */
class WeightDecayExclusionTest {
    /** A dense layer with layer norm, batch normalisation, a dense output layer. */
    static MultiLayerNetwork normed() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(8).nOut(16).hasLayerNorm(true)
                        .activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn").nIn(16).nOut(16).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** {@link #normed()} as a computation graph. */
    static org.deeplearning4j.nn.graph.ComputationGraph normedGraph() {
        var g = new org.deeplearning4j.nn.graph.ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).graphBuilder()
                .addInputs("in")
                .addLayer("dense0", new DenseLayer.Builder().nIn(8).nOut(16).hasLayerNorm(true)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nIn(16).nOut(16).build(), "dense0")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out")
                .build());
        g.init();
        return g;
    }

    /** Every tensor of a result, by {@code <layer>.<name>}. */
    private static Map<String, INDArray> tensors(String family, FineTuneResult r) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        switch (family) {
            case "normed", "mlp" -> {
                var net = r.model().asMultiLayerNetwork();
                for (var l : net.getLayers()) {
                    l.paramTable().forEach((k, v) -> out.put(l.conf().getLayer().getLayerName() + "." + k, v.dup()));
                }
            }
            case "graph", "normedGraph" -> {
                var g = r.model().asComputationGraph();
                for (var l : g.getLayers()) {
                    l.paramTable().forEach((k, v) -> out.put(l.conf().getLayer().getLayerName() + "." + k, v.dup()));
                }
            }
            default -> ((BertHandle) r.model().handle()).tensors().forEach((k, v) -> out.put(k, v.dup()));
        }
        return out;
    }

    private static boolean decays(String name) {
        if (name.endsWith("LayerNorm.weight") || name.endsWith("LayerNorm.bias") || name.endsWith(".bias")
                || name.endsWith(".b") || name.endsWith(".g") || name.startsWith("bn.")) {
            return false;
        }
        return name.endsWith(".W") || name.endsWith(".weight");
    }

    @ParameterizedTest
    @CsvSource({"normed, false", "normed, true", "mlp, false", "mlp, true", "graph, false", "graph, true", "normedGraph, false",
            "normedGraph, true",
            "bert, false", "bert, true"})
    void biasesAndNormalisationGainsDoNotDecay(String family, boolean controlled) {
        LabeledData data = family.equals("bert") ? BertFineTuningTest.sequences(30, 1) : Fixtures.blobs(30, 8, 3, 1);
        Map<String, INDArray> decayed = tensors(family, fit(family, controlled, Optimizer.adamW(1e-2, 0.5), data));
        Map<String, INDArray> plain = tensors(family, fit(family, controlled, Optimizer.adam(1e-2), data));
        int weights = 0;
        for (String name : plain.keySet()) {
            INDArray a = decayed.get(name).castTo(DataType.DOUBLE);
            INDArray b = plain.get(name).castTo(DataType.DOUBLE);
            if (decays(name)) {
                weights++;
                assertThat(a.sub(b).amaxNumber().doubleValue()).as(name + " decays").isGreaterThan(1e-6);
            } else {
                assertThat(a).as(name + " does not decay").isEqualTo(b);
            }
        }
        assertThat(weights).isPositive();
    }

    private static FineTuneResult fit(String family, boolean controlled, Optimizer optimizer, LabeledData data) {
        FineTuner.Builder b = switch (family) {
            case "normed" -> FineTuner.builder(normed());
            case "mlp" -> FineTuner.builder(Fixtures.mlp(3, 5));
            case "graph" -> FineTuner.builder(Fixtures.graph(3, 5));
            case "normedGraph" -> FineTuner.builder(normedGraph());
            default -> FineTuner.builder(Network.of(BertFineTuningTest.tiny(DataType.FLOAT)))
                    .replaceHead(BertFineTuningTest.CLASSES);
        };
        b.optimizer(optimizer).epochs(1).batchSize(30).seed(3);
        if (controlled) {
            b.schedule(Schedule.constant());
        }
        return b.build().fit(data);
    }
}

package dev.attune.adapters.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.AdapterContract;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.TestNets;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * LoRA and DoRA on the convolution and dense vertices of a {@code ComputationGraph} with a skip
 * connection, through the public API: the same properties as on multi-layer networks.
 */
class LoraGraphTest {
    private static final int SIDE = 6;
    private static final String[] ALL = {"conv*", "dense*", "out"};

    @TempDir
    Path dir;

    /**
     * conv0 (2x2, 3 channels, tanh) and conv1 (2x2, 2 channels, sigmoid) on a 6x6 image given flat,
     * dense0 (tanh), dense1 (sigmoid) on dense0, a merge of dense0 and dense1 (the skip connection),
     * and out (3 classes); random non-zero biases.
     */
    static ComputationGraph graph(DataType type, long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type).updater(new Sgd(0.1)).graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutionalFlat(SIDE, SIDE, 1))
                .addLayer("conv0", new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("conv1", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.SIGMOID).build(), "conv0")
                .addLayer("dense0", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "conv1")
                .addLayer("dense1", new DenseLayer.Builder().nOut(5).activation(Activation.SIGMOID).build(), "dense0")
                .addVertex("skip", new MergeVertex(), "dense0", "dense1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "skip")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(seed);
        for (var layer : g.getLayers()) {
            INDArray b = layer.paramTable().get("b");
            b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
        }
        return g;
    }

    private static Lora method(String kind, int rank, String... targets) {
        Lora lora = Lora.rank(rank).alpha(2 * rank).targets(targets);
        return kind.equals("dora") ? lora.dora() : lora;
    }

    private static INDArray input(DataType type, int rows, long seed) {
        Nd4j.getRandom().setSeed(seed + 1);
        return Nd4j.rand(type, rows, SIDE * SIDE).subi(0.5).muli(4);
    }

    private static LabeledData data(int n, long seed) {
        return Fixtures.blobs(n, SIDE * SIDE, 3, seed);
    }

    @ParameterizedTest(name = "{0} rank {1} seed {2}")
    @CsvSource({"lora, 1, 3", "lora, 2, 8", "dora, 1, 5", "dora, 2, 9"})
    void aNewAdapterLeavesTheOutputsUnchanged(String kind, int rank, long seed) {
        ComputationGraph base = graph(DataType.DOUBLE, seed);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("new", method(kind, rank, ALL), seed);
        INDArray x = input(DataType.DOUBLE, 5, seed);
        assertThat(TestNets.relativeDifference(net.output(x), base.outputSingle(x))).isLessThanOrEqualTo(1e-12);
    }

    /**
     * Central finite differences in double precision against the analytic gradient of every adapter
     * parameter, through DL4J's graph backward pass: dense1 and out stay frozen and pass gradients on,
     * and dense0's gradient sums its two paths (through dense1, and the skip).
     */
    @ParameterizedTest(name = "{0} rank {1}")
    @CsvSource({"lora, 1", "lora, 2", "dora, 1", "dora, 2"})
    void everyAdapterParameterPassesAGradientCheck(String kind, int rank) {
        ComputationGraph base = graph(DataType.DOUBLE, 21);
        TrainableModel model = Network.of(base).handle().prepare(new TrainingPlan(0, "head", Freeze.all(),
                Optimizer.sgd(0.1), 21, method(kind, rank, "conv*", "dense0")));
        assertThat(model.frozenLayers()).contains("dense1", "out").doesNotContain("conv0", "conv1", "dense0");
        ComputationGraph g = (ComputationGraph) model.live().unwrap();
        Nd4j.getRandom().setSeed(rank);
        // Every adapter tensor away from its initial value, so that every path of the adapter is exercised.
        model.trainedTensors().values().forEach(t -> t.addi(Nd4j.rand(t.dataType(), t.shape()).subi(0.5)));
        INDArray x = input(DataType.DOUBLE, 4, 2);
        INDArray y = TestNets.oneHot(4, 3, DataType.DOUBLE);
        score(g, x, y);
        // Copies now: the graph's gradient array is rewritten by every score below.
        Map<String, INDArray> gradients = new java.util.HashMap<>();
        g.gradient().gradientForVariable().forEach((k, v) -> gradients.put(k, v.dup()));
        int checked = 0;
        for (String name : List.of("conv0", "conv1", "dense0")) {
            var layer = g.getLayer(name);
            assertThat(layer).isInstanceOf(AdaptedLayer.class);
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                // DL4J's score is the mean loss over the batch; its gradients are sums over the batch.
                INDArray analytic = gradients.get(name + "_" + p.getKey()).divi(4);
                INDArray param = p.getValue();
                for (long j = 0; j < param.length(); j++) {
                    double orig = param.getDouble(j);
                    param.putScalar(j, orig + 1e-6);
                    double plus = score(g, x, y);
                    param.putScalar(j, orig - 1e-6);
                    double minus = score(g, x, y);
                    param.putScalar(j, orig);
                    assertClose(name + "." + p.getKey() + "[" + j + "]", analytic.getDouble(j), (plus - minus) / 2e-6);
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(model.trainableParams());
    }

    private static double score(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return g.score();
    }

    private static void assertClose(String what, double analytic, double numeric) {
        double abs = Math.abs(analytic - numeric);
        if (abs >= 1e-9) {
            assertThat(abs / (Math.abs(analytic) + Math.abs(numeric))).as("%s: analytic %s, numeric %s", what,
                    analytic, numeric).isLessThan(1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lora", "dora"})
    void trainingChangesOnlyTheAdapterAndTheMergedModelAgreesWithTheServedOne(String kind) {
        ComputationGraph base = graph(DataType.FLOAT, 4);
        INDArray before = base.params().dup();
        FineTuneResult r = FineTuner.builder(base).adapter(method(kind, 2, "conv*", "dense0"))
                .optimizer(Optimizer.adam(1e-2)).epochs(2).seed(4).build().fit(data(120, 4));
        assertThat(base.params()).as("the base graph is untouched").isEqualTo(before);

        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).allMatch(k -> k.matches("(conv0|conv1|dense0)\\.lora_.*"));
        assertThat(w.parameterCount()).isEqualTo(r.trainableParams());
        assertThat(r.optimizerStateSize()).as("Adam's state for the adapter alone").isEqualTo(2 * r.trainableParams());
        assertThat(r.frozenParams()).as("every base weight, the adapted vertices' too").isEqualTo(base.numParams());

        ComputationGraph tuned = r.model().asComputationGraph();
        assertThat(tuned.getConfiguration().toJson()).as("a plain DL4J graph").doesNotContain("dev.attune");
        for (String name : List.of("dense1", "out")) {
            assertThat(tuned.getLayer(name).params()).as(name + " is frozen, bit for bit")
                    .isEqualTo(base.getLayer(name).params());
        }
        for (String name : List.of("conv0", "conv1", "dense0")) {
            assertThat(tuned.getLayer(name).getParam("W")).as(name + " has its adapter merged")
                    .isNotEqualTo(base.getLayer(name).getParam("W"));
            assertThat(tuned.getLayer(name).getParam("b")).as(name + "'s bias is frozen")
                    .isEqualTo(base.getLayer(name).getParam("b"));
        }

        INDArray x = data(40, 5).features();
        AdaptedNetwork served = AdaptedNetwork.of(Network.of(base)).add("trained", w);
        INDArray unmerged = served.output(x);
        assertThat(TestNets.relativeDifference(unmerged, base.outputSingle(x))).as("the adapter changes the outputs")
                .isGreaterThan(1e-4);
        assertThat(TestNets.relativeDifference(r.model().output(x), unmerged)).isLessThanOrEqualTo(1e-5);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"lora, 2", "dora, 6"})
    void mergedAndUnmergedAgreeAndUnmergeRestoresTheWeights(String kind, long seed) {
        ComputationGraph base = graph(DataType.DOUBLE, seed);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("new", method(kind, 2, ALL), seed);
        net.add("trained", AdapterContract.randomised(net.adapter("new"), seed)).activate("trained");
        INDArray x = input(DataType.DOUBLE, 6, seed);
        INDArray unmerged = net.output(x);
        assertThat(TestNets.relativeDifference(unmerged, base.outputSingle(x))).as("the adapter changes the outputs")
                .isGreaterThan(1e-6);
        INDArray exported = net.toNetwork().asComputationGraph().params().dup();
        assertThat(TestNets.relativeDifference(net.toNetwork().output(x), unmerged)).isLessThanOrEqualTo(1e-12);

        net.merge();
        assertThat(net.isMerged()).isTrue();
        assertThat(TestNets.relativeDifference(net.output(x), unmerged)).isLessThanOrEqualTo(1e-12);

        net.unmerge();
        assertThat(net.isMerged()).isFalse();
        assertThat(TestNets.relativeDifference(net.output(x), unmerged)).isLessThanOrEqualTo(1e-12);
        assertThat(TestNets.relativeDifference(net.toNetwork().asComputationGraph().params(), exported))
                .as("unmerge(merge(W)) restores W").isLessThanOrEqualTo(1e-12);
        net.disable();
        assertThat(net.output(x)).isEqualTo(base.outputSingle(x));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lora", "dora"})
    void anAdapterFileRoundTripsAndIsRefusedOnAnotherGraph(String kind) throws Exception {
        ComputationGraph base = graph(DataType.FLOAT, 7);
        FineTuneResult r = FineTuner.builder(base).adapter(method(kind, 2, "conv*", "dense0"))
                .optimizer(Optimizer.adam(1e-2)).epochs(1).seed(7).build().fit(data(60, 7));
        AdapterWeights w = r.adapters().orElseThrow();
        Path file = dir.resolve(kind + ".safetensors");
        AdapterFile.save(w, file);
        AdapterWeights back = AdapterFile.load(file, Network.of(base));
        assertThat(back.method()).isEqualTo(w.method());
        assertThat(back.tensors().keySet()).containsExactlyElementsOf(w.tensors().keySet());
        for (String k : w.tensors().keySet()) {
            assertThat(back.tensor(k)).as(k).isEqualTo(w.tensor(k));
        }
        INDArray x = data(20, 8).features();
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("saved", w).add("loaded", back);
        assertThat(net.activate("loaded").output(x)).isEqualTo(net.activate("saved").output(x));

        ComputationGraph other = graph(DataType.FLOAT, 8);
        String mine = Network.of(base).fingerprint();
        String theirs = Network.of(other).fingerprint();
        assertThatThrownBy(() -> AdapterFile.load(file, Network.of(other))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(mine).hasMessageContaining(theirs);
        assertThatThrownBy(() -> AdaptedNetwork.of(Network.of(other)).add("a", w))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mine).hasMessageContaining(theirs);
    }

    @org.junit.jupiter.api.Test
    void badTargetsOnAGraphAreRefusedWithTheFix() {
        ComputationGraph base = graph(DataType.FLOAT, 1);
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(1).targets("skip")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target 'skip' matches layer 'skip', a MergeVertex, which lora cannot adapt")
                .hasMessageContaining("layers it can adapt: conv0, conv1, dense0, dense1, out");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(1).targets("conv0")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 'conv1' is frozen but layer 'conv0' below it trains (its lora adapter)")
                .hasMessageContaining("targets(\"conv0\", \"conv1\")");
        assertThatThrownBy(() -> FineTuner.builder(base)
                .adapter(dev.attune.adapters.bottleneck.Bottleneck.after("dense0").size(2)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the bottleneck adapter on vertex 'dense0' cannot be merged into the weights")
                .hasMessageContaining("not supported on ComputationGraph networks yet");
    }
}

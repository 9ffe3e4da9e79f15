package dev.attune.adapters.bottleneck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.TestNets;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Bottleneck adapters through the public API: {@code FineTuner.builder(base).adapter(Bottleneck...)}. */
class BottleneckFineTuneTest {
    private final LabeledData train = Fixtures.blobs(300, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(150, 8, 3, 2);
    private final MultiLayerNetwork base = Fixtures.mlp(3, 5);
    @TempDir
    Path dir;

    @Test
    void theLossFallsWhileTheBaseStaysFrozen() {
        INDArray before = base.params().dup();
        FineTuneResult r = FineTuner.builder(base).adapter(Bottleneck.after("dense1").size(4))
                .optimizer(Optimizer.adam(1e-2)).epochs(12).batchSize(32).seed(3).build().fit(train, validation);

        double first = r.history().get(0).trainLoss();
        double last = r.history().get(r.history().size() - 1).trainLoss();
        assertThat(last).as("the training loss falls").isLessThan(0.7 * first);
        assertThat(r.best().validationLoss()).isLessThan(r.history().get(0).validationLoss());
        // D [4, 16] + d [4] + U [16, 4] + u [16]; every base parameter is frozen (the head is kept).
        assertThat(r.trainableParams()).isEqualTo(64 + 4 + 64 + 16);
        assertThat(r.frozenParams()).isEqualTo(base.numParams());
        assertThat(r.optimizerStateSize()).as("Adam's two values per adapter parameter, none for W").isEqualTo(2 * 148);
        assertThat(base.params()).as("the base network is never changed").isEqualTo(before);
        // Full fine-tuning is counted on the exported network: the base's 467 parameters and the adapter's 148.
        assertThat(r.parameterReport().fullFineTuningStateBytes()).isEqualTo(2 * (467 + 148) * 4);

        ComputationGraph tuned = r.model().asComputationGraph();
        for (String name : List.of("dense0", "dense1", "out")) {
            assertThat(tuned.getLayer(name).params()).as(name + " keeps its pretrained weights bit for bit")
                    .isEqualTo(base.getLayer(List.of("dense0", "dense1", "out").indexOf(name)).params());
        }
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).containsExactly("dense1.adapter_down.weight", "dense1.adapter_down.bias",
                "dense1.adapter_up.weight", "dense1.adapter_up.bias");
        assertThat(w.tensor("dense1.adapter_down.weight").shape()).containsExactly(4, 16);
        assertThat(w.tensor("dense1.adapter_up.weight").shape()).containsExactly(16, 4);
        assertThat(w.parameterCount()).isEqualTo(r.trainableParams());
        assertThat(w.tensor("dense1.adapter_up.weight").amaxNumber().doubleValue()).as("U learnt something")
                .isGreaterThan(1e-3);
    }

    @Test
    void theResultIsAGraphOfStockLayersThatSavesAndReloads() throws Exception {
        FineTuneResult r = FineTuner.builder(base).adapter(Bottleneck.after("dense*").size(3)
                        .nonlinearity(Activation.TANH).scaling(0.5)).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(3).seed(4).build().fit(train);
        assertThat(r.trainableParams()).isEqualTo(2 * (48 + 3 + 48 + 16) + 51);
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors()).containsKeys("dense0.adapter_down.weight", "dense1.adapter_up.bias", "head.W", "head.b");

        ComputationGraph graph = r.model().asComputationGraph();
        assertThat(graph.getConfiguration().toJson()).doesNotContain("dev.attune");
        assertThat(graph.getConfiguration().getVertexInputs().get("dense0_adapter_down")).containsExactly("dense0");
        assertThat(graph.getConfiguration().getVertexInputs().get("dense0_adapted"))
                .containsExactly("dense0", "dense0_adapter_up");
        assertThat(graph.getConfiguration().getVertexInputs().get("dense1")).containsExactly("dense0_adapted");
        assertThat(graph.getConfiguration().getVertices().get("dense1_adapted")).isInstanceOf(ElementWiseVertex.class);
        var down = (DenseLayer) graph.getLayer("dense1_adapter_down").conf().getLayer();
        assertThat(down.getActivationFn()).isEqualTo(Activation.TANH.getActivationFunction());
        assertThat(graph.getLayer("dense1_adapter_down").getParam("W"))
                .isEqualTo(w.tensor("dense1.adapter_down.weight").transpose());
        assertThat(TestNets.relativeDifference(graph.getLayer("dense1_adapter_up").getParam("W"),
                w.tensor("dense1.adapter_up.weight").transpose().muli(0.5))).as("the up-projection carries s")
                .isLessThan(1e-7);

        INDArray x = validation.features();
        INDArray live = AdaptedNetwork.of(Network.of(base)).add("a", w).output(x);
        assertThat(TestNets.relativeDifference(r.model().output(x), live)).isLessThan(1e-5);
        Path zip = dir.resolve("tuned.zip");
        r.model().save(zip);
        assertThat(Network.load(zip).output(x)).isEqualTo(r.model().output(x));
        Path file = dir.resolve("tuned.safetensors");
        AdapterFile.save(w, file);
        AdapterWeights back = AdapterFile.load(file, Network.of(base));
        assertThat(back.method()).isEqualTo(w.method());
        assertThat(AdaptedNetwork.of(Network.of(base)).add("back", back).output(x)).isEqualTo(live);
    }

    @Test
    void sameSeedSameAdapterBitForBit() {
        Bottleneck b = Bottleneck.after("dense1").size(2).init(Bottleneck.Init.GAUSSIAN);
        AdapterWeights first = FineTuner.builder(base).adapter(b).epochs(2).seed(9).build().fit(train).adapters().orElseThrow();
        AdapterWeights again = FineTuner.builder(base).adapter(b).epochs(2).seed(9).build().fit(train).adapters().orElseThrow();
        for (String k : first.tensors().keySet()) {
            assertThat(again.tensor(k)).as(k).isEqualTo(first.tensor(k));
        }
    }

    @Test
    void aNewAdapterStartsAsKaimingUniformDownAndZeroUp() {
        AdapterWeights w = AdaptedNetwork.of(Network.of(base)).add("new", Bottleneck.after("dense1").size(5), 7).adapter("new");
        INDArray down = w.tensor("dense1.adapter_down.weight");
        double bound = 1 / Math.sqrt(16);
        assertThat(down.amaxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
        assertThat(w.tensor("dense1.adapter_down.bias").amaxNumber().doubleValue()).isZero();
        assertThat(w.tensor("dense1.adapter_up.weight").amaxNumber().doubleValue()).isZero();
        assertThat(w.tensor("dense1.adapter_up.bias").amaxNumber().doubleValue()).isZero();
        AdapterWeights g = AdaptedNetwork.of(Network.of(base))
                .add("new", Bottleneck.after("dense1").size(5).init(Bottleneck.Init.GAUSSIAN), 7).adapter("new");
        assertThat(g.tensor("dense1.adapter_down.weight").stdNumber().doubleValue()).isBetween(0.005, 0.02);
    }

    @Test
    void badOptionsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> Bottleneck.after("dense1").size(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bottleneck size must be at least 1 (and at most the adapted layer's width), got 0");
        assertThatThrownBy(() -> Bottleneck.after("dense1").scaling(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bottleneck scaling must be a finite number above 0, got 0.0");
        assertThatThrownBy(() -> Bottleneck.after("dense1").scaling(Double.NaN)).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> Bottleneck.after("dense1").nonlinearity(Activation.SOFTMAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bottleneck nonlinearity must be one of RELU, GELU, TANH, SIGMOID, got SOFTMAX");
        assertThatThrownBy(Bottleneck::after).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bottleneck.after(\"dense*\")");
        assertThatThrownBy(() -> Bottleneck.after(" ")).hasMessageContaining("a bottleneck target is blank");
        assertThatThrownBy(() -> Bottleneck.fromConfig(Map.of("size", "4"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid bottleneck configuration").hasMessageContaining("missing 'targets'");
        Bottleneck b = Bottleneck.after("dense*").size(3).nonlinearity(Activation.GELU).scaling(2).init(Bottleneck.Init.GAUSSIAN);
        assertThat(Bottleneck.fromConfig(b.config())).isEqualTo(b);
        assertThat(b.name()).isEqualTo("bottleneck");
    }

    @Test
    void badTargetsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Bottleneck.after("dense1").size(17)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bottleneck size 17 is larger than layer 'dense1' (16 outputs); use a size of at most 16");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Bottleneck.after("dens9")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the bottleneck target 'dens9' matches no layer; layers are: dense0, dense1, out");
        // Globs skip the output layer; naming it is refused, listing the hidden layers that can take an adapter.
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Bottleneck.after("out")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matches layer 'out', a OutputLayer, which bottleneck cannot adapt; layers it can"
                        + " adapt: dense0, dense1");
        OutputLayer out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(3).build();
        assertThatThrownBy(() -> Bottleneck.after("out").adapt(out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot follow the output layer 'out': target a hidden layer");
        assertThat(FineTuner.builder(base).adapter(Bottleneck.after("*").size(2)).build()).as("'*' takes the hidden layers")
                .isNotNull();
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.graph(3, 1)).adapter(Bottleneck.after("dense0")).build())
                .hasMessageContaining("not supported on ComputationGraph");
    }

    @Test
    void mergeIsRefusedNamingTheLayerAndCombiningIsRefused() {
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("a", Bottleneck.after("dense*").size(2), 1);
        net.add("b", dev.attune.adapters.AdapterContract.randomised(net.adapter("a"), 2)).activate("b");
        INDArray x = validation.features();
        INDArray live = net.output(x);
        assertThatThrownBy(net::merge).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the bottleneck adapter of layer 'dense0' cannot be merged into its base weights")
                .hasMessageContaining("nonlinearity (RELU)")
                .hasMessageContaining("export it with toNetwork() as a plain DL4J network");
        assertThat(net.isMerged()).isFalse();
        assertThat(net.output(x)).isEqualTo(live);
        assertThatThrownBy(net::unmerge).isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to unmerge");
        net.activate("a");
        assertThatThrownBy(() -> net.addWeighted("mix", Map.of("a", 0.5, "b", 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bottleneck adapters cannot be combined");
    }

    @Test
    void anExportNameTakenByALayerIsRefused() {
        MultiLayerNetwork named = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(1).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(8).nOut(6).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense0_adapted").nIn(6).nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        named.init();
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(named)).add("a", Bottleneck.after("dense0").size(2), 1);
        assertThatThrownBy(net::toNetwork).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("vertex name 'dense0_adapted' is taken by a layer of the network");
    }
}

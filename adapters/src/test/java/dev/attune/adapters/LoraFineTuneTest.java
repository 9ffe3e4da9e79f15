package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** LoRA through the public API: {@code FineTuner.builder(base).adapter(Lora...)}. */
class LoraFineTuneTest {
    private final LabeledData train = Fixtures.blobs(300, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(150, 8, 3, 2);
    private final MultiLayerNetwork base = Fixtures.mlp(4, 5);

    private FineTuneResult fit(Lora lora, long seed) {
        return FineTuner.builder(base).adapter(lora).replaceHead(3).optimizer(Optimizer.adam(1e-2))
                .epochs(15).batchSize(32).seed(seed).build().fit(train, validation);
    }

    static double accuracy(FineTuneResult r, LabeledData data) {
        var p = r.predict(data);
        int hits = 0;
        for (int i = 0; i < p.size(); i++) {
            hits += p.actual(i) == p.predicted(i) ? 1 : 0;
        }
        return hits / (double) p.size();
    }

    @Test
    void trainsOnlyTheAdaptersAndTheNewHead() {
        INDArray before = base.params().dup();
        FineTuneResult r = fit(Lora.rank(4).alpha(8).targets("dense*"), 3);

        // LoRA: 4 x (8 + 16) on dense0, 4 x (16 + 16) on dense1; the new head 16 x 3 + 3.
        assertThat(r.trainableParams()).isEqualTo(96 + 128 + 51);
        assertThat(r.frozenParams()).isEqualTo(8 * 16 + 16 + 16 * 16 + 16);
        assertThat(r.optimizerStateSize()).as("Adam's two values per trained parameter, none for W").isEqualTo(2 * 275);
        assertThat(accuracy(r, validation)).isGreaterThan(0.9);
        assertThat(base.params()).as("the base network is never changed").isEqualTo(before);

        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).containsExactly("dense0.lora_A", "dense0.lora_B", "dense1.lora_A",
                "dense1.lora_B", "head.W", "head.b");
        assertThat(w.tensor("dense0.lora_A").shape()).containsExactly(4, 8);
        assertThat(w.tensor("dense0.lora_B").shape()).containsExactly(16, 4);
        assertThat(w.parameterCount()).isEqualTo(r.trainableParams());
        assertThat(w.baseFingerprint()).isEqualTo(Network.of(base).fingerprint());
        assertThat(w.head()).isEqualTo(new AdapterWeights.Head("head", 3));

        var report = r.parameterReport();
        assertThat(report.trainable()).isEqualTo(275);
        assertThat(report.trainableShare()).isCloseTo(275.0 / (275 + 416), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.optimizerStateBytes()).isEqualTo(2 * 275 * 4);
        // Full fine-tuning of the same network (with its new 3-class head): Adam's two values for each of 467 parameters.
        assertThat(report.fullFineTuningStateBytes()).isEqualTo(2 * 467 * 4);
        assertThat(report.toString()).contains("275 trainable parameters of 691 (39.80%)");
    }

    @Test
    void theResultModelIsAPlainNetworkWithTheAdapterMerged() {
        FineTuneResult r = fit(Lora.rank(2).alpha(6).targets("dense0"), 4);
        MultiLayerNetwork merged = r.model().asMultiLayerNetwork();
        assertThat(merged.getLayer(0).getClass()).isEqualTo(org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class);
        assertThat(merged.getLayerWiseConfigurations().toJson()).doesNotContain("dev.attune");

        AdapterWeights w = r.adapters().orElseThrow();
        INDArray delta = w.tensor("dense0.lora_A").transpose().mmul(w.tensor("dense0.lora_B").transpose()).muli(6.0 / 2);
        INDArray expected = base.getLayer(0).getParam("W").add(delta);
        assertThat(merged.getLayer(0).getParam("W").sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(merged.getLayer(0).getParam("b")).as("bias not trained").isEqualTo(base.getLayer(0).getParam("b"));
        assertThat(merged.getLayer(1).params()).as("a frozen layer is bit-identical").isEqualTo(base.getLayer(1).params());
        assertThat(delta.amaxNumber().doubleValue()).as("the adapter learnt something").isGreaterThan(1e-4);
    }

    @Test
    void sameSeedSameAdapterBitForBit() {
        Lora lora = Lora.rank(3).dropout(0.1).targets("dense*");
        AdapterWeights a = fit(lora, 9).adapters().orElseThrow();
        AdapterWeights b = fit(lora, 9).adapters().orElseThrow();
        for (String k : a.tensors().keySet()) {
            assertThat(b.tensor(k)).as(k).isEqualTo(a.tensor(k));
        }
        AdapterWeights c = fit(lora, 10).adapters().orElseThrow();
        assertThat(c.tensor("dense0.lora_A")).isNotEqualTo(a.tensor("dense0.lora_A"));
    }

    @Test
    void trainedBiasesAndGaussianInit() {
        FineTuneResult r = fit(Lora.rank(2).targets("dense1").bias(Lora.Bias.ADAPTED).init(Lora.Init.GAUSSIAN), 5);
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).containsExactly("dense1.b", "dense1.lora_A", "dense1.lora_B", "head.W", "head.b");
        assertThat(r.trainableParams()).isEqualTo(16 + 2 * (16 + 16) + 51);
        MultiLayerNetwork merged = r.model().asMultiLayerNetwork();
        assertThat(merged.getLayer(1).getParam("b")).isEqualTo(w.tensor("dense1.b"));
        assertThat(w.tensor("dense1.b")).isNotEqualTo(base.getLayer(1).getParam("b"));
    }

    @Test
    void keepingThePretrainedHeadTrainsTheAdaptersAlone() {
        MultiLayerNetwork fourClasses = Fixtures.mlp(3, 6);
        FineTuneResult r = FineTuner.builder(fourClasses).adapter(Lora.rank(3).targets("dense*", "out"))
                .optimizer(Optimizer.adam(1e-2)).epochs(10).build().fit(train, validation);
        assertThat(r.adapters().orElseThrow().tensors().keySet()).containsExactly("dense0.lora_A", "dense0.lora_B",
                "dense1.lora_A", "dense1.lora_B", "out.lora_A", "out.lora_B");
        assertThat(r.adapters().orElseThrow().head()).isNull();
        assertThat(r.frozenParams()).isEqualTo(fourClasses.numParams());
        assertThat(accuracy(r, validation)).isGreaterThan(0.9);

        FineTuneResult hidden = FineTuner.builder(fourClasses).adapter(Lora.rank(4).targets("dense*")).epochs(2)
                .build().fit(train);
        assertThat(hidden.model().asMultiLayerNetwork().getLayer(2).params())
                .as("the frozen, kept head is bit-identical").isEqualTo(fourClasses.getLayer(2).params());
    }

    @Test
    void loraOnConvolutionKernels() throws Exception {
        MultiLayerNetwork cnn = Fixtures.cnn(3, 4);
        LabeledData images = LabeledData.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 90, 64),
                java.util.stream.IntStream.range(0, 90).map(i -> i % 3).toArray(), 3);
        FineTuneResult r = FineTuner.builder(cnn).adapter(Lora.rank(2).alpha(4).targets("conv0", "dense0"))
                .optimizer(Optimizer.adam(1e-2)).epochs(3).build().fit(images);
        AdapterWeights w = r.adapters().orElseThrow();
        // As PEFT's Conv2d LoRA: A [r, in, kH, kW], B [out, r, 1, 1].
        assertThat(w.tensor("conv0.lora_A").shape()).containsExactly(2, 1, 3, 3);
        assertThat(w.tensor("conv0.lora_B").shape()).containsExactly(4, 2, 1, 1);
        assertThat(r.trainableParams()).isEqualTo(2 * 9 + 4 * 2 + 2 * (36 + 16));
        MultiLayerNetwork merged = r.model().asMultiLayerNetwork();
        assertThat(merged.getLayer(3).params()).as("the frozen head").isEqualTo(cnn.getLayer(3).params());
        INDArray delta = w.tensor("conv0.lora_B").reshape(4, 2).mmul(w.tensor("conv0.lora_A").reshape(2, 9)).muli(2.0)
                .reshape('c', 4, 1, 3, 3);
        assertThat(TestNets.relativeDifference(merged.getLayer(0).getParam("W"),
                cnn.getLayer(0).getParam("W").add(delta))).isLessThan(1e-6);

        AdaptedNetwork live = AdaptedNetwork.of(Network.of(cnn)).add("a", w);
        INDArray x = images.features();
        assertThat(TestNets.relativeDifference(live.output(x), r.model().output(x))).isLessThan(1e-5);
        live.merge();
        assertThat(TestNets.relativeDifference(live.output(x), r.model().output(x))).isLessThan(1e-5);
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("attune-conv").resolve("conv.safetensors");
        AdapterFile.save(w, file);
        assertThat(AdapterFile.load(file, Network.of(cnn)).tensor("conv0.lora_A")).isEqualTo(w.tensor("conv0.lora_A"));
    }

    @Test
    void doraOnConvolutionKernels() throws Exception {
        MultiLayerNetwork cnn = Fixtures.cnn(3, 4);
        INDArray before = cnn.params().dup();
        LabeledData images = LabeledData.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 90, 64),
                java.util.stream.IntStream.range(0, 90).map(i -> i % 3).toArray(), 3);
        Lora dora = Lora.rank(2).alpha(4).dora().targets("conv0");
        FineTuneResult r = FineTuner.builder(cnn).adapter(dora).optimizer(Optimizer.adam(1e-2)).epochs(3).build()
                .fit(images);
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).containsExactly("conv0.lora_A", "conv0.lora_B", "conv0.lora_magnitude_vector");
        // As PEFT's Conv2d DoRA: the magnitude [1, out, 1, 1].
        assertThat(w.tensor("conv0.lora_magnitude_vector").shape()).containsExactly(1, 4, 1, 1);
        assertThat(r.trainableParams()).isEqualTo(2 * 9 + 4 * 2 + 4);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * r.trainableParams());
        assertThat(cnn.params()).as("the base network is never changed").isEqualTo(before);

        // The merged kernel is m V / ||V|| per output channel, V = W + s B A.
        INDArray v = cnn.getLayer(0).getParam("W").reshape(4, 9)
                .add(w.tensor("conv0.lora_B").reshape(4, 2).mmul(w.tensor("conv0.lora_A").reshape(2, 9)).muli(2.0));
        INDArray m = w.tensor("conv0.lora_magnitude_vector").reshape(4, 1);
        INDArray expected = v.mulColumnVector(m.div(v.norm2(1).reshape(4, 1))).reshape('c', 4, 1, 3, 3);
        MultiLayerNetwork merged = r.model().asMultiLayerNetwork();
        assertThat(TestNets.relativeDifference(merged.getLayer(0).getParam("W"), expected)).isLessThan(1e-6);
        assertThat(m.sub(cnn.getLayer(0).getParam("W").reshape(4, 9).norm2(1).reshape(4, 1)).amaxNumber().doubleValue())
                .as("the magnitude learnt something").isGreaterThan(1e-4);
        assertThat(merged.getLayer(0).getParam("b")).as("bias not trained").isEqualTo(cnn.getLayer(0).getParam("b"));
        for (int i = 2; i < 4; i++) {
            assertThat(merged.getLayer(i).params()).as("a frozen layer").isEqualTo(cnn.getLayer(i).params());
        }

        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("attune-dora-conv").resolve("conv.safetensors");
        AdapterFile.save(w, file);
        AdapterWeights back = AdapterFile.load(file, Network.of(cnn));
        assertThat(back.method()).isEqualTo(dora);
        assertThat(back.tensor("conv0.lora_magnitude_vector")).isEqualTo(w.tensor("conv0.lora_magnitude_vector"));
        AdaptedNetwork live = AdaptedNetwork.of(Network.of(cnn)).add("a", back);
        INDArray x = images.features();
        INDArray unmerged = live.output(x);
        assertThat(TestNets.relativeDifference(unmerged, r.model().output(x))).isLessThan(1e-5);
        live.merge();
        assertThat(TestNets.relativeDifference(live.output(x), unmerged)).isLessThan(1e-5);
        live.unmerge();
        assertThat(TestNets.relativeDifference(live.output(x), unmerged)).isLessThan(1e-6);
    }

    @Test
    void biasAllTrainsEveryBiasAndNoOtherWeight() throws Exception {
        MultiLayerNetwork kept = Fixtures.mlp(3, 6);
        TestNets.withRandomBiases(kept, 6);
        INDArray before = kept.params().dup();
        Lora lora = Lora.rank(2).targets("dense1").bias(Lora.Bias.ALL);
        FineTuneResult r = FineTuner.builder(kept).adapter(lora).optimizer(Optimizer.adam(1e-2)).epochs(3).seed(8)
                .build().fit(train, validation);
        MultiLayerNetwork tuned = r.model().asMultiLayerNetwork();
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors().keySet()).containsExactly("dense0.b", "dense1.b", "dense1.lora_A", "dense1.lora_B", "out.b");
        for (int i = 0; i < 3; i++) {
            String name = kept.getLayer(i).conf().getLayer().getLayerName();
            assertThat(tuned.getLayer(i).getParam("b")).as(name + "'s bias trained").isNotEqualTo(kept.getLayer(i).getParam("b"))
                    .isEqualTo(w.tensor(name + ".b"));
        }
        assertThat(tuned.getLayer(0).getParam("W")).as("dense0's weights").isEqualTo(kept.getLayer(0).getParam("W"));
        assertThat(tuned.getLayer(2).getParam("W")).as("out's weights").isEqualTo(kept.getLayer(2).getParam("W"));
        INDArray delta = w.tensor("dense1.lora_A").transpose().mmul(w.tensor("dense1.lora_B").transpose());
        assertThat(TestNets.relativeDifference(tuned.getLayer(1).getParam("W"), kept.getLayer(1).getParam("W").add(delta)))
                .as("dense1's weights are the base's plus the update alone").isLessThan(1e-6);
        assertThat(kept.params()).as("the base network is never changed").isEqualTo(before);

        // Trained: the biases 16 + 16 + 3 and the adapter 2 x (16 + 16); frozen: every weight matrix.
        long trainable = 16 + 16 + 3 + 2 * 32;
        assertThat(r.trainableParams()).isEqualTo(trainable).isEqualTo(w.parameterCount());
        assertThat(r.frozenParams()).isEqualTo(8 * 16 + 16 * 16 + 16 * 3);
        assertThat(r.optimizerStateSize()).as("Adam's two values per trained parameter, none for a weight")
                .isEqualTo(2 * trainable);
        assertThat(r.frozenLayers()).isEmpty();
        var report = r.parameterReport();
        assertThat(report.trainable()).isEqualTo(trainable);
        assertThat(report.frozen()).isEqualTo(432);
        assertThat(report.optimizerStateBytes()).isEqualTo(2 * trainable * 4);
        assertThat(report.fullFineTuningStateBytes()).isEqualTo(2 * kept.numParams() * 4);
        assertThat(report.toString()).contains("99 trainable parameters of 531 (18.64%)");

        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("attune-bias-all").resolve("a.safetensors");
        AdapterFile.save(w, file);
        AdapterWeights back = AdapterFile.load(file, Network.of(kept));
        assertThat(back.method()).isEqualTo(lora);
        assertThat(back.method().config()).containsEntry("bias", "ALL");
        assertThat(Lora.fromConfig(back.method().config())).isEqualTo(lora);
        for (String k : w.tensors().keySet()) {
            assertThat(back.tensor(k)).as(k).isEqualTo(w.tensor(k));
        }
        INDArray x = validation.features();
        AdaptedNetwork live = AdaptedNetwork.of(Network.of(kept)).add("a", back);
        INDArray unmerged = live.output(x);
        assertThat(TestNets.relativeDifference(unmerged, r.model().output(x))).isLessThan(1e-5);
        INDArray exported = live.toNetwork().asMultiLayerNetwork().params().dup();
        live.merge();
        assertThat(TestNets.relativeDifference(live.output(x), unmerged)).isLessThan(1e-5);
        live.unmerge();
        assertThat(TestNets.relativeDifference(live.output(x), unmerged)).isLessThan(1e-6);
        assertThat(TestNets.relativeDifference(live.toNetwork().asMultiLayerNetwork().params(), exported)).isLessThan(1e-6);
        live.disable();
        assertThat(live.output(x)).isEqualTo(kept.output(x));
    }

    @Test
    void biasAllLeavesLayersTrainedInFullAsTheyAreAndRefusesABiasItCannotTrainAlone() {
        // A new head and a layer the freeze policy leaves trainable train in full; dense0's bias alone trains.
        FineTuneResult r = FineTuner.builder(base).adapter(Lora.rank(2).targets("dense1").bias(Lora.Bias.ALL))
                .replaceHead(3).freeze(Freeze.all().andUnfreeze("head")).epochs(1).build().fit(train);
        assertThat(r.adapters().orElseThrow().tensors().keySet()).containsExactly("dense0.b", "dense1.b",
                "dense1.lora_A", "dense1.lora_B", "head.W", "head.b");
        assertThat(r.trainableParams()).isEqualTo(16 + 16 + 2 * 32 + 51);

        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("normed").nIn(8).nOut(16)
                        .hasLayerNorm(true).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("dense1").nIn(16).nOut(16).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(16).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork normed = new MultiLayerNetwork(conf);
        normed.init();
        assertThatThrownBy(() -> FineTuner.builder(normed).adapter(Lora.rank(2).targets("dense1").bias(Lora.Bias.ALL))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot train the bias of layer 'normed', a DenseLayer, without its weights")
                .hasMessageContaining("andUnfreeze(\"normed\")");
        // Trained in full, that layer is no longer refused.
        FineTuner.builder(normed).adapter(Lora.rank(2).targets("dense1").bias(Lora.Bias.ALL))
                .freeze(Freeze.all().andUnfreeze("normed")).build();
    }

    @Test
    void unfreezingOtherLayersAlongsideTheAdapter() {
        FineTuneResult r = FineTuner.builder(base).adapter(Lora.rank(2).targets("dense1")).replaceHead(3)
                .freeze(Freeze.none()).epochs(2).build().fit(train);
        // dense0 trains in full, dense1 through its adapter, the head in full.
        assertThat(r.trainableParams()).isEqualTo(8 * 16 + 16 + 2 * 32 + 51);
        assertThat(r.adapters().orElseThrow().tensors()).containsKeys("dense0.W", "dense0.b", "dense1.lora_A");
    }

    @Test
    void badAdapterSetUpsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> Lora.rank(0)).hasMessageContaining("LoRA rank must be in [1, 512], got 0");
        assertThatThrownBy(() -> Lora.rank(4).alpha(0)).hasMessageContaining("alpha must be a finite number above 0, got 0.0");
        assertThatThrownBy(() -> Lora.rank(4).dropout(1)).hasMessageContaining("dropout must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> Lora.rank(4).targets(new String[0])).hasMessageContaining("targets(\"dense*\")");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(4).targets("dens1")).build())
                .hasMessageContaining("target 'dens1' matches no layer; layers are: dense0, dense1, out");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(9).targets("dense0")).build())
                .hasMessageContaining("LoRA rank 9 is larger than layer 'dense0' (8 inputs, 16 outputs)")
                .hasMessageContaining("at most 8");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(2)).build())
                .hasMessageContaining("the lora adapter has no targets");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(2).targets("*")).replaceHead(3).build())
                .hasMessageContaining("new head 'head'");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.cnn(3, 1)).adapter(Lora.rank(2).targets("pool0")).build())
                .hasMessageContaining("target 'pool0' matches layer 'pool0', a SubsamplingLayer, which lora cannot adapt")
                .hasMessageContaining("layers it can adapt: conv0, dense0, out");
        assertThatThrownBy(() -> FineTuner.builder(base).adapter(Lora.rank(2).targets("dense0"))
                .adapter(Lora.rank(2).targets("dense1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("adapter(...) was already set");
        assertThat(FineTuner.builder(Fixtures.graph(3, 1)).adapter(Lora.rank(2).targets("dense0")).build())
                .as("a graph takes LoRA").isNotNull();
    }

    /** conv0 and conv1 (3x3, 8 channels each) and out, on 8x8 single-channel images given flat. */
    private static MultiLayerNetwork twoConvolutions() {
        var net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv0").nOut(8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv1").nOut(8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(8, 8, 1))
                .build());
        net.init();
        return net;
    }

    @Test
    void aFrozenConvolutionAboveAnAdaptedOneGetsAdviceThatWorks() {
        MultiLayerNetwork net = twoConvolutions();
        LabeledData images = LabeledData.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 30, 64),
                java.util.stream.IntStream.range(0, 30).map(i -> i % 3).toArray(), 3);
        // conv0's adapter trains, so conv0 cannot be frozen: the advice must not be to freeze it.
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                () -> FineTuner.builder(net).adapter(Lora.rank(8).targets("conv0")).build());
        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 'conv1' is frozen but layer 'conv0' below it trains (its lora adapter)")
                .hasMessageNotContaining("Freeze.upTo");
        var advice = java.util.regex.Pattern.compile("targets\\(([^)]*)\\)").matcher(refused.getMessage());
        assertThat(advice.find()).as("the message gives targets(...): %s", refused.getMessage()).isTrue();
        String[] targets = java.util.Arrays.stream(advice.group(1).split(","))
                .map(t -> t.trim().replace("\"", "")).toArray(String[]::new);
        assertThat(targets).containsExactly("conv0", "conv1");
        FineTuneResult r = FineTuner.builder(net).adapter(Lora.rank(8).targets(targets)).epochs(1).build().fit(images);
        assertThat(r.adapters().orElseThrow().tensors()).containsKeys("conv0.lora_A", "conv1.lora_A");
        // The other way out it names: train conv1 in full.
        assertThat(refused.getMessage()).contains("freeze(Freeze.all().andUnfreeze(\"conv1\"))");
        FineTuneResult full = FineTuner.builder(net).adapter(Lora.rank(8).targets("conv0"))
                .freeze(Freeze.all().andUnfreeze("conv1")).epochs(1).build().fit(images);
        assertThat(full.frozenLayers()).containsExactly("out");
    }
}

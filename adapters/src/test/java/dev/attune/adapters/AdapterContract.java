package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Network;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The properties every adapter method has, whatever its math. Each method's test class implements
 * this interface and says how to make the method; the properties run on small random networks in
 * double precision.
 */
public interface AdapterContract {
    /** The method under test at the given rank (or size), adapting the named layers. */
    AdapterMethod method(int rank, String... targets);

    /** A small double-precision base network of the kind the method adapts; {@code size} sets its input. */
    default MultiLayerNetwork base(int size, int hidden, boolean bias, long seed) {
        return TestNets.base(size, hidden, 3, bias, DataType.DOUBLE, seed);
    }

    /** The number of input features of {@link #base} for this size. */
    default int inputWidth(int size) {
        return size;
    }

    /** The layers of {@link #base} to adapt. */
    default String[] targets() {
        return new String[] {"dense*", "out"};
    }

    /** A float network to fine-tune on {@code Fixtures.blobs} of {@link #trainingWidth()} features. */
    default MultiLayerNetwork trainingBase(long seed) {
        return Fixtures.mlp(3, seed);
    }

    /** The input width of {@link #trainingBase}. */
    default int trainingWidth() {
        return 8;
    }

    /** The one layer of {@link #trainingBase} to adapt. */
    default String trainingTarget() {
        return "dense1";
    }

    /**
     * Whether the method's adapters fold into the base weights (default {@code true}). For one that
     * does not, the merge property checks instead that {@code merge()} is refused and changes nothing,
     * and that {@code toNetwork()} exports a plain DL4J graph with the adapted network's outputs; the
     * training property checks that every base layer, the adapted ones included, keeps its weights.
     */
    default boolean mergeable() {
        return true;
    }

    /** A copy of an adapter with every tensor random (so that the adapter changes the outputs). */
    static AdapterWeights randomised(AdapterWeights w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> t = new LinkedHashMap<>();
        w.tensors().forEach((k, v) -> t.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        return new AdapterWeights(w.method(), w.head(), t, w.baseFingerprint(), w.provenance());
    }

    private static INDArray input(int rows, int in, long seed) {
        Nd4j.getRandom().setSeed(seed + 1);
        return Nd4j.rand(DataType.DOUBLE, rows, in).subi(0.5).muli(4);
    }

    @Property(tries = 12)
    default void aNewAdapterLeavesTheOutputsUnchanged(@ForAll @IntRange(min = 2, max = 7) int in,
                                                      @ForAll @IntRange(min = 2, max = 7) int hidden,
                                                      @ForAll @IntRange(min = 1, max = 2) int rank,
                                                      @ForAll boolean bias, @ForAll @LongRange(max = 1000) long seed) {
        MultiLayerNetwork base = base(in, hidden, bias, seed);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("new", method(rank, targets()), seed);
        INDArray x = input(5, inputWidth(in), seed);
        assertThat(TestNets.relativeDifference(net.output(x), base.output(x))).isLessThanOrEqualTo(1e-12);
    }

    @Property(tries = 12)
    default void mergedAndUnmergedAgreeAndUnmergeRestoresTheWeights(@ForAll @IntRange(min = 2, max = 7) int in,
                                                                    @ForAll @IntRange(min = 2, max = 7) int hidden,
                                                                    @ForAll @IntRange(min = 1, max = 2) int rank,
                                                                    @ForAll boolean bias,
                                                                    @ForAll @LongRange(max = 1000) long seed) {
        MultiLayerNetwork base = base(in, hidden, bias, seed);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("new", method(rank, targets()), seed);
        net.add("trained", randomised(net.adapter("new"), seed)).activate("trained");
        INDArray x = input(6, inputWidth(in), seed);
        INDArray unmerged = net.output(x);
        assertThat(TestNets.relativeDifference(unmerged, base.output(x))).as("the adapter changes the outputs")
                .isGreaterThan(1e-6);
        if (!mergeable()) {
            mergeIsRefusedAndTheExportAgrees(net, base, x, unmerged);
            return;
        }
        INDArray exported = net.toNetwork().asMultiLayerNetwork().params().dup();

        net.merge();
        assertThat(net.isMerged()).isTrue();
        assertThat(TestNets.relativeDifference(net.output(x), unmerged)).isLessThanOrEqualTo(1e-6);
        assertThat(TestNets.relativeDifference(net.toNetwork().output(x), unmerged)).isLessThanOrEqualTo(1e-6);

        net.unmerge();
        assertThat(net.isMerged()).isFalse();
        assertThat(TestNets.relativeDifference(net.output(x), unmerged)).isLessThanOrEqualTo(1e-12);
        assertThat(TestNets.relativeDifference(net.toNetwork().asMultiLayerNetwork().params(), exported))
                .as("unmerge(merge(W)) restores W").isLessThanOrEqualTo(1e-12);
        net.disable();
        assertThat(net.output(x)).isEqualTo(base.output(x));
    }

    private static void mergeIsRefusedAndTheExportAgrees(AdaptedNetwork net, MultiLayerNetwork base, INDArray x,
                                                         INDArray unmerged) {
        assertThatThrownBy(net::merge).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be merged").hasMessageContaining("toNetwork()");
        assertThat(net.isMerged()).isFalse();
        assertThat(net.output(x)).as("a refused merge changes nothing").isEqualTo(unmerged);

        Network exported = net.toNetwork();
        ComputationGraph graph = exported.asComputationGraph();
        assertThat(graph.getConfiguration().toJson()).doesNotContain("dev.attune");
        assertThat(TestNets.relativeDifference(graph.outputSingle(x), unmerged)).isLessThanOrEqualTo(1e-6);
        assertThat(net.output(x)).as("exporting leaves the network as it was").isEqualTo(unmerged);
        net.disable();
        assertThat(net.output(x)).isEqualTo(base.output(x));
    }

    @Property(tries = 3)
    default void frozenParametersAreBitIdenticalAfterTraining(@ForAll @LongRange(max = 1000) long seed) {
        MultiLayerNetwork base = trainingBase(seed);
        INDArray before = base.params().dup();
        FineTuneResult r = FineTuner.builder(base).adapter(method(2, trainingTarget())).optimizer(Optimizer.adam(1e-2))
                .epochs(2).seed(seed).build().fit(Fixtures.blobs(120, trainingWidth(), 3, seed));
        if (!mergeable()) {
            baseWeightsAreKept(r.model(), base, seed);
        } else {
            MultiLayerNetwork tuned = r.model().asMultiLayerNetwork();
            AdapterWeights adapter = r.adapters().orElseThrow();
            for (int i = 0; i < base.getnLayers(); i++) {
                String name = base.getLayer(i).conf().getLayer().getLayerName();
                if (name.equals(trainingTarget())) {
                    assertThat(tuned.getLayer(i).params()).as("the adapted layer changed").isNotEqualTo(base.getLayer(i).params());
                    continue;
                }
                for (Map.Entry<String, INDArray> p : base.getLayer(i).paramTable().entrySet()) {
                    // A parameter of another layer is frozen unless the adapter trains it (a bias, say) and carries it.
                    String key = name + "." + p.getKey();
                    INDArray after = tuned.getLayer(i).getParam(p.getKey());
                    if (adapter.tensors().containsKey(key)) {
                        assertThat(after).as(key + " as the adapter carries it").isEqualTo(adapter.tensor(key));
                    } else {
                        assertThat(after).as(key).isEqualTo(p.getValue());
                    }
                }
            }
        }
        assertThat(base.params()).as("the base network is untouched").isEqualTo(before);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * r.trainableParams());
    }

    /** An exported network of an adapter that cannot merge: every base layer's weights, the adapted ones' too. */
    private void baseWeightsAreKept(Network model, MultiLayerNetwork base, long seed) {
        ComputationGraph tuned = model.asComputationGraph();
        for (int i = 0; i < base.getnLayers(); i++) {
            String name = base.getLayer(i).conf().getLayer().getLayerName();
            if (base.getLayer(i).numParams() > 0) {
                assertThat(tuned.getLayer(name).params()).as(name).isEqualTo(base.getLayer(i).params());
            }
        }
        INDArray x = Fixtures.blobs(30, trainingWidth(), 3, seed + 1).features();
        assertThat(TestNets.relativeDifference(model.output(x), Network.of(base).output(x)))
                .as("the trained adapter changes the outputs").isGreaterThan(1e-6);
    }

    @Property(tries = 4)
    default void saveAndLoadRoundTripBitExactly(@ForAll @IntRange(min = 2, max = 6) int in,
                                                @ForAll @LongRange(max = 1000) long seed) throws Exception {
        MultiLayerNetwork base = base(in, 5, true, seed);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("new", method(1, targets()), seed);
        AdapterWeights w = randomised(net.adapter("new"), seed);
        Path file = Files.createTempDirectory("attune-contract").resolve("adapter.safetensors");
        AdapterFile.save(w, file);
        AdapterWeights back = AdapterFile.load(file, Network.of(base));
        assertThat(back.method()).isEqualTo(w.method());
        assertThat(back.head()).isEqualTo(w.head());
        assertThat(back.baseFingerprint()).isEqualTo(w.baseFingerprint());
        assertThat(back.tensors().keySet()).containsExactlyElementsOf(w.tensors().keySet());
        for (String k : w.tensors().keySet()) {
            assertThat(back.tensor(k)).as(k).isEqualTo(w.tensor(k));
        }
        INDArray x = input(3, inputWidth(in), seed);
        net.add("saved", w).add("loaded", back);
        INDArray a = net.activate("saved").output(x);
        assertThat(net.activate("loaded").output(x)).isEqualTo(a);
    }

    @Example
    default void anAdapterOfAnotherBaseIsRefused() throws Exception {
        MultiLayerNetwork base = base(4, 5, true, 1);
        MultiLayerNetwork other = base(4, 5, true, 2);
        AdapterWeights w = AdaptedNetwork.of(Network.of(base)).add("a", method(1, targets()), 1).adapter("a");
        String mine = Network.of(base).fingerprint();
        String theirs = Network.of(other).fingerprint();
        assertThatThrownBy(() -> AdaptedNetwork.of(Network.of(other)).add("a", w))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mine).hasMessageContaining(theirs);
        Path file = Files.createTempDirectory("attune-contract").resolve("a.safetensors");
        AdapterFile.save(w, file);
        assertThatThrownBy(() -> AdapterFile.load(file, Network.of(other)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mine).hasMessageContaining(theirs);
    }
}

package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.AttuneException;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Adapter files and several adapters on one base: switch, disable, combine, merge, export. */
class AdapterLifeCycleTest {
    private final MultiLayerNetwork base = Fixtures.mlp(3, 5);
    private final LabeledData train = Fixtures.blobs(240, 8, 3, 1);
    @TempDir
    Path dir;

    private FineTuneResult fit(long seed) {
        return FineTuner.builder(base).adapter(Lora.rank(2).alpha(4).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(4).seed(seed).build().fit(train);
    }

    @Test
    void switchingAdaptersGivesEachFineTunedModelsOutputs() {
        FineTuneResult a = fit(1);
        FineTuneResult b = fit(2);
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("a", a.adapters().orElseThrow())
                .add("b", b.adapters().orElseThrow());
        INDArray x = Fixtures.blobs(20, 8, 3, 9).features();
        assertThat(net.active()).contains("a");
        assertThat(TestNets.relativeDifference(net.output(x), a.model().output(x))).isLessThan(1e-5);
        assertThat(TestNets.relativeDifference(net.activate("b").output(x), b.model().output(x))).isLessThan(1e-5);
        assertThat(TestNets.relativeDifference(net.activate("a").output(x), a.model().output(x))).isLessThan(1e-5);
        assertThat(net.disable().output(x)).isEqualTo(Network.of(base).output(x));
        assertThat(net.active()).isEmpty();

        // Weights (1, 0) are adapter a itself; (0.5, 0.5) average the weight updates and the heads.
        net.addWeighted("a-only", Map.of("a", 1.0, "b", 0.0)).activate("a-only");
        assertThat(TestNets.relativeDifference(net.output(x), a.model().output(x))).isLessThan(1e-5);
        net.addWeighted("mix", new java.util.LinkedHashMap<>(Map.of("a", 0.5, "b", 0.5))).activate("mix");
        assertThat(net.adapter("mix").tensor("dense0.lora_A").shape()).containsExactly(4, 8);
        MultiLayerNetwork mixed = net.toNetwork().asMultiLayerNetwork();
        INDArray w0 = base.getLayer(0).getParam("W");
        INDArray expected = a.model().asMultiLayerNetwork().getLayer(0).getParam("W").sub(w0).muli(0.5)
                .addi(b.model().asMultiLayerNetwork().getLayer(0).getParam("W").sub(w0).muli(0.5)).addi(w0);
        assertThat(TestNets.relativeDifference(mixed.getLayer(0).getParam("W"), expected)).isLessThan(1e-5);
        INDArray head = a.model().asMultiLayerNetwork().getLayer(2).getParam("W").add(
                b.model().asMultiLayerNetwork().getLayer(2).getParam("W")).muli(0.5);
        assertThat(TestNets.relativeDifference(mixed.getLayer(2).getParam("W"), head)).isLessThan(1e-6);

        net.remove("mix");
        assertThat(net.active()).isEmpty();
        assertThat(net.names()).containsExactly("a", "b", "a-only");
    }

    @Test
    void mergingIsGuardedAndTheExportIsPlainDl4j() {
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("a", fit(3).adapters().orElseThrow());
        INDArray x = Fixtures.blobs(10, 8, 3, 4).features();
        INDArray live = net.output(x);
        net.merge();
        assertThat(TestNets.relativeDifference(net.output(x), live)).isLessThan(1e-5);
        assertThatThrownBy(net::merge).isInstanceOf(IllegalStateException.class).hasMessageContaining("already merged");
        assertThatThrownBy(() -> net.activate("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unmerge() it before you switch adapters");
        assertThatThrownBy(net::disable).hasMessageContaining("unmerge()");
        net.unmerge();
        assertThatThrownBy(net::unmerge).isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to unmerge");

        Network exported = net.toNetwork();
        assertThat(exported.asMultiLayerNetwork().getLayerWiseConfigurations().toJson()).doesNotContain("dev.attune");
        Path zip = dir.resolve("merged.zip");
        exported.save(zip);
        Network reloaded = Network.load(zip);
        assertThat(TestNets.relativeDifference(reloaded.output(x), live)).isLessThan(1e-5);
        // A merged-and-saved model is a plain network: there is no adapter left to take out.
        assertThatThrownBy(() -> AdaptedNetwork.of(reloaded).unmerge()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nothing to unmerge");
        assertThatThrownBy(() -> AdaptedNetwork.of(reloaded).add("a", net.adapter("a")))
                .hasMessageContaining("was trained on base model");

        assertThatThrownBy(() -> net.add("a", net.adapter("a"))).hasMessageContaining("already added");
        assertThatThrownBy(() -> net.activate("nope")).hasMessageContaining("no adapter named 'nope'; adapters are: [a]");
        assertThatThrownBy(() -> AdaptedNetwork.of(Network.of(base)).merge()).hasMessageContaining("no adapter is active");
    }

    @Test
    void adapterFilesAreSmallAndRefuseDamage() throws Exception {
        AdapterWeights w = fit(4).adapters().orElseThrow();
        Path file = dir.resolve("de.safetensors");
        AdapterFile.save(w, file);
        long values = w.parameterCount();
        assertThat(Files.size(file)).isBetween(values * 4, values * 4 + 8192);
        assertThat(Files.list(dir)).as("no temporary file is left").containsExactly(file);
        assertThat(AdapterFile.load(file).tensor("head.W")).isEqualTo(w.tensor("head.W"));

        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> AdapterFile.load(cut)).isInstanceOf(AttuneException.class).hasMessageContaining("cut short");

        Path flipped = dir.resolve("flipped.safetensors");
        byte[] changed = bytes.clone();
        changed[changed.length - 3] ^= 1;
        Files.write(flipped, changed);
        assertThatThrownBy(() -> AdapterFile.load(flipped)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("changed after it was written");

        Path relabelled = dir.resolve("relabelled.safetensors");
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        // The configuration is a JSON object inside a JSON string: its quotes are escaped.
        String edited = text.replace("\\\"rank\\\":\\\"2\\\"", "\\\"rank\\\":\\\"3\\\"");
        assertThat(edited).isNotEqualTo(text);
        Files.write(relabelled, edited.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> AdapterFile.load(relabelled)).hasMessageContaining("changed after it was written");

        Path notOurs = dir.resolve("model.zip");
        Files.writeString(notOurs, "PK this is something else entirely");
        assertThatThrownBy(() -> AdapterFile.load(notOurs)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("not a valid Attune adapter");
        assertThatThrownBy(() -> AdapterFile.load(dir.resolve("missing.safetensors"))).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no adapter file at");
    }

    @Test
    void missingAdapterFilesAndDirectoriesThatAreFilesAreNamed() throws Exception {
        Path missing = dir.resolve("none.safetensors");
        assertThatThrownBy(() -> AdapterFile.load(missing)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no adapter file at " + missing.toAbsolutePath()
                        + "; give the path of a file written by AdapterFile.save");
        assertThatThrownBy(() -> AdapterFile.load(dir)).isInstanceOf(AttuneException.class)
                .hasMessageContaining(dir.toAbsolutePath() + " is a directory, not an adapter file");
        Path taken = dir.resolve("taken");
        Files.writeString(taken, "x");
        AdapterWeights w = AdaptedNetwork.of(Network.of(base)).add("new", Lora.rank(2).targets("dense0"), 1).adapter("new");
        assertThatThrownBy(() -> AdapterFile.save(w, taken.resolve("a.safetensors"))).isInstanceOf(AttuneException.class)
                .hasMessageContaining("cannot create directory " + taken.toAbsolutePath() + ": a file of that name exists");
    }

    @Test
    void switchingAdaptersWhileOtherThreadsRunOutputNeverMixesThem() throws Exception {
        AdaptedNetwork net = AdaptedNetwork.of(Network.of(base)).add("a", fit(1).adapters().orElseThrow())
                .add("b", fit(2).adapters().orElseThrow());
        INDArray x = train.features();
        float[] a = net.activate("a").output(x).dup('c').data().asFloat();
        float[] b = net.activate("b").output(x).dup('c').data().asFloat();
        assertThat(a).isNotEqualTo(b);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.List<java.util.concurrent.Future<int[]>> readers = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(pool.submit(() -> {
                    int[] seen = new int[3]; // a, b, neither
                    for (int i = 0; i < 300 || (seen[0] == 0 || seen[1] == 0) && i < 3000; i++) {
                        float[] got = net.output(x).dup('c').data().asFloat();
                        seen[java.util.Arrays.equals(got, a) ? 0 : java.util.Arrays.equals(got, b) ? 1 : 2]++;
                    }
                    return seen;
                }));
            }
            java.util.concurrent.Future<Integer> switcher = pool.submit(() -> {
                int switches = 0;
                while (running.get()) {
                    net.activate(switches++ % 2 == 0 ? "a" : "b");
                }
                return switches;
            });
            int[] total = new int[3];
            for (var r : readers) {
                int[] seen = r.get();
                for (int k = 0; k < 3; k++) {
                    total[k] += seen[k];
                }
            }
            running.set(false);
            assertThat(switcher.get()).isGreaterThan(1);
            assertThat(total[2]).as("outputs that are neither adapter's (a: %d, b: %d)", total[0], total[1]).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}

package dev.attune.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Network;
import dev.attune.internal.bert.BertFamily;
import dev.attune.internal.dl4j.Dl4jFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every model family must do, run against each one: outputs of the right shape, frozen layers
 * bit-identical after a training step (and the wrapped model never changed), a file that reads back
 * bit-exact through the family and through {@code Network.load}, and a stable fingerprint.
 */
public interface ModelFamilyContract {
    /** The family under test. */
    ModelFamily family();

    /** A fresh, small base model of the family. */
    ModelHandle base();

    /** Valid inputs for {@link #base()}: {@code n} rows. */
    INDArray features(int n);

    /** A plan that freezes at least one layer with parameters and trains at least one. */
    TrainingPlan plan();

    /** The number of classes of the model that {@link #plan()} builds. */
    int classes();

    @Test
    default void outputsOneRowPerInputAndOneColumnPerOutput() {
        ModelHandle base = base();
        assertThat(base.output(features(3)).shape()).containsExactly(3, base.numOutputs());
        assertThat(Network.of(base).output(features(5)).shape()).containsExactly(5, base.numOutputs());
    }

    @Test
    default void parametersAreNamedByTheirLayers() {
        ModelHandle base = base();
        List<String> layers = base.layers().stream().map(LayerInfo::name).toList();
        long total = 0;
        for (Map.Entry<String, INDArray> e : base.parameters().entrySet()) {
            assertThat(layerOf(e.getKey(), layers)).as(e.getKey()).isNotNull();
            total += e.getValue().length();
        }
        assertThat(total).isEqualTo(base.numParams());
    }

    @Test
    default void aTrainingStepLeavesFrozenLayersBitIdenticalAndTheBaseUntouched() {
        ModelHandle base = base();
        Map<String, byte[]> before = bytes(base.parameters());
        Nd4j.getRandom().setSeed(1);
        TrainableModel model = base.prepare(plan());
        assertThat(model.frozenLayers()).isNotEmpty();
        Map<String, byte[]> trainedBefore = bytes(model.trainedTensors());
        assertThat(trainedBefore).isNotEmpty();

        INDArray x = model.encode(features(4));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, classes());
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i % classes(), 1f);
        }
        assertThat(model.step(x, labels, 0, 0)).isFinite();

        ModelHandle trained = model.snapshot();
        List<String> layers = trained.layers().stream().map(LayerInfo::name).toList();
        int frozenTensors = 0;
        for (Map.Entry<String, INDArray> e : trained.parameters().entrySet()) {
            if (model.frozenLayers().contains(layerOf(e.getKey(), layers))) {
                assertThat(Arrays.equals(toBytes(e.getValue()), before.get(e.getKey())))
                        .as("frozen " + e.getKey() + " is bit-identical to the base's").isTrue();
                frozenTensors++;
            }
        }
        assertThat(frozenTensors).isPositive();
        Map<String, byte[]> trainedAfter = bytes(model.trainedTensors());
        assertThat(trainedAfter.keySet().stream().anyMatch(k -> !Arrays.equals(trainedAfter.get(k), trainedBefore.get(k))))
                .as("the step changed a trained tensor").isTrue();
        Map<String, byte[]> baseAfter = bytes(base.parameters());
        before.forEach((k, v) -> assertThat(Arrays.equals(baseAfter.get(k), v)).as("base " + k + " unchanged").isTrue());
    }

    @Test
    default void aWrittenFileReadsBackBitExact(@TempDir Path dir) throws IOException {
        ModelHandle base = base();
        Path file = dir.resolve("model.zip");
        base.write(file);
        assertThat(base.family()).isSameAs(family());
        ModelHandle read;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertThat(family().recognises(zip)).isTrue();
            for (ModelFamily other : List.<ModelFamily>of(Dl4jFamily.INSTANCE, BertFamily.INSTANCE)) {
                if (other != family()) {
                    assertThat(other.recognises(zip)).as(other + " takes a file of " + family()).isFalse();
                }
            }
            read = family().read(zip, file);
        }
        assertThat(read.architecture()).isEqualTo(base.architecture());
        assertThat(Arrays.equals(toBytes(read.params()), toBytes(base.params()))).as("parameters bit-exact").isTrue();
        INDArray x = features(3);
        assertThat(Arrays.equals(toBytes(read.output(x)), toBytes(base.output(x)))).as("outputs bit-exact").isTrue();
        String fingerprint = Network.of(base).fingerprint();
        assertThat(Network.load(file, family()).fingerprint()).isEqualTo(fingerprint);
        assertThat(Network.load(file).fingerprint()).isEqualTo(fingerprint);
        assertThat(Files.list(dir).toList()).containsExactly(file);
    }

    @Test
    default void theFingerprintIsStable() {
        ModelHandle base = base();
        String first = Network.of(base).fingerprint();
        base.output(features(2));
        assertThat(Network.of(base).fingerprint()).isEqualTo(first);
        Nd4j.getRandom().setSeed(1);
        base.prepare(plan());
        assertThat(Network.of(base).fingerprint()).isEqualTo(first);
        assertThat(Network.of(base()).fingerprint()).as("another base built the same way").isEqualTo(first);
    }

    /** The layer a parameter belongs to: the longest layer name that prefixes {@code <layer>.}. */
    private static String layerOf(String parameter, List<String> layers) {
        String best = null;
        for (String l : layers) {
            if (parameter.startsWith(l + ".") && (best == null || l.length() > best.length())) {
                best = l;
            }
        }
        return best;
    }

    private static Map<String, byte[]> bytes(Map<String, INDArray> tensors) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, toBytes(v)));
        return out;
    }

    private static byte[] toBytes(INDArray a) {
        return a.dup('c').data().asBytes();
    }
}

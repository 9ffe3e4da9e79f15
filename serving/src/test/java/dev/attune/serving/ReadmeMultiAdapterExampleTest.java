package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedNetwork;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Compiles and runs the README's multi-adapter example, and checks that the README shows it. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ReadmeMultiAdapterExampleTest {
    @TempDir
    Path dir;

    private AdapterWeights adapter(Network base, long seed) {
        AdapterWeights t = AdaptedNetwork.of(base).add("t", Lora.rank(2).targets("dense0", "out"), seed).adapter("t");
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> tensors.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        return new AdapterWeights(t.method(), null, tensors, t.baseFingerprint(), Map.of());
    }

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        Network base = Mlp.of(12, 3, 3);
        Path deFile = dir.resolve("de.safetensors");
        Path frFile = dir.resolve("fr.safetensors");
        Path deV2File = dir.resolve("de-v2.safetensors");
        AdapterFile.save(adapter(base, 1), deFile);
        AdapterFile.save(adapter(base, 2), frFile);
        AdapterFile.save(adapter(base, 3), deV2File);
        INDArray features = Nd4j.rand(DataType.FLOAT, 3, 12);
        float[] row = features.getRow(0).toFloatVector();
        INDArray mixed;
        float[] de;
        float[] deV2;

        // README example: begin
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base)
                .put("de", AdapterFile.load(deFile, base))
                .put("fr", AdapterFile.load(frFile, base));
        mixed = net.output(features, Arrays.asList("de", "fr", null));    // a row per adapter; null: the base

        AdapterStore store = AdapterStore.over(base, 64L << 20)          // loaded on demand, LRU within 64 MB
                .addFile("de", deFile)
                .addFile("fr", frFile);
        try (PredictorService<AdapterRequest, float[]> service = AdapterServing.forStore(store, 12)
                .maxBatch(32).maxWait(Duration.ofMillis(2)).build()) {
            de = service.predict(new AdapterRequest("de", row), Duration.ofSeconds(1));
            store.replaceFile("de", deV2File);          // hot swap: requests get wholly old or wholly new weights
            deV2 = service.predict(new AdapterRequest("de", row), Duration.ofSeconds(1));
        }
        // README example: end

        INDArray alone = AdaptedNetwork.of(base).add("de", AdapterFile.load(deFile, base)).output(features);
        assertThat(mixed.getRow(0).sub(alone.getRow(0)).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(mixed.getRow(2).sub(base.output(features).getRow(2)).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(Nd4j.create(de).sub(alone.getRow(0)).amaxNumber().doubleValue()).isLessThan(1e-6);
        INDArray v2 = AdaptedNetwork.of(base).add("de", AdapterFile.load(deV2File, base)).output(features);
        assertThat(Nd4j.create(deV2).sub(v2.getRow(0)).amaxNumber().doubleValue()).isLessThan(1e-6);
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeMultiAdapterExampleTest.class);
    }
}

package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.internal.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer benchmark's results file from fixed rounds (nothing trained or run): each round's
 * rates in both OpenBLAS configurations, the medians and the ratios against the faster that the table
 * prints, and the peer's configurations, read back through {@link Json}.
 */
class TransformerResultsTest {
    @Test
    void everyRoundRatioAndThePeersConfigurationRoundTripThroughTheWrittenFile(@TempDir Path dir) throws Exception {
        Path work = Path.of("target/attune/transformer");
        Map<String, double[]> inferPeers = new LinkedHashMap<>();
        inferPeers.put("pthread", new double[] {4000, 4000, 3500});
        inferPeers.put("openmp", new double[] {5000, 4000, 5000});
        List<PeerResults.Mode> modes = List.of(
                new PeerResults.Mode("infer", "inference", new double[] {3000, 4000, 3500}, inferPeers),
                new PeerResults.Mode("full", "full fine-tuning", new double[] {1000, 1100, 900}, Map.of()));
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("infer", TransformerBenchmark.peerCommand("infer", work, 12));
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("executable", "/usr/bin/python3");
        probe.put("torch", "2.1.2");
        probe.put("blasLibraries", List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"));
        Map<String, String> inherited = Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_THREAD_TIMEOUT", "4", "HOME", "/root");
        Map<String, List<String>> blasSeen = Map.of(
                "pthread", List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"),
                "openmp", List.of("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"));
        Map<String, Object> peer = TransformerResults.peer("/usr/bin/python3", "torch 2.1.2", probe,
                PeerResults.configurations(null, blasSeen, inherited), commands, RunEnvironment.threadVariables(inherited));
        Map<String, Object> data = Map.of("utterances", 504, "length", 32);
        Map<String, Object> environment = Map.of("javaVersion", "17.0.9");
        Path file = dir.resolve("results.json");

        RunEnvironment.write(file, TransformerResults.json(data, TransformerBenchmark.protocol(), environment, peer, 9.8e-7, modes));

        Map<String, Object> json = map(Json.parse(Files.readString(file), 16, Json.Numbers.LONGS_WHEN_INTEGRAL));
        assertThat(json.keySet()).containsExactly("job", "unit", "data", "protocol", "environment", "peer",
                "pooledEmbeddingMaxAbsDifference", "modes");
        assertThat(json.get("job")).isEqualTo("transformer-benchmark");
        assertThat(json.get("unit")).isEqualTo("tokens per second");
        assertThat(map(json.get("data"))).containsEntry("utterances", 504L);
        assertThat(map(json.get("environment"))).containsEntry("javaVersion", "17.0.9");
        assertThat(map(json.get("protocol"))).containsEntry("inferBatch", 32L).containsEntry("trainBatch", 16L)
                .containsEntry("rounds", 5L).containsEntry("optimizer", "Adam 1.0E-4");
        assertThat(json.get("pooledEmbeddingMaxAbsDifference")).isEqualTo(9.8e-7);

        List<?> rows = (List<?>) json.get("modes");
        Map<String, Object> infer = map(rows.get(0));
        // OpenMP's median (5000) beats pthread's (4000): the ratios are against the OpenMP rounds.
        assertThat(infer).containsEntry("mode", "infer").containsEntry("label", "inference")
                .containsEntry("attune", List.of(3000.0, 4000.0, 3500.0)).containsEntry("attuneMedian", 3500.0)
                .containsEntry("fasterPytorch", "openmp")
                .containsEntry("ratiosAgainstFaster", List.of(0.6, 1.0, 0.7)).containsEntry("ratioMedian", 0.7)
                .containsEntry("ratioMin", 0.6).containsEntry("ratioMax", 1.0);
        Map<String, Object> torch = map(infer.get("pytorch"));
        assertThat(torch.keySet()).containsExactly("pthread", "openmp");
        assertThat(map(torch.get("pthread"))).containsEntry("rounds", List.of(4000.0, 4000.0, 3500.0)).containsEntry("median", 4000.0);
        assertThat(map(torch.get("openmp"))).containsEntry("rounds", List.of(5000.0, 4000.0, 5000.0)).containsEntry("median", 5000.0);
        Map<String, Object> full = map(rows.get(1));
        assertThat(full).containsEntry("attuneMedian", 1000.0).containsEntry("pytorch", Map.of())
                .containsEntry("fasterPytorch", null).containsEntry("ratiosAgainstFaster", null).containsEntry("ratioMedian", null);

        Map<String, Object> p = map(json.get("peer"));
        assertThat(p).containsEntry("python", "/usr/bin/python3").containsEntry("torch", "torch 2.1.2")
                .containsEntry("workingDirectory", System.getProperty("user.dir"));
        assertThat(map(p.get("probe"))).containsEntry("blasLibraries",
                List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"));
        Map<String, Object> configurations = map(p.get("configurations"));
        assertThat(map(configurations.get("pthread"))).containsEntry("available", true).containsEntry("set", Map.of())
                .containsEntry("blasLibraries", List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"));
        assertThat(map(configurations.get("openmp"))).containsEntry("available", true)
                .containsEntry("set", Map.of("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/openblas-openmp"))
                .containsEntry("blasLibraries", List.of("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"));
        assertThat(map(map(configurations.get("openmp")).get("variables")))
                .containsEntry("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/openblas-openmp")
                .containsEntry("OMP_NUM_THREADS", "2");
        assertThat(map(p.get("inheritedThreadVariables"))).containsExactly(
                Map.entry("OMP_NUM_THREADS", "2"), Map.entry("OPENBLAS_THREAD_TIMEOUT", "4"));
        assertThat((String) p.get("onnx")).contains("ONNX Runtime does not run");
        List<Object> command = List.copyOf((List<?>) map(p.get("commands")).get("infer"));
        assertThat(command).startsWith(PeerBenchmark.PYTHON, "benchmarks/peer/minilm.py").contains("--mode", "infer")
                .containsSequence("--batch", "32").containsSequence("--length", "32").containsSequence("--classes", "12")
                .containsSequence("--weights", work.resolve("minilm.safetensors").toString());
    }

    @Test
    void thePeerCommandOfATrainingModeUsesTheTrainingBatch() {
        assertThat(TransformerBenchmark.peerCommand("lora", Path.of("w"), 12)).containsSequence("--batch", "16")
                .containsSequence("--mode", "lora").containsSequence("--lr", "1.0E-4");
    }

    @Test
    void theProbeReportsThePythonItRanOrWhyItCouldNot() {
        Map<String, Object> missing = TransformerResults.probe("/nonexistent/python3");
        assertThat(missing).containsOnlyKeys("error");
        assertThat((String) missing.get("error")).contains("/nonexistent/python3");

        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3 here");
        Map<String, Object> probe = TransformerResults.probe("/usr/bin/python3");
        assertThat(probe).containsKeys("executable", "version", "blasLibraries");
        assertThat(probe.containsKey("torch") || probe.containsKey("torchError")).as("torch's version or why it is missing").isTrue();
        assertThat((String) probe.get("executable")).contains("python3");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}

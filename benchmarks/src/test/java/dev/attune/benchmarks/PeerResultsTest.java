package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * The PyTorch peer in both OpenBLAS configurations, from fixed rounds (nothing trained): the faster
 * configuration per mode, the ratios against it, the table row, the peer benchmark's results file,
 * the reason written when the OpenMP build is missing, and the reading of a peer's JSON line.
 */
class PeerResultsTest {
    private static final String PTHREAD_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";

    private static PeerResults.Mode lora() {
        Map<String, double[]> peers = new LinkedHashMap<>();
        peers.put("pthread", new double[] {14000, 15000, 14500});
        peers.put("openmp", new double[] {14000, 14000, 14200});
        return new PeerResults.Mode("lora", "LoRA r=8, all layers", new double[] {16800, 16500, 17400}, peers);
    }

    @Test
    void theRatioIsTakenAgainstTheConfigurationWithTheHigherMedian() {
        PeerResults.Mode x = lora();
        assertThat(PeerResults.faster(x)).isEqualTo("pthread");
        assertThat(PeerResults.ratios(x)).containsExactly(1.2, 1.1, 1.2);
        assertThat(PeerResults.row(x)).isEqualTo("| LoRA r=8, all layers | 16,800 | 14,500 | 14,000 | 1.20 (1.10 to 1.20) against pthread |");
        assertThat(PeerResults.header("examples/s")).startsWith(
                "| mode | Attune (examples/s) | PyTorch, pthread OpenBLAS (examples/s) | PyTorch, OpenMP OpenBLAS (examples/s) |");
    }

    @Test
    void aConfigurationThatDidNotRunIsSkippedInTheRowAndTheOtherIsTheFaster() {
        PeerResults.Mode onlyPthread = new PeerResults.Mode("head", "head only", new double[] {30000},
                Map.of("pthread", new double[] {20000}));
        assertThat(PeerResults.row(onlyPthread)).isEqualTo("| head only | 30,000 | 20,000 | skipped | 1.50 (1.50 to 1.50) against pthread |");
        PeerResults.Mode none = new PeerResults.Mode("head", "head only", new double[] {30000}, Map.of());
        assertThat(PeerResults.row(none)).isEqualTo("| head only | 30,000 | skipped | skipped | - |");
        assertThat(PeerResults.faster(none)).isNull();
    }

    @Test
    void thePeerBenchmarksResultsFileHoldsBothConfigurationsAndWhyOneWasSkipped(@TempDir Path dir) throws Exception {
        String missing = PeerConfigurations.openmpMissing(dir);
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("configurations", PeerResults.configurations(missing, Map.of("pthread", List.of(PTHREAD_BLAS)),
                Map.of("OMP_NUM_THREADS", "2", "PATH", "/usr/bin")));
        Path file = dir.resolve("results.json");

        RunEnvironment.write(file, PeerBenchmark.json(PeerBenchmark.protocol(), Map.of("javaVersion", "17.0.9"), peer, List.of(lora())));

        Map<String, Object> json = TransformerResultsTest.map(Json.parse(Files.readString(file), 16, Json.Numbers.LONGS_WHEN_INTEGRAL));
        assertThat(json).containsEntry("job", "peer-benchmark").containsEntry("unit", "examples per second");
        assertThat(TransformerResultsTest.map(json.get("protocol"))).containsEntry("batch", 128L).containsEntry("rounds", 5L);
        Map<String, Object> mode = TransformerResultsTest.map(((List<?>) json.get("modes")).get(0));
        assertThat(mode).containsEntry("attune", List.of(16800.0, 16500.0, 17400.0)).containsEntry("fasterPytorch", "pthread")
                .containsEntry("ratiosAgainstFaster", List.of(1.2, 1.1, 1.2)).containsEntry("ratioMedian", 1.2)
                .containsEntry("ratioMin", 1.1).containsEntry("ratioMax", 1.2);
        Map<String, Object> pytorch = TransformerResultsTest.map(mode.get("pytorch"));
        assertThat(TransformerResultsTest.map(pytorch.get("openmp"))).containsEntry("rounds", List.of(14000.0, 14000.0, 14200.0))
                .containsEntry("median", 14000.0);

        Map<String, Object> configurations = TransformerResultsTest.map(TransformerResultsTest.map(json.get("peer")).get("configurations"));
        assertThat(TransformerResultsTest.map(configurations.get("pthread"))).containsEntry("available", true)
                .containsEntry("blasLibraries", List.of(PTHREAD_BLAS))
                .containsEntry("variables", pthreadVariables());
        Map<String, Object> openmp = TransformerResultsTest.map(configurations.get("openmp"));
        assertThat(openmp).containsEntry("available", false).doesNotContainKey("blasLibraries");
        assertThat((String) openmp.get("skipped")).contains(dir.resolve("libblas.so.3").toString()).contains("libopenblas0-openmp");
    }

    private static Map<String, Object> pthreadVariables() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("OMP_NUM_THREADS", "2");
        m.put("LD_LIBRARY_PATH", null);
        return m;
    }

    @Test
    void theOpenMpBuildIsUsedOnlyWhereItsLibraryExists(@TempDir Path dir) throws Exception {
        assertThat(PeerConfigurations.available(PeerConfigurations.openmpMissing(dir)))
                .containsExactly(PeerConfigurations.PTHREAD);
        Files.createFile(dir.resolve("libblas.so.3"));
        assertThat(PeerConfigurations.openmpMissing(dir)).isNull();
        assertThat(PeerConfigurations.available(null)).containsExactly(PeerConfigurations.PTHREAD, PeerConfigurations.OPENMP);
    }

    @Test
    void aPeersLastJsonLineGivesTheFigureAndTheBlasItMapped() {
        String out = "warning: something\n{\"mode\": \"lora\", \"examples_per_s\": 14311.5, \"blas\": [\"" + PTHREAD_BLAS + "\"]}\n";
        PeerConfigurations.Run run = PeerConfigurations.parse("examples_per_s", out, "pthread");
        assertThat(run.value()).isEqualTo(14311.5);
        assertThat(run.blas()).containsExactly(PTHREAD_BLAS);
        assertThat(run.peakRssMib()).isNaN();
        assertThat(PeerConfigurations.parse("tokens_per_s", "{\"tokens_per_s\": 2.5, \"peak_rss_mib\": 812.25}", "openmp")
                .peakRssMib()).isEqualTo(812.25);
        assertThatThrownBy(() -> PeerConfigurations.parse("tokens_per_s", out, "openmp"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("(openmp)").hasMessageContaining("\"tokens_per_s\"")
                .hasMessageContaining("warning: something");
    }

    @Test
    void eachRoundRunsEveryConfigurationWithItsOwnLibraryPathForTheChildOnly() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh here");
        // A stand-in peer that reports the library path it was given as its "BLAS".
        List<String> command = List.of("/bin/sh", "-c", "echo \"{\\\"v\\\": 2, \\\"blas\\\": [\\\"lib:${LD_LIBRARY_PATH}\\\"]}\"");
        Map<String, double[]> rates = new LinkedHashMap<>();
        rates.put("pthread", new double[2]);
        rates.put("openmp", new double[2]);
        Map<String, List<String>> seen = new LinkedHashMap<>();

        PeerConfigurations.round("v", List.of(PeerConfigurations.PTHREAD, PeerConfigurations.OPENMP), 1, command, rates, seen);
        PeerConfigurations.round("v", List.of(PeerConfigurations.PTHREAD, PeerConfigurations.OPENMP), 0, command, rates, seen);

        assertThat(rates.get("pthread")).containsExactly(2, 2);
        assertThat(rates.get("openmp")).containsExactly(2, 2);
        assertThat(seen.get("openmp")).containsExactly("lib:" + PeerConfigurations.OPENMP_DIR);
        String inherited = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        assertThat(seen.get("pthread")).containsExactly("lib:" + inherited);
    }
}

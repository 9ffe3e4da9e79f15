package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.internal.io.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment part of the jobs' results files: load average, BLAS libraries, thread variables, Java. */
class RunEnvironmentTest {
    @Test
    void theLoadAverageIsTheThreeFiguresOfProcLoadavg() {
        assertThat(RunEnvironment.parseLoadAverage("0.52 1.61 2.70 3/412 9876\n")).containsExactly(
                Map.entry("source", "/proc/loadavg"), Map.entry("1min", 0.52), Map.entry("5min", 1.61), Map.entry("15min", 2.70));
        assertThatThrownBy(() -> RunEnvironment.parseLoadAverage("1.0 x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'1.0 x'");
        assertThatThrownBy(() -> RunEnvironment.parseLoadAverage("1.0 x 2.0 1/2 3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'1.0 x 2.0 1/2 3'");
        assertThat(RunEnvironment.loadAverage()).containsKeys("source", "1min");
    }

    @Test
    void theBlasLibrariesAreTheDistinctMappedPathsThatNameBlasOrLapack() {
        String maps = String.join("\n",
                "7f00-7f10 r--p 00000000 08:01 100 /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                "7f10-7f20 r-xp 00010000 08:01 100 /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                "7f20-7f30 r-xp 00000000 08:01 101 /root/.javacpp/cache/openblas-0.3.21-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0",
                "7f30-7f40 r-xp 00000000 08:01 102 /usr/lib/x86_64-linux-gnu/liblapack.so.3",
                "7f40-7f50 r-xp 00000000 08:01 103 /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f50-7f60 rw-p 00000000 00:00 0 [heap]",
                "7f60-7f70 rw-p 00000000 00:00 0");
        assertThat(RunEnvironment.blasLibraries(maps)).containsExactly(
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                "/root/.javacpp/cache/openblas-0.3.21-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0",
                "/usr/lib/x86_64-linux-gnu/liblapack.so.3");
    }

    @Test
    void theThreadVariablesAreThoseOfOpenMpOpenBlasAndMkl() {
        assertThat(RunEnvironment.threadVariables(Map.of("PATH", "/bin", "OMP_WAIT_POLICY", "PASSIVE", "MKL_NUM_THREADS", "1",
                "OPENBLAS_NUM_THREADS", "2", "GOTO_NUM_THREADS", "2"))).containsExactly(Map.entry("GOTO_NUM_THREADS", "2"),
                Map.entry("MKL_NUM_THREADS", "1"), Map.entry("OMP_WAIT_POLICY", "PASSIVE"), Map.entry("OPENBLAS_NUM_THREADS", "2"));
    }

    @Test
    void theEnvironmentNamesJavaTheThreadsAndTheLoadBeforeAndAfter() {
        Map<String, Object> before = RunEnvironment.parseLoadAverage("1.5 1.6 1.7 1/1 1");
        Map<String, Object> after = RunEnvironment.parseLoadAverage("1.9 1.6 1.7 1/1 1");
        Map<String, Object> env = map(Json.parse(Json.write(RunEnvironment.environment(before, after)), 8));
        assertThat(env.keySet()).containsExactly("threadSettings", "threadVariables", "cores", "javaVersion", "javaVendor",
                "javaVm", "os", "nativeBlas", "loadAverageBefore", "loadAverageAfter");
        assertThat(env).containsEntry("javaVersion", System.getProperty("java.version"))
                .containsEntry("threadSettings", BaseModels.threadSettings())
                .containsEntry("cores", (double) Runtime.getRuntime().availableProcessors());
        assertThat(map(env.get("loadAverageBefore"))).containsEntry("1min", 1.5);
        assertThat(map(env.get("loadAverageAfter"))).containsEntry("1min", 1.9);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void peakResidentMemoryIsReadFromTheStatusAndCanBeReset() {
        assertThat(RunEnvironment.peakResidentMib("Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t 1024 kB\n"))
                .isEqualTo(512.0);
        assertThat(RunEnvironment.peakResidentMib("Name:\tjava\n")).isNaN();
        // This JVM's own peak takes in 128 MiB written off the heap, and a reset after freeing them forgets them.
        org.nd4j.linalg.api.ndarray.INDArray big = org.nd4j.linalg.factory.Nd4j.ones(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 32L << 20);
        double withBig = RunEnvironment.peakResidentMib();
        assertThat(withBig).isGreaterThan(128);
        big.close();
        org.junit.jupiter.api.Assumptions.assumeTrue(RunEnvironment.resetPeakResident(), "no /proc/self/clear_refs here");
        assertThat(RunEnvironment.peakResidentMib()).isLessThan(withBig - 64);
    }
}

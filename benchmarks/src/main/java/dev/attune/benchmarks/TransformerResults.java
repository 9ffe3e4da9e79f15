package dev.attune.benchmarks;

import dev.attune.internal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The figures of {@link TransformerBenchmark} and the {@code results.json} built from them: per mode
 * each round's tokens per second on both sides, the medians and the per-round ratios (median and
 * range, as the table prints them), the check that both sides compute the same function, and how the
 * PyTorch peer was run (Python, torch, the BLAS libraries it loaded, the command and the thread
 * variables it inherited).
 */
final class TransformerResults {
    /** Run by the peer's Python: its executable and version, torch's version and BLAS, and the BLAS libraries loaded. */
    static final String PROBE = String.join("\n",
            "import json, sys",
            "r = {'executable': sys.executable, 'version': sys.version.split()[0]}",
            "try:",
            "    import torch",
            "    r['torch'] = torch.__version__",
            "    r['torchBuildBlas'] = [l.strip() for l in torch.__config__.show().splitlines() if 'BLAS' in l]",
            "except Exception as e:",
            "    r['torchError'] = repr(e)",
            "libs = []",
            "for line in open('/proc/self/maps'):",
            "    f = line.split()",
            "    if len(f) >= 6 and f[-1].startswith('/'):",
            "        name = f[-1].rsplit('/', 1)[-1].lower()",
            "        if ('blas' in name or 'lapack' in name) and f[-1] not in libs:",
            "            libs.append(f[-1])",
            "r['blasLibraries'] = libs",
            "print(json.dumps(r))");

    private TransformerResults() {
    }

    /**
     * One mode's rounds.
     *
     * @param peer null when the PyTorch side was skipped
     */
    record Mode(String mode, String label, double[] attune, double[] peer) {
    }

    /** The results file's content. */
    static Map<String, Object> json(Map<String, Object> data, Map<String, Object> protocol, Map<String, Object> environment,
                                    Map<String, Object> peer, Double embeddingMaxAbsDifference, List<Mode> modes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "transformer-benchmark");
        m.put("data", data);
        m.put("protocol", protocol);
        m.put("environment", environment);
        m.put("peer", peer);
        m.put("pooledEmbeddingMaxAbsDifference", embeddingMaxAbsDifference);
        List<Object> rows = new ArrayList<>();
        modes.forEach(x -> rows.add(mode(x)));
        m.put("modes", rows);
        return m;
    }

    /** A mode's entry: rounds and medians of both sides, and the per-round ratios with their median and range. */
    static Map<String, Object> mode(Mode x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", x.mode());
        m.put("label", x.label());
        m.put("attuneTokensPerSecond", list(x.attune()));
        m.put("attuneMedian", LoopBenchmark.median(x.attune()));
        if (x.peer() == null) {
            m.put("pytorchTokensPerSecond", null);
            m.put("pytorchMedian", null);
            m.put("ratios", null);
            m.put("ratioMedian", null);
            m.put("ratioMin", null);
            m.put("ratioMax", null);
            return m;
        }
        double[] ratios = new double[x.attune().length];
        Arrays.setAll(ratios, i -> x.attune()[i] / x.peer()[i]);
        m.put("pytorchTokensPerSecond", list(x.peer()));
        m.put("pytorchMedian", LoopBenchmark.median(x.peer()));
        m.put("ratios", list(ratios));
        m.put("ratioMedian", LoopBenchmark.median(ratios));
        m.put("ratioMin", Arrays.stream(ratios).min().orElseThrow());
        m.put("ratioMax", Arrays.stream(ratios).max().orElseThrow());
        return m;
    }

    /**
     * How the peer runs: the Python and what {@link #PROBE} found in it, the command of each mode, the
     * thread variables it inherits from this process, and that no ONNX Runtime is involved.
     */
    static Map<String, Object> peer(String python, String torchVersion, Map<String, Object> probe,
                                    Map<String, List<String>> commands, Map<String, Object> inheritedThreadVariables) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("python", python);
        m.put("torch", torchVersion);
        m.put("probe", probe);
        Map<String, Object> c = new LinkedHashMap<>();
        commands.forEach((mode, command) -> c.put(mode, List.copyOf(command)));
        m.put("commands", c);
        m.put("workingDirectory", System.getProperty("user.dir"));
        m.put("inheritedThreadVariables", inheritedThreadVariables);
        m.put("onnx", "all-MiniLM-L6-v2.onnx is read for its weights and shapes only (BertEncoder.fromOnnx); ONNX"
                + " Runtime does not run in this benchmark");
        return m;
    }

    /** Runs {@link #PROBE} with the given Python: its JSON as a map, or the failure's output under "error". */
    static Map<String, Object> probe(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", PROBE).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Map.of("error", python + " did not finish the probe in 120 s: " + out);
            }
            if (p.exitValue() != 0) {
                return Map.of("error", out);
            }
            String last = out.substring(out.lastIndexOf('\n') + 1);
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) Json.parse(last, 8);
            return new LinkedHashMap<>(parsed);
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            return Map.of("error", python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("error", "interrupted");
        }
    }

    private static List<Double> list(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}

package dev.attune.benchmarks;

import dev.attune.internal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code results.json} of {@link TransformerBenchmark}: per mode each round's tokens per second of
 * Attune and of the PyTorch peer in each OpenBLAS configuration, and the ratios against the faster
 * ({@link PeerResults}), the check that both sides compute the same function, and how the PyTorch peer
 * was run (Python, torch, each configuration's variables and the BLAS libraries its runs reported, the
 * commands and the thread variables it inherited).
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

    /** The results file's content; the modes' figures are tokens per second. */
    static Map<String, Object> json(Map<String, Object> data, Map<String, Object> protocol, Map<String, Object> environment,
                                    Map<String, Object> peer, Double embeddingMaxAbsDifference, List<PeerResults.Mode> modes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "transformer-benchmark");
        m.put("unit", "tokens per second");
        m.put("data", data);
        m.put("protocol", protocol);
        m.put("environment", environment);
        m.put("peer", peer);
        m.put("pooledEmbeddingMaxAbsDifference", embeddingMaxAbsDifference);
        m.put("modes", PeerResults.modes(modes));
        return m;
    }

    /**
     * How the peer runs: the Python and what {@link #PROBE} found in it (run plainly), each OpenBLAS
     * configuration ({@link PeerResults#configurations}), the command of each mode, the thread variables it
     * inherits from this process, and that no ONNX Runtime is involved.
     */
    static Map<String, Object> peer(String python, String torchVersion, Map<String, Object> probe,
                                    Map<String, Object> configurations, Map<String, List<String>> commands,
                                    Map<String, Object> inheritedThreadVariables) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("python", python);
        m.put("torch", torchVersion);
        m.put("probe", probe);
        m.put("configurations", configurations);
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

}

package dev.attune.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a benchmark against the PyTorch peer in both OpenBLAS configurations
 * ({@link PeerConfigurations}): per mode each round's rate of Attune and of each configuration that
 * ran, which configuration was faster (the higher median), and Attune's per-round ratios against that
 * one (median and range), as the table prints them and as {@code results.json} holds them.
 */
final class PeerResults {
    private PeerResults() {
    }

    /**
     * One mode's rounds.
     *
     * @param peers each configuration's rounds by its name, in the order run; empty when the PyTorch side was skipped
     */
    record Mode(String mode, String label, double[] attune, Map<String, double[]> peers) {
    }

    /** The name of the configuration with the higher median rate, or null when none ran. */
    static String faster(Mode x) {
        String best = null;
        double bestMedian = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : x.peers().entrySet()) {
            double median = LoopBenchmark.median(e.getValue());
            if (median > bestMedian) {
                best = e.getKey();
                bestMedian = median;
            }
        }
        return best;
    }

    /** Attune's rate over the faster configuration's, round by round (null when none ran). */
    static double[] ratios(Mode x) {
        String faster = faster(x);
        if (faster == null) {
            return null;
        }
        double[] peer = x.peers().get(faster);
        double[] ratios = new double[x.attune().length];
        Arrays.setAll(ratios, i -> x.attune()[i] / peer[i]);
        return ratios;
    }

    /** The table's heading: Attune, one column per configuration (run or not), and the ratio against the faster. */
    static String header(String unit) {
        return "| mode | Attune (" + unit + ") | " + PeerConfigurations.PTHREAD.label() + " (" + unit + ") | "
                + PeerConfigurations.OPENMP.label() + " (" + unit + ") | Attune / faster PyTorch (median, range) |\n"
                + "|---|---:|---:|---:|---:|";
    }

    /** A table row: medians of Attune and of each configuration ("skipped" where it did not run), and the ratio against the faster. */
    static String row(Mode x) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "| %s | %,.0f |", x.label(), LoopBenchmark.median(x.attune())));
        for (PeerConfigurations.Configuration c : List.of(PeerConfigurations.PTHREAD, PeerConfigurations.OPENMP)) {
            double[] rounds = x.peers().get(c.name());
            b.append(rounds == null ? " skipped |" : String.format(Locale.ROOT, " %,.0f |", LoopBenchmark.median(rounds)));
        }
        double[] ratios = ratios(x);
        if (ratios == null) {
            return b.append(" - |").toString();
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return b.append(String.format(Locale.ROOT, " %.2f (%.2f to %.2f) against %s |", LoopBenchmark.median(ratios),
                sorted[0], sorted[sorted.length - 1], faster(x))).toString();
    }

    /** A mode's entry in the results file. */
    static Map<String, Object> mode(Mode x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", x.mode());
        m.put("label", x.label());
        m.put("attune", list(x.attune()));
        m.put("attuneMedian", LoopBenchmark.median(x.attune()));
        Map<String, Object> peers = new LinkedHashMap<>();
        x.peers().forEach((name, rounds) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("rounds", list(rounds));
            p.put("median", LoopBenchmark.median(rounds));
            peers.put(name, p);
        });
        m.put("pytorch", peers);
        m.put("fasterPytorch", faster(x));
        double[] ratios = ratios(x);
        m.put("ratiosAgainstFaster", ratios == null ? null : list(ratios));
        m.put("ratioMedian", ratios == null ? null : LoopBenchmark.median(ratios));
        m.put("ratioMin", ratios == null ? null : Arrays.stream(ratios).min().orElseThrow());
        m.put("ratioMax", ratios == null ? null : Arrays.stream(ratios).max().orElseThrow());
        return m;
    }

    /** The entries of all modes. */
    static List<Object> modes(List<Mode> modes) {
        List<Object> rows = new ArrayList<>();
        modes.forEach(x -> rows.add(mode(x)));
        return rows;
    }

    /**
     * How each configuration ran: its name, label and the variables set for it, the thread and library
     * variables its process got, the BLAS libraries its runs reported (or for one that did not run, why).
     *
     * @param openmpMissing null when the OpenMP build is installed, else why it is not
     * @param blasSeen      per configuration that ran, the distinct BLAS libraries its runs reported
     * @param inherited     the environment the peer's process inherits
     */
    static Map<String, Object> configurations(String openmpMissing, Map<String, List<String>> blasSeen,
                                              Map<String, String> inherited) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (PeerConfigurations.Configuration c : List.of(PeerConfigurations.PTHREAD, PeerConfigurations.OPENMP)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("label", c.label());
            e.put("set", new LinkedHashMap<String, Object>(c.environment()));
            boolean missing = c == PeerConfigurations.OPENMP && openmpMissing != null;
            e.put("available", !missing);
            if (missing) {
                e.put("skipped", openmpMissing);
            } else {
                e.put("variables", PeerConfigurations.childVariables(c, inherited));
                e.put("blasLibraries", blasSeen.getOrDefault(c.name(), List.of()));
            }
            m.put(c.name(), e);
        }
        return m;
    }

    private static List<Double> list(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}

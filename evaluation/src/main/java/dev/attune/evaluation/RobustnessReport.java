package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * What a {@link Robustness} suite found: per perturbation, strength and metric, the metric's value on
 * the perturbed test set and its drop against the clean one. Immutable.
 *
 * <p>The rows of the clean test set come first ({@link #CLEAN}, strength NaN, drop 0), then each
 * perturbation's strengths in the order given, then each shifted test set (strength NaN). The
 * {@code drop} is how much worse the metric is than on the clean set: {@code clean - value} for a
 * metric where higher is better, {@code value - clean} for one where lower is better (log loss), so a
 * positive drop always means worse.
 *
 * @param rows one per perturbation (or shifted set), strength and metric
 * @param seed the seed the perturbations drew from
 */
public record RobustnessReport(List<Row> rows, long seed) {
    /** The name of the clean test set's rows. */
    public static final String CLEAN = "clean";

    /**
     * A metric on one perturbed (or shifted) test set.
     *
     * @param perturbation the perturbation's name, a shifted set's name, or {@link #CLEAN}
     * @param strength the perturbation's strength; NaN for the clean set and shifted sets
     * @param metric the metric's name
     * @param value the metric on that set
     * @param drop how much worse than on the clean set (positive is worse)
     */
    public record Row(String perturbation, double strength, String metric, double value, double drop) {
        /** Checks the names. */
        public Row {
            requireNonNull(perturbation, "perturbation");
            requireNonNull(metric, "metric");
        }
    }

    /** Copies the rows. */
    public RobustnessReport {
        rows = List.copyOf(rows);
    }

    /**
     * The metric on the clean test set.
     *
     * @throws IllegalArgumentException when the metric was not computed (the message lists those that were)
     */
    public double clean(String metric) {
        return row(CLEAN, Double.NaN, metric).value();
    }

    /**
     * The metric under a perturbation at a strength.
     *
     * @throws IllegalArgumentException when there is no such row (the message lists those there are)
     */
    public double value(String perturbation, double strength, String metric) {
        return row(perturbation, strength, metric).value();
    }

    /**
     * The drop of the metric under a perturbation at a strength (positive is worse).
     *
     * @throws IllegalArgumentException when there is no such row (the message lists those there are)
     */
    public double drop(String perturbation, double strength, String metric) {
        return row(perturbation, strength, metric).drop();
    }

    /**
     * The metric on a shifted test set.
     *
     * @throws IllegalArgumentException when there is no such row (the message lists those there are)
     */
    public double shifted(String name, String metric) {
        return row(name, Double.NaN, metric).value();
    }

    /**
     * The row of a perturbation (or shifted set, strength NaN), strength and metric.
     *
     * @throws IllegalArgumentException when there is no such row (the message lists those there are)
     */
    public Row row(String perturbation, double strength, String metric) {
        return rows.stream()
                .filter(r -> r.perturbation().equals(perturbation) && Double.compare(r.strength(), strength) == 0
                        && r.metric().equals(metric))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row for " + perturbation
                        + (Double.isNaN(strength) ? "" : " at strength " + strength) + " and metric '" + metric
                        + "'; rows are: " + rows.stream().map(r -> r.perturbation() + (Double.isNaN(r.strength()) ? ""
                        : "@" + r.strength()) + "/" + r.metric()).distinct().toList()));
    }

    /** A Markdown table: one line per perturbation (or shifted set), strength and metric. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder("| perturbation | strength | metric | value | drop |\n|---|---:|---|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %+.4f |%n", r.perturbation(),
                    Double.isNaN(r.strength()) ? "-" : java.math.BigDecimal.valueOf(r.strength()).stripTrailingZeros().toPlainString(), r.metric(),
                    r.value(), r.drop()));
        }
        return b.toString();
    }
}

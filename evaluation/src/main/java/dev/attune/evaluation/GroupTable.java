package dev.attune.evaluation;

import java.util.List;
import java.util.Locale;

/**
 * A metric per group, as Fairlearn's {@code MetricFrame}: the value on each group's examples, on all
 * of them, and the spread between groups. Immutable; made by {@link Groups#table}.
 */
public final class GroupTable {
    /**
     * One group's row.
     *
     * @param group the group's name
     * @param count the number of its examples
     * @param value the metric on its examples
     */
    public record Row(String group, int count, double value) {
    }

    private final String metric;
    private final double overall;
    private final List<Row> rows;

    GroupTable(String metric, double overall, List<Row> rows) {
        this.metric = metric;
        this.overall = overall;
        this.rows = List.copyOf(rows);
    }

    /** The metric's name. */
    public String metric() {
        return metric;
    }

    /** The metric on all the examples. */
    public double overall() {
        return overall;
    }

    /** One row per group, in the groups' order. */
    public List<Row> rows() {
        return rows;
    }

    /**
     * The metric on one group's examples.
     *
     * @throws IllegalArgumentException when there is no such group
     */
    public double value(String group) {
        for (Row r : rows) {
            if (r.group().equals(group)) {
                return r.value();
            }
        }
        throw new IllegalArgumentException("no group '" + group + "'; groups are: "
                + String.join(", ", rows.stream().map(Row::group).toList()));
    }

    /** The largest group value minus the smallest: {@code MetricFrame.difference(method="between_groups")}. */
    public double difference() {
        return max() - min();
    }

    /**
     * The smallest group value over the largest: {@code MetricFrame.ratio(method="between_groups")};
     * 1 when every group's value is 0 (where Fairlearn gives NaN).
     */
    public double ratio() {
        double max = max();
        return max == 0 ? 1.0 : min() / max;
    }

    private double max() {
        return rows.stream().mapToDouble(Row::value).max().orElseThrow();
    }

    private double min() {
        return rows.stream().mapToDouble(Row::value).min().orElseThrow();
    }

    /** The table as aligned text, one line per group and one for all examples. */
    @Override
    public String toString() {
        int width = Math.max(7, rows.stream().mapToInt(r -> r.group().length()).max().orElse(0));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %8s  %s", "group", "examples", metric));
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "%n%-" + width + "s  %8d  %.4f", r.group(), r.count(), r.value()));
        }
        s.append(String.format(Locale.ROOT, "%n%-" + width + "s  %8d  %.4f", "overall",
                rows.stream().mapToInt(Row::count).sum(), overall));
        return s.toString();
    }
}

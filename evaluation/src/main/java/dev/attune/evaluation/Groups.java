package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A group column: the group of each example of a test set (a sensitive feature such as an age band
 * or a region), for per-group metric tables ({@link #table}) and fairness measures
 * ({@link Fairness}). Two columns combine into their intersection with {@link #and}. Groups are
 * listed in their natural order: numerically for {@code int} labels, alphabetically for strings, and
 * for an intersection by the first column's order, then the second's. Immutable.
 *
 * <pre>{@code
 * Groups groups = Groups.of(region).and(Groups.of(ageBand));   // groups such as "north & 2"
 * System.out.println(groups.table(Metrics.f1Macro(), predictions));
 * }</pre>
 */
public final class Groups {
    private final String[] labels;
    private final List<String> names;

    private Groups(String[] labels, List<String> names) {
        this.labels = labels;
        this.names = List.copyOf(names);
    }

    /**
     * A group column of string labels, one per example.
     *
     * @throws IllegalArgumentException when there is no label, a label is null, or every example is in
     *     one group (there is nothing to compare)
     */
    public static Groups of(String... labels) {
        requireNonNull(labels, "labels");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == null) {
                throw new IllegalArgumentException("group label of example " + i + " is null; give every example a group");
            }
        }
        return create(labels.clone(), Comparator.naturalOrder());
    }

    /**
     * A group column of integer labels, one per example; the groups are named by their numbers.
     *
     * @throws IllegalArgumentException when there is no label, or every example is in one group
     */
    public static Groups of(int... labels) {
        requireNonNull(labels, "labels");
        String[] names = Arrays.stream(labels).mapToObj(Integer::toString).toArray(String[]::new);
        return create(names, Comparator.comparingInt(Integer::parseInt));
    }

    private static Groups create(String[] labels, Comparator<String> order) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("the group column is empty; give one group label per example");
        }
        TreeSet<String> distinct = new TreeSet<>(order);
        distinct.addAll(Arrays.asList(labels));
        List<String> names = new ArrayList<>(distinct);
        if (names.size() < 2) {
            throw new IllegalArgumentException("the group column holds a single group ('" + names.get(0) + "', "
                    + labels.length + " examples); per-group tables and fairness measures compare two or more groups");
        }
        return new Groups(labels, names);
    }

    /**
     * The intersection of this column and another over the same examples: example {@code i} is in
     * group {@code "<this group> & <other group>"}. Only combinations that occur are groups.
     *
     * @throws IllegalArgumentException when the columns differ in length
     */
    public Groups and(Groups other) {
        requireNonNull(other, "other");
        if (other.labels.length != labels.length) {
            throw new IllegalArgumentException("cannot intersect group columns of " + labels.length + " and "
                    + other.labels.length + " labels; give both one label per example");
        }
        String[] combined = new String[labels.length];
        Map<String, int[]> rank = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            combined[i] = labels[i] + " & " + other.labels[i];
            rank.putIfAbsent(combined[i], new int[] {names.indexOf(labels[i]), other.names.indexOf(other.labels[i])});
        }
        List<String> order = new ArrayList<>(rank.keySet());
        order.sort(Comparator.<String>comparingInt(g -> rank.get(g)[0]).thenComparingInt(g -> rank.get(g)[1]));
        return new Groups(combined, order);
    }

    /** The number of examples. */
    public int size() {
        return labels.length;
    }

    /** The distinct groups, in order. */
    public List<String> names() {
        return names;
    }

    /** The group of example {@code i}. */
    public String group(int i) {
        return labels[i];
    }

    /**
     * The metric on each group's examples (with their weights, if any) and on all of them.
     *
     * @throws IllegalArgumentException when the column's length differs from the predictions', or the
     *     metric is undefined on a group's examples (the message names the group)
     */
    public GroupTable table(Metric metric, Predictions predictions) {
        requireNonNull(metric, "metric");
        Map<String, int[]> members = membersOf(predictions);
        List<GroupTable.Row> rows = new ArrayList<>();
        for (Map.Entry<String, int[]> e : members.entrySet()) {
            double value;
            try {
                value = metric.compute(predictions.select(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(metric.name() + " on group '" + e.getKey() + "' ("
                        + e.getValue().length + " examples): " + ex.getMessage(), ex);
            }
            rows.add(new GroupTable.Row(e.getKey(), e.getValue().length, value));
        }
        return new GroupTable(metric.name(), metric.compute(predictions), rows);
    }

    /** The example indices of each group, in group order; checks the length against the predictions. */
    Map<String, int[]> membersOf(Predictions predictions) {
        requireNonNull(predictions, "predictions");
        if (predictions.size() != labels.length) {
            throw new IllegalArgumentException("the group column holds " + labels.length + " labels but the predictions "
                    + predictions.size() + " examples; give one group label per example");
        }
        Map<String, List<Integer>> lists = new LinkedHashMap<>();
        names.forEach(n -> lists.put(n, new ArrayList<>()));
        for (int i = 0; i < labels.length; i++) {
            lists.get(labels[i]).add(i);
        }
        Map<String, int[]> members = new LinkedHashMap<>();
        lists.forEach((n, l) -> members.put(n, l.stream().mapToInt(Integer::intValue).toArray()));
        return members;
    }
}

package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.DataAuditSummary;
import dev.attune.LabeledData;
import dev.attune.TrainingDataCheck;
import dev.attune.internal.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A bias audit of a data set before training: how the labels and the groups of one or more
 * sensitive attributes are distributed, with a pass, warn or fail verdict per check.
 *
 * <pre>{@code
 * TabularData credit = BundledTables.GERMAN_CREDIT.train();
 * DataAudit.Report report = DataAudit.of(credit.data())
 *         .positiveClass(0)                                   // "good": the favourable outcome
 *         .group("sex", credit.groups("sex"))
 *         .reference("sex", Map.of("female", 0.5, "male", 0.5))
 *         .run();
 * System.out.println(report.toJson());
 * }</pre>
 *
 * <p>Checks, in this order: the class imbalance ratio (largest class count over smallest); missing
 * values, the share of examples with at least one missing (imputed) feature value, given by
 * {@link #missing(Map)} (for a table read with {@link Tabular#imputeMissing()}, {@link
 * TabularData#missing()}), and skipped with a note when not given, since {@link LabeledData} holds
 * no missing value; then per group column, the disparate impact of the positive
 * class (the lowest positive rate of a group over the highest, the "four-fifths rule") and, when a
 * reference distribution is given for the column, the largest gap between a group's share and its
 * reference share. Default thresholds: disparate impact warns below 0.9 and fails below 0.8;
 * representation gap warns above 0.05 and fails above 0.10; imbalance ratio warns above 1.5 and
 * fails above 4; missing values warn above 0 (any imputed value) and fail above 0.2. A value on a
 * threshold passes it. Each group's figures include, when missing values are given, how many of
 * its examples have a missing value, per column and in all.
 *
 * <p>Each setter may be called once per option (group and reference once per column); the audit is
 * a pure function of its inputs.
 */
public final class DataAudit implements TrainingDataCheck {
    private final LabeledData data;
    private int positiveClass = -1;
    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> references = new LinkedHashMap<>();
    private double[] disparateImpact;
    private double[] representationGap;
    private double[] imbalanceRatio;
    private Map<String, List<Boolean>> missing;
    private double[] missingValues;

    private DataAudit(LabeledData data) {
        this.data = data;
    }

    /**
     * Runs this audit as {@code FineTuner.Builder.audit(...)} asks before training: passes unless a
     * check fails (warnings pass).
     *
     * @throws IllegalArgumentException when {@code train} is not the data this audit was started on
     *     (their fingerprints differ)
     * @throws IllegalStateException when a check fails: the message lists each failed check with its
     *     value and threshold, and the fix
     */
    @Override
    public void check(LabeledData train) {
        requireNonNull(train, "train");
        if (!train.fingerprint().equals(data.fingerprint())) {
            throw new IllegalArgumentException("this audit was started on other data (" + data.size() + " examples, "
                    + data.fingerprint() + ") than the training data given to fit (" + train.size() + " examples, "
                    + train.fingerprint() + "); start it with DataAudit.of(train) on the same data");
        }
        Report report = run();
        List<String> failed = new ArrayList<>();
        for (Check c : report.checks()) {
            if (c.status() == Status.FAIL) {
                failed.add(c.name() + (c.column().isEmpty() ? "" : " of " + c.column()) + " "
                        + String.format(java.util.Locale.ROOT, "%.3f", c.value()) + " (fails at "
                        + String.format(java.util.Locale.ROOT, "%.3f", c.failThreshold()) + "; " + c.detail() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the training data fails its audit, so nothing was trained: "
                    + String.join("; ", failed) + ". Fix the data (more examples of the groups concerned, or"
                    + " Balancing.reweigh), or set the thresholds the use case allows (disparateImpact,"
                    + " representationGap, imbalanceRatio)");
        }
    }

    /** Starts an audit of the labels of {@code data}. */
    public static DataAudit of(LabeledData data) {
        return new DataAudit(requireNonNull(data, "data"));
    }

    /**
     * The class whose rate disparate impact compares, the favourable outcome (default 1).
     *
     * @throws IllegalArgumentException when the class is outside {@code [0, numClasses)}
     */
    public DataAudit positiveClass(int value) {
        once(positiveClass < 0 ? null : positiveClass, "positiveClass");
        if (value < 0 || value >= data.numClasses()) {
            throw new IllegalArgumentException("positive class " + value + " is outside [0, " + data.numClasses()
                    + "); give the index of the favourable class");
        }
        positiveClass = value;
        return this;
    }

    /**
     * A sensitive attribute: its group value for every example, in example order (for example
     * {@link TabularData#groups(String)}).
     *
     * @throws IllegalArgumentException when the column is given twice, the count differs from the
     *     number of examples, or a value is null
     */
    public DataAudit group(String column, List<String> values) {
        requireNonNull(column, "column");
        requireNonNull(values, "values");
        if (groups.containsKey(column)) {
            throw new IllegalArgumentException("group column '" + column + "' is given twice; give each column once");
        }
        if (values.size() != data.size()) {
            throw new IllegalArgumentException("group column '" + column + "' has " + values.size()
                    + " values for " + data.size() + " examples; give one value per example, in example order");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new IllegalArgumentException("group column '" + column + "' has no value for example " + i
                        + "; give every example a group, for example \"unknown\"");
            }
        }
        groups.put(column, List.copyOf(values));
        return this;
    }

    /**
     * The share each group of {@code column} should have (a population or a target), for the
     * representation-gap check; groups missing from the data count with share 0.
     *
     * @throws IllegalArgumentException when a share is outside [0, 1], the shares do not sum to 1
     *     (within 1e-6), or the reference is given twice
     */
    public DataAudit reference(String column, Map<String, Double> shares) {
        requireNonNull(column, "column");
        requireNonNull(shares, "shares");
        if (references.containsKey(column)) {
            throw new IllegalArgumentException("the reference of '" + column + "' is given twice; give it once");
        }
        double sum = 0;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            double s = requireNonNull(e.getValue(), "share");
            if (!(s >= 0 && s <= 1)) {
                throw new IllegalArgumentException("reference share " + s + " of group '" + e.getKey() + "' in '"
                        + column + "' is outside [0, 1]; give shares as fractions");
            }
            sum += s;
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("the reference shares of '" + column + "' sum to " + sum
                    + ", not 1; give every group's share");
        }
        references.put(column, new TreeMap<>(shares));
        return this;
    }

    /**
     * Which feature values of each example were missing in the source and imputed, per column (for
     * example {@link TabularData#missing()}), for the missing-values check and each group's missing
     * counts.
     *
     * @throws IllegalArgumentException when a column's list has another size than the number of
     *     examples or holds a null
     * @throws IllegalStateException when given twice
     */
    public DataAudit missing(Map<String, List<Boolean>> byColumn) {
        requireNonNull(byColumn, "byColumn");
        once(missing, "missing");
        Map<String, List<Boolean>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<Boolean>> e : byColumn.entrySet()) {
            String column = requireNonNull(e.getKey(), "column");
            List<Boolean> flags = requireNonNull(e.getValue(), "missing flags");
            if (flags.size() != data.size()) {
                throw new IllegalArgumentException("the missing flags of column '" + column + "' are " + flags.size()
                        + " for " + data.size() + " examples; give one flag per example, in example order");
            }
            if (flags.contains(null)) {
                throw new IllegalArgumentException("the missing flags of column '" + column + "' hold a null at example "
                        + flags.indexOf(null) + "; give true or false for every example");
            }
            copy.put(column, List.copyOf(flags));
        }
        missing = copy;
        return this;
    }

    /**
     * Missing-value thresholds on the share of examples with a missing value (default warn above 0,
     * fail above 0.2).
     *
     * @throws IllegalArgumentException unless {@code 0 <= warnAbove <= failAbove <= 1}
     */
    public DataAudit missingValues(double warnAbove, double failAbove) {
        once(missingValues, "missingValues");
        if (!(0 <= warnAbove && warnAbove <= failAbove && failAbove <= 1)) {
            throw new IllegalArgumentException("missing-value thresholds need 0 <= warnAbove <= failAbove <= 1, got warnAbove "
                    + warnAbove + ", failAbove " + failAbove + "; for example missingValues(0, 0.2)");
        }
        missingValues = new double[] {warnAbove, failAbove};
        return this;
    }

    /**
     * Disparate impact thresholds (default warn below 0.9, fail below 0.8).
     *
     * @throws IllegalArgumentException unless {@code 0 <= failBelow <= warnBelow <= 1}
     */
    public DataAudit disparateImpact(double warnBelow, double failBelow) {
        once(disparateImpact, "disparateImpact");
        if (!(0 <= failBelow && failBelow <= warnBelow && warnBelow <= 1)) {
            throw new IllegalArgumentException("disparate impact thresholds need 0 <= failBelow <= warnBelow <= 1, got warnBelow "
                    + warnBelow + ", failBelow " + failBelow + "; for example disparateImpact(0.9, 0.8)");
        }
        disparateImpact = new double[] {warnBelow, failBelow};
        return this;
    }

    /**
     * Representation gap thresholds (default warn above 0.05, fail above 0.10).
     *
     * @throws IllegalArgumentException unless {@code 0 <= warnAbove <= failAbove <= 1}
     */
    public DataAudit representationGap(double warnAbove, double failAbove) {
        once(representationGap, "representationGap");
        if (!(0 <= warnAbove && warnAbove <= failAbove && failAbove <= 1)) {
            throw new IllegalArgumentException("representation gap thresholds need 0 <= warnAbove <= failAbove <= 1, got warnAbove "
                    + warnAbove + ", failAbove " + failAbove + "; for example representationGap(0.05, 0.1)");
        }
        representationGap = new double[] {warnAbove, failAbove};
        return this;
    }

    /**
     * Class imbalance ratio thresholds (default warn above 1.5, fail above 4).
     *
     * @throws IllegalArgumentException unless {@code 1 <= warnAbove <= failAbove}
     */
    public DataAudit imbalanceRatio(double warnAbove, double failAbove) {
        once(imbalanceRatio, "imbalanceRatio");
        if (!(1 <= warnAbove && warnAbove <= failAbove && failAbove < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("imbalance ratio thresholds need 1 <= warnAbove <= failAbove, got warnAbove "
                    + warnAbove + ", failAbove " + failAbove + "; for example imbalanceRatio(1.5, 4)");
        }
        imbalanceRatio = new double[] {warnAbove, failAbove};
        return this;
    }

    /**
     * Runs the checks.
     *
     * @throws IllegalArgumentException when a reference names a column that is not a group column
     */
    public Report run() {
        for (String column : references.keySet()) {
            if (!groups.containsKey(column)) {
                throw new IllegalArgumentException("a reference is given for '" + column
                        + "', which is not a group column; group columns are: " + String.join(", ", groups.keySet())
                        + "; add group(\"" + column + "\", values)");
            }
        }
        int positive = positiveClass < 0 ? 1 : positiveClass;
        double[] di = disparateImpact == null ? new double[] {0.9, 0.8} : disparateImpact;
        double[] gap = representationGap == null ? new double[] {0.05, 0.10} : representationGap;
        double[] ratio = imbalanceRatio == null ? new double[] {1.5, 4.0} : imbalanceRatio;
        int[] counts = data.classCounts();
        List<Check> checks = new ArrayList<>();
        checks.add(imbalance(counts, ratio));
        checks.add(missingCheck(missingValues == null ? new double[] {0, 0.2} : missingValues));
        List<GroupStats> stats = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : groups.entrySet()) {
            String column = e.getKey();
            List<GroupStats> col = groupStats(column, e.getValue(), positive);
            stats.addAll(col);
            checks.add(disparateImpact(column, col, positive, di));
            if (references.containsKey(column)) {
                checks.add(gap(column, col, references.get(column), gap));
            }
        }
        List<Integer> classCounts = java.util.Arrays.stream(counts).boxed().toList();
        List<String> missingColumns = missing == null ? List.of() : List.copyOf(missing.keySet());
        return new Report(data.size(), positive, classCounts, missingColumns, stats, checks);
    }

    /** Whether example {@code i} has a missing value in any column given. */
    private boolean anyMissing(int i) {
        for (List<Boolean> flags : missing.values()) {
            if (flags.get(i)) {
                return true;
            }
        }
        return false;
    }

    private Check missingCheck(double[] t) {
        if (missing == null) {
            return new Check("missing values", "", Status.SKIPPED, Double.NaN, Double.NaN, Double.NaN,
                    "not given: LabeledData holds no missing value; for a table read with imputeMissing(), pass"
                            + " missing(table.missing())");
        }
        int rows = 0;
        for (int i = 0; i < data.size(); i++) {
            rows += anyMissing(i) ? 1 : 0;
        }
        List<String> perColumn = new ArrayList<>();
        missing.forEach((column, flags) -> {
            long k = flags.stream().filter(b -> b).count();
            if (k > 0) {
                perColumn.add("'" + column + "' " + k);
            }
        });
        double value = (double) rows / data.size();
        Status s = value > t[1] ? Status.FAIL : value > t[0] ? Status.WARN : Status.PASS;
        String detail = rows == 0 ? "no missing value in the " + missing.size() + " column" + (missing.size() == 1
                ? "" : "s") + " given" : rows + " of " + data.size() + " examples have a missing value (imputed);"
                + " missing per column: " + String.join(", ", perColumn);
        return new Check("missing values", "", s, value, t[0], t[1], detail);
    }

    private static Check imbalance(int[] counts, double[] t) {
        int max = 0;
        int min = Integer.MAX_VALUE;
        int maxClass = 0;
        int minClass = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > max) {
                max = counts[c];
                maxClass = c;
            }
            if (counts[c] < min) {
                min = counts[c];
                minClass = c;
            }
        }
        double value = min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
        Status s = value > t[1] ? Status.FAIL : value > t[0] ? Status.WARN : Status.PASS;
        String detail = min == 0 ? "class " + minClass + " has no examples"
                : "class " + maxClass + " has " + max + " examples, class " + minClass + " has " + min;
        return new Check("class imbalance ratio", "", s, value, t[0], t[1], detail);
    }

    private List<GroupStats> groupStats(String column, List<String> values, int positive) {
        List<String> missingColumns = missing == null ? List.of() : List.copyOf(missing.keySet());
        int m = missingColumns.size();
        // Per group: count, positives, examples with a missing value, then missing per column.
        Map<String, int[]> byGroup = new TreeMap<>();
        for (int i = 0; i < values.size(); i++) {
            int[] c = byGroup.computeIfAbsent(values.get(i), g -> new int[3 + m]);
            c[0]++;
            c[1] += data.label(i) == positive ? 1 : 0;
            if (m > 0) {
                c[2] += anyMissing(i) ? 1 : 0;
                for (int k = 0; k < m; k++) {
                    c[3 + k] += missing.get(missingColumns.get(k)).get(i) ? 1 : 0;
                }
            }
        }
        List<GroupStats> out = new ArrayList<>();
        byGroup.forEach((g, c) -> {
            Map<String, Integer> perColumn = new LinkedHashMap<>();
            for (int k = 0; k < m; k++) {
                perColumn.put(missingColumns.get(k), c[3 + k]);
            }
            out.add(new GroupStats(column, g, c[0], (double) c[0] / values.size(), c[1], (double) c[1] / c[0], c[2],
                    perColumn));
        });
        return out;
    }

    private static Check disparateImpact(String column, List<GroupStats> col, int positive, double[] t) {
        GroupStats low = col.get(0);
        GroupStats high = col.get(0);
        for (GroupStats g : col) {
            low = g.positiveRate() < low.positiveRate() ? g : low;
            high = g.positiveRate() > high.positiveRate() ? g : high;
        }
        if (high.positiveRate() == 0) {
            return new Check("disparate impact", column, Status.WARN, Double.NaN, t[0], t[1],
                    "no group has an example of the positive class " + positive + "; it cannot be compared");
        }
        double value = low.positiveRate() / high.positiveRate();
        Status s = value < t[1] ? Status.FAIL : value < t[0] ? Status.WARN : Status.PASS;
        return new Check("disparate impact", column, s, value, t[0], t[1], String.format(Locale.ROOT,
                "class %d rate %.4f in '%s' against %.4f in '%s'", positive, low.positiveRate(), low.group(),
                high.positiveRate(), high.group()));
    }

    private static Check gap(String column, List<GroupStats> col, Map<String, Double> reference, double[] t) {
        Map<String, Double> shares = new TreeMap<>();
        col.forEach(g -> shares.put(g.group(), g.share()));
        TreeSet<String> all = new TreeSet<>(shares.keySet());
        all.addAll(reference.keySet());
        String worst = all.first();
        double value = -1;
        for (String g : all) {
            double d = Math.abs(shares.getOrDefault(g, 0.0) - reference.getOrDefault(g, 0.0));
            if (d > value) {
                value = d;
                worst = g;
            }
        }
        Status s = value > t[1] ? Status.FAIL : value > t[0] ? Status.WARN : Status.PASS;
        return new Check("representation gap", column, s, value, t[0], t[1], String.format(Locale.ROOT,
                "'%s' has share %.4f against reference %.4f", worst, shares.getOrDefault(worst, 0.0),
                reference.getOrDefault(worst, 0.0)));
    }

    private static void once(Object current, String option) {
        if (current != null) {
            throw new IllegalStateException(option + "(...) was already set; set each option once");
        }
    }

    /** The verdict of a check; {@code SKIPPED} when the data cannot tell. */
    public enum Status {
        PASS, WARN, FAIL, SKIPPED
    }

    /**
     * One check.
     *
     * @param name what is checked, for example {@code "disparate impact"}
     * @param column the group column it concerns, empty for checks of the labels alone
     * @param status the verdict
     * @param value the measured value (NaN when skipped or undefined)
     * @param warnThreshold where a warning starts (NaN without one)
     * @param failThreshold where a failure starts (NaN without one)
     * @param detail the figures behind the value, in words
     */
    public record Check(String name, String column, Status status, double value, double warnThreshold,
                        double failThreshold, String detail) {
        /** Validates. */
        public Check {
            requireNonNull(name, "name");
            requireNonNull(column, "column");
            requireNonNull(status, "status");
            requireNonNull(detail, "detail");
        }
    }

    /**
     * The figures of one group of a sensitive attribute.
     *
     * @param column the group column
     * @param group the group's value
     * @param count its examples
     * @param share its share of all examples
     * @param positives its examples of the positive class
     * @param positiveRate {@code positives / count}, the group's base rate
     * @param missingRows its examples with a missing value in any column given to {@link
     *     DataAudit#missing(Map)} (0 when none was given)
     * @param missing per column given to {@link DataAudit#missing(Map)}, in that order, its examples
     *     whose value was missing (empty when none was given)
     */
    public record GroupStats(String column, String group, int count, double share, int positives, double positiveRate,
                             int missingRows, Map<String, Integer> missing) {
        /** Validates and copies. */
        public GroupStats {
            requireNonNull(column, "column");
            requireNonNull(group, "group");
            missing = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(missing));
        }
    }

    /**
     * The result of an audit. Immutable. As a {@link DataAuditSummary} it goes into the evaluation
     * module's report and model card.
     *
     * @param examples the number of examples audited
     * @param positiveClass the class whose rate disparate impact compares
     * @param classCounts examples per class
     * @param missingColumns the columns whose missing values were given ({@link DataAudit#missing(Map)}),
     *     empty when none were
     * @param groups per group column (in the order given) and group (in text order), its figures
     * @param checks every check, in the order of {@link DataAudit}
     */
    public record Report(int examples, int positiveClass, List<Integer> classCounts, List<String> missingColumns,
                         List<GroupStats> groups, List<Check> checks) implements DataAuditSummary {
        /** Validates and copies. */
        public Report {
            classCounts = List.copyOf(classCounts);
            missingColumns = List.copyOf(missingColumns);
            groups = List.copyOf(groups);
            checks = List.copyOf(checks);
        }

        /**
         * The worst verdict of all checks ({@code FAIL} over {@code WARN} over {@code PASS}; skipped ones
         * do not count). (Qualified: inside this record, a bare {@code Status} would name
         * {@link DataAuditSummary.Status}.)
         */
        public DataAudit.Status status() {
            DataAudit.Status worst = DataAudit.Status.PASS;
            for (Check c : checks) {
                if (c.status() == DataAudit.Status.FAIL || (c.status() == DataAudit.Status.WARN && worst == DataAudit.Status.PASS)) {
                    worst = c.status();
                }
            }
            return worst;
        }

        /**
         * The check of that name and column ({@code ""} for checks of the labels alone).
         *
         * @throws IllegalArgumentException when there is no such check (the message lists them)
         */
        public Check check(String name, String column) {
            for (Check c : checks) {
                if (c.name().equals(name) && c.column().equals(column)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no check '" + name + "' on '" + column + "'; checks are: "
                    + checks.stream().map(c -> c.name() + (c.column().isEmpty() ? "" : " on " + c.column())).toList());
        }

        /**
         * The figures of one group.
         *
         * @throws IllegalArgumentException when there is no such group (the message lists them)
         */
        public GroupStats group(String column, String group) {
            return groups.stream().filter(g -> g.column().equals(column) && g.group().equals(group)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no group '" + group + "' in column '" + column
                            + "'; groups are: " + groups.stream().map(g -> g.column() + "=" + g.group()).toList()));
        }

        /** The checks as {@link DataAuditSummary.Finding}s, in order, with the same figures. */
        @Override
        public List<DataAuditSummary.Finding> findings() {
            return checks.stream().map(c -> new DataAuditSummary.Finding(c.name(), c.column(),
                    DataAuditSummary.Status.valueOf(c.status().name()), c.value(), c.warnThreshold(),
                    c.failThreshold(), c.detail())).toList();
        }

        /** The report as JSON (UTF-8 text, no dependency): numbers as Java writes doubles, NaN and infinity as null. */
        @Override
        public String toJson() {
            StringBuilder b = new StringBuilder("{\n");
            b.append("  \"status\": ").append(text(status().name())).append(",\n");
            b.append("  \"examples\": ").append(examples).append(",\n");
            b.append("  \"positiveClass\": ").append(positiveClass).append(",\n");
            b.append("  \"classCounts\": ").append(classCounts).append(",\n");
            b.append("  \"missingColumns\": [");
            for (int i = 0; i < missingColumns.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(text(missingColumns.get(i)));
            }
            b.append("],\n");
            b.append("  \"groups\": [");
            for (int i = 0; i < groups.size(); i++) {
                GroupStats g = groups.get(i);
                b.append(i == 0 ? "\n" : ",\n").append("    {\"column\": ").append(text(g.column()))
                        .append(", \"group\": ").append(text(g.group()))
                        .append(", \"count\": ").append(g.count())
                        .append(", \"share\": ").append(number(g.share()))
                        .append(", \"positives\": ").append(g.positives())
                        .append(", \"positiveRate\": ").append(number(g.positiveRate()))
                        .append(", \"missingRows\": ").append(g.missingRows())
                        .append(", \"missing\": {");
                int k = 0;
                for (Map.Entry<String, Integer> e : g.missing().entrySet()) {
                    b.append(k++ == 0 ? "" : ", ").append(text(e.getKey())).append(": ").append(e.getValue());
                }
                b.append("}}");
            }
            b.append(groups.isEmpty() ? "],\n" : "\n  ],\n");
            b.append("  \"checks\": [");
            for (int i = 0; i < checks.size(); i++) {
                Check c = checks.get(i);
                b.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(text(c.name()))
                        .append(", \"column\": ").append(text(c.column()))
                        .append(", \"status\": ").append(text(c.status().name()))
                        .append(", \"value\": ").append(number(c.value()))
                        .append(", \"warnThreshold\": ").append(number(c.warnThreshold()))
                        .append(", \"failThreshold\": ").append(number(c.failThreshold()))
                        .append(", \"detail\": ").append(text(c.detail())).append('}');
            }
            b.append(checks.isEmpty() ? "]\n" : "\n  ]\n").append("}\n");
            return b.toString();
        }

        private static String number(double v) {
            return Double.isFinite(v) ? Double.toString(v) : "null";
        }

        private static String text(String s) {
            return Json.quote(s);
        }
    }
}

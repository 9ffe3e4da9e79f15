package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Watches a deployed model's traffic for drift from a {@link DriftReference}: {@link #observe} the
 * rows as they come (from any number of threads), and {@link #report()} compares the most recent
 * {@code window} rows with the reference.
 *
 * <pre>{@code
 * DriftMonitor monitor = DriftMonitor.builder(reference).window(500).build();
 * monitor.observe(DriftBatch.features(names, rows).withProbabilities(probabilities));
 * DriftReport report = monitor.report();      // per feature and overall, OK / WARN / ALERT
 * }</pre>
 *
 * <p>Thresholds, each crossed when reached: a PSI (per feature and of the predicted classes) at or
 * above 0.1 warns and at or above 0.25 alerts (the common rule of thumb); a Kolmogorov-Smirnov
 * p-value below 0.05 warns and below 0.01 alerts; an embedding shift at or above 0.1 warns and at
 * or above 0.25 alerts. The p-value tests whether the window could be a sample of the reference's
 * distribution at all: with thousands of rows it falls below any threshold for shifts too small to
 * matter, so read it beside the PSI, which measures how large a shift is.
 *
 * <p>The window slides by default: a report compares the most recent {@code window} rows. With
 * {@link Builder#fixedWindows()} it is fixed (tumbling) instead: rows gather until {@code window} of them
 * are observed, that window's report is made and kept ({@link #latest()}), and the next window starts
 * empty, so each row counts in exactly one report.
 *
 * <p>When the model it watches is replaced by one trained for another world, {@link #rebase} swaps
 * in the new model's reference and empties the window, keeping the thresholds and everyone that holds
 * the monitor (a metrics exporter, a retrainer) where they are.
 */
public final class DriftMonitor {
    /** The default window: the most recent {@value} rows. */
    public static final int DEFAULT_WINDOW = 1000;

    private volatile DriftReference reference;
    private final int window;
    private final double psiWarn;
    private final double psiAlert;
    private final double ksWarn;
    private final double ksAlert;
    private final double shiftWarn;
    private final double shiftAlert;
    private final boolean fixed;
    private final ArrayDeque<Row> rows = new ArrayDeque<>();
    private final Object lock = new Object();
    private DriftReport lastFull;
    private long windowsClosed;

    private record Row(double[] features, double[] embedding, double[] probabilities) {
    }

    private DriftMonitor(Builder b) {
        this.reference = b.reference;
        this.window = b.window;
        this.psiWarn = b.psiWarn;
        this.psiAlert = b.psiAlert;
        this.ksWarn = b.ksWarn;
        this.ksAlert = b.ksAlert;
        this.shiftWarn = b.shiftWarn;
        this.shiftAlert = b.shiftAlert;
        this.fixed = b.fixed;
    }

    /** A monitor of the reference with every default. */
    public static DriftMonitor of(DriftReference reference) {
        return builder(reference).build();
    }

    /** A builder of a monitor of the reference. */
    public static Builder builder(DriftReference reference) {
        return new Builder(requireNonNull(reference, "reference"));
    }

    /** The reference rows are compared with now (the last one {@linkplain #rebase rebased} onto, or the first). */
    public DriftReference reference() {
        return reference;
    }

    /** The most rows a report compares: the most recent ones. */
    public int window() {
        return window;
    }

    /** Whether the windows are fixed (tumbling) rather than sliding ({@link Builder#fixedWindows()}). */
    public boolean fixedWindows() {
        return fixed;
    }

    /** How many fixed windows have filled and been reported since the monitor was made or cleared; 0 when sliding. */
    public long windowsClosed() {
        synchronized (lock) {
            return windowsClosed;
        }
    }

    /** The rows in the window now. */
    public int size() {
        synchronized (lock) {
            return rows.size();
        }
    }

    /**
     * Adds a batch of rows to the window, dropping the oldest rows beyond its size; with fixed windows,
     * each time the window fills its report is made and kept as {@link #latest()}, and the window starts
     * empty again (a batch may fill several). The batch is checked whole before any row is added. Safe to
     * call from many threads at once; a batch's rows stay together.
     *
     * @throws IllegalArgumentException when the batch lacks a part the reference has or has one it lacks,
     *     its features have other names (the message names those missing and those extra) or another order,
     *     or its embeddings or probabilities have another width
     */
    public void observe(DriftBatch batch) {
        requireNonNull(batch, "batch");
        checkSchema(batch);
        Row[] add = new Row[batch.size()];
        for (int i = 0; i < add.length; i++) {
            add[i] = new Row(batch.featureRows() == null ? null : batch.featureRows()[i],
                    batch.embeddingRows() == null ? null : batch.embeddingRows()[i],
                    batch.probabilityRows() == null ? null : batch.probabilityRows()[i]);
        }
        synchronized (lock) {
            for (Row r : add) {
                rows.addLast(r);
                if (fixed && rows.size() == window) {
                    lastFull = reportOf(rows.toArray(new Row[0]), reference);
                    windowsClosed++;
                    rows.clear();
                }
            }
            while (rows.size() > window) {
                rows.removeFirst();
            }
        }
    }

    /**
     * The latest report: with a sliding window, the report of the rows now in it (as {@link #report()});
     * with fixed windows, the report of the last window that filled. Empty while there is none (an empty
     * sliding window, or no fixed window filled yet since the monitor was made or cleared). Never throws
     * for want of rows, so a metrics exporter can read it at any time.
     */
    public Optional<DriftReport> latest() {
        Row[] now;
        DriftReference against;
        synchronized (lock) {
            if (fixed) {
                return Optional.ofNullable(lastFull);
            }
            now = rows.toArray(new Row[0]);
            against = reference;
        }
        return now.length == 0 ? Optional.empty() : Optional.of(reportOf(now, against));
    }

    /** Empties the window and forgets the last fixed window's report, as after a retrained model's deployment. */
    public void clear() {
        synchronized (lock) {
            rows.clear();
            lastFull = null;
            windowsClosed = 0;
        }
    }

    /**
     * Compares from now on with {@code newReference} and empties the window as {@link #clear()} does:
     * for a model that replaced the one the old reference describes (a promotion, a rollback). The
     * thresholds and the window size stay; the rows observed before are not compared with the new reference.
     *
     * @throws IllegalArgumentException when the new reference is of another schema (other feature names,
     *     embeddings or predictions) than the one the monitor takes rows of; the monitor is then unchanged
     */
    public void rebase(DriftReference newReference) {
        requireNonNull(newReference, "newReference");
        synchronized (lock) {
            if (!reference.sameSchema(newReference)) {
                throw new IllegalArgumentException("cannot rebase the drift monitor of " + reference + " "
                        + reference.featureNames() + " onto " + newReference + " " + newReference.featureNames()
                        + ": the rows it observes would not fit; build the new reference of the same features,"
                        + " embeddings and predictions, or make a new monitor");
            }
            reference = newReference;
            rows.clear();
            lastFull = null;
            windowsClosed = 0;
        }
    }

    /**
     * The drift of the rows now in the window (with fixed windows: of the window still filling).
     *
     * @throws IllegalStateException when the window is empty
     */
    public DriftReport report() {
        Row[] now;
        DriftReference against;
        synchronized (lock) {
            now = rows.toArray(new Row[0]);
            against = reference;
        }
        if (now.length == 0) {
            throw new IllegalStateException("the drift window is empty: no row has been observed since the monitor"
                    + " was made or cleared; observe(...) rows before asking for a report");
        }
        return reportOf(now, against);
    }

    private DriftReport reportOf(Row[] now, DriftReference reference) {
        List<DriftReport.Crossing> crossings = new ArrayList<>();
        List<DriftReport.FeatureDrift> features = new ArrayList<>();
        List<String> names = reference.featureNames();
        for (int f = 0; f < names.size(); f++) {
            double[] column = new double[now.length];
            for (int i = 0; i < now.length; i++) {
                column[i] = now[i].features()[f];
            }
            Arrays.sort(column);
            double psi = PopulationStability.ofShares(reference.sharesOf(f),
                    PopulationStability.sharesOfSorted(column, reference.edgesOf(f)));
            KolmogorovSmirnov ks = KolmogorovSmirnov.ofSorted(reference.sortedColumn(f), column);
            DriftLevel psiLevel = atOrAbove(psi, names.get(f), "psi", psiWarn, psiAlert, crossings);
            DriftLevel ksLevel = below(ks.pValue(), names.get(f), ksWarn, ksAlert, crossings);
            features.add(new DriftReport.FeatureDrift(names.get(f), psi, ks, psiLevel, ksLevel));
        }
        Optional<DriftReport.EmbeddingDrift> embeddings = Optional.empty();
        if (reference.hasEmbeddings()) {
            double[][] e = new double[now.length][];
            for (int i = 0; i < now.length; i++) {
                e[i] = now[i].embedding();
            }
            double shift = EmbeddingShift.score(reference.embeddingMean(), reference.embeddingSpread(),
                    EmbeddingShift.mean(e, "observed"));
            embeddings = Optional.of(new DriftReport.EmbeddingDrift(shift,
                    atOrAbove(shift, "embeddings", "embedding_shift", shiftWarn, shiftAlert, crossings)));
        }
        Optional<DriftReport.PredictionDrift> predictions = Optional.empty();
        if (reference.hasPredictions()) {
            double[][] p = new double[now.length][];
            for (int i = 0; i < now.length; i++) {
                p[i] = now[i].probabilities();
            }
            double[] shares = ClassShares.shares(p, reference.classes());
            double psi = PopulationStability.ofShares(reference.classSharesRaw(), shares);
            predictions = Optional.of(new DriftReport.PredictionDrift(psi, boxed(reference.classSharesRaw()),
                    boxed(shares), reference.meanConfidenceRaw(), ClassShares.meanConfidence(p),
                    atOrAbove(psi, "predicted classes", "psi", psiWarn, psiAlert, crossings)));
        }
        return new DriftReport(now.length, features, embeddings, predictions, DriftReport.sorted(crossings));
    }

    private static DriftLevel atOrAbove(double value, String subject, String measure, double warn, double alert,
            List<DriftReport.Crossing> crossings) {
        if (value >= alert) {
            crossings.add(new DriftReport.Crossing(subject, measure, value, alert, DriftLevel.ALERT));
            return DriftLevel.ALERT;
        }
        if (value >= warn) {
            crossings.add(new DriftReport.Crossing(subject, measure, value, warn, DriftLevel.WARN));
            return DriftLevel.WARN;
        }
        return DriftLevel.OK;
    }

    private static DriftLevel below(double p, String subject, double warn, double alert,
            List<DriftReport.Crossing> crossings) {
        if (p < alert) {
            crossings.add(new DriftReport.Crossing(subject, "ks_p_value", p, alert, DriftLevel.ALERT));
            return DriftLevel.ALERT;
        }
        if (p < warn) {
            crossings.add(new DriftReport.Crossing(subject, "ks_p_value", p, warn, DriftLevel.WARN));
            return DriftLevel.WARN;
        }
        return DriftLevel.OK;
    }

    private static List<Double> boxed(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    private void checkSchema(DriftBatch batch) {
        List<String> expected = reference.featureNames();
        List<String> got = batch.featureNames();
        if (!expected.isEmpty() && got == null) {
            throw new IllegalArgumentException("the batch has no features but the reference has " + expected
                    + "; observe DriftBatch.features(names, rows)");
        }
        if (expected.isEmpty() && got != null) {
            throw new IllegalArgumentException("the batch has features " + got + " but the reference has none;"
                    + " build the reference with features(names, rows) to monitor them, or leave them out");
        }
        if (got != null && !got.equals(expected)) {
            Set<String> missing = new LinkedHashSet<>(expected);
            missing.removeAll(got);
            Set<String> extra = new LinkedHashSet<>(got);
            extra.removeAll(expected);
            String difference = missing.isEmpty() && extra.isEmpty()
                    ? "the same names in another order"
                    : (missing.isEmpty() ? "" : "missing " + missing) + (missing.isEmpty() || extra.isEmpty() ? "" : ", ")
                            + (extra.isEmpty() ? "" : "not in the reference " + extra);
            throw new IllegalArgumentException("the observed rows have " + got.size() + " features " + got
                    + " but the reference has " + expected.size() + " " + expected + ": " + difference
                    + "; give the rows in the reference's schema, or build a reference of this schema");
        }
        if (reference.hasEmbeddings() != (batch.embeddingRows() != null)) {
            throw new IllegalArgumentException(reference.hasEmbeddings()
                    ? "the batch has no embeddings but the reference has; add them with withEmbeddings(rows)"
                    : "the batch has embeddings but the reference has none; build the reference with embeddings(rows)"
                            + " to monitor them, or leave them out");
        }
        if (batch.embeddingRows() != null) {
            double[][] e = batch.embeddingRows();
            for (int i = 0; i < e.length; i++) {
                if (e[i].length != reference.embeddingDimension()) {
                    throw new IllegalArgumentException("observed embedding " + i + " has " + e[i].length
                            + " dimensions but the reference's have " + reference.embeddingDimension()
                            + "; embed with the reference's model");
                }
                for (int k = 0; k < e[i].length; k++) {
                    if (!Double.isFinite(e[i][k])) {
                        throw new IllegalArgumentException("observed embedding " + i + " holds " + e[i][k]
                                + " at dimension " + k + "; embeddings must be finite: check the model that made them");
                    }
                }
            }
        }
        if (reference.hasPredictions() != (batch.probabilityRows() != null)) {
            throw new IllegalArgumentException(reference.hasPredictions()
                    ? "the batch has no probabilities but the reference has predictions; add them with"
                            + " withProbabilities(rows)"
                    : "the batch has probabilities but the reference has no predictions; build the reference with"
                            + " predictions(probabilities) to monitor them, or leave them out");
        }
        if (batch.probabilityRows() != null) {
            double[][] p = batch.probabilityRows();
            for (int i = 0; i < p.length; i++) {
                ClassShares.check(p[i], i, reference.classes(), "observed");
            }
        }
    }

    /** Builds a {@link DriftMonitor}. */
    public static final class Builder {
        private final DriftReference reference;
        private int window = DEFAULT_WINDOW;
        private double psiWarn = 0.1;
        private double psiAlert = 0.25;
        private double ksWarn = 0.05;
        private double ksAlert = 0.01;
        private double shiftWarn = 0.1;
        private double shiftAlert = 0.25;
        private boolean fixed;

        private Builder(DriftReference reference) {
            this.reference = reference;
        }

        /**
         * The most recent rows a report compares; {@value DriftMonitor#DEFAULT_WINDOW} by default.
         *
         * @throws IllegalArgumentException below 1
         */
        public Builder window(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("the drift window must hold at least 1 row, got " + rows + "; "
                        + DEFAULT_WINDOW + " is the default");
            }
            this.window = rows;
            return this;
        }

        /**
         * The PSI thresholds, of the features and of the predicted classes; 0.1 and 0.25 by default.
         *
         * @throws IllegalArgumentException unless {@code 0 < warn <= alert}
         */
        public Builder psi(double warn, double alert) {
            if (!(warn > 0 && warn <= alert && Double.isFinite(alert))) {
                throw new IllegalArgumentException("PSI thresholds must satisfy 0 < warn <= alert, got warn " + warn
                        + " and alert " + alert + "; for example 0.1 and 0.25");
            }
            this.psiWarn = warn;
            this.psiAlert = alert;
            return this;
        }

        /**
         * The Kolmogorov-Smirnov p-value thresholds, crossed below; 0.05 and 0.01 by default.
         *
         * @throws IllegalArgumentException unless {@code 0 < alert <= warn < 1}
         */
        public Builder ksPValue(double warn, double alert) {
            if (!(alert > 0 && alert <= warn && warn < 1)) {
                throw new IllegalArgumentException("Kolmogorov-Smirnov p-value thresholds must satisfy"
                        + " 0 < alert <= warn < 1, got warn " + warn + " and alert " + alert + "; for example 0.05 and 0.01");
            }
            this.ksWarn = warn;
            this.ksAlert = alert;
            return this;
        }

        /**
         * The embedding shift thresholds; 0.1 and 0.25 by default.
         *
         * @throws IllegalArgumentException unless {@code 0 < warn <= alert}
         */
        public Builder embeddingShift(double warn, double alert) {
            if (!(warn > 0 && warn <= alert && Double.isFinite(alert))) {
                throw new IllegalArgumentException("embedding shift thresholds must satisfy 0 < warn <= alert, got warn "
                        + warn + " and alert " + alert + "; for example 0.1 and 0.25");
            }
            this.shiftWarn = warn;
            this.shiftAlert = alert;
            return this;
        }

        /**
         * Makes the windows fixed (tumbling) instead of sliding: each run of {@code window} observed rows
         * is reported once, when it fills, and the next run starts empty (see {@link DriftMonitor#latest()}).
         */
        public Builder fixedWindows() {
            this.fixed = true;
            return this;
        }

        /** The monitor, with an empty window. */
        public DriftMonitor build() {
            return new DriftMonitor(this);
        }
    }
}

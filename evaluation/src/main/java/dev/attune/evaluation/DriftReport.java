package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The drift of one window of observed rows against a {@link DriftReference}, as
 * {@link DriftMonitor#report()} gives it: per feature the PSI and the Kolmogorov-Smirnov test, the
 * embedding shift, the predicted-class PSI and mean confidence, each with its {@link DriftLevel}, the
 * overall level (the worst), and every threshold crossed.
 *
 * @param rows the rows of the window
 * @param features per feature, in the reference's column order (empty without features)
 * @param embeddings the embedding shift, empty when the reference has no embeddings
 * @param predictions the prediction drift, empty when the reference has no predictions
 * @param crossings every threshold crossed, ALERT before WARN, then in the order above
 */
public record DriftReport(int rows, List<FeatureDrift> features, Optional<EmbeddingDrift> embeddings,
        Optional<PredictionDrift> predictions, List<Crossing> crossings) {

    /** Copies the lists. */
    public DriftReport {
        features = List.copyOf(features);
        requireNonNull(embeddings, "embeddings");
        requireNonNull(predictions, "predictions");
        crossings = List.copyOf(crossings);
    }

    /** The worst level of all measures: {@link DriftLevel#OK} when no threshold is crossed. */
    public DriftLevel level() {
        DriftLevel worst = DriftLevel.OK;
        for (Crossing c : crossings) {
            worst = worst.worse(c.level());
        }
        return worst;
    }

    /** The feature of that name. */
    public FeatureDrift feature(String name) {
        return features.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no feature named '" + name + "'; the report has "
                        + features.stream().map(FeatureDrift::name).toList()));
    }

    /** The names of the features at {@code level} or worse, in column order. */
    public List<String> featuresAt(DriftLevel level) {
        return features.stream().filter(f -> f.level().compareTo(level) >= 0).map(FeatureDrift::name).toList();
    }

    /** One line per measure, then one per crossing. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "drift of %d rows: %s%n", rows, level()));
        for (FeatureDrift f : features) {
            b.append(String.format(Locale.ROOT, "  %s: psi %.4f (%s), ks %.4f p %.4g (%s)%n", f.name(), f.psi(),
                    f.psiLevel(), f.ks().statistic(), f.ks().pValue(), f.ksLevel()));
        }
        embeddings.ifPresent(e -> b.append(String.format(Locale.ROOT, "  embeddings: shift %.4f (%s)%n", e.shift(),
                e.level())));
        predictions.ifPresent(p -> b.append(String.format(Locale.ROOT,
                "  predicted classes: psi %.4f (%s), mean confidence %.4f against %.4f%n", p.psi(), p.level(),
                p.currentMeanConfidence(), p.referenceMeanConfidence())));
        for (Crossing c : crossings) {
            b.append("  ").append(c).append(System.lineSeparator());
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return toText();
    }

    /**
     * One feature's drift.
     *
     * @param name the feature
     * @param psi the Population Stability Index over the reference's quantile bins
     * @param ks the two-sample Kolmogorov-Smirnov test of the window's values against the reference's
     * @param psiLevel the PSI against its thresholds
     * @param ksLevel the p-value against its thresholds (lower is worse)
     */
    public record FeatureDrift(String name, double psi, KolmogorovSmirnov ks, DriftLevel psiLevel, DriftLevel ksLevel) {
        /** The worse of the two levels. */
        public DriftLevel level() {
            return psiLevel.worse(ksLevel);
        }
    }

    /**
     * The embedding shift ({@link EmbeddingShift}) of the window's embeddings.
     *
     * @param shift the distance of the mean embeddings in units of the reference's spread
     * @param level the shift against its thresholds
     */
    public record EmbeddingDrift(double shift, DriftLevel level) {
    }

    /**
     * Prediction drift.
     *
     * @param psi the PSI of the predicted-class shares against the reference's
     * @param referenceShares the reference's share of each predicted class
     * @param currentShares the window's share of each predicted class
     * @param referenceMeanConfidence the reference's mean largest probability
     * @param currentMeanConfidence the window's mean largest probability
     * @param level the PSI against the PSI thresholds
     */
    public record PredictionDrift(double psi, List<Double> referenceShares, List<Double> currentShares,
            double referenceMeanConfidence, double currentMeanConfidence, DriftLevel level) {
        /** Copies the lists. */
        public PredictionDrift {
            referenceShares = List.copyOf(referenceShares);
            currentShares = List.copyOf(currentShares);
        }
    }

    /**
     * A threshold crossed.
     *
     * @param subject the feature's name, {@code "embeddings"} or {@code "predicted classes"}
     * @param measure {@code "psi"}, {@code "ks_p_value"} or {@code "embedding_shift"}
     * @param value the measure's value
     * @param threshold the threshold it reached
     * @param level {@link DriftLevel#WARN} or {@link DriftLevel#ALERT}
     */
    public record Crossing(String subject, String measure, double value, double threshold, DriftLevel level) {
        @Override
        public String toString() {
            boolean lowerIsWorse = measure.equals("ks_p_value");
            return String.format(Locale.ROOT, "%s %s: %s %.4g %s %s threshold %s", level, subject, measure, value,
                    lowerIsWorse ? "<" : ">=", level.name().toLowerCase(Locale.ROOT), threshold);
        }
    }

    static List<Crossing> sorted(List<Crossing> crossings) {
        List<Crossing> out = new ArrayList<>();
        crossings.stream().filter(c -> c.level() == DriftLevel.ALERT).forEach(out::add);
        crossings.stream().filter(c -> c.level() == DriftLevel.WARN).forEach(out::add);
        return out;
    }
}

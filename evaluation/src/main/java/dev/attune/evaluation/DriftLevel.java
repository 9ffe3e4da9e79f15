package dev.attune.evaluation;

/** How far a drift measure has gone, against its warn and alert thresholds (see {@link DriftMonitor}). */
public enum DriftLevel {
    /** Below the warn threshold. */
    OK,
    /** At or beyond the warn threshold, below the alert threshold. */
    WARN,
    /** At or beyond the alert threshold. */
    ALERT;

    /** The worse of two levels. */
    DriftLevel worse(DriftLevel other) {
        return compareTo(other) >= 0 ? this : other;
    }
}

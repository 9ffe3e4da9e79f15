package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What an audit of a data set found, as reports show it: its checks with their verdicts, and the
 * audit's own JSON. The data module's {@code DataAudit.Report} is one; the evaluation module's
 * report and model card take any, so that neither module depends on the other.
 */
public interface DataAuditSummary {
    /**
     * Every check of the audit, in the audit's order.
     *
     * @return the checks, never null (empty when the audit checked nothing)
     */
    List<Finding> findings();

    /**
     * The audit as one JSON object (RFC 8259), with whatever figures it has besides its checks.
     *
     * @return a JSON object, as text
     */
    String toJson();

    /** The verdict of a check; {@code SKIPPED} when the data cannot tell. */
    enum Status {
        /** Within the warning threshold. */
        PASS,
        /** Past the warning threshold, within the failure threshold. */
        WARN,
        /** Past the failure threshold. */
        FAIL,
        /** Not checked: the data cannot tell. */
        SKIPPED
    }

    /**
     * One check of an audit.
     *
     * @param name what is checked, for example {@code "disparate impact"}
     * @param column the group column it concerns, empty for checks of the labels alone
     * @param status the verdict
     * @param value the measured value (NaN when skipped or undefined)
     * @param warnThreshold where a warning starts (NaN without one)
     * @param failThreshold where a failure starts (NaN without one)
     * @param detail the figures behind the value, in words
     */
    record Finding(String name, String column, Status status, double value, double warnThreshold,
                   double failThreshold, String detail) {
        /** Checks that the texts and the status are given. */
        public Finding {
            requireNonNull(name, "name");
            requireNonNull(column, "column");
            requireNonNull(status, "status");
            requireNonNull(detail, "detail");
        }
    }
}

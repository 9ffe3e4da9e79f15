package dev.attune.evaluation;

import dev.attune.DataAuditSummary;
import dev.attune.Predictions;
import java.util.List;

/** A binary test set with group columns, a robustness report and a data audit, for the report sections' tests. */
final class SectionFixtures {
    /** The group of each example by sex; texts that need escaping in HTML and Markdown. */
    static final String[] SEX = {"a|<f>", "a|<f>", "a|<f>", "a|<f>", "b", "b", "b", "b"};
    /** The group of each example by site. */
    static final String[] SITE = {"x", "y", "x", "y", "y", "x", "y", "x"};

    private SectionFixtures() {
    }

    /**
     * Eight examples, actual 1 1 0 0 1 1 0 0, predicted 1 1 1 0 1 0 0 0.
     *
     * <p>By sex: group {@code a|<f>} (0-3) selects 3 of 4 and gets 3 of 4 right; {@code b} (4-7) selects 1
     * of 4 and gets 3 of 4 right: parity difference 0.5 and ratio 1/3, both FAIL.
     * By site: {@code x} (0, 2, 5, 7) selects 2 of 4 and gets 2 right; {@code y} (1, 3, 4, 6) selects 2
     * of 4 and gets all 4 right: parity difference 0 and ratio 1, both PASS; accuracy 0.5 and 1.
     */
    static Predictions predictions() {
        int[] actual = {1, 1, 0, 0, 1, 1, 0, 0};
        int[] predicted = {1, 1, 1, 0, 1, 0, 0, 0};
        double[][] p = new double[8][];
        for (int i = 0; i < 8; i++) {
            p[i] = predicted[i] == 1 ? new double[] {0.3, 0.7} : new double[] {0.8, 0.2};
        }
        return Predictions.of(actual, p);
    }

    /** Clean, two strengths of two perturbations, and a shifted set; two metrics. */
    static RobustnessReport robustness() {
        return new RobustnessReport(List.of(
                new RobustnessReport.Row(RobustnessReport.CLEAN, Double.NaN, "accuracy", 0.75, 0),
                new RobustnessReport.Row(RobustnessReport.CLEAN, Double.NaN, "f1_macro", 0.7, 0),
                new RobustnessReport.Row("gaussian_noise", 0.1, "accuracy", 0.625, 0.125),
                new RobustnessReport.Row("gaussian_noise", 0.1, "f1_macro", 0.6, 0.1),
                new RobustnessReport.Row("gaussian_noise", 0.4, "accuracy", 0.5, 0.25),
                new RobustnessReport.Row("gaussian_noise", 0.4, "f1_macro", 0.45, 0.25),
                new RobustnessReport.Row("occlusion|<4>", 4, "accuracy", 0.75, 0),
                new RobustnessReport.Row("occlusion|<4>", 4, "f1_macro", 0.7, 0),
                new RobustnessReport.Row("occlusion|<4>", 8, "accuracy", 0.5, 0.25),
                new RobustnessReport.Row("occlusion|<4>", 8, "f1_macro", 0.4, 0.3),
                new RobustnessReport.Row("darker", Double.NaN, "accuracy", 0.625, 0.125),
                new RobustnessReport.Row("darker", Double.NaN, "f1_macro", 0.55, 0.15)), 42);
    }

    /** An audit of three checks (WARN, SKIPPED, FAIL) and JSON of its own. */
    static DataAuditSummary audit() {
        return new Audit(List.of(
                new DataAuditSummary.Finding("class imbalance ratio", "", DataAuditSummary.Status.WARN, 2.0, 1.5, 4, "7 | 3 <b>"),
                new DataAuditSummary.Finding("missing values", "", DataAuditSummary.Status.SKIPPED, Double.NaN, Double.NaN,
                        Double.NaN, "not reported"),
                new DataAuditSummary.Finding("disparate impact", "sex", DataAuditSummary.Status.FAIL, 0.7, 0.9, 0.8,
                        "rate 0.5 against 0.7")),
                "{\"status\": \"FAIL\", \"examples\": 700}\n");
    }

    /** A data audit as a host application might implement one. */
    record Audit(List<DataAuditSummary.Finding> findings, String toJson) implements DataAuditSummary {
    }
}

package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import org.junit.jupiter.api.Test;

/**
 * Expected values from the fairness section of {@code src/test/python/expected_metrics.py}: Fairlearn's
 * definitions written out with numpy (Fairlearn is not packaged in Debian), per-group accuracies from
 * scikit-learn's {@code accuracy_score} on each group's examples. The inputs are the script's YF, PF,
 * SEX, AGE and WF.
 */
class FairnessTest {
    private static final double TOLERANCE = 1e-9;
    private static final int[] YF = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0};
    private static final int[] PF = {1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0};
    private static final String[] SEX = {"f", "f", "f", "f", "f", "f", "f", "f", "m", "m", "m", "m", "m", "m", "m", "m"};
    private static final int[] AGE = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
    private static final double[] WF = {1, 2, 1, 1, 0.5, 1, 1, 2, 1, 1, 3, 1, 1, 1, 2, 1};

    private static Predictions predictions() {
        return Fixtures.predictions(2, YF, PF);
    }

    @Test
    void measuresBySex() {
        // F: selection rates f 0.5, m 0.375; true positive rates 0.75, 0.5; false positive rates 0.25, 0.25
        Fairness f = Fairness.of(predictions(), Groups.of(SEX));
        assertThat(f.selectionRates()).containsExactly(java.util.Map.entry("f", 0.5), java.util.Map.entry("m", 0.375));
        assertThat(f.demographicParityDifference()).isCloseTo(0.125, within(TOLERANCE));
        assertThat(f.demographicParityRatio()).isCloseTo(0.75, within(TOLERANCE));
        assertThat(f.equalOpportunityDifference()).isCloseTo(0.25, within(TOLERANCE));
        assertThat(f.equalizedOddsDifference()).isCloseTo(0.25, within(TOLERANCE));
        assertThat(f.truePositiveRates().get("m")).isCloseTo(0.5, within(TOLERANCE));
        assertThat(f.falsePositiveRates().get("f")).isCloseTo(0.25, within(TOLERANCE));
    }

    @Test
    void weightedMeasures() {
        // FW: selection rates 0.3684210526315789, 0.2727272727272727; TPR 0.75, 0.4; FPR 0.0909..., 0.1666...
        Fairness f = Fairness.of(predictions().withWeights(WF), Groups.of(SEX));
        assertThat(f.demographicParityDifference()).isCloseTo(0.09569377990430622, within(TOLERANCE));
        assertThat(f.demographicParityRatio()).isCloseTo(0.7402597402597403, within(TOLERANCE));
        assertThat(f.equalOpportunityDifference()).isCloseTo(0.35, within(TOLERANCE));
        assertThat(f.equalizedOddsDifference()).isCloseTo(0.35, within(TOLERANCE));
    }

    @Test
    void anotherPositiveClass() {
        // F0: class 0 positive; selection rates 0.5, 0.625; TPR 0.75, 0.75; FPR 0.25, 0.5
        Fairness f = Fairness.of(predictions(), Groups.of(SEX)).positiveClass(0);
        assertThat(f.demographicParityDifference()).isCloseTo(0.125, within(TOLERANCE));
        assertThat(f.demographicParityRatio()).isCloseTo(0.8, within(TOLERANCE));
        assertThat(f.equalOpportunityDifference()).isCloseTo(0.0, within(TOLERANCE));
        assertThat(f.equalizedOddsDifference()).isCloseTo(0.25, within(TOLERANCE));
        assertThatThrownBy(() -> f.positiveClass(2)).hasMessage("the positive class of a binary task is 0 or 1, got 2");
    }

    @Test
    void aGroupWithoutPositivesHasNoTruePositiveRate() {
        // FA: by age; selection rates 0: 0.666..., 1: 0.2, 2: 0.4. Age group 1 holds no positive example:
        // Fairlearn would give it a true positive rate of 0; here the measures that need it are refused.
        Fairness f = Fairness.of(predictions(), Groups.of(AGE));
        assertThat(f.selectionRates().keySet()).containsExactly("0", "1", "2");
        assertThat(f.demographicParityDifference()).isCloseTo(0.4666666666666666, within(TOLERANCE));
        assertThat(f.demographicParityRatio()).isCloseTo(0.30000000000000004, within(TOLERANCE));
        assertThatThrownBy(f::equalOpportunityDifference).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the true positive rate of group '1' is undefined: it has no positive example (class 1);"
                        + " merge it with another group or evaluate on more data");
        assertThatThrownBy(f::equalizedOddsDifference).hasMessageContaining("group '1'");
    }

    @Test
    void thresholdsGiveVerdicts() {
        Fairness f = Fairness.of(predictions(), Groups.of(SEX)); // difference 0.125, ratio 0.75
        FairnessCheck pass = f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, 0.125, 0.2);
        assertThat(pass.verdict()).isEqualTo(FairnessCheck.Verdict.PASS);
        assertThat(pass.value()).isCloseTo(0.125, within(TOLERANCE));
        assertThat(pass.warnAt()).isEqualTo(0.125);
        assertThat(pass.failAt()).isEqualTo(0.2);
        assertThat(f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, 0.1, 0.2).verdict()).isEqualTo(FairnessCheck.Verdict.WARN);
        assertThat(f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, 0.05, 0.1).verdict()).isEqualTo(FairnessCheck.Verdict.FAIL);
        // the four-fifths rule on the ratio: 0.75 is below 0.8
        assertThat(f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8).verdict()).isEqualTo(FairnessCheck.Verdict.FAIL);
        assertThat(f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.7).verdict()).isEqualTo(FairnessCheck.Verdict.WARN);
        assertThat(f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.75, 0.7).verdict()).isEqualTo(FairnessCheck.Verdict.PASS);
        assertThat(f.check(FairnessMeasure.EQUALIZED_ODDS_DIFFERENCE, 0.1, 0.2).verdict()).isEqualTo(FairnessCheck.Verdict.FAIL);
        assertThat(f.check(FairnessMeasure.EQUAL_OPPORTUNITY_DIFFERENCE, 0.3, 0.4)).hasToString(
                "PASS equal_opportunity_difference 0.2500 (warn at 0.3, fail at 0.4)");
        assertThatThrownBy(() -> f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, 0.2, 0.1))
                .hasMessage("DEMOGRAPHIC_PARITY_DIFFERENCE thresholds must satisfy 0 <= warnAt <= failAt <= 1, got warnAt 0.2"
                        + " and failAt 0.1; for example warnAt 0.05, failAt 0.1");
        assertThatThrownBy(() -> f.check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.8, 0.9))
                .hasMessageContaining("0 <= failAt <= warnAt <= 1");
    }

    @Test
    void perGroupTableOfAnyMetricOnIntersections() {
        // accuracy per sex & age: f&0 1.0, f&1 2/3, f&2 0.5, m&0 2/3, m&1 1.0, m&2 1/3;
        // difference 0.6666666666666667, ratio 0.3333333333333333
        Groups both = Groups.of(SEX).and(Groups.of(AGE));
        assertThat(both.names()).containsExactly("f & 0", "f & 1", "f & 2", "m & 0", "m & 1", "m & 2");
        GroupTable t = both.table(Metrics.accuracy(), predictions());
        assertThat(t.rows()).extracting(GroupTable.Row::count).containsExactly(3, 3, 2, 3, 2, 3);
        assertThat(t.rows()).extracting(GroupTable.Row::value).containsExactly(
                1.0, 0.6666666666666666, 0.5, 0.6666666666666666, 1.0, 0.3333333333333333);
        assertThat(t.difference()).isCloseTo(0.6666666666666667, within(TOLERANCE));
        assertThat(t.ratio()).isCloseTo(0.3333333333333333, within(TOLERANCE));
        assertThat(t.overall()).isCloseTo(predictions().score(Metrics.accuracy()), within(TOLERANCE));
        assertThat(t.value("m & 2")).isCloseTo(1.0 / 3, within(TOLERANCE));
        assertThat(t.toString()).contains("f & 2").contains("overall").contains("accuracy");
        assertThatThrownBy(() -> t.value("x")).hasMessageContaining("no group 'x'; groups are: f & 0, f & 1");
        // any metric, including a weighted one: f1_macro per sex equals f1_macro of each sex's examples
        GroupTable f1 = Groups.of(SEX).table(Metrics.f1Macro(), predictions());
        assertThat(f1.value("f")).isEqualTo(predictions().select(0, 1, 2, 3, 4, 5, 6, 7).score(Metrics.f1Macro()));
    }

    @Test
    void integerGroupsSortNumerically() {
        Groups g = Groups.of(10, 2, 2, 10, 1);
        assertThat(g.names()).containsExactly("1", "2", "10");
        assertThat(g.group(0)).isEqualTo("10");
        assertThat(g.size()).isEqualTo(5);
    }

    @Test
    void aMeasureAsAMetric() {
        Metric parity = Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, "sex", Groups.of(SEX));
        assertThat(parity.name()).isEqualTo("demographic_parity_difference:sex");
        assertThat(parity.higherIsBetter()).isFalse();
        assertThat(parity.compute(predictions())).isEqualTo(0.125);
        Metric ratio = Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, "sex", Groups.of(SEX));
        assertThat(ratio.higherIsBetter()).isTrue();
        assertThat(ratio.compute(predictions())).isEqualTo(0.75);
        assertThatThrownBy(() -> Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, " ", Groups.of(SEX)))
                .hasMessageContaining("the column name is blank");
        assertThatThrownBy(() -> Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, "sex", Groups.of("a", "b"))
                .compute(predictions())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badGroupColumnsAndTasks() {
        assertThatThrownBy(() -> Groups.of("a", "a", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the group column holds a single group ('a', 3 examples); per-group tables and fairness"
                        + " measures compare two or more groups");
        assertThatThrownBy(() -> Groups.of(new int[0])).hasMessageContaining("the group column is empty");
        assertThatThrownBy(() -> Groups.of("a", null)).hasMessageContaining("group label of example 1 is null");
        assertThatThrownBy(() -> Fairness.of(predictions(), Groups.of("a", "b")))
                .hasMessage("the group column holds 2 labels but the predictions 16 examples; give one group label per example");
        assertThatThrownBy(() -> Groups.of("a", "b").and(Groups.of(1, 2, 3))).hasMessageContaining("of 2 and 3 labels");
        Predictions threeClasses = Fixtures.predictions(3, new int[] {0, 1, 2}, new int[] {0, 1, 1});
        assertThatThrownBy(() -> Fairness.of(threeClasses, Groups.of(1, 2, 1)))
                .hasMessageContaining("fairness measures need a binary task (2 classes), got 3");
        // a metric undefined on one group names the group
        Predictions p = Fixtures.predictions(2, new int[] {0, 1, 0, 0}, new int[] {0, 1, 1, 0});
        assertThatThrownBy(() -> Groups.of("a", "a", "b", "b").table(Metrics.rocAuc(), p))
                .hasMessageStartingWith("roc_auc on group 'b' (2 examples): roc_auc is undefined");
    }
}

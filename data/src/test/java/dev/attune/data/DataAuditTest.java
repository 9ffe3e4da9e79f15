package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.DataAuditSummary;
import dev.attune.LabeledData;
import dev.attune.data.DataAudit.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAuditTest {
    /*
     * Expected figures of the bundled German credit training file, computed apart from this code with
     * Python's csv module over data/src/main/resources/dev/attune/data/tables/german-credit/train.csv:
     *
     *   rows = list(csv.DictReader(open("train.csv")))
     *   per group of row["sex"] (and row["foreign_worker"]; and "25+" if float(row["age"]) >= 25 else "<25"):
     *   count, count / 700, goods = sum(row["class"] == "good"), goods / count;
     *   disparate impact = min(rate) / max(rate) as fractions.Fraction.
     *
     * sex:            female 210 (0.3), 132 good (0.628571...); male 490 (0.7), 358 good (0.730612...);
     *                 disparate impact 154/179 = 0.860335...
     * foreign_worker: no 35 (0.05), 31 good; yes 665 (0.95), 459 good; disparate impact 459/589 = 0.779286...
     * age:            <25 112, 65 good; 25+ 588, 425 good; disparate impact 0.802941...
     * class:          good 490, bad 210; imbalance ratio 7/3.
     */
    private final TabularData credit = BundledTables.GERMAN_CREDIT.train();

    private DataAudit.Report creditAudit() {
        List<String> age = credit.groups("age").stream().map(a -> Double.parseDouble(a) >= 25 ? "25+" : "<25").toList();
        return DataAudit.of(credit.data())
                .positiveClass(0)
                .group("sex", credit.groups("sex"))
                .group("foreign_worker", credit.groups("foreign_worker"))
                .group("age", age)
                .reference("sex", Map.of("female", 0.5, "male", 0.5))
                .reference("foreign_worker", Map.of("no", 0.04, "yes", 0.96))
                .run();
    }

    @Test
    void germanCreditFiguresMatchThoseComputedFromTheCsv() {
        DataAudit.Report r = creditAudit();
        assertThat(r.examples()).isEqualTo(700);
        assertThat(r.classCounts()).containsExactly(490, 210);
        DataAudit.GroupStats female = r.group("sex", "female");
        assertThat(female.count()).isEqualTo(210);
        assertThat(female.share()).isCloseTo(0.3, within(1e-12));
        assertThat(female.positives()).isEqualTo(132);
        assertThat(female.positiveRate()).isCloseTo(132.0 / 210, within(1e-12));
        assertThat(r.group("sex", "male").positives()).isEqualTo(358);
        assertThat(r.group("foreign_worker", "no").count()).isEqualTo(35);
        assertThat(r.group("foreign_worker", "no").positives()).isEqualTo(31);
        assertThat(r.group("age", "<25").count()).isEqualTo(112);
        assertThat(r.group("age", "<25").positives()).isEqualTo(65);

        DataAudit.Check sex = r.check("disparate impact", "sex");
        assertThat(sex.value()).isCloseTo(154.0 / 179, within(1e-12));
        assertThat(sex.status()).isEqualTo(Status.WARN);
        DataAudit.Check foreign = r.check("disparate impact", "foreign_worker");
        assertThat(foreign.value()).isCloseTo(459.0 / 589, within(1e-12));
        assertThat(foreign.status()).isEqualTo(Status.FAIL);
        assertThat(foreign.detail()).isEqualTo("class 0 rate 0.6902 in 'yes' against 0.8857 in 'no'");
        assertThat(r.check("disparate impact", "age").value()).isCloseTo((65.0 / 112) / (425.0 / 588), within(1e-12));
        assertThat(r.check("disparate impact", "age").status()).isEqualTo(Status.WARN);

        DataAudit.Check sexGap = r.check("representation gap", "sex");
        assertThat(sexGap.value()).isCloseTo(0.2, within(1e-12));
        assertThat(sexGap.status()).isEqualTo(Status.FAIL);
        DataAudit.Check foreignGap = r.check("representation gap", "foreign_worker");
        assertThat(foreignGap.value()).isCloseTo(0.01, within(1e-12));
        assertThat(foreignGap.status()).isEqualTo(Status.PASS);

        DataAudit.Check imbalance = r.check("class imbalance ratio", "");
        assertThat(imbalance.value()).isCloseTo(7.0 / 3, within(1e-12));
        assertThat(imbalance.status()).isEqualTo(Status.WARN);
        assertThat(r.check("missing values", "").status()).isEqualTo(Status.SKIPPED);
        assertThat(r.status()).isEqualTo(Status.FAIL);
    }

    @Test
    void thresholdsAreTheUsers() {
        DataAudit.Report r = DataAudit.of(credit.data()).positiveClass(0)
                .group("foreign_worker", credit.groups("foreign_worker"))
                .disparateImpact(0.75, 0.7).imbalanceRatio(3, 5).run();
        assertThat(r.check("disparate impact", "foreign_worker").status()).isEqualTo(Status.PASS);
        assertThat(r.check("disparate impact", "foreign_worker").failThreshold()).isEqualTo(0.7);
        assertThat(r.check("class imbalance ratio", "").status()).isEqualTo(Status.PASS);
        assertThat(r.status()).isEqualTo(Status.PASS);
    }

    @Test
    void jsonHoldsEveryFigure() {
        LabeledData data = SplitFixtures.indexed(2, 1, 0, 1, 1);
        String json = DataAudit.of(data).group("g\"1", List.of("a", "a", "b", "b")).run().toJson();
        assertThat(json).isEqualTo("""
                {
                  "status": "FAIL",
                  "examples": 4,
                  "positiveClass": 1,
                  "classCounts": [1, 3],
                  "missingColumns": [],
                  "groups": [
                    {"column": "g\\"1", "group": "a", "count": 2, "share": 0.5, "positives": 1, "positiveRate": 0.5, "missingRows": 0, "missing": {}},
                    {"column": "g\\"1", "group": "b", "count": 2, "share": 0.5, "positives": 2, "positiveRate": 1.0, "missingRows": 0, "missing": {}}
                  ],
                  "checks": [
                    {"name": "class imbalance ratio", "column": "", "status": "WARN", "value": 3.0, "warnThreshold": 1.5, "failThreshold": 4.0, "detail": "class 1 has 3 examples, class 0 has 1"},
                    {"name": "missing values", "column": "", "status": "SKIPPED", "value": null, "warnThreshold": null, "failThreshold": null, "detail": "not given: LabeledData holds no missing value; for a table read with imputeMissing(), pass missing(table.missing())"},
                    {"name": "disparate impact", "column": "g\\"1", "status": "FAIL", "value": 0.5, "warnThreshold": 0.9, "failThreshold": 0.8, "detail": "class 1 rate 0.5000 in 'a' against 1.0000 in 'b'"}
                  ]
                }
                """);
    }

    @Test
    void missingValuesAreCountedPerColumnAndGroupFromATableReadWithImputeMissing(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("people.csv");
        Files.writeString(f, """
                age,colour,sex,y
                30,red,f,yes
                ,blue,f,no
                25,,m,yes
                ,,m,yes
                40,red,m,no
                """);
        assertThatThrownBy(() -> Tabular.csv(f).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT)
                .group("sex").read()).as("refused by default").hasMessageContaining(f + ", line 3, column 'age'")
                .hasMessageContaining("missing");
        TabularData t = Tabular.csv(f).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT).group("sex")
                .imputeMissing().read();
        assertThat(t.missing().keySet()).containsExactly("age", "colour");
        assertThat(t.missing().get("age")).containsExactly(false, true, false, true, false);
        assertThat(t.missing().get("colour")).containsExactly(false, false, true, true, false);
        assertThat(t.missingCount("age")).isEqualTo(2);
        assertThat(t.missingCount("colour")).isEqualTo(2);
        assertThatThrownBy(() -> t.missingCount("sex")).hasMessageContaining("'sex' is not a feature column");

        DataAudit.Report r = DataAudit.of(t.data()).group("sex", t.groups("sex")).missing(t.missing()).run();
        assertThat(r.missingColumns()).containsExactly("age", "colour");
        DataAudit.Check m = r.check("missing values", "");
        assertThat(m.value()).isCloseTo(3.0 / 5, within(1e-12));
        assertThat(m.status()).isEqualTo(Status.FAIL);
        assertThat(m.detail()).isEqualTo("3 of 5 examples have a missing value (imputed); missing per column:"
                + " 'age' 2, 'colour' 2");
        DataAudit.GroupStats female = r.group("sex", "f");
        assertThat(female.count()).isEqualTo(2);
        assertThat(female.missingRows()).isEqualTo(1);
        assertThat(female.missing()).containsExactly(Map.entry("age", 1), Map.entry("colour", 0));
        DataAudit.GroupStats male = r.group("sex", "m");
        assertThat(male.missingRows()).isEqualTo(2);
        assertThat(male.missing()).containsExactly(Map.entry("age", 1), Map.entry("colour", 2));
        assertThat(r.toJson()).contains("\"missingColumns\": [\"age\", \"colour\"],")
                .contains("\"group\": \"f\", \"count\": 2, \"share\": 0.4, \"positives\": 1, \"positiveRate\": 0.5,"
                        + " \"missingRows\": 1, \"missing\": {\"age\": 1, \"colour\": 0}}")
                .contains("\"missingRows\": 2, \"missing\": {\"age\": 1, \"colour\": 2}}")
                .contains("{\"name\": \"missing values\", \"column\": \"\", \"status\": \"FAIL\", \"value\": 0.6,"
                        + " \"warnThreshold\": 0.0, \"failThreshold\": 0.2");
        assertThat(DataAudit.of(t.data()).missing(t.missing()).missingValues(0.5, 0.7).run()
                .check("missing values", "").status()).isEqualTo(Status.WARN);

        DataAudit.Check none = DataAudit.of(credit.data()).missing(credit.missing()).run().check("missing values", "");
        assertThat(none.status()).isEqualTo(Status.PASS);
        assertThat(none.value()).isZero();
        assertThat(none.detail()).isEqualTo("no missing value in the " + credit.missing().size() + " columns given");
    }

    @Test
    void asADataAuditSummaryItGivesEveryCheckWithTheSameFiguresAndItsJson() {
        DataAudit.Report r = creditAudit();
        DataAuditSummary summary = r;
        assertThat(summary.toJson()).isEqualTo(r.toJson());
        assertThat(summary.findings()).hasSize(r.checks().size());
        for (int i = 0; i < r.checks().size(); i++) {
            DataAudit.Check c = r.checks().get(i);
            DataAuditSummary.Finding f = summary.findings().get(i);
            assertThat(f.name()).isEqualTo(c.name());
            assertThat(f.column()).isEqualTo(c.column());
            assertThat(f.status().name()).isEqualTo(c.status().name());
            assertThat(Double.compare(f.value(), c.value())).isZero();
            assertThat(Double.compare(f.warnThreshold(), c.warnThreshold())).isZero();
            assertThat(Double.compare(f.failThreshold(), c.failThreshold())).isZero();
            assertThat(f.detail()).isEqualTo(c.detail());
        }
        assertThat(summary.findings()).extracting(DataAuditSummary.Finding::status).containsExactly(
                DataAuditSummary.Status.WARN, DataAuditSummary.Status.SKIPPED, DataAuditSummary.Status.WARN,
                DataAuditSummary.Status.FAIL, DataAuditSummary.Status.FAIL, DataAuditSummary.Status.PASS,
                DataAuditSummary.Status.WARN);
    }

    @Test
    void badSettingsAreRefusedWithTheFix() {
        LabeledData data = SplitFixtures.indexed(2, 1, 0, 1);
        assertThatThrownBy(() -> DataAudit.of(data).group("g", List.of("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group column 'g' has 1 values for 3 examples; give one value per example, in example order");
        assertThatThrownBy(() -> DataAudit.of(data).positiveClass(2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive class 2 is outside [0, 2)");
        assertThatThrownBy(() -> DataAudit.of(data).reference("g", Map.of("a", 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 0.5, not 1");
        assertThatThrownBy(() -> DataAudit.of(data).reference("g", Map.of("a", 1.0)).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'g', which is not a group column");
        assertThatThrownBy(() -> DataAudit.of(data).disparateImpact(0.7, 0.8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 <= failBelow <= warnBelow <= 1");
        assertThatThrownBy(() -> DataAudit.of(data).imbalanceRatio(2, 3).imbalanceRatio(2, 3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("imbalanceRatio(...) was already set");
        assertThatThrownBy(() -> DataAudit.of(data).missing(Map.of("age", List.of(true))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the missing flags of column 'age' are 1 for 3 examples; give one flag per example, in example order");
        assertThatThrownBy(() -> DataAudit.of(data).missingValues(0.3, 0.2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 <= warnAbove <= failAbove <= 1");
    }
}

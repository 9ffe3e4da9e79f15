package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.LabeledData;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the real bundled tables; counts and values were checked against the source files with R
 * (see data/DATA.md).
 */
class BundledTablesTest {
    private static TabularData creditTrain;
    private static TabularData creditTest;
    private static TabularData churnTrain;
    private static TabularData churnTest;

    @BeforeAll
    static void read() {
        creditTrain = BundledTables.GERMAN_CREDIT.train();
        creditTest = BundledTables.GERMAN_CREDIT.test();
        churnTrain = BundledTables.TELCO_CHURN.train();
        churnTest = BundledTables.TELCO_CHURN.test();
    }

    @Test
    void germanCreditCountsAndClassBalance() {
        assertThat(creditTrain.size()).isEqualTo(700);
        assertThat(creditTest.size()).isEqualTo(300);
        assertThat(creditTrain.classNames()).containsExactly("good", "bad");
        assertThat(creditTrain.data().classCounts()).containsExactly(490, 210);
        assertThat(creditTest.data().classCounts()).containsExactly(210, 90);
        assertThat(Collections.frequency(creditTrain.groups("sex"), "female")).isEqualTo(210);
        assertThat(Collections.frequency(creditTrain.groups("sex"), "male")).isEqualTo(490);
        assertThat(Collections.frequency(creditTest.groups("sex"), "female")).isEqualTo(100);
        assertThat(Collections.frequency(creditTrain.groups("foreign_worker"), "no")).isEqualTo(35);
        assertThat(Collections.frequency(creditTest.groups("foreign_worker"), "no")).isEqualTo(2);
    }

    @Test
    void germanCreditValuesMatchTheSource() {
        // credit-g.arff's first instance: 6 months, 1169 DM, a 67-year-old single man, good.
        LabeledData d = creditTrain.data();
        TabularTransform t = creditTrain.transform();
        assertThat(creditTrain.line(0)).isEqualTo(2);
        assertThat(creditTrain.groups("sex").get(0)).isEqualTo("male");
        assertThat(creditTrain.groups("age").get(0)).isEqualTo("67");
        assertThat(d.label(0)).isZero();
        assertThat(t.mean("duration")).isCloseTo(20.724285714285713, within(1e-12));
        assertThat(t.std("duration")).isCloseTo(12.054624906344165, within(1e-12));
        assertThat(t.mean("credit_amount")).isCloseTo(3260.3971428571431, within(1e-9));
        int duration = creditTrain.featureNames().indexOf("duration");
        int amount = creditTrain.featureNames().indexOf("credit_amount");
        assertThat(d.features().getDouble(0, duration)).isCloseTo((6 - 20.724285714285713) / 12.054624906344165,
                within(1e-6));
        assertThat(d.features().getDouble(0, amount)).isCloseTo((1169 - 3260.3971428571431) / 2825.75891439407,
                within(1e-6));
        assertThat(d.features().getDouble(0, creditTrain.featureNames().indexOf("purpose=radio/tv"))).isEqualTo(1);
        assertThat(d.features().getDouble(0, creditTrain.featureNames().indexOf("purpose=new car"))).isZero();
        // 'vacation' is declared in credit-g.arff but no applicant has it: not a category.
        assertThat(t.categories("purpose")).containsExactly("business", "domestic appliance", "education",
                "furniture/equipment", "new car", "other", "radio/tv", "repairs", "retraining", "used car");
        assertThat(creditTrain.featureNames()).hasSize(54).doesNotContain("age", "personal_status")
                .noneMatch(f -> f.startsWith("sex") || f.startsWith("foreign_worker"));
        // the first test row: 12 months, a 49-year-old man, education, good
        int education = creditTest.featureNames().indexOf("purpose=education");
        assertThat(creditTest.data().features().getDouble(0, education)).isEqualTo(1);
        assertThat(creditTest.groups("age").get(0)).isEqualTo("49");
        assertThat(creditTest.data().features().getDouble(0, duration)).isCloseTo(
                (12 - 20.724285714285713) / 12.054624906344165, within(1e-6));
    }

    @Test
    void telcoChurnCountsAndClassBalance() {
        assertThat(churnTrain.size()).isEqualTo(1500);
        assertThat(churnTest.size()).isEqualTo(500);
        assertThat(churnTrain.classNames()).containsExactly("No", "Yes");
        assertThat(churnTrain.data().classCounts()).containsExactly(1101, 399);
        assertThat(churnTest.data().classCounts()).containsExactly(367, 133);
        assertThat(Collections.frequency(churnTrain.groups("female"), "1")).isEqualTo(738);
        assertThat(Collections.frequency(churnTrain.groups("senior_citizen"), "1")).isEqualTo(243);
        assertThat(Collections.frequency(churnTest.groups("female"), "1")).isEqualTo(238);
        assertThat(Collections.frequency(churnTest.groups("senior_citizen"), "1")).isEqualTo(72);
        assertThat(churnTrain.featureNames()).hasSize(38);
    }

    @Test
    void telcoChurnValuesMatchTheSource() {
        // wa_churn's second customer: 34 months, One year contract, Mailed check, 56.95 and 1889.5, no churn.
        LabeledData d = churnTrain.data();
        TabularTransform t = churnTrain.transform();
        List<String> names = churnTrain.featureNames();
        assertThat(t.mean("tenure")).isCloseTo(32.339333333333336, within(1e-12));
        assertThat(t.std("total_charges")).isCloseTo(2276.6105228223478, within(1e-9));
        assertThat(d.label(0)).isZero();
        assertThat(d.features().getDouble(0, names.indexOf("tenure"))).isCloseTo(
                (34 - 32.339333333333336) / 24.685654124522518, within(1e-6));
        assertThat(d.features().getDouble(0, names.indexOf("total_charges"))).isCloseTo(
                (1889.5 - 2287.9767000000002) / 2276.6105228223478, within(1e-6));
        assertThat(d.features().getDouble(0, names.indexOf("contract=One year"))).isEqualTo(1);
        assertThat(d.features().getDouble(0, names.indexOf("payment_method=Mailed check"))).isEqualTo(1);
        assertThat(t.categories("payment_method")).containsExactly("Bank transfer (automatic)",
                "Credit card (automatic)", "Electronic check", "Mailed check");
    }

    @Test
    void testSplitsAreEncodedWithTheTrainingTransform() {
        assertThat(creditTest.transform()).isEqualTo(creditTrain.transform());
        assertThat(churnTest.transform()).isEqualTo(churnTrain.transform());
    }

    @Test
    void fingerprintsNameTheBundledFiles() {
        // the SHA-256 of the files, as data/scripts/table-data.sha256 records them
        assertThat(creditTrain.sourceFingerprint())
                .isEqualTo(BundledTables.GERMAN_CREDIT.trainTable().fingerprint())
                .isEqualTo(sum("german-credit/train.csv"));
        assertThat(churnTest.sourceFingerprint()).isEqualTo(sum("telco-churn/test.csv"));
    }

    @Test
    void licenceAndSourceNameThePackageAndVersion() {
        assertThat(BundledTables.GERMAN_CREDIT.licence()).contains("GPL", "University of Waikato");
        assertThat(BundledTables.GERMAN_CREDIT.source()).contains("weka 3.6.14-3", "credit-g.arff");
        assertThat(BundledTables.TELCO_CHURN.licence()).contains("MIT", "Max Kuhn");
        assertThat(BundledTables.TELCO_CHURN.source()).contains("r-cran-modeldata 1.1.0-1", "wa_churn");
        for (BundledTables t : BundledTables.values()) {
            String notice = t.licence().substring(t.licence().indexOf("dev/attune/data/"));
            assertThat(BundledTables.class.getResource("/" + notice)).as(notice).isNotNull();
        }
    }

    private static String sum(String file) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("scripts/table-data.sha256"));
            return lines.stream().filter(l -> l.endsWith("/" + file)).findFirst().orElseThrow().substring(0, 64);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

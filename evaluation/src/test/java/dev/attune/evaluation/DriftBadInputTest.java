package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftBadInputTest {
    private static final List<String> NAMES = List.of("age", "income");
    private static final double[][] ROWS = {{30, 2000}, {40, 3000}, {50, 2500}, {35, 4000}};

    private static DriftMonitor monitor() {
        return DriftMonitor.of(DriftReference.builder().features(NAMES, ROWS).build());
    }

    @Test
    void rowsOfAnotherSchemaAreRefusedNamingTheDifference() {
        DriftMonitor monitor = monitor();
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(List.of("age", "salary"), ROWS)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the observed rows have 2 features [age, salary] but the reference has 2 [age, income]:"
                        + " missing [income], not in the reference [salary]; give the rows in the reference's schema,"
                        + " or build a reference of this schema");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(List.of("age"), new double[][] {{30}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("have 1 features [age] but the reference has 2 [age, income]: missing [income];");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(List.of("age", "income", "debt"),
                        new double[][] {{30, 2000, 1}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(": not in the reference [debt];");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(List.of("income", "age"), ROWS)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(": the same names in another order;");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.embeddings(new double[][] {{1}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the batch has no features but the reference has [age, income]");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(NAMES, ROWS).withProbabilities(
                        new double[][] {{1, 0}, {1, 0}, {1, 0}, {1, 0}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the batch has probabilities but the reference has no predictions");
        // A row of another width than its names.
        assertThatThrownBy(() -> DriftBatch.features(NAMES, new double[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("observed row 1 has 1 values but 2 feature names are given [age, income]; give one name per"
                        + " column");
        // Embeddings and probabilities of another width.
        DriftMonitor both = DriftMonitor.of(DriftReference.builder().embeddings(new double[][] {{0, 1}, {1, 0}})
                .predictions(new double[][] {{0.9, 0.1}, {0.2, 0.8}}).build());
        assertThatThrownBy(() -> both.observe(DriftBatch.embeddings(new double[][] {{1, 2, 3}})
                        .withProbabilities(new double[][] {{0.5, 0.5}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("observed embedding 0 has 3 dimensions but the reference's have 2; embed with the"
                        + " reference's model");
        assertThatThrownBy(() -> both.observe(DriftBatch.embeddings(new double[][] {{1, 2}})
                        .withProbabilities(new double[][] {{0.5, 0.25, 0.25}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observed probability row 0 has 3 classes but the reference's predictions have 2");
        assertThat(monitor.size()).isZero();
        assertThat(both.size()).isZero();
    }

    @Test
    void nanOrInfinityInObservedRowsIsRefusedAndNothingIsAdded() {
        DriftMonitor monitor = monitor();
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(NAMES,
                        new double[][] {{30, 2000}, {40, Double.NaN}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("observed feature 'income' is NaN in row 1 of the batch; drift is measured on finite"
                        + " values: impute the value (as the model's input pipeline does) or drop the row before"
                        + " observing it");
        assertThatThrownBy(() -> monitor.observe(DriftBatch.features(NAMES,
                        new double[][] {{Double.NEGATIVE_INFINITY, 2000}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("observed feature 'age' is -Infinity");
        DriftMonitor embedded = DriftMonitor.of(DriftReference.builder().embeddings(new double[][] {{0, 1}, {1, 0}})
                .build());
        assertThatThrownBy(() -> embedded.observe(DriftBatch.embeddings(new double[][] {{0, 1}, {Double.NaN, 1}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("observed embedding 1 holds NaN at dimension 0");
        assertThat(monitor.size()).isZero();
        assertThat(embedded.size()).isZero();
        // The reference refuses them too.
        assertThatThrownBy(() -> DriftReference.builder().features(NAMES, new double[][] {{1, Double.NaN}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reference feature 'income' is NaN in row 0");
    }

    @Test
    void anEmptyWindowHasNoReport() {
        DriftMonitor monitor = monitor();
        assertThatThrownBy(monitor::report).isInstanceOf(IllegalStateException.class)
                .hasMessage("the drift window is empty: no row has been observed since the monitor was made or cleared;"
                        + " observe(...) rows before asking for a report");
        monitor.observe(DriftBatch.features(NAMES, ROWS));
        monitor.clear();
        assertThatThrownBy(monitor::report).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DriftBatch.features(NAMES, new double[0][]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the batch holds no row; observe at least one row");
        assertThatThrownBy(() -> DriftMonitor.builder(monitor.reference()).window(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 row, got 0");
    }

    @Test
    void badReferencesAndThresholdsAreRefused() {
        assertThatThrownBy(() -> DriftReference.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give features(names, rows), embeddings(rows) or predictions(probabilities)");
        assertThatThrownBy(() -> DriftReference.builder().features(List.of("a", "a"), new double[][] {{1, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("feature names must be distinct, got [a] twice in [a, a]");
        assertThatThrownBy(() -> DriftReference.builder().features(NAMES, new double[][] {{1, 2, 3}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reference row 0 has 3 values but 2 feature names are given");
        assertThatThrownBy(() -> DriftReference.builder().predictions(new double[][] {{0.7, 0.7}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sums to 1.4, not 1");
        assertThatThrownBy(() -> DriftMonitor.builder(monitor().reference()).psi(0.25, 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PSI thresholds must satisfy 0 < warn <= alert, got warn 0.25 and alert 0.1; for example 0.1"
                        + " and 0.25");
        assertThatThrownBy(() -> DriftMonitor.builder(monitor().reference()).ksPValue(0.01, 0.05))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < alert <= warn < 1");
    }

    @Test
    void aReferenceFileOfANewerSchemaOrDamagedIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reference.json");
        DriftReference.builder().features(NAMES, ROWS).build().write(file);
        String json = Files.readString(file);

        Files.writeString(file, json.replace("attune-drift-reference/1", "attune-drift-reference/2"));
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(AttuneException.class)
                .hasMessage("drift reference " + file + " is of schema attune-drift-reference/2, written by a newer"
                        + " Attune; this version reads attune-drift-reference/1: upgrade Attune to read it, or build the"
                        + " reference again");

        Files.writeString(file, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("drift reference " + file + " is not valid JSON (")
                .hasMessageContaining("line ").hasMessageEndingWith("); the file is damaged: write the reference again"
                        + " with DriftReference.write");

        Files.writeString(file, json.replace("attune-drift-reference/1", "attune-evaluation/4"));
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(AttuneException.class)
                .hasMessage("drift reference " + file + " is not a drift reference: its schema is 'attune-evaluation/4',"
                        + " not attune-drift-reference/1; give a file written by DriftReference.write");

        Files.writeString(file, json.replace("\"name\": \"income\"", "\"name\": 7"));
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(AttuneException.class)
                .hasMessage("drift reference " + file + " is damaged: 'features[1].name' is missing or not a string;"
                        + " write the reference again with DriftReference.write");

        Files.writeString(file, json.replaceFirst("\"values\": \\[[-0-9.E]+", "\"values\": [\"x\""));
        assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("is damaged: 'features[0].values[0]' is x, not a finite number");

        Path missing = dir.resolve("none.json");
        assertThatThrownBy(() -> DriftReference.read(missing)).isInstanceOf(AttuneException.class)
                .hasMessage("no drift reference at " + missing.toAbsolutePath() + "; give the path of a file written by"
                        + " DriftReference.write");
    }
}

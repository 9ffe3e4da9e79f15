package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The check for validation examples that copy training examples, in {@link FineTuner#fit(LabeledData, LabeledData)}. */
class LeakageGuardTest {
    private static final String COPIES = "2 of the 12 validation examples are exact copies of training examples"
            + " (features equal bit for bit, labels not compared), for example validation example 10 and training"
            + " example 17; validation scores on them overstate how the model does on new data";

    private final LabeledData train = Fixtures.blobs(40, 8, 2, 3);

    /** Ten new examples, then copies of training examples 17 and 5 with their labels flipped. */
    private LabeledData validationWithTwoCopies() {
        LabeledData fresh = Fixtures.blobs(10, 8, 2, 4);
        LabeledData copies = train.select(new int[] {17, 5});
        int[] labels = new int[12];
        System.arraycopy(fresh.labels(), 0, labels, 0, 10);
        labels[10] = 1 - copies.label(0);
        labels[11] = 1 - copies.label(1);
        return LabeledData.of(Nd4j.concat(0, fresh.features(), copies.features()), labels, 2);
    }

    private static FineTuner.Builder tuner() {
        return FineTuner.builder(Fixtures.mlp(2, 5)).epochs(2).batchSize(16).seed(9);
    }

    @Test
    void refusesByDefaultNamingTheCountAPairAndTheOptionThatTurnsItIntoAWarning() {
        assertThatThrownBy(() -> tuner().build().fit(train, validationWithTwoCopies()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(COPIES + ": remove them from the validation data (a group split keeps related examples"
                        + " on one side), or call leakage(LeakagePolicy.WARN) to train anyway with a warning"
                        + " recorded in the provenance");
        assertThatThrownBy(() -> tuner().leakage(LeakagePolicy.REFUSE).build().fit(train, train.select(new int[] {3})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("1 of the 1 validation examples is an exact copy of training examples"
                        + " (features equal bit for bit, labels not compared), for example validation example 0 and"
                        + " training example 3;");
    }

    @Test
    void warningTrainsTellsTheListenersAndRecordsItInTheProvenance() {
        List<String> events = new ArrayList<>();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FineTuneResult result = tuner()
                .leakage(LeakagePolicy.WARN)
                .listener(new TrainingListener() {
                    @Override
                    public void onFitStart(FitStart e) {
                        events.add("start");
                    }

                    @Override
                    public void onWarning(Warning e) {
                        events.add(e.topic() + ": " + e.message());
                    }

                    @Override
                    public void onFitEnd(FitEnd e) {
                        events.add("end");
                    }
                })
                .listener(Progress.console(new PrintStream(printed, true, StandardCharsets.UTF_8)))
                .build()
                .fit(train, validationWithTwoCopies());

        assertThat(events).containsExactly("start", "leakage: " + COPIES, "end");
        assertThat(result.history()).hasSize(2);
        assertThat(result.provenance().warnings()).containsExactly("leakage: " + COPIES);
        assertThat(result.provenance().config()).containsEntry("leakage", "WARN");
        assertThat(result.provenance().asText()).containsEntry("warnings", "leakage: " + COPIES);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("warning (leakage): " + COPIES + "\n");
    }

    @Test
    void ignoringDoesNotLookAndCleanDataRaisesNothing() {
        FineTuneResult ignored = tuner().leakage(LeakagePolicy.IGNORE).build().fit(train, validationWithTwoCopies());
        assertThat(ignored.provenance().warnings()).isEmpty();
        assertThat(ignored.provenance().config()).containsEntry("leakage", "IGNORE");

        FineTuneResult clean = tuner().build().fit(train, Fixtures.blobs(12, 8, 2, 4));
        assertThat(clean.provenance().warnings()).isEmpty();
        assertThat(clean.provenance().config()).containsEntry("leakage", "REFUSE");
        assertThat(clean.provenance().asText()).containsEntry("warnings", "");
        assertThat(tuner().build().fit(train).provenance().warnings()).isEmpty();
    }

    @Test
    void onlyBitEqualFeaturesCount() {
        float[] row = train.select(new int[] {7}).features().toFloatVector();
        float[] nextUp = row.clone();
        nextUp[3] = Math.nextUp(nextUp[3]);
        float[] zero = new float[8];
        float[] negativeZero = new float[8];
        java.util.Arrays.fill(negativeZero, -0.0f);
        LabeledData withZero = LabeledData.of(Nd4j.concat(0, train.features(), Nd4j.create(new float[][] {zero})),
                append(train.labels(), 0), 2);
        LabeledData near = LabeledData.of(Nd4j.create(new float[][] {nextUp, negativeZero}), new int[] {0, 1}, 2);
        assertThat(ExactDuplicates.between(withZero, near).count()).isZero();
        // The same values in double precision are the same numbers: widened, they still match.
        LabeledData asDouble = LabeledData.of(Nd4j.create(new float[][] {row, zero}).castTo(DataType.DOUBLE),
                new int[] {0, 1}, 2);
        assertThat(ExactDuplicates.between(withZero, asDouble))
                .isEqualTo(new ExactDuplicates.Found(2, 7, 0));
    }

    @Test
    void theOptionIsSetOnceAndNotNull() {
        assertThatThrownBy(() -> tuner().leakage(LeakagePolicy.WARN).leakage(LeakagePolicy.IGNORE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("leakage(...) was already set; set each option once");
        assertThatThrownBy(() -> tuner().leakage(null)).isInstanceOf(NullPointerException.class).hasMessage("policy");
    }

    @Property(tries = 60)
    void countsExactlyTheCopiedRowsAndNamesTheFirst(
            @ForAll @IntRange(min = 1, max = 30) int trainSize,
            @ForAll @IntRange(min = 1, max = 30) int freshSize,
            @ForAll long seed) {
        Random random = new Random(seed);
        // Values from a small set, so that rows collide by chance only when they are equal.
        INDArray a = Nd4j.create(grid(trainSize, random));
        LabeledData first = LabeledData.of(a, new int[trainSize], 2);
        float[][] secondRows = grid(freshSize, random);
        int[] copiedFrom = new int[freshSize];
        for (int j = 0; j < freshSize; j++) {
            copiedFrom[j] = -1;
            if (random.nextBoolean()) {
                copiedFrom[j] = random.nextInt(trainSize);
                secondRows[j] = a.getRow(copiedFrom[j]).toFloatVector();
            }
        }
        LabeledData second = LabeledData.of(Nd4j.create(secondRows), new int[freshSize], 2);

        int expected = 0;
        int firstCopy = -1;
        float[][] aRows = a.toFloatMatrix();
        for (int j = 0; j < freshSize; j++) {
            for (float[] r : aRows) {
                if (java.util.Arrays.equals(r, secondRows[j])) {
                    expected++;
                    firstCopy = firstCopy < 0 ? j : firstCopy;
                    break;
                }
            }
        }
        ExactDuplicates.Found found = ExactDuplicates.between(first, second);
        assertThat(found.count()).isEqualTo(expected);
        assertThat(found.secondIndex()).isEqualTo(firstCopy);
        if (firstCopy >= 0) {
            assertThat(aRows[found.firstIndex()]).containsExactly(secondRows[firstCopy]);
            for (int i = 0; i < found.firstIndex(); i++) {
                assertThat(aRows[i]).isNotEqualTo(secondRows[firstCopy]);
            }
        }
    }

    private static float[][] grid(int rows, Random random) {
        float[][] x = new float[rows][3];
        for (float[] r : x) {
            for (int d = 0; d < r.length; d++) {
                r[d] = random.nextInt(3) * 0.5f;
            }
        }
        return x;
    }

    private static int[] append(int[] a, int v) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }
}

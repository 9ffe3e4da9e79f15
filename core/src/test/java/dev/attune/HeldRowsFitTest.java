package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.HeldRows;
import dev.attune.spi.Optimizer;
import dev.attune.spi.RowsFingerprint;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FineTuner#fit(HeldRows, LabeledData, dev.attune.spi.GradientExchange)}: a run on rows whose
 * features the trainer never holds is the run on the same rows held here, its provenance names the same
 * data, and the checks of the features are answered where the rows are.
 */
class HeldRowsFitTest {
    private final LabeledData train = Fixtures.blobs(150, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(40, 8, 3, 2);

    private static FineTuner.Builder tuner() {
        return FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(7)
                .metrics(Fixtures.ACCURACY);
    }

    @Test
    void aRunOnHeldRowsIsTheRunOnTheSameRowsHeldHere() {
        ArrayHeldRows held = ArrayHeldRows.of(train, 3);
        FineTuneResult remote = tuner().build().fit(held, validation, held.exchange());
        ArrayHeldRows same = ArrayHeldRows.of(train, 3);
        FineTuneResult local = tuner().build().fit(train, validation, same.exchange());
        FineTuneResult plain = tuner().build().fit(train, validation);

        assertThat(held.wholeReads.get()).as("no mini-batch of features was gathered").isZero();
        assertThat(held.fingerprints.get()).as("one pass over the features, for the provenance").isEqualTo(1);
        assertThat(same.wholeReads.get()).as("the run on data held here gathers features").isPositive();
        assertThat(remote.model().handle().params()).as("bit for bit the same steps")
                .isEqualTo(local.model().handle().params());
        assertThat(remote.model().handle().params().sub(plain.model().handle().params()).amaxNumber().doubleValue())
                .isLessThan(1e-5);
        assertThat(remote.history()).hasSize(2);
        assertThat(remote.history().get(1).validationLoss()).isEqualTo(local.history().get(1).validationLoss());
        assertThat(remote.provenance().trainData()).isEqualTo(train.fingerprint());
        assertThat(remote.provenance().validationData()).isEqualTo(validation.fingerprint());
    }

    @Test
    void labelSmoothingReachesTheLabelsPickedByClass() {
        ArrayHeldRows held = ArrayHeldRows.of(train, 3);
        FineTuneResult remote = tuner().labelSmoothing(0.2).build().fit(held, validation, held.exchange());
        FineTuneResult local = tuner().labelSmoothing(0.2).build().fit(train, validation,
                ArrayHeldRows.of(train, 3).exchange());
        FineTuneResult unsmoothed = tuner().build().fit(held, validation, held.exchange());
        assertThat(remote.model().handle().params()).isEqualTo(local.model().handle().params())
                .isNotEqualTo(unsmoothed.model().handle().params());
    }

    @Test
    void theFingerprintFedPartByPartIsLabeledDatas() {
        LabeledData doubles = LabeledData.of(train.features().castTo(DataType.DOUBLE), train.labels(), 3);
        assertThat(ArrayHeldRows.of(doubles, 4).fingerprint()).isEqualTo(doubles.fingerprint())
                .isNotEqualTo(train.fingerprint());
        assertThat(ArrayHeldRows.of(train, 7).fingerprint()).isEqualTo(train.fingerprint());
        INDArray x = train.features();
        float[] values = x.data().asFloat();
        assertThat(new RowsFingerprint(3, 150, new long[] {8}, DataType.FLOAT).features(values)
                .labels(train.labels())).isEqualTo(train.fingerprint());
        assertThat(new RowsFingerprint(3, 150, new long[] {8}, DataType.FLOAT)
                .features(x.data().asNio().order(ByteOrder.nativeOrder())).labels(train.labels()))
                .isEqualTo(train.fingerprint());
        // More values than one chunk of the float path (65,536), fed in parts that cut rows.
        LabeledData big = Fixtures.blobs(9000, 8, 3, 5);
        float[] all = big.features().data().asFloat();
        assertThat(new RowsFingerprint(3, 9000, new long[] {8}, DataType.FLOAT)
                .features(java.util.Arrays.copyOfRange(all, 0, 70_001))
                .features(java.util.Arrays.copyOfRange(all, 70_001, all.length)).labels(big.labels()))
                .isEqualTo(big.fingerprint());
    }

    @Test
    void theFingerprintIsTheSha256OfClassCountShapeTypeBytesAndLabels() {
        // As LabeledData computed it before RowsFingerprint: provenance recorded before stays comparable.
        com.google.common.hash.Hasher h = com.google.common.hash.Hashing.sha256().newHasher();
        h.putInt(3);
        h.putLong(150);
        h.putLong(8);
        h.putString("FLOAT", java.nio.charset.StandardCharsets.UTF_8);
        for (float v : train.features().data().asFloat()) {
            h.putInt(Float.floatToRawIntBits(v));
        }
        for (int y : train.labels()) {
            h.putInt(y);
        }
        assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN); // Guava's putInt order
        String expected = h.hash().toString();
        assertThat(train.fingerprint()).isEqualTo(expected);
        assertThat(ArrayHeldRows.of(train, 3).fingerprint()).isEqualTo(expected);
    }

    @Test
    void aNaNWhereTheRowsAreIsRefusedNamingWhere() {
        INDArray x = train.features();
        x.putScalar(new long[] {107, 3}, Double.NaN);
        ArrayHeldRows held = new ArrayHeldRows(x, train.labels(), 3, 3);
        assertThatThrownBy(() -> tuner().build().fit(held, validation, held.exchange()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features hold 1 NaN or infinite values (first in example 107, row 7 of part 2 of"
                        + " the test's rows in 3 parts)")
                .hasMessageContaining("clean or impute them before training");
    }

    @Test
    void validationRowsThatCopyHeldRowsAreFoundAndRefusedOrWarned() {
        int[] idx = new int[validation.size()];
        java.util.Arrays.setAll(idx, i -> i);
        INDArray v = validation.features();
        v.get(org.nd4j.linalg.indexing.NDArrayIndex.point(9), org.nd4j.linalg.indexing.NDArrayIndex.all())
                .assign(train.features().getRow(120));
        v.get(org.nd4j.linalg.indexing.NDArrayIndex.point(30), org.nd4j.linalg.indexing.NDArrayIndex.all())
                .assign(train.features().getRow(4));
        LabeledData leaky = LabeledData.of(v.castTo(DataType.DOUBLE), validation.labels(), 3);
        ArrayHeldRows held = ArrayHeldRows.of(train, 3);
        assertThatThrownBy(() -> tuner().build().fit(held, leaky, held.exchange()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 of the 40 validation examples are exact copies of training examples")
                .hasMessageContaining("validation example 9 and training example 120");
        assertThat(held.fingerprints.get()).as("a refused run makes no pass over the features").isZero();

        FineTuneResult warned = tuner().leakage(LeakagePolicy.WARN).build().fit(held, leaky, held.exchange());
        assertThat(warned.provenance().warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("leakage: 2 of the 40 validation examples").contains("training example 120"));
    }

    @Test
    void aWeightingBalancerSeesTheLabelsAndWeighsTheSameRows() {
        Balancer byClass = (data, seed) -> {
            int[] counts = data.classCounts();
            double[] w = new double[data.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (double) data.size() / (3.0 * counts[data.label(i)]) * (1 + i % 2);
            }
            return Balanced.weighted(data, w);
        };
        ArrayHeldRows held = ArrayHeldRows.of(train, 2);
        FineTuneResult remote = tuner().balance(byClass).build().fit(held, validation, held.exchange());
        FineTuneResult local = tuner().balance(byClass).build().fit(train, validation, ArrayHeldRows.of(train, 2).exchange());
        FineTuneResult unweighted = tuner().build().fit(train, validation, ArrayHeldRows.of(train, 2).exchange());
        assertThat(remote.model().handle().params()).isEqualTo(local.model().handle().params())
                .isNotEqualTo(unweighted.model().handle().params());
    }

    @Test
    void aBalancerThatReadsFeaturesIsRefusedWithTheFix() {
        ArrayHeldRows held = ArrayHeldRows.of(train, 2);
        FineTuner resampling = tuner().balance((data, seed) -> Balanced.of(data.select(new int[] {0, 1, 2, 3}))).build();
        assertThatThrownBy(() -> resampling.fit(held, validation, held.exchange()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("selecting examples (a balancer that resamples rows) needs the features of the"
                        + " training data, but these 150 examples are the test's rows in 2 parts")
                .hasMessageContaining("balance with weights (Balancing.classWeights() or reweigh(...))");
        FineTuner auditing = tuner().audit(data -> data.features()).build();
        assertThatThrownBy(() -> auditing.fit(held, validation, held.exchange()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reading the features needs the features of the training data");
    }

    @Test
    void anAuditOfLabelsAndFingerprintRuns() {
        ArrayHeldRows held = ArrayHeldRows.of(train, 2);
        String[] seen = new String[1];
        tuner().audit(data -> seen[0] = data.fingerprint() + " " + data.classCounts().length).build()
                .fit(held, null, held.exchange());
        assertThat(seen[0]).isEqualTo(train.fingerprint() + " 3");
    }

    @Test
    void anExchangeWhoseModelTakesNoRowNumbersIsRefused() {
        ArrayHeldRows held = ArrayHeldRows.of(train, 2);
        assertThatThrownBy(() -> tuner().build().fit(held, validation, (prepared, base, plan) -> prepared))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not take row numbers (dev.attune.spi.BatchRows)");
    }

    @Test
    void heldRowsThatDoNotFitTheModelOrEachOtherAreRefused() {
        ArrayHeldRows wide = ArrayHeldRows.of(Fixtures.blobs(50, 5, 3, 1), 2);
        assertThatThrownBy(() -> tuner().build().fit(wide, null, wide.exchange()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("examples of shape [5] do not fit the model's input");
        int[] y = train.labels();
        y[3] = 7;
        ArrayHeldRows badLabel = new ArrayHeldRows(train.features(), y, 3, 2);
        assertThatThrownBy(() -> tuner().build().fit(badLabel, null, badLabel.exchange()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 7 at example 3 of the test's rows in 2 parts is outside [0, 3)");
    }
}

package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.LabeledData;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class LeakageTest {
    private static LabeledData of(float[][] rows, int... labels) {
        return LabeledData.of(Nd4j.create(rows).castTo(DataType.FLOAT), labels, 2);
    }

    private final LabeledData reference = of(new float[][] {
            {0.1234f, 0.5f, 0.9f}, {0.2f, 0.1f, 0.3f}, {0.7f, 0.7f, 0.1f},
            {0.3f, 0.9f, 0.4f}, {0.4321f, 0.2f, 0.6f}, {0.8f, 0.3f, 0.5f}}, 0, 1, 0, 1, 0, 1);
    private final LabeledData other = of(new float[][] {
            {0.7f, 0.7f, 0.1f},            // reference row 2, exactly
            {0.43211f, 0.20001f, 0.6f},    // reference row 4, 1e-5 away
            {0.9f, 0.05f, 0.05f},          // nowhere
            {0.8f, 0.3f, 0.5f},            // reference row 5, exactly, with the other label
            {0.4f, 0.2f, 0.6f}},           // reference row 1 times 2: the same direction
            0, 0, 1, 0, 1);

    @Test
    void exactMatchesAreBitForBitAndLabelConflictsAreCounted() {
        Leakage.Report r = Leakage.exact(reference, other);
        assertThat(r.matchedOther()).isEqualTo(2);
        assertThat(r.matchedReference()).isEqualTo(2);
        assertThat(r.examples()).containsExactly(new Leakage.Match(2, 0), new Leakage.Match(5, 3));
        assertThat(r.labelConflicts()).isEqualTo(1);
        assertThat(r.leakedShare()).isEqualTo(0.4);
        assertThat(r.clean()).isFalse();
    }

    @Test
    void quantisingFindsNearCopies() {
        Leakage.Report r = Leakage.quantised(reference, other, 1e-3);
        assertThat(r.examples()).containsExactly(new Leakage.Match(2, 0), new Leakage.Match(4, 1), new Leakage.Match(5, 3));
        // A grid finer than the difference no longer matches the near copy.
        assertThat(Leakage.quantised(reference, other, 1e-6).matchedOther()).isEqualTo(2);
    }

    @Test
    void cosineFindsCopiesUpToScale() {
        Leakage.Report r = Leakage.cosine(reference, other, 0.9999);
        assertThat(r.examples()).containsExactly(new Leakage.Match(2, 0), new Leakage.Match(4, 1),
                new Leakage.Match(5, 3), new Leakage.Match(1, 4));
        assertThat(r.method()).isEqualTo("cosine(min=0.9999)");
    }

    @Test
    void theBundledImageSplitsShareNoImageAndACopyIsFound() {
        // data/DATA.md: no bundled test image is byte-identical to a bundled train image.
        LabeledData train = BundledData.MNIST.train();
        assertThat(Leakage.exact(train, BundledData.MNIST.test()).clean()).isTrue();
        assertThat(Leakage.exact(BundledData.FASHION_MNIST.train(), BundledData.FASHION_MNIST.test()).clean()).isTrue();
        Leakage.Report self = Leakage.exact(train, train.select(IntStream.range(100, 200).toArray()));
        assertThat(self.matchedOther()).isEqualTo(100);
        assertThat(self.examples()).hasSize(10).first().isEqualTo(new Leakage.Match(100, 0));
    }

    @Test
    void badInputIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Leakage.quantised(reference, other, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the grid step must be a finite number above 0, got 0.0; for example 1e-3");
        assertThatThrownBy(() -> Leakage.cosine(reference, other, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be in (0, 1], got 1.5");
        LabeledData wide = of(new float[][] {{1, 2, 3, 4}}, 0);
        assertThatThrownBy(() -> Leakage.exact(reference, wide)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("examples of shape [4] cannot be compared with examples of shape [3];"
                        + " compare data sets with the same features");
    }
}

package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PerturbationsTest {
    /** A [1, 1, 3, 3] image holding 1 to 9 row by row. */
    private static INDArray nine() {
        return Nd4j.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 1, 3, 3});
    }

    @Test
    void gaussianNoiseHasTheRequestedStandardDeviationAndIsSeeded() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 400, 1, 10, 10);
        Perturbation noise = Perturbations.gaussianNoise(0.1, 0.3);
        INDArray y = noise.apply(x, 0.3, 7);

        assertThat(y.shape()).containsExactly(400, 1, 10, 10);
        assertThat(y.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(y.stdNumber().doubleValue()).isCloseTo(0.3, within(0.005));
        assertThat(y.meanNumber().doubleValue()).isCloseTo(0.0, within(0.005));
        assertThat(x.sumNumber().doubleValue()).isZero(); // the input is left alone
        assertThat(noise.apply(x, 0.3, 7)).isEqualTo(y);
        assertThat(noise.apply(x, 0.3, 8)).isNotEqualTo(y);
        // Every strength draws the same numbers: 0.1 is a third of 0.3.
        assertThat(noise.apply(x, 0.1, 7).mul(3).equalsWithEps(y, 1e-5)).isTrue();
        assertThat(noise.apply(x, 0.0, 7)).isEqualTo(x);
        assertThat(noise.name()).isEqualTo("gaussian_noise");
        assertThat(noise.strengths()).containsExactly(0.1, 0.3);
    }

    @Test
    void brightnessAddsAndContrastScalesAroundEachExamplesMean() {
        INDArray x = Nd4j.create(new float[] {0, 1, 2, 5, 10, 10, 10, 10}, new long[] {2, 1, 2, 2});
        assertThat(Perturbations.brightness(-0.5, 0.25).apply(x, 0.25, 1))
                .isEqualTo(Nd4j.create(new float[] {0.25f, 1.25f, 2.25f, 5.25f, 10.25f, 10.25f, 10.25f, 10.25f},
                        new long[] {2, 1, 2, 2}));
        // Example 0 has mean 2: 2 + 0.5 (x - 2); example 1 is constant, so contrast leaves it.
        assertThat(Perturbations.contrast(0.5).apply(x, 0.5, 1))
                .isEqualTo(Nd4j.create(new float[] {1, 1.5f, 2, 3.5f, 10, 10, 10, 10}, new long[] {2, 1, 2, 2}));
        assertThat(Perturbations.contrast(2).apply(x, 2, 1).getFloat(0, 0, 1, 1)).isEqualTo(8f);
        assertThat(x.getFloat(0, 0, 1, 1)).isEqualTo(5f);
    }

    @Test
    void occlusionZeroesExactlyOneSquarePatchPerImageInEveryChannel() {
        int n = 300;
        INDArray x = Nd4j.ones(DataType.FLOAT, n, 2, 5, 6);
        INDArray y = Perturbations.occlusion(2).apply(x, 2, 3);

        boolean[][] corners = new boolean[4][5];
        for (int i = 0; i < n; i++) {
            int top = -1;
            int left = -1;
            int zeros = 0;
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 6; c++) {
                    assertThat(y.getFloat(i, 0, r, c)).isEqualTo(y.getFloat(i, 1, r, c));
                    if (y.getFloat(i, 0, r, c) == 0) {
                        zeros++;
                        if (top < 0) {
                            top = r;
                            left = c;
                        }
                    } else {
                        assertThat(y.getFloat(i, 0, r, c)).isEqualTo(1f);
                    }
                }
            }
            assertThat(zeros).isEqualTo(4);
            assertThat(y.getFloat(i, 0, top, left + 1) + y.getFloat(i, 0, top + 1, left)
                    + y.getFloat(i, 0, top + 1, left + 1)).isZero();
            corners[top][left] = true;
        }
        // The patch stays inside the image and every position inside it occurs.
        for (boolean[] row : corners) {
            for (boolean seen : row) {
                assertThat(seen).isTrue();
            }
        }
        assertThat(Perturbations.occlusion(2).apply(x, 2, 3)).isEqualTo(y);
        assertThat(Perturbations.occlusion(0, 2).apply(x, 0, 3)).isEqualTo(x);
        assertThat(Perturbations.occlusion(5).apply(x, 5, 3).slice(0).sumNumber().doubleValue()).isEqualTo(2 * 5);
    }

    @Test
    void shiftMovesThePixelsOneOfFourWaysAndFillsWithZero() {
        List<INDArray> expected = List.of(
                Nd4j.create(new float[] {0, 0, 0, 1, 2, 3, 4, 5, 6}, new long[] {1, 1, 3, 3}),  // down
                Nd4j.create(new float[] {4, 5, 6, 7, 8, 9, 0, 0, 0}, new long[] {1, 1, 3, 3}),  // up
                Nd4j.create(new float[] {0, 1, 2, 0, 4, 5, 0, 7, 8}, new long[] {1, 1, 3, 3}),  // right
                Nd4j.create(new float[] {2, 3, 0, 5, 6, 0, 8, 9, 0}, new long[] {1, 1, 3, 3})); // left
        INDArray x = nine().repeat(0, 100);
        INDArray y = Perturbations.shift(1).apply(x, 1, 5);

        int[] seen = new int[4];
        for (int i = 0; i < 100; i++) {
            INDArray image = y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1));
            int match = expected.indexOf(image);
            assertThat(match).as("example %d: %s", i, image).isNotNegative();
            seen[match]++;
        }
        assertThat(seen).doesNotContain(0);
        assertThat(Perturbations.shift(2).apply(nine(), 2, 5).sumNumber().doubleValue())
                .isIn(1.0 + 2 + 3, 7.0 + 8 + 9, 1.0 + 4 + 7, 3.0 + 6 + 9);
        assertThat(Perturbations.shift(0).apply(x, 0, 5)).isEqualTo(x);
        assertThat(Perturbations.shift(1).apply(x, 1, 5)).isEqualTo(y);
    }

    @Test
    void featureNoiseIsInUnitsOfEachColumnsStandardDeviation() {
        // Columns with standard deviations 1, 10 and 0.
        INDArray column = Nd4j.create(new double[] {-1, 1}).repeat(0, 5000).reshape(10000, 1);
        INDArray x = Nd4j.hstack(column, column.mul(10), Nd4j.ones(DataType.DOUBLE, 10000, 1).muli(3));
        INDArray y = Perturbations.featureNoise(0.5).apply(x, 0.5, 11);
        INDArray noise = y.sub(x);

        assertThat(noise.getColumn(0).stdNumber().doubleValue()).isCloseTo(0.5, within(0.015));
        assertThat(noise.getColumn(1).stdNumber().doubleValue()).isCloseTo(5.0, within(0.15));
        assertThat(noise.getColumn(2).sumNumber().doubleValue()).isZero();
        assertThat(Perturbations.featureNoise(0.5).apply(x, 0.5, 11)).isEqualTo(y);
        assertThat(Perturbations.featureNoise(0.5).apply(x, 0.5, 12)).isNotEqualTo(y);
    }

    @Test
    void missingValuesAreReplacedByTheirColumnMeanAtTheRequestedRate() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2000, 4).addi(Nd4j.create(new double[] {0, 10, 20, 30}).reshape(1, 4));
        INDArray means = x.mean(0);
        INDArray y = Perturbations.missingValues(0.3).apply(x, 0.3, 13);

        long changed = 0;
        for (int i = 0; i < 2000; i++) {
            for (int j = 0; j < 4; j++) {
                if (y.getDouble(i, j) != x.getDouble(i, j)) {
                    assertThat(y.getDouble(i, j)).isCloseTo(means.getDouble(j), within(1e-12));
                    changed++;
                }
            }
        }
        assertThat(changed / 8000.0).isCloseTo(0.3, within(0.02));
        assertThat(Perturbations.missingValues(0.3).apply(x, 0.3, 13)).isEqualTo(y);
        assertThat(Perturbations.missingValues(0.0).apply(x, 0.0, 13)).isEqualTo(x);
        INDArray all = Perturbations.missingValues(1.0).apply(x, 1.0, 13);
        assertThat(all.equalsWithEps(means.reshape(1, 4).repeat(0, 2000), 1e-12)).isTrue();
    }

    @Test
    void badStrengthsAndShapesAreRefusedWithTheFix() {
        assertThatThrownBy(() -> Perturbations.gaussianNoise()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one strength");
        assertThatThrownBy(() -> Perturbations.gaussianNoise(0.1, -0.2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-0.2");
        assertThatThrownBy(() -> Perturbations.missingValues(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> Perturbations.occlusion(2.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number").hasMessageContaining("2 or 3");
        assertThatThrownBy(() -> Perturbations.shift(1).apply(Nd4j.zeros(2, 9), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 9]")
                .hasMessageContaining("flatImages");
        assertThatThrownBy(() -> Perturbations.occlusion(4).apply(nine(), 4, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x3").hasMessageContaining("up to 3");
        assertThatThrownBy(() -> Perturbations.shift(1).apply(nine(), -1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> Perturbations.gaussianNoise(0.1).apply(nine(), Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Perturbations.shift(3).apply(nine(), 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 3");
    }
}

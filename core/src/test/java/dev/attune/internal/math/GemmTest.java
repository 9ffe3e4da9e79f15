package dev.attune.internal.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The direct BLAS product: the product ND4J's matmul computes, in every layout BLAS takes, and the arrays it must not take. */
class GemmTest {
    /** An array of the shape in the layout: 'c', 'f', a view inside a larger array ('v' row-major, 'w' column-major). */
    private static INDArray array(DataType type, char layout, long rows, long cols) {
        return switch (layout) {
            case 'c', 'f' -> Nd4j.rand(type, layout, rows, cols).subi(0.5);
            // A block of a wider row-major matrix past its first columns: leading dimension cols + 3, an offset.
            case 'v' -> Nd4j.rand(type, 'c', rows + 1, cols + 3).subi(0.5)
                    .get(NDArrayIndex.interval(1, rows + 1), NDArrayIndex.interval(2, cols + 2));
            default -> Nd4j.rand(type, 'f', rows + 3, cols + 1).subi(0.5)
                    .get(NDArrayIndex.interval(2, rows + 2), NDArrayIndex.interval(1, cols + 1));
        };
    }

    @ParameterizedTest(name = "{0}: a {1}, b {2}, c {3}, transposes {4} {5}")
    @CsvSource({
            "FLOAT, c, c, f, false, false", "FLOAT, c, c, f, false, true", "FLOAT, f, c, f, true, false",
            "FLOAT, c, f, c, true, true", "FLOAT, f, f, c, false, false", "FLOAT, v, w, f, false, true",
            "FLOAT, w, v, c, true, false", "FLOAT, c, f, w, false, false", "FLOAT, f, c, v, true, true",
            "DOUBLE, c, c, f, false, true", "DOUBLE, v, f, c, true, false", "DOUBLE, w, c, v, false, false"})
    void computesWhatNd4jsMatmulComputes(DataType type, char la, char lb, char lc, boolean ta, boolean tb) {
        Nd4j.getRandom().setSeed(7);
        long m = 13;
        long n = 6;
        long k = 9;
        INDArray a = ta ? array(type, la, k, m) : array(type, la, m, k);
        INDArray b = tb ? array(type, lb, n, k) : array(type, lb, k, n);
        INDArray c = array(type, lc, m, n);
        INDArray before = c.dup();
        double[] buffer = c.data().asDouble();
        INDArray expected = (ta ? a.transpose() : a).mmul(tb ? b.transpose() : b).muli(0.7).addi(before.mul(0.25));

        INDArray out = Gemm.gemm(a, b, c, ta, tb, 0.7, 0.25);

        assertThat(out).isSameAs(c);
        double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
        assertThat(c.sub(expected).amaxNumber().doubleValue()).isLessThan(tolerance);
        // Nothing outside c changes: with c's old values back, its whole buffer (a view's gaps too) is as before.
        c.assign(before);
        assertThat(c.data().asDouble()).containsExactly(buffer);
    }

    @Test
    void theCpuBackendTakesTheDirectPath() {
        assertThat(Gemm.direct()).as("BLAS reachable on ND4J's CPU backend").isTrue();
    }

    @Test
    void theFusedStepsProductsAreBitIdenticalToNd4jsMatmul() {
        // Products into a column-major result from a row-major input, as LoRA's rank-r products h = x A^T
        // run (and as its base product x W ran before it turned row-major): ND4J's matmul op's bits.
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 'c', 128, 64);
        INDArray w = Nd4j.rand(DataType.FLOAT, 'f', 64, 48);
        INDArray a = Nd4j.rand(DataType.FLOAT, 'c', 8, 64);
        for (boolean tb : new boolean[] {false, true}) {
            INDArray right = tb ? a : w;
            INDArray viaOp = Nd4j.create(DataType.FLOAT, new long[] {128, right.size(tb ? 0 : 1)}, 'f');
            INDArray direct = viaOp.dup('f');
            Nd4j.gemm(x, right, viaOp, false, tb, 1.0, 0.0);
            Gemm.gemm(x, right, direct, false, tb, 1.0, 0.0);
            assertThat(direct.data().asFloat()).containsExactly(viaOp.data().asFloat());
        }
    }

    @Test
    void leavesArraysBlasCannotTakeToNd4j() {
        // A strided view (every other column) has no unit stride: ND4J's op computes it.
        INDArray wide = Nd4j.rand(DataType.FLOAT, 'c', 5, 8);
        INDArray a = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 8));
        INDArray b = Nd4j.rand(DataType.FLOAT, 'c', 4, 3);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {5, 3}, 'f');

        Gemm.gemm(a, b, c, false, false, 1.0, 0.0);

        assertThat(c.sub(a.mmul(b)).amaxNumber().doubleValue()).isLessThan(1e-6);
    }
}

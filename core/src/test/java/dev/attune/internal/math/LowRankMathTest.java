package dev.attune.internal.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LowRankMath} computes, bit for bit, what each of its callers computed with its own copy of
 * the LoRA arithmetic before: the adapters' LoRA layers and the fused dense step (products through
 * {@link Gemm}), and the BERT step and merge (products through {@code Nd4j.gemm}, the update as
 * {@code A^T B^T} times {@code s}). The former copies are written out below as they were.
 */
class LowRankMathTest {
    @ParameterizedTest
    @CsvSource({"FLOAT, 18, 16, 16, 4", "DOUBLE, 18, 16, 32, 3", "FLOAT, 384, 384, 384, 8", "FLOAT, 128, 384, 1536, 8",
            "DOUBLE, 96, 384, 384, 16", "FLOAT, 130, 784, 128, 8"})
    void equalsEveryFormerCopyBitForBit(DataType type, int n, int in, int out, int r) {
        Nd4j.getRandom().setSeed(n * 31L + in + r);
        INDArray x = Nd4j.randn(type, n, in);
        INDArray w = Nd4j.randn(type, in, out);
        INDArray a = Nd4j.randn(type, r, in);
        INDArray b = Nd4j.randn(type, out, r);
        INDArray d = Nd4j.randn(type, n, out);
        double s = 8.0 / Math.sqrt(r);

        // The helper, into arrays laid out as the BERT step allocates them.
        INDArray z = Nd4j.gemm(x, w, false, false);
        INDArray h = LowRankMath.ND4J.forward(x, a, b, s,
                Nd4j.createUninitialized(type, new long[] {n, r}, LowRankMath.productOrder(x, a)), z);
        INDArray gA = Nd4j.create(type, r, in);
        INDArray gB = Nd4j.create(type, out, r);
        INDArray g = LowRankMath.ND4J.backward(d, x, h, b, s, gA, gB,
                Nd4j.createUninitialized(type, new long[] {n, r}, LowRankMath.productOrder(d, b)));
        INDArray dx = Nd4j.gemm(d, w, false, true);
        LowRankMath.ND4J.inputGradient(g, a, s, dx);

        // The BERT step's former copy (Nd4j.gemm).
        INDArray zBert = Nd4j.gemm(x, w, false, false);
        INDArray xa = Nd4j.gemm(x, a, false, true);
        Nd4j.gemm(xa, b, zBert, false, true, s, 1.0);
        INDArray gBBert = Nd4j.create(type, out, r);
        Nd4j.gemm(d, xa, gBBert, true, false, s, 0.0);
        INDArray dxa = Nd4j.gemm(d, b, false, false);
        INDArray gABert = Nd4j.create(type, r, in);
        Nd4j.gemm(dxa, x, gABert, true, false, s, 0.0);
        INDArray dxBert = Nd4j.gemm(d, w, false, true);
        Nd4j.gemm(dxa, a, dxBert, false, false, s, 1.0);
        assertSameBits(z, zBert);
        assertSameBits(gA, gABert);
        assertSameBits(gB, gBBert);
        assertSameBits(dx, dxBert);

        // The LoRA layers' and the fused dense step's former copy (Gemm), into their 'c' outputs.
        INDArray zLayer = Nd4j.createUninitialized(type, new long[] {n, out}, 'c');
        Gemm.gemm(x, w, zLayer, false, false, 1.0, 0.0);
        INDArray hLayer = Nd4j.createUninitialized(type, new long[] {n, r}, 'f');
        Gemm.gemm(x, a, hLayer, false, true, 1.0, 0.0);
        Gemm.gemm(hLayer, b, zLayer, false, true, s, 1.0);
        INDArray gBLayer = Nd4j.create(type, out, r);
        Gemm.gemm(d, hLayer, gBLayer, true, false, s, 0.0);
        INDArray gLayer = Nd4j.createUninitialized(type, new long[] {n, r}, 'f');
        Gemm.gemm(d, b, gLayer, false, false, 1.0, 0.0);
        INDArray gALayer = Nd4j.create(type, r, in);
        Gemm.gemm(gLayer, x, gALayer, true, false, s, 0.0);
        INDArray epsLayer = Nd4j.createUninitialized(type, new long[] {n, in}, 'c');
        Gemm.gemm(d, w, epsLayer, false, true, 1.0, 0.0);
        Gemm.gemm(gLayer, a, epsLayer, false, false, s, 1.0);
        INDArray zc = Nd4j.createUninitialized(type, new long[] {n, out}, 'c');
        Gemm.gemm(x, w, zc, false, false, 1.0, 0.0);
        INDArray hc = LowRankMath.DIRECT.forward(x, a, b, s, Nd4j.createUninitialized(type, new long[] {n, r}, 'f'), zc);
        INDArray gAc = Nd4j.create(type, r, in);
        INDArray gBc = Nd4j.create(type, out, r);
        INDArray gc = LowRankMath.DIRECT.backward(d, x, hc, b, s, gAc, gBc, Nd4j.createUninitialized(type, new long[] {n, r}, 'f'));
        INDArray eps = Nd4j.createUninitialized(type, new long[] {n, in}, 'c');
        Gemm.gemm(d, w, eps, false, true, 1.0, 0.0);
        LowRankMath.DIRECT.inputGradient(gc, a, s, eps);
        assertSameBits(zc, zLayer);
        assertSameBits(gAc, gALayer);
        assertSameBits(gBc, gBLayer);
        assertSameBits(eps, epsLayer);
        INDArray gAu = Nd4j.create(type, r, in);
        INDArray gBu = Nd4j.create(type, out, r);
        INDArray dU = Nd4j.randn(type, in, out);
        LowRankMath.DIRECT.updateBackward(dU, a, b, s, gAu, gBu, 0.0);
        INDArray gAuLayer = Nd4j.create(type, r, in);
        INDArray gBuLayer = Nd4j.create(type, out, r);
        Gemm.gemm(b, dU, gAuLayer, true, true, s, 0.0);
        Gemm.gemm(dU, a, gBuLayer, true, true, s, 0.0);
        assertSameBits(gAu, gAuLayer);
        assertSameBits(gBu, gBuLayer);

        // The update: BERT's merge took A^T B^T times s; the LoRA layers' fold one product with alpha s.
        INDArray update = LowRankMath.ND4J.update(a, b, s, Nd4j.createUninitialized(type, new long[] {in, out}, 'c'), 0.0);
        assertSameBits(update, a.transpose().mmul(b.transpose()).muli(s));
        assertSameBits(LowRankMath.ND4J.update(a, b, s, w.dup('c'), 1.0), w.dup('c').addi(a.transpose().mmul(b.transpose()).muli(s)));
        INDArray folded = LowRankMath.DIRECT.update(a, b, s, w.dup('f'), 1.0);
        INDArray foldedLayer = w.dup('f');
        Gemm.gemm(a, b, foldedLayer, true, true, s, 1.0);
        assertSameBits(folded, foldedLayer);
    }

    private static void assertSameBits(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        double[] got = actual.dup('c').data().asDouble();
        double[] want = expected.dup('c').data().asDouble();
        assertThat(Arrays.equals(got, want)).as("same bits; largest difference %s",
                actual.sub(expected).amaxNumber()).isTrue();
    }
}

package dev.attune.internal.math;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arithmetic of a low-rank update (LoRA) on a dense product, on 2-D arrays, every product into
 * an array the caller owns (so that it may live in the caller's workspace):
 *
 * <pre>
 *   h = x A^T                      [n, r]      A: [r, in], x: [n, in]
 *   z += s h B^T                   [n, out]    B: [out, r]
 *   given d = dL/dz:
 *   dB = s d^T h,   g = d B,   dA = s g^T x,   dL/dx += s g A
 *   as a weight update: U = s A^T B^T [in, out];   given D = dL/dU: dA = s B^T D^T, dB = s D^T A^T
 * </pre>
 *
 * Every model family and adapter layer that trains LoRA (the adapters module's layers, the fused
 * dense step, the BERT step and merge) computes it here, in this order of operations. The two
 * constants differ only in how a product reaches BLAS, and so, for some shapes, in the last bits of a
 * sum: {@link #DIRECT} calls BLAS itself ({@link Gemm}), {@link #ND4J} goes through ND4J's matmul op.
 * Each caller keeps the one its results were fixed with, so that moving the arithmetic here changed
 * no result by a bit.
 */
public enum LowRankMath {
    /** Products straight into BLAS ({@link Gemm}): the DL4J family's LoRA layers and its fused dense step. */
    DIRECT,
    /**
     * Products through ND4J's matmul op ({@code Nd4j.gemm}), and the weight update as
     * {@code (A^T B^T) s}: the BERT encoder's training step and merge.
     */
    ND4J;

    private void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha,
                      double beta) {
        if (this == DIRECT) {
            Gemm.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        } else {
            Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        }
    }

    /**
     * The order {@code Nd4j.gemm(a, b, ...)} gives the product it allocates: {@code 'c'} when both
     * operands are row-major, else {@code 'f'}. The layout of an operand decides how BLAS sums, so a
     * caller of {@link #ND4J} allocates the intermediate arrays {@code h} and {@code g} in this order
     * (of {@code x, A} and of {@code d, B}) to compute what {@code Nd4j.gemm} computed.
     */
    public static char productOrder(INDArray a, INDArray b) {
        return a.ordering() == 'c' && b.ordering() == 'c' ? 'c' : 'f';
    }

    /**
     * The forward pass: {@code h = x A^T} into {@code h} ({@code [n, r]}), then {@code z += s h B^T}.
     *
     * @return {@code h}, which the backward pass needs
     */
    public INDArray forward(INDArray x, INDArray a, INDArray b, double scaling, INDArray h, INDArray z) {
        gemm(x, a, h, false, true, 1.0, 0.0);
        gemm(h, b, z, false, true, scaling, 1.0);
        return h;
    }

    /**
     * The backward pass of the update for {@code d = dL/dz}: {@code dB = s d^T h} into {@code gradientB},
     * {@code g = d B} into {@code g} ({@code [n, r]}), {@code dA = s g^T x} into {@code gradientA}
     * (either gradient skipped when {@code null}).
     *
     * @param x the update's input, as the forward pass had it (after any dropout)
     * @param h the forward pass's {@code x A^T}
     * @return {@code g}, for {@link #inputGradient}
     */
    public INDArray backward(INDArray d, INDArray x, INDArray h, INDArray b, double scaling, INDArray gradientA,
                             INDArray gradientB, INDArray g) {
        if (gradientB != null) {
            gemm(d, h, gradientB, true, false, scaling, 0.0);
        }
        gemm(d, b, g, false, false, 1.0, 0.0);
        if (gradientA != null) {
            gemm(g, x, gradientA, true, false, scaling, 0.0);
        }
        return g;
    }

    /** The update's part of the input gradient: {@code dx += s g A}, {@code g} from {@link #backward}. */
    public void inputGradient(INDArray g, INDArray a, double scaling, INDArray dx) {
        gemm(g, a, dx, false, false, scaling, 1.0);
    }

    /**
     * The update as a weight matrix, {@code out = s A^T B^T + beta out} ({@code [in, out]}): {@code beta}
     * 0 for the update alone, 1 to add it to the weights {@code out} holds (then, with {@link #ND4J},
     * the update is rounded before it is added).
     *
     * @throws IllegalArgumentException for {@link #ND4J} with {@code beta} other than 0 or 1
     */
    public INDArray update(INDArray a, INDArray b, double scaling, INDArray out, double beta) {
        if (this == DIRECT) {
            return Gemm.gemm(a, b, out, true, true, scaling, beta);
        }
        if (beta != 0 && beta != 1) {
            throw new IllegalArgumentException("the update through ND4J is written or added (beta 0 or 1), got beta " + beta);
        }
        INDArray u = a.transpose().mmul(b.transpose()).muli(scaling);
        return beta == 0 ? out.assign(u) : out.addi(u);
    }

    /**
     * The gradients of {@code A} and {@code B} for {@code D = dL/dU} of the weight update
     * ({@code [in, out]}): {@code dA = s B^T D^T} and {@code dB = s D^T A^T}, added to the arrays'
     * contents times {@code beta}.
     */
    public void updateBackward(INDArray d, INDArray a, INDArray b, double scaling, INDArray gradientA,
                               INDArray gradientB, double beta) {
        gemm(b, d, gradientA, true, true, scaling, beta);
        gemm(d, a, gradientB, true, true, scaling, beta);
    }
}

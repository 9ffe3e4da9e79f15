package dev.attune.internal.math;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import org.nd4j.linalg.api.blas.Level3;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix product of Attune's own layers, {@code c = alpha op(a) op(b) + beta c}, as
 * {@link Nd4j#gemm(INDArray, INDArray, INDArray, boolean, boolean, double, double)} computes it.
 *
 * <p>On ND4J's CPU backend it calls the BLAS {@code sgemm}/{@code dgemm} that ND4J's own matmul op
 * ends in, directly: the op's per-call bookkeeping (an op object, its arguments, a native context,
 * shape checks) costs about 25 us, which is a third of a rank-8 product at batch 128. On any other
 * backend (CUDA), or for arrays BLAS cannot take as they lie, it runs {@code Nd4j.gemm}.
 *
 * <p>BLAS takes 2-D arrays with unit stride along one axis: row- or column-major, their views along
 * the other axis and their transposes.
 */
public final class Gemm {
    /** {@code CpuLevel3.sgemm} and {@code dgemm}: ND4J's column-major BLAS entry points on the CPU backend. */
    private static final MethodHandle SGEMM;
    private static final MethodHandle DGEMM;
    private static final Level3 LEVEL3;

    static {
        Level3 level3 = null;
        MethodHandle s = null;
        MethodHandle d = null;
        try {
            level3 = Nd4j.getBlasWrapper().level3();
            if (level3.getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.blas.CpuLevel3")) {
                s = handle(level3.getClass(), "sgemm", float.class);
                d = handle(level3.getClass(), "dgemm", double.class);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            s = null;
            d = null;
        }
        LEVEL3 = level3;
        SGEMM = s;
        DGEMM = d;
    }

    private Gemm() {
    }

    /** Whether products go to BLAS directly (ND4J's CPU backend). */
    static boolean direct() {
        return SGEMM != null;
    }

    private static MethodHandle handle(Class<?> type, String name, Class<?> scalar) throws ReflectiveOperationException {
        Method m = type.getDeclaredMethod(name, char.class, char.class, char.class, int.class, int.class, int.class,
                scalar, INDArray.class, int.class, INDArray.class, int.class, scalar, INDArray.class, int.class);
        m.setAccessible(true);
        return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(void.class, Level3.class, char.class,
                char.class, char.class, int.class, int.class, int.class, scalar, INDArray.class, int.class,
                INDArray.class, int.class, scalar, INDArray.class, int.class));
    }

    /**
     * {@code c = alpha op(a) op(b) + beta c}, {@code op} transposing when asked; returns {@code c}.
     */
    public static INDArray gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
                                double alpha, double beta) {
        DataType type = c.dataType();
        MethodHandle blas = type == DataType.FLOAT ? SGEMM : type == DataType.DOUBLE ? DGEMM : null;
        long lda = leading(a);
        long ldb = leading(b);
        long ldc = leading(c);
        if (blas == null || a.dataType() != type || b.dataType() != type || lda == 0 || ldb == 0 || ldc == 0
                || (transposeA ? a.size(1) : a.size(0)) != c.size(0) || (transposeB ? b.size(0) : b.size(1)) != c.size(1)
                || (transposeA ? a.size(0) : a.size(1)) != (transposeB ? b.size(1) : b.size(0))
                || a.length() == 0 || b.length() == 0 || c.length() == 0
                || Math.max(a.length(), Math.max(b.length(), c.length())) > Integer.MAX_VALUE) {
            return Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        }
        if (ldc < 0) {
            // A row-major c is c^T in column-major order: c^T = op(b)^T op(a)^T.
            call(blas, type, b, ldb, !transposeB, a, lda, !transposeA, c, -ldc, c.size(1), c.size(0), alpha, beta);
        } else {
            call(blas, type, a, lda, transposeA, b, ldb, transposeB, c, ldc, c.size(0), c.size(1), alpha, beta);
        }
        return c;
    }

    /** Column-major {@code c [m, n] = alpha op(a) op(b) + beta c}; a negative leading dimension marks a row-major operand. */
    private static void call(MethodHandle blas, DataType type, INDArray a, long lda, boolean transposeA, INDArray b,
                             long ldb, boolean transposeB, INDArray c, long ldc, long m, long n, double alpha, double beta) {
        // A row-major operand is its transpose in column-major order.
        char opA = transposeA != (lda < 0) ? 'T' : 'N';
        char opB = transposeB != (ldb < 0) ? 'T' : 'N';
        int k = (int) (transposeA ? a.size(0) : a.size(1));
        try {
            if (type == DataType.FLOAT) {
                blas.invokeExact(LEVEL3, 'f', opA, opB, (int) m, (int) n, k, (float) alpha, a, (int) Math.abs(lda), b,
                        (int) Math.abs(ldb), (float) beta, c, (int) ldc);
            } else {
                blas.invokeExact(LEVEL3, 'f', opA, opB, (int) m, (int) n, k, alpha, a, (int) Math.abs(lda), b,
                        (int) Math.abs(ldb), beta, c, (int) ldc);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The leading dimension of a 2-D operand as BLAS reads it: positive for column-major (unit row
     * stride), negative for row-major (unit column stride), 0 when neither.
     */
    private static long leading(INDArray x) {
        if (x.rank() != 2) {
            return 0;
        }
        long rows = x.size(0);
        long cols = x.size(1);
        if (x.stride(0) == 1 && (cols == 1 || x.stride(1) >= rows)) {
            return Math.max(Math.max(rows, 1), cols == 1 ? rows : x.stride(1));
        }
        if (x.stride(1) == 1 && (rows == 1 || x.stride(0) >= cols)) {
            return -Math.max(Math.max(cols, 1), rows == 1 ? cols : x.stride(0));
        }
        return 0;
    }
}

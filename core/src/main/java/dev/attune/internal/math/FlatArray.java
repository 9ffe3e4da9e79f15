package dev.attune.internal.math;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A contiguous, c-ordered float or double array read and written element by element from Java (through
 * its native buffer, no copy) and handed to BLAS at any element offset: the substrate of passes that do
 * their row work in plain loops and their products in row-major {@code sgemm}/{@code dgemm} (and
 * {@code sgemv}/{@code dgemv}) calls
 * (OpenBLAS through JavaCPP's {@code openblas_nolapack}, the entry points ND4J's CPU backend calls,
 * found at run time as the backend brings them), without an ND4J op or a view per call.
 *
 * <p>Elements are read and written as {@code double}; a float array rounds on write.
 */
public abstract sealed class FlatArray permits FlatArray.Floats, FlatArray.Doubles {
    /** CBLAS's constants. */
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final MethodHandle SGEMM = blas("cblas_sgemm", gemmType(float.class, FloatPointer.class));
    private static final MethodHandle DGEMM = blas("cblas_dgemm", gemmType(double.class, DoublePointer.class));
    private static final MethodHandle SGEMV = blas("cblas_sgemv", gemvType(float.class, FloatPointer.class));
    private static final MethodHandle DGEMV = blas("cblas_dgemv", gemvType(double.class, DoublePointer.class));

    /** {@code cblas_?gemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)}. */
    private static MethodType gemmType(Class<?> scalar, Class<?> pointer) {
        return MethodType.methodType(void.class, int.class, int.class, int.class, int.class, int.class, int.class,
                scalar, pointer, int.class, pointer, int.class, scalar, pointer, int.class);
    }

    /** {@code cblas_?gemv(order, trans, m, n, alpha, a, lda, x, incX, beta, y, incY)}. */
    private static MethodType gemvType(Class<?> scalar, Class<?> pointer) {
        return MethodType.methodType(void.class, int.class, int.class, int.class, int.class, scalar, pointer, int.class,
                pointer, int.class, scalar, pointer, int.class);
    }

    private static MethodHandle blas(String name, MethodType type) {
        try {
            Class<?> openblas = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            return MethodHandles.publicLookup().findStatic(openblas, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("ND4J's CPU backend (nd4j-native with OpenBLAS) is needed for " + name
                    + ": " + e);
        }
    }

    /** Whether ND4J runs on its CPU backend, whose OpenBLAS the products call. */
    public static boolean available() {
        return org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getName().contains("CpuBackend");
    }

    /** The array it wraps. */
    private final INDArray array;

    private FlatArray(INDArray array) {
        this.array = array;
    }

    /**
     * Wraps an array of a float or double type laid out contiguously in c order (a fresh array, or a
     * contiguous view such as a model's tensor inside its parameter vector; a vector view in either
     * order, as its elements lie one after the other).
     *
     * @throws IllegalArgumentException for another type or layout
     */
    public static FlatArray of(INDArray array) {
        if (array.length() > 0 && (array.ordering() != 'c' && array.rank() > 1 && !array.isVector()
                || array.elementWiseStride() != 1 || !contiguous(array))) {
            throw new IllegalArgumentException("a flat array needs a contiguous c-ordered array, got shape "
                    + java.util.Arrays.toString(array.shape()) + " strides " + java.util.Arrays.toString(array.stride())
                    + "; dup('c') it first");
        }
        if (array.dataType() == DataType.FLOAT) {
            return new Floats(array);
        }
        if (array.dataType() == DataType.DOUBLE) {
            return new Doubles(array);
        }
        throw new IllegalArgumentException("a flat array is FLOAT or DOUBLE, got " + array.dataType());
    }

    private static boolean contiguous(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) > 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    /** A new contiguous c-ordered array of that type and shape, its contents undefined, outside any workspace. */
    public static FlatArray create(DataType type, long... shape) {
        return of(org.nd4j.linalg.factory.Nd4j.createUninitializedDetached(type, 'c', shape));
    }

    /** The wrapped array. */
    public INDArray array() {
        return array;
    }

    /** Element {@code i} in c order. */
    public abstract double get(int i);

    /** Sets element {@code i} in c order (rounded to float in a float array). */
    public abstract void set(int i, double v);

    /** Elements {@code [at, at + n)} into {@code dst[0, n)}. */
    public abstract void read(int at, double[] dst, int n);

    /** {@code src[0, n)} into elements {@code [at, at + n)} (rounded to float in a float array). */
    public abstract void write(int at, double[] src, int n);

    /**
     * Row-major {@code c[m, n] = alpha op(a)[m, k] op(b)[k, n] + beta c}, each operand starting at an
     * element offset of its array with its leading dimension (the distance between its rows); all three
     * of one type.
     */
    public static void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, double alpha, FlatArray a,
                            long aOffset, int lda, FlatArray b, long bOffset, int ldb, double beta, FlatArray c,
                            long cOffset, int ldc) {
        int opA = transposeA ? TRANS : NO_TRANS;
        int opB = transposeB ? TRANS : NO_TRANS;
        try {
            if (c instanceof Floats fc) {
                SGEMM.invokeExact(ROW_MAJOR, opA, opB, m, n, k, (float) alpha, ((Floats) a).at(aOffset), lda,
                        ((Floats) b).at(bOffset), ldb, (float) beta, fc.at(cOffset), ldc);
            } else {
                DGEMM.invokeExact(ROW_MAJOR, opA, opB, m, n, k, alpha, ((Doubles) a).at(aOffset), lda,
                        ((Doubles) b).at(bOffset), ldb, beta, ((Doubles) c).at(cOffset), ldc);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Row-major {@code y[m'] = alpha op(a) x + beta y}, where {@code a} is {@code m} rows of {@code n} at
     * {@code aOffset} with leading dimension {@code lda}, {@code op} transposing when asked (then
     * {@code x} has {@code m} elements and {@code y} {@code n}, else {@code n} and {@code m}); {@code x} and
     * {@code y} contiguous from their offsets; all three of one type. One BLAS call, no ND4J op or view.
     */
    public static void gemv(boolean transpose, int m, int n, double alpha, FlatArray a, long aOffset, int lda,
                            FlatArray x, long xOffset, double beta, FlatArray y, long yOffset) {
        int op = transpose ? TRANS : NO_TRANS;
        try {
            if (y instanceof Floats fy) {
                SGEMV.invokeExact(ROW_MAJOR, op, m, n, (float) alpha, ((Floats) a).at(aOffset), lda,
                        ((Floats) x).at(xOffset), 1, (float) beta, fy.at(yOffset), 1);
            } else {
                DGEMV.invokeExact(ROW_MAJOR, op, m, n, alpha, ((Doubles) a).at(aOffset), lda,
                        ((Doubles) x).at(xOffset), 1, beta, ((Doubles) y).at(yOffset), 1);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** A float array. */
    public static final class Floats extends FlatArray {
        private final FloatBuffer data;
        private final int base;
        private final FloatPointer pointer;

        private Floats(INDArray array) {
            super(array);
            // The NIO view spans the whole underlying buffer (a view's offset not applied); the pointer starts at the view.
            this.data = array.data().asNioFloat();
            this.base = (int) array.offset();
            this.pointer = (FloatPointer) array.data().addressPointer();
        }

        @Override
        public double get(int i) {
            return data.get(base + i);
        }

        @Override
        public void set(int i, double v) {
            data.put(base + i, (float) v);
        }

        @Override
        public void read(int at, double[] dst, int n) {
            FloatBuffer d = data;
            int from = base + at;
            for (int j = 0; j < n; j++) {
                dst[j] = d.get(from + j);
            }
        }

        @Override
        public void write(int at, double[] src, int n) {
            FloatBuffer d = data;
            int from = base + at;
            for (int j = 0; j < n; j++) {
                d.put(from + j, (float) src[j]);
            }
        }

        /** Elements {@code [at, at + n)} into {@code dst[0, n)}, as they are. */
        public void read(int at, float[] dst, int n) {
            data.get(base + at, dst, 0, n);
        }

        /** {@code src[0, n)} into elements {@code [at, at + n)}. */
        public void write(int at, float[] src, int n) {
            data.put(base + at, src, 0, n);
        }

        FloatPointer at(long offset) {
            return new FloatPointer(pointer).position(pointer.position() + offset);
        }
    }

    /** A double array. */
    public static final class Doubles extends FlatArray {
        private final DoubleBuffer data;
        private final int base;
        private final DoublePointer pointer;

        private Doubles(INDArray array) {
            super(array);
            this.data = array.data().asNioDouble();
            this.base = (int) array.offset();
            this.pointer = (DoublePointer) array.data().addressPointer();
        }

        @Override
        public double get(int i) {
            return data.get(base + i);
        }

        @Override
        public void set(int i, double v) {
            data.put(base + i, v);
        }

        @Override
        public void read(int at, double[] dst, int n) {
            data.get(base + at, dst, 0, n);
        }

        @Override
        public void write(int at, double[] src, int n) {
            data.put(base + at, src, 0, n);
        }

        DoublePointer at(long offset) {
            return new DoublePointer(pointer).position(pointer.position() + offset);
        }
    }
}

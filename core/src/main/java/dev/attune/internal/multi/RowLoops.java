package dev.attune.internal.multi;

/**
 * The low-rank update of one row in plain Java loops: {@code delta += (x A^T) sB^T}, with {@code A} as
 * its {@code r} rows of {@code in} ({@code [r, in]}, row-major) and {@code sB^T} as {@code r} rows of
 * {@code out} with the adapter's scaling folded in. The {@code r} dot products run four at a time in one
 * pass over {@code x}, each as two sums (even and odd elements), so eight independent chains of additions
 * run at once; the {@code r} scaled additions into {@code delta} run four rows
 * of {@code sB^T} per pass, a loop the JIT vectorises. A row costs {@code r (in + out)} multiply-adds and
 * no call into native code, so a batch's cost does not grow with the number of adapters in it.
 */
public final class RowLoops {
    private RowLoops() {
    }

    /**
     * Adds row {@code xRow}'s update into row {@code dRow} of {@code delta} (rows of {@code out}).
     *
     * @param x rows of {@code in}, row-major
     * @param a {@code A}, {@code r} rows of {@code in}
     * @param sbt {@code s B^T}, {@code r} rows of {@code out}
     * @param h scratch of at least {@code r}
     */
    public static void add(float[] x, int xRow, int in, float[] a, float[] sbt, int r, float[] delta, int dRow,
                           int out, float[] h) {
        int xo = xRow * in;
        int j = 0;
        for (; j + 3 < r; j += 4) {
            int a0 = j * in;
            int a1 = a0 + in;
            int a2 = a1 + in;
            int a3 = a2 + in;
            // Two sums per row (even and odd k): eight independent chains keep the adder busy.
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float t0 = 0;
            float t1 = 0;
            float t2 = 0;
            float t3 = 0;
            int k = 0;
            for (; k + 1 < in; k += 2) {
                float v = x[xo + k];
                float w = x[xo + k + 1];
                s0 += a[a0 + k] * v;
                s1 += a[a1 + k] * v;
                s2 += a[a2 + k] * v;
                s3 += a[a3 + k] * v;
                t0 += a[a0 + k + 1] * w;
                t1 += a[a1 + k + 1] * w;
                t2 += a[a2 + k + 1] * w;
                t3 += a[a3 + k + 1] * w;
            }
            if (k < in) {
                float v = x[xo + k];
                s0 += a[a0 + k] * v;
                s1 += a[a1 + k] * v;
                s2 += a[a2 + k] * v;
                s3 += a[a3 + k] * v;
            }
            h[j] = s0 + t0;
            h[j + 1] = s1 + t1;
            h[j + 2] = s2 + t2;
            h[j + 3] = s3 + t3;
        }
        for (; j < r; j++) {
            int a0 = j * in;
            float s0 = 0;
            for (int k = 0; k < in; k++) {
                s0 += a[a0 + k] * x[xo + k];
            }
            h[j] = s0;
        }
        int d = dRow * out;
        j = 0;
        for (; j + 3 < r; j += 4) {
            float h0 = h[j];
            float h1 = h[j + 1];
            float h2 = h[j + 2];
            float h3 = h[j + 3];
            int b0 = j * out;
            int b1 = b0 + out;
            int b2 = b1 + out;
            int b3 = b2 + out;
            for (int o = 0; o < out; o++) {
                delta[d + o] += h0 * sbt[b0 + o] + h1 * sbt[b1 + o] + h2 * sbt[b2 + o] + h3 * sbt[b3 + o];
            }
        }
        for (; j < r; j++) {
            float h0 = h[j];
            int b0 = j * out;
            for (int o = 0; o < out; o++) {
                delta[d + o] += h0 * sbt[b0 + o];
            }
        }
    }

    /** {@link #add(float[], int, int, float[], float[], int, float[], int, int, float[])} in double precision. */
    public static void add(double[] x, int xRow, int in, double[] a, double[] sbt, int r, double[] delta, int dRow,
                           int out, double[] h) {
        int xo = xRow * in;
        int j = 0;
        for (; j + 3 < r; j += 4) {
            int a0 = j * in;
            int a1 = a0 + in;
            int a2 = a1 + in;
            int a3 = a2 + in;
            // Two sums per row (even and odd k): eight independent chains keep the adder busy.
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double t0 = 0;
            double t1 = 0;
            double t2 = 0;
            double t3 = 0;
            int k = 0;
            for (; k + 1 < in; k += 2) {
                double v = x[xo + k];
                double w = x[xo + k + 1];
                s0 += a[a0 + k] * v;
                s1 += a[a1 + k] * v;
                s2 += a[a2 + k] * v;
                s3 += a[a3 + k] * v;
                t0 += a[a0 + k + 1] * w;
                t1 += a[a1 + k + 1] * w;
                t2 += a[a2 + k + 1] * w;
                t3 += a[a3 + k + 1] * w;
            }
            if (k < in) {
                double v = x[xo + k];
                s0 += a[a0 + k] * v;
                s1 += a[a1 + k] * v;
                s2 += a[a2 + k] * v;
                s3 += a[a3 + k] * v;
            }
            h[j] = s0 + t0;
            h[j + 1] = s1 + t1;
            h[j + 2] = s2 + t2;
            h[j + 3] = s3 + t3;
        }
        for (; j < r; j++) {
            int a0 = j * in;
            double s0 = 0;
            for (int k = 0; k < in; k++) {
                s0 += a[a0 + k] * x[xo + k];
            }
            h[j] = s0;
        }
        int d = dRow * out;
        j = 0;
        for (; j + 3 < r; j += 4) {
            double h0 = h[j];
            double h1 = h[j + 1];
            double h2 = h[j + 2];
            double h3 = h[j + 3];
            int b0 = j * out;
            int b1 = b0 + out;
            int b2 = b1 + out;
            int b3 = b2 + out;
            for (int o = 0; o < out; o++) {
                delta[d + o] += h0 * sbt[b0 + o] + h1 * sbt[b1 + o] + h2 * sbt[b2 + o] + h3 * sbt[b3 + o];
            }
        }
        for (; j < r; j++) {
            double h0 = h[j];
            int b0 = j * out;
            for (int o = 0; o < out; o++) {
                delta[d + o] += h0 * sbt[b0 + o];
            }
        }
    }
}

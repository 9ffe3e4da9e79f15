package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;

/**
 * The element and row functions of the written-out encoder passes: {@code erf} and {@code exp} to float
 * accuracy in float, GELU and its derivative, softmax and its backward pass, the layer norm of
 * a row, and row copies between flat arrays and scratch rows (a float array in one bulk copy).
 */
final class RowMath {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 x 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low bits. */
    private static final float ROUNDER = 12582912f;

    private RowMath() {
    }

    /**
     * {@code erf(x)} to float accuracy without {@code exp}, in float: the rational fit on {@code [-4, 4]}
     * that Eigen and TensorFlow use for float ({@code x P(x^2) / Q(x^2)}), saturating to 1 beyond.
     */
    static float erf(float x) {
        float z = Math.max(-4f, Math.min(4f, x));
        float z2 = z * z;
        float p = -2.72614225801306e-10f;
        p = p * z2 + 2.77068142495902e-08f;
        p = p * z2 - 2.10102402082508e-06f;
        p = p * z2 - 5.69250639462346e-05f;
        p = p * z2 - 7.34990630326855e-04f;
        p = p * z2 - 2.95459980854025e-03f;
        p = p * z2 - 1.60960333262415e-02f;
        float q = -1.45660718464996e-05f;
        q = q * z2 - 2.13374055278905e-04f;
        q = q * z2 - 1.68282697438203e-03f;
        q = q * z2 - 7.37332916720468e-03f;
        q = q * z2 - 1.42647390514189e-02f;
        return z * p / q;
    }

    /*
     * The float kernels below are written as runs of simple loops over whole rows, each of which the JIT
     * compiles to vector instructions; one loop doing all of it runs about ten times slower.
     */

    /** {@code z += bias}, {@code e = erf(z c)} and {@code y = (e + 1) z / 2} over {@code [0, n)}, in float (GELU with {@code c = 1 / sqrt 2}). */
    static void gelu(float[] z, float[] bias, float[] e, float[] y, int n, float c) {
        for (int j = 0; j < n; j++) {
            z[j] += bias[j];
        }
        for (int j = 0; j < n; j++) {
            e[j] = erf(z[j] * c);
        }
        for (int j = 0; j < n; j++) {
            y[j] = (e[j] + 1) * z[j] * 0.5f;
        }
    }

    /**
     * {@code d *= (1 + e) / 2 + z exp(-z^2 / 2) / sqrt(2 pi)} over {@code [0, n)}, in float: GELU's
     * derivative at {@code z}, {@code e = erf(z / sqrt 2)}; {@code u} and {@code k} are scratch.
     */
    static void geluBackward(float[] d, float[] z, float[] e, int n, float[] u, float[] k) {
        float density = (float) (1 / Math.sqrt(2 * Math.PI));
        for (int j = 0; j < n; j++) {
            u[j] = -0.5f * z[j] * z[j];
        }
        exp(u, n, k);
        for (int j = 0; j < n; j++) {
            d[j] *= (1 + e[j]) * 0.5f + z[j] * u[j] * density;
        }
    }

    /**
     * {@code x = e^x} over {@code [0, n)} to float accuracy, in float (Cephes' {@code expf}:
     * {@code x = k ln 2 + r}, a degree-6 polynomial in {@code r}, scaled by {@code 2^k}; the arguments
     * clamped to {@code [-87.3, 88.3]}, float's normal range); {@code k} is scratch.
     */
    static void exp(float[] x, int n, float[] k) {
        for (int j = 0; j < n; j++) {
            float v = Math.max(-87.3f, Math.min(88.3f, x[j]));
            float kf = (v * LOG2E + ROUNDER) - ROUNDER;
            float r = v - kf * LN2_HI - kf * LN2_LO;
            float p = 1.9875691500e-4f;
            p = p * r + 1.3981999507e-3f;
            p = p * r + 8.3334519073e-3f;
            p = p * r + 4.1665795894e-2f;
            p = p * r + 1.6666665459e-1f;
            p = p * r + 5.0000001201e-1f;
            x[j] = p * r * r + r + 1f;
            k[j] = kf;
        }
        for (int j = 0; j < n; j++) {
            x[j] *= Float.intBitsToFloat(((int) k[j] + 127) << 23);
        }
    }

    /** Softmax of {@code row[0, n)} in place, in float; {@code k} is scratch. */
    static void softmax(float[] row, int n, float[] k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, row[j]);
        }
        for (int j = 0; j < n; j++) {
            row[j] -= max;
        }
        exp(row, n, k);
        float sum = 0;
        for (int j = 0; j < n; j++) {
            sum += row[j];
        }
        float inv = 1 / sum;
        for (int j = 0; j < n; j++) {
            row[j] *= inv;
        }
    }

    /** {@code x = (x + bias) + residual} over {@code [0, n)}, in float. */
    static void addBiasResidual(float[] x, float[] bias, float[] residual, int n) {
        for (int j = 0; j < n; j++) {
            x[j] = (x[j] + bias[j]) + residual[j];
        }
    }

    /**
     * Normalises {@code x[0, n)} in place to zero mean and unit (biased) variance, in float with the
     * statistics in double, and returns the reciprocal standard deviation.
     */
    static float normalise(float[] x, int n, double eps) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += x[j];
        }
        float mean = (float) (sum / n);
        double squares = 0;
        for (int j = 0; j < n; j++) {
            float d = x[j] - mean;
            squares += d * d;
        }
        float rstd = (float) (1 / Math.sqrt(squares / n + eps));
        for (int j = 0; j < n; j++) {
            x[j] = (x[j] - mean) * rstd;
        }
        return rstd;
    }

    /** {@code out = x gain + beta} over {@code [0, n)}, in float: a layer norm's scale and shift. */
    static void affine(float[] x, float[] gain, float[] beta, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = x[j] * gain[j] + beta[j];
        }
    }

    /**
     * A layer norm's backward pass over {@code [0, n)} in place, in float: {@code d} (the output's
     * gradient) becomes the input's, {@code rstd (dn - mean(dn) - x mean(dn x))} with
     * {@code dn = d gain} and {@code x} the normalised input.
     */
    static void normBackward(float[] d, float[] x, float[] gain, int n, float rstd) {
        for (int j = 0; j < n; j++) {
            d[j] *= gain[j];
        }
        double sumD = 0;
        double sumDx = 0;
        for (int j = 0; j < n; j++) {
            sumD += d[j];
            sumDx += d[j] * x[j];
        }
        float meanD = (float) (sumD / n);
        float meanDx = (float) (sumDx / n);
        for (int j = 0; j < n; j++) {
            d[j] = (d[j] - meanD - x[j] * meanDx) * rstd;
        }
    }

    /** Softmax's backward pass over {@code [0, n)}, in place: {@code d = p (d - sum(p d)) scale}. */
    static void softmaxBackward(float[] d, float[] p, int n, float scale) {
        double dot = 0;
        for (int j = 0; j < n; j++) {
            dot += d[j] * p[j];
        }
        float m = (float) dot;
        for (int j = 0; j < n; j++) {
            d[j] = p[j] * (d[j] - m) * scale;
        }
    }

    /** Softmax of {@code row[0, width)} in place, in double. */
    static void softmax(double[] row, int width) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, row[j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            double e = Math.exp(row[j] - max);
            row[j] = e;
            sum += e;
        }
        for (int j = 0; j < width; j++) {
            row[j] /= sum;
        }
    }

    /** The layer norm of {@code row[0, width)} in place (biased variance, as PyTorch's). */
    static void layerNorm(double[] row, int width, double[] gain, double[] beta, double eps) {
        normalise(row, width, eps);
        for (int j = 0; j < width; j++) {
            row[j] = row[j] * gain[j] + beta[j];
        }
    }

    /**
     * Normalises {@code row[0, width)} in place to zero mean and unit (biased) variance and returns the
     * reciprocal standard deviation.
     */
    static double normalise(double[] row, int width, double eps) {
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += row[j];
        }
        double mean = sum / width;
        double squares = 0;
        for (int j = 0; j < width; j++) {
            double d = row[j] - mean;
            squares += d * d;
        }
        double rstd = 1 / Math.sqrt(squares / width + eps);
        for (int j = 0; j < width; j++) {
            row[j] = (row[j] - mean) * rstd;
        }
        return rstd;
    }

    /**
     * A token's embedding before its layer norm into {@code s.a}: (word row {@code id} + position row
     * {@code position}) + {@code type}, rounded to float where the graph rounds when {@code f}.
     */
    static void embedding(FlatArray words, FlatArray positions, double[] type, int id, int position, int h,
                          boolean f, RowThreads.Scratch s) {
        double[] x = s.a;
        double[] p = s.b;
        read(words, id * h, x, h, s.f);
        read(positions, position * h, p, h, s.f);
        for (int j = 0; j < h; j++) {
            x[j] = round(round(x[j] + p[j], f) + type[j], f);
        }
    }

    /** The values rounded to float. */
    static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = (float) v[j];
        }
        return out;
    }

    /** Elements {@code [at, at + n)} of {@code x} into {@code dst[0, n)}, a float array in one bulk copy via {@code f}. */
    static void read(FlatArray x, int at, double[] dst, int n, float[] f) {
        if (x instanceof FlatArray.Floats fx) {
            fx.read(at, f, n);
            for (int j = 0; j < n; j++) {
                dst[j] = f[j];
            }
        } else {
            x.read(at, dst, n);
        }
    }

    /** {@code src[0, n)} into elements {@code [at, at + n)} of {@code x}, a float array in one bulk copy via {@code f}. */
    static void write(FlatArray x, int at, double[] src, int n, float[] f) {
        if (x instanceof FlatArray.Floats fx) {
            for (int j = 0; j < n; j++) {
                f[j] = (float) src[j];
            }
            fx.write(at, f, n);
        } else {
            x.write(at, src, n);
        }
    }

    /** A value rounded to float when {@code f}, where the graph rounds between two operations. */
    static double round(double v, boolean f) {
        return f ? (float) v : v;
    }
}

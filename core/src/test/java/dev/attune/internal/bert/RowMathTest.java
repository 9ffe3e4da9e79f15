package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float kernels of the written-out passes against the same functions in double. */
class RowMathTest {
    @Test
    void floatExpIsWithinAFewUlpsOfExp() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -87f + i * (175f / (n - 1)); // float's normal range
        }
        float[] y = x.clone();
        RowMath.exp(y, n, new float[n]);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(y[i] - Math.exp(x[i])) / Math.exp(x[i]));
        }
        assertThat(worst).isLessThan(2.5e-7); // two float ulps
        float[] far = {-1e4f, -100f, Float.NEGATIVE_INFINITY};
        RowMath.exp(far, 3, new float[3]);
        for (float v : far) {
            assertThat(v).isBetween(0f, 2e-38f); // a mask's scores vanish
        }
    }

    @Test
    void geluAndItsDerivativeEqualTheirDoubleFormulas() {
        Random rng = new Random(1);
        int n = 4099;
        float[] z = new float[n];
        float[] bias = new float[n];
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (rng.nextGaussian() * 4);
            bias[i] = (float) rng.nextGaussian();
            d[i] = (float) rng.nextGaussian();
        }
        float[] zb = z.clone();
        float[] e = new float[n];
        float[] y = new float[n];
        RowMath.gelu(zb, bias, e, y, n, (float) (1 / Math.sqrt(2)));
        float[] dd = d.clone();
        RowMath.geluBackward(dd, zb, e, n, new float[n], new float[n]);
        for (int i = 0; i < n; i++) {
            double v = zb[i];
            double cdf = 0.5 * (1 + erf(v / Math.sqrt(2)));
            assertThat(zb[i]).isEqualTo(z[i] + bias[i]);
            assertThat((double) y[i]).as("gelu(%s)", v).isCloseTo(v * cdf, org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(v))));
            double slope = cdf + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            assertThat((double) dd[i]).as("gelu'(%s)", v).isCloseTo(d[i] * slope,
                    org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(d[i]))));
        }
    }

    @Test
    void floatSoftmaxAndItsBackwardPassEqualDouble() {
        Random rng = new Random(2);
        int n = 37;
        float[] row = new float[n];
        float[] mask = new float[n];
        double[] rowD = new double[n];
        double[] maskD = new double[n];
        for (int j = 0; j < n; j++) {
            row[j] = (float) (rng.nextGaussian() * 5);
            rowD[j] = row[j];
            mask[j] = j > 30 ? -10000f : 0f;
            maskD[j] = mask[j];
        }
        for (int j = 0; j < n; j++) { // the mask added as the graph adds it
            row[j] += mask[j];
            rowD[j] += maskD[j];
        }
        RowMath.softmax(row, n, new float[n]);
        RowMath.softmax(rowD, n);
        for (int j = 0; j < n; j++) {
            assertThat((double) row[j]).isCloseTo(rowD[j], org.assertj.core.data.Offset.offset(1e-7));
        }
        assertThat(row[n - 1]).isLessThan(1e-30f);
        float[] d = new float[n];
        double dot = 0;
        for (int j = 0; j < n; j++) {
            d[j] = (float) rng.nextGaussian();
            dot += d[j] * rowD[j];
        }
        float[] expected = new float[n];
        for (int j = 0; j < n; j++) {
            expected[j] = (float) (rowD[j] * (d[j] - dot) * 0.25);
        }
        RowMath.softmaxBackward(d, row, n, 0.25f);
        for (int j = 0; j < n; j++) {
            assertThat((double) d[j]).isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** erf to double accuracy (Abramowitz and Stegun 7.1.26 is too coarse): the series and continued fraction. */
    private static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double sum = a;
            double term = a;
            for (int k = 1; k < 200; k++) {
                term *= -a * a / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(a) = exp(-a^2) / sqrt(pi) * 1 / (a + 1/2 / (a + 1 / (a + 3/2 / (a + ...)))).
            double f = a;
            for (int k = 60; k >= 1; k--) {
                f = a + k / 2.0 / f;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}

package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.LayerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assertions on a network's weights for a host application's test suite, without a test framework:
 * a failure is a plain {@link AssertionError}.
 *
 * <pre>{@code
 * WeightAssertions.assertThat(again).hasSameWeightsAs(result);
 * WeightAssertions.assertThat(loaded).hasWeightsWithin(result.model(), 1e-6);
 * }</pre>
 *
 * The networks are compared tensor by tensor, by the names {@link dev.attune.spi.ModelHandle#parameters()}
 * gives ({@code <layer>.<parameter>}), so it works for every family: DL4J multi-layer networks and
 * computation graphs, and BERT encoders. A failure names a structural mismatch (other layers, other
 * tensors, another shape or data type), or how many values differ and the largest difference: its
 * layer, parameter, index and both values.
 */
public final class WeightAssertions {
    private final Network actual;

    private WeightAssertions(Network actual) {
        this.actual = actual;
    }

    /** Assertions on the weights of a network. */
    public static WeightAssertions assertThat(Network actual) {
        return new WeightAssertions(requireNonNull(actual, "actual"));
    }

    /** Assertions on the weights of a result's model ({@link FineTuneResult#model()}). */
    public static WeightAssertions assertThat(FineTuneResult actual) {
        return assertThat(requireNonNull(actual, "actual").model());
    }

    /**
     * Every weight equals the other network's bit for bit (as its {@link Network#fingerprint()} would
     * say; {@code 0.0} and {@code -0.0} differ, a NaN equals a NaN), with the same layers, tensors,
     * shapes and data types.
     *
     * @throws AssertionError naming the structural mismatch or the largest difference
     */
    public WeightAssertions hasSameWeightsAs(Network expected) {
        compare(requireNonNull(expected, "expected"), -1);
        return this;
    }

    /** {@link #hasSameWeightsAs(Network)} against a result's model. */
    public WeightAssertions hasSameWeightsAs(FineTuneResult expected) {
        return hasSameWeightsAs(requireNonNull(expected, "expected").model());
    }

    /**
     * Every weight is within {@code tolerance} of the other network's ({@code |actual - expected| <=
     * tolerance}; a NaN matches only a NaN), with the same layers, tensors and shapes; the data types
     * may differ (a float network against its double copy).
     *
     * @param tolerance the largest absolute difference allowed, at least 0
     * @throws IllegalArgumentException when the tolerance is negative or NaN
     * @throws AssertionError naming the structural mismatch or the largest difference
     */
    public WeightAssertions hasWeightsWithin(Network expected, double tolerance) {
        requireNonNull(expected, "expected");
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("the tolerance is " + tolerance + "; give an absolute difference of at"
                    + " least 0, such as 1e-6 (0 asks for equal values)");
        }
        compare(expected, tolerance);
        return this;
    }

    /** {@link #hasWeightsWithin(Network, double)} against a result's model. */
    public WeightAssertions hasWeightsWithin(FineTuneResult expected, double tolerance) {
        return hasWeightsWithin(requireNonNull(expected, "expected").model(), tolerance);
    }

    /** The largest difference found so far, where it is, and how many values differ. */
    private static final class Worst {
        String tensor;
        long index = -1;
        long[] shape;
        double actual;
        double expected;
        double difference = -1;
        boolean doubles;
        long values;
        long differing;
        int tensors;

        void offer(String name, long[] shape, long i, double a, double e, double d, boolean doubles) {
            differing++;
            if (d > difference) {
                tensor = name;
                this.shape = shape;
                index = i;
                actual = a;
                expected = e;
                difference = d;
                this.doubles = doubles;
            }
        }
    }

    /** Exact (bitwise) when {@code tolerance} is negative. */
    private void compare(Network expected, double tolerance) {
        boolean exact = tolerance < 0;
        structure(expected, exact);
        Map<String, INDArray> a = actual.handle().parameters();
        Map<String, INDArray> e = expected.handle().parameters();
        Worst worst = new Worst();
        for (Map.Entry<String, INDArray> entry : e.entrySet()) {
            INDArray ta = a.get(entry.getKey());
            INDArray te = entry.getValue();
            double[] va = ta.dup('c').data().asDouble();
            double[] ve = te.dup('c').data().asDouble();
            boolean doubles = ta.dataType() == DataType.DOUBLE || te.dataType() == DataType.DOUBLE;
            long before = worst.differing;
            for (int i = 0; i < ve.length; i++) {
                double x = va[i];
                double y = ve[i];
                boolean bothNaN = Double.isNaN(x) && Double.isNaN(y);
                double d = bothNaN ? 0 : Double.isNaN(x) || Double.isNaN(y) ? Double.POSITIVE_INFINITY : Math.abs(x - y);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;   // infinities of opposite signs
                }
                boolean differs = exact ? Double.compare(x, y) != 0 : !bothNaN && !(d <= tolerance);
                if (differs) {
                    worst.offer(entry.getKey(), te.shape(), i, x, y, d, doubles);
                }
            }
            worst.values += ve.length;
            if (worst.differing > before) {
                worst.tensors++;
            }
        }
        if (worst.differing > 0) {
            throw new AssertionError((exact ? "expected the same weights as the other network, but "
                    : "expected every weight within " + tolerance + " of the other network's, but ")
                    + worst.differing + " of " + worst.values + " values differ" + (exact ? "" : " by more")
                    + " (in " + worst.tensors + " of " + e.size() + " tensors); the largest difference is "
                    + value(worst.difference, worst.doubles) + ", at " + where(worst.tensor) + ", index "
                    + Arrays.toString(indexIn(worst.shape, worst.index)) + ": " + value(worst.actual, worst.doubles)
                    + " (actual) against " + value(worst.expected, worst.doubles) + " (expected)");
        }
    }

    /** Refuses networks of other layers, tensors, shapes or (when exact) data types. */
    private void structure(Network expected, boolean exact) {
        List<String> la = actual.layers().stream().map(LayerInfo::name).toList();
        List<String> le = expected.layers().stream().map(LayerInfo::name).toList();
        if (!la.equals(le)) {
            throw new AssertionError("the networks differ in structure: the actual one has layers " + la
                    + ", the expected one " + le);
        }
        Map<String, INDArray> a = actual.handle().parameters();
        Map<String, INDArray> e = expected.handle().parameters();
        if (!a.keySet().equals(e.keySet())) {
            List<String> onlyActual = new ArrayList<>(a.keySet());
            onlyActual.removeAll(e.keySet());
            List<String> onlyExpected = new ArrayList<>(e.keySet());
            onlyExpected.removeAll(a.keySet());
            throw new AssertionError("the networks differ in structure: parameter tensors only in the actual one "
                    + onlyActual + ", only in the expected one " + onlyExpected);
        }
        for (Map.Entry<String, INDArray> entry : e.entrySet()) {
            INDArray ta = a.get(entry.getKey());
            INDArray te = entry.getValue();
            if (!Arrays.equals(ta.shape(), te.shape())) {
                throw new AssertionError("the networks differ in structure: " + where(entry.getKey()) + " has shape "
                        + Arrays.toString(ta.shape()) + " in the actual one and " + Arrays.toString(te.shape())
                        + " in the expected one");
            }
            if (exact && ta.dataType() != te.dataType()) {
                throw new AssertionError("the networks differ in structure: " + where(entry.getKey()) + " is "
                        + ta.dataType() + " in the actual one and " + te.dataType() + " in the expected one; compare"
                        + " values of other data types with hasWeightsWithin(expected, tolerance)");
            }
        }
    }

    /** {@code layer 'l', parameter 'p'} for a tensor named {@code l.p} after the longest layer name that fits. */
    private String where(String tensor) {
        String layer = null;
        for (LayerInfo l : actual.layers()) {
            if (tensor.startsWith(l.name() + ".") && (layer == null || l.name().length() > layer.length())) {
                layer = l.name();
            }
        }
        return layer == null ? "tensor '" + tensor + "'"
                : "layer '" + layer + "', parameter '" + tensor.substring(layer.length() + 1) + "'";
    }

    /** The index in each dimension of a c-order flat index. */
    private static long[] indexIn(long[] shape, long flat) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            long size = Math.max(shape[d], 1);
            index[d] = flat % size;
            flat /= size;
        }
        return index;
    }

    private static String value(double v, boolean doubles) {
        return doubles ? Double.toString(v) : Float.toString((float) v);
    }
}

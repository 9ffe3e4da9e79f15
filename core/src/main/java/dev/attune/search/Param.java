package dev.attune.search;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One named hyperparameter of a {@link SearchSpace}: a log-uniform or uniform range of doubles, a range
 * of integers, or a choice among values of any type (ranks, a balancer, a schedule object...).
 *
 * <pre>{@code
 * Param.logUniform("lr", 1e-4, 1e-2)
 * Param.uniform("dropout", 0.0, 0.3)
 * Param.intRange("rank", 2, 16)
 * Param.choice("alpha", 8, 16, 32)
 * }</pre>
 *
 * Immutable. Random search draws each value uniformly (log-uniformly for {@link LogUniform}); the grid
 * takes every choice and every integer of a range, or, with {@link Strategy#grid(int) grid(steps)},
 * {@code steps} evenly spaced values of each range.
 */
public sealed interface Param permits Param.LogUniform, Param.Uniform, Param.IntRange, Param.Choice {
    /** The parameter's name, unique within its space. */
    String name();

    /** Whether the values are numbers that a chart draws on an axis (false for a choice of other objects). */
    boolean numeric();

    /** Whether the values spread on a logarithmic scale. */
    default boolean logScale() {
        return false;
    }

    /** One value drawn from {@code rng}. */
    Object sample(SplittableRandom rng);

    /**
     * The grid's values: every choice, every integer of an integer range ({@code steps == 0}), or
     * {@code steps} evenly spaced values of a range (log-spaced for a log-uniform one; for an integer range
     * rounded, repeats dropped).
     *
     * @throws IllegalArgumentException for a range of doubles with {@code steps == 0}
     */
    List<Object> grid(int steps);

    /** The parameter as text, for example {@code logUniform(lr, 1.0E-4, 0.01)}. */
    String describe();

    /** Whether {@code value} is one of the parameter's values: a number in a range, one of a choice's values. */
    default boolean admits(Object value) {
        if (this instanceof Choice c) {
            return c.values().contains(value);
        }
        if (this instanceof IntRange r) {
            return value instanceof Integer i && i >= r.low() && i <= r.high();
        }
        double low = this instanceof LogUniform l ? l.low() : ((Uniform) this).low();
        double high = this instanceof LogUniform l ? l.high() : ((Uniform) this).high();
        return value instanceof Double d && d >= low && d <= high;
    }

    /**
     * Values of {@code name} spread log-uniformly over {@code [low, high]}: right for learning rates and
     * weight decay.
     *
     * @throws IllegalArgumentException when the name is blank, a bound is not positive or not finite, or
     *     {@code low > high}
     */
    static Param logUniform(String name, double low, double high) {
        return new LogUniform(name, low, high);
    }

    /**
     * Values of {@code name} spread uniformly over {@code [low, high]}.
     *
     * @throws IllegalArgumentException when the name is blank, a bound is not finite or {@code low > high}
     */
    static Param uniform(String name, double low, double high) {
        return new Uniform(name, low, high);
    }

    /**
     * The integers from {@code low} to {@code high}, both included.
     *
     * @throws IllegalArgumentException when the name is blank or {@code low > high}
     */
    static Param intRange(String name, int low, int high) {
        return new IntRange(name, low, high);
    }

    /**
     * One of the given values, of any type: numbers, strings, enums, or objects such as a balancer or a
     * schedule. An object is shown by its {@code toString()} when its class defines one, else by its
     * class and position ({@code Lambda #2}).
     *
     * @throws IllegalArgumentException when the name is blank, no value is given or a value repeats
     */
    static Param choice(String name, Object... values) {
        return new Choice(name, List.of(requireNonNull(values, "values")));
    }

    /**
     * A log-uniform range of doubles.
     *
     * @param name the parameter's name
     * @param low the smallest value, above 0
     * @param high the largest value, at least {@code low}
     */
    record LogUniform(String name, double low, double high) implements Param {
        /** Checks the name and the bounds. */
        public LogUniform {
            checkName(name);
            if (!(low > 0) || !(high > 0) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("logUniform(\"" + name + "\", " + low + ", " + high
                        + ") needs finite bounds above 0, as a log scale has no 0 or negative values; use uniform(\""
                        + name + "\", ...) for a range that includes 0 or negative values");
            }
            checkOrder(name, low, high);
        }

        @Override
        public boolean numeric() {
            return true;
        }

        @Override
        public boolean logScale() {
            return true;
        }

        @Override
        public Object sample(SplittableRandom rng) {
            return low == high ? low : Math.exp(Math.log(low) + rng.nextDouble() * (Math.log(high) - Math.log(low)));
        }

        @Override
        public List<Object> grid(int steps) {
            requireSteps(this, steps);
            List<Object> v = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                v.add(steps == 1 ? round(Math.sqrt(low * high)) : i == 0 ? low : i == steps - 1 ? high
                        : round(Math.pow(10, Math.log10(low) + i * (Math.log10(high) - Math.log10(low)) / (steps - 1))));
            }
            return distinct(v);
        }

        @Override
        public String describe() {
            return "logUniform(" + name + ", " + low + ", " + high + ")";
        }
    }

    /**
     * A uniform range of doubles.
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value, at least {@code low}
     */
    record Uniform(String name, double low, double high) implements Param {
        /** Checks the name and the bounds. */
        public Uniform {
            checkName(name);
            if (!Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("uniform(\"" + name + "\", " + low + ", " + high
                        + ") needs finite bounds");
            }
            checkOrder(name, low, high);
        }

        @Override
        public boolean numeric() {
            return true;
        }

        @Override
        public Object sample(SplittableRandom rng) {
            return low == high ? low : low + rng.nextDouble() * (high - low);
        }

        @Override
        public List<Object> grid(int steps) {
            requireSteps(this, steps);
            List<Object> v = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                v.add(steps == 1 ? round((low + high) / 2) : i == 0 ? low : i == steps - 1 ? high
                        : round(low + i * (high - low) / (steps - 1)));
            }
            return distinct(v);
        }

        @Override
        public String describe() {
            return "uniform(" + name + ", " + low + ", " + high + ")";
        }
    }

    /**
     * A range of integers, both bounds included.
     *
     * @param name the parameter's name
     * @param low the smallest value
     * @param high the largest value, at least {@code low}
     */
    record IntRange(String name, int low, int high) implements Param {
        /** Checks the name and the bounds. */
        public IntRange {
            checkName(name);
            checkOrder(name, low, high);
        }

        @Override
        public boolean numeric() {
            return true;
        }

        @Override
        public Object sample(SplittableRandom rng) {
            return (int) (low + rng.nextLong((long) high - low + 1));
        }

        @Override
        public List<Object> grid(int steps) {
            List<Object> v = new ArrayList<>();
            if (steps == 0) {
                for (long i = low; i <= high; i++) {
                    v.add((int) i);
                }
                return v;
            }
            for (int i = 0; i < steps; i++) {
                v.add((int) Math.round(steps == 1 ? (low + (double) high) / 2 : low + i * ((double) high - low) / (steps - 1)));
            }
            return distinct(v);
        }

        @Override
        public String describe() {
            return "intRange(" + name + ", " + low + ", " + high + ")";
        }
    }

    /**
     * A choice among values.
     *
     * @param name the parameter's name
     * @param values the values, at least one, none repeated
     */
    record Choice(String name, List<Object> values) implements Param {
        /** Checks the name and the values, and copies them. */
        public Choice {
            checkName(name);
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("choice(\"" + name + "\") has no value; give at least one, for example"
                        + " choice(\"" + name + "\", 4, 8, 16)");
            }
            if (new LinkedHashSet<>(values).size() != values.size()) {
                throw new IllegalArgumentException("choice(\"" + name + "\", " + values + ") repeats a value; give each"
                        + " value once");
            }
        }

        @Override
        public boolean numeric() {
            return values.stream().allMatch(v -> v instanceof Number);
        }

        @Override
        public Object sample(SplittableRandom rng) {
            return values.get(rng.nextInt(values.size()));
        }

        @Override
        public List<Object> grid(int steps) {
            return values;
        }

        @Override
        public String describe() {
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                labels.add(Point.label(values.get(i), i));
            }
            return "choice(" + name + ", " + String.join(", ", labels) + ")";
        }
    }

    private static void checkName(String name) {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a parameter's name is blank; name it as the mapping reads it, for"
                    + " example \"lr\"");
        }
    }

    private static void checkOrder(String name, double low, double high) {
        if (low > high) {
            throw new IllegalArgumentException("parameter '" + name + "' has low " + low + " above high " + high
                    + "; give the smaller bound first");
        }
    }

    private static void requireSteps(Param p, int steps) {
        if (steps == 0) {
            throw new IllegalArgumentException("parameter '" + p.name() + "' is a range of doubles (" + p.describe()
                    + "), which a plain grid cannot list; use Strategy.grid(steps) for evenly spaced values of each range,"
                    + " or Param.choice(\"" + p.name() + "\", ...) for the values to try");
        }
    }

    /** A grid value to 12 significant digits, so that 1e-3 between 1e-4 and 1e-2 reads 0.001. */
    private static double round(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(12)).doubleValue();
    }

    private static List<Object> distinct(List<Object> values) {
        return List.copyOf(new LinkedHashSet<>(values));
    }

    /** The parameters' names, in order (for messages). */
    static String names(List<Param> params) {
        return Arrays.toString(params.stream().map(Param::name).toArray());
    }
}

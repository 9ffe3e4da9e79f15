package dev.attune.search;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One point of a {@link SearchSpace}: a value for every parameter, and the seed of the trial that runs
 * it. The trial's mapping reads it by name and type:
 *
 * <pre>{@code
 * point -> FineTuner.builder(base)
 *         .adapter(Lora.rank(point.getInt("rank")).alpha(point.getInt("alpha")).targets("dense0"))
 *         .optimizer(Optimizer.adam(point.getDouble("lr")))
 *         .seed(point.seed())
 * }</pre>
 *
 * Immutable; {@link java.io.Serializable}, so that a trial can run on another machine.
 */
public final class Point implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, Object> values;
    private final Map<String, String> labels;
    private final long seed;

    Point(Map<String, Object> values, Map<String, String> labels, long seed) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.seed = seed;
    }

    /** The trial's seed: pass it to the builder's {@code seed(...)} so that the trial's random choices are its own. */
    public long seed() {
        return seed;
    }

    /** Every value by parameter name, in the space's order. */
    public Map<String, Object> values() {
        return values;
    }

    /** Every value as text by parameter name, in the space's order (numbers as Java prints them). */
    public Map<String, String> labels() {
        return labels;
    }

    /**
     * A value as a table shows it: a double to 4 significant digits ({@code 0.004422}), anything else as its
     * {@linkplain #labels() label}.
     *
     * @throws IllegalArgumentException when the space has no parameter of that name
     */
    public String format(String name) {
        Object v = get(name);
        if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
            String s = new java.math.BigDecimal(((Number) v).doubleValue()).round(new java.math.MathContext(4))
                    .stripTrailingZeros().toString();
            return s.contains("E") ? String.format(java.util.Locale.ROOT, "%.3e", ((Number) v).doubleValue()) : s;
        }
        return labels.get(name);
    }

    /**
     * The value of a parameter, of whatever type.
     *
     * @throws IllegalArgumentException when the space has no parameter of that name
     */
    public Object get(String name) {
        requireNonNull(name, "name");
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the search space has no parameter '" + name + "'; its parameters are "
                    + values.keySet() + "; add Param.choice(\"" + name + "\", ...) or a range to the space, or read one of these");
        }
        return v;
    }

    /**
     * The value of a parameter as the given type (a choice of balancers, of schedules...).
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is of another type
     */
    public <T> T get(String name, Class<T> type) {
        requireNonNull(type, "type");
        Object v = get(name);
        if (!type.isInstance(v)) {
            throw wrongType(name, v, type.getSimpleName());
        }
        return type.cast(v);
    }

    /**
     * The value of a numeric parameter as a double (an integer value widens).
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is not a number
     */
    public double getDouble(String name) {
        Object v = get(name);
        if (v instanceof Double || v instanceof Float || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte) {
            return ((Number) v).doubleValue();
        }
        throw wrongType(name, v, "double");
    }

    /**
     * The value of an integer parameter ({@code intRange}, or a choice of {@code Integer}s).
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is not an {@code Integer}
     */
    public int getInt(String name) {
        Object v = get(name);
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        throw wrongType(name, v, "int");
    }

    /**
     * The value of an integer parameter as a long.
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is not an integer
     */
    public long getLong(String name) {
        Object v = get(name);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw wrongType(name, v, "long");
    }

    /**
     * The value of a choice of strings.
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is not a string
     */
    public String getString(String name) {
        return get(name, String.class);
    }

    /**
     * The value of a choice of booleans.
     *
     * @throws IllegalArgumentException when the space has no such parameter or its value is not a boolean
     */
    public boolean getBoolean(String name) {
        return get(name, Boolean.class);
    }

    private IllegalArgumentException wrongType(String name, Object v, String wanted) {
        String getter = v instanceof Double || v instanceof Float ? "getDouble"
                : v instanceof Integer ? "getInt" : v instanceof Long ? "getLong"
                : v instanceof String ? "getString" : v instanceof Boolean ? "getBoolean"
                : "get(\"" + name + "\", " + v.getClass().getSimpleName() + ".class)";
        if (getter.startsWith("get") && !getter.contains("(")) {
            getter = getter + "(\"" + name + "\")";
        }
        return new IllegalArgumentException("parameter '" + name + "' is " + article(v.getClass().getSimpleName()) + " ("
                + labels.get(name) + "), not " + article(wanted) + "; read it with " + getter);
    }

    private static String article(String type) {
        return ("AEIOUaeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    /**
     * A value as text: numbers, strings, booleans and enums as Java prints them; another object by its
     * {@code toString()} when its class defines one, else by its class's simple name and its position in
     * the choice.
     */
    static String label(Object value, int position) {
        if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof Enum) {
            return String.valueOf(value);
        }
        try {
            if (value.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
                return value.toString();
            }
        } catch (NoSuchMethodException e) {
            throw new AssertionError("every class has toString()", e);
        }
        String simple = value.getClass().getSimpleName();
        if (simple.isEmpty() || simple.contains("$$Lambda")) {
            simple = value.getClass().isSynthetic() || simple.contains("Lambda") ? "lambda" : "object";
        }
        return simple + " #" + (position + 1);
    }

    /** The values as tables show them, in the order of the given names. */
    List<String> formatted(List<String> names) {
        return names.stream().map(this::format).toList();
    }

    @Override
    public String toString() {
        return labels + " seed " + seed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Point p && p.labels.equals(labels) && p.seed == seed;
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + Long.hashCode(seed);
    }
}

package dev.attune.search;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The hyperparameters a {@link Search} tries: named {@link Param}s over any builder option.
 *
 * <pre>{@code
 * SearchSpace space = SearchSpace.of(
 *         Param.logUniform("lr", 1e-4, 1e-2),
 *         Param.choice("rank", 4, 8, 16),
 *         Param.choice("balance", Balancing.oversample(), Balancing.smote(5)));
 * }</pre>
 *
 * Immutable.
 */
public final class SearchSpace {
    /** The most points a grid may have. */
    static final long MAX_GRID = 1_000_000;

    private final List<Param> params;

    private SearchSpace(List<Param> params) {
        this.params = params;
    }

    /**
     * A space of the given parameters, in that order.
     *
     * @throws IllegalArgumentException when none is given or two share a name
     */
    public static SearchSpace of(Param... params) {
        List<Param> list = List.of(requireNonNull(params, "params"));
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the search space is empty; give at least one parameter, for example"
                    + " SearchSpace.of(Param.logUniform(\"lr\", 1e-4, 1e-2))");
        }
        Set<String> names = new HashSet<>();
        for (Param p : list) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is given twice in the search space "
                        + Param.names(list) + "; give each name once");
            }
        }
        return new SearchSpace(list);
    }

    /** The parameters, in order. */
    public List<Param> params() {
        return params;
    }

    /** The parameters' names, in order. */
    public List<String> names() {
        return params.stream().map(Param::name).toList();
    }

    /**
     * The parameter of a name.
     *
     * @throws IllegalArgumentException when there is none
     */
    public Param param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("the search space has no parameter '" + name + "'; its parameters are "
                        + names()));
    }

    /** One point drawn from {@code rng}, with the given trial seed. */
    Point sample(SplittableRandom rng, long seed) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Param p : params) {
            values.put(p.name(), p.sample(rng));
        }
        return point(values, seed);
    }

    /** Every grid value of each parameter ({@code steps} per range, 0: a plain grid), in order. */
    List<List<Object>> gridAxes(int steps) {
        List<List<Object>> axes = new ArrayList<>();
        long size = 1;
        for (Param p : params) {
            List<Object> axis = p.grid(steps);
            axes.add(axis);
            size *= axis.size();
            if (size > MAX_GRID) {
                throw new IllegalArgumentException("the grid of " + describe() + " has more than " + MAX_GRID
                        + " points; take fewer values, or use Strategy.random(trials)");
            }
        }
        return axes;
    }

    /**
     * A point of this space with the given values, for a trial of your own choosing (to fit a chosen
     * configuration through the search's mapping, say).
     *
     * @param values a value for every parameter, by name
     * @param seed the trial's seed
     * @throws IllegalArgumentException when a parameter has no value, an unknown one has, or a value is not
     *     one of its parameter's (a number out of its range, a value that is not one of a choice's)
     */
    public Point pointOf(Map<String, ?> values, long seed) {
        java.util.Objects.requireNonNull(values, "values");
        for (String name : values.keySet()) {
            param(name);
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (Param p : params) {
            Object v = values.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("no value for parameter '" + p.name() + "'; give one for each of "
                        + names());
            }
            if (!p.admits(v)) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' cannot be " + v + " ("
                        + v.getClass().getSimpleName() + "); its values are " + p.describe());
            }
            ordered.put(p.name(), v);
        }
        return point(ordered, seed);
    }

    /** The point with these values, labelled. */
    Point point(Map<String, Object> values, long seed) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Param p : params) {
            Object v = values.get(p.name());
            int position = p instanceof Param.Choice c ? c.values().indexOf(v) : 0;
            labels.put(p.name(), Point.label(v, position));
        }
        return new Point(values, labels, seed);
    }

    /** The space as text: each parameter described, in order. */
    public String describe() {
        return params.stream().map(Param::describe).toList().toString();
    }

    @Override
    public String toString() {
        return "SearchSpace" + describe();
    }
}

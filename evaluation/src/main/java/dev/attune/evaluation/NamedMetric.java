package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.function.ToDoubleFunction;

/** A built-in metric: a name, a direction and a function of the predictions. */
final class NamedMetric implements Metric {
    private final String name;
    private final boolean higherIsBetter;
    private final ToDoubleFunction<Predictions> function;

    NamedMetric(String name, boolean higherIsBetter, ToDoubleFunction<Predictions> function) {
        this.name = name;
        this.higherIsBetter = higherIsBetter;
        this.function = function;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double compute(Predictions predictions) {
        return function.applyAsDouble(requireNonNull(predictions, "predictions"));
    }

    @Override
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    @Override
    public String toString() {
        return name;
    }
}

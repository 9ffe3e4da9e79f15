package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A packaged model's answer for one input.
 *
 * @param classIndex the most probable class (the first of equals)
 * @param label that class's name
 * @param probabilities the model's output for every class, in class order (the float outputs, exactly)
 * @param classNames the class names, in class order
 */
public record Prediction(int classIndex, String label, List<Double> probabilities, List<String> classNames) {
    /** Validates and copies. */
    public Prediction {
        requireNonNull(label, "label");
        probabilities = List.copyOf(requireNonNull(probabilities, "probabilities"));
        classNames = List.copyOf(requireNonNull(classNames, "classNames"));
        if (probabilities.size() != classNames.size()) {
            throw new IllegalArgumentException(probabilities.size() + " probabilities for " + classNames.size()
                    + " classes; give one per class");
        }
    }

    /**
     * The probability of the named class.
     *
     * @throws IllegalArgumentException for a name that is not a class (the message lists them)
     */
    public double probability(String className) {
        int k = classNames.indexOf(requireNonNull(className, "className"));
        if (k < 0) {
            throw new IllegalArgumentException("'" + className + "' is not a class; classes are: "
                    + String.join(", ", classNames));
        }
        return probabilities.get(k);
    }
}

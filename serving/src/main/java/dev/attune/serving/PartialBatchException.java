package dev.attune.serving;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thrown by a {@link BatchFunction} when some inputs of its batch cannot be answered but the others
 * can: it carries the outputs of the answered inputs and the failure of each other one. The service
 * answers the answered requests and fails each other request alone, with a {@link BatchFailedException}
 * whose cause is that request's own failure; the rest of the batch is not affected.
 */
public final class PartialBatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Object> outputs;
    private final transient Map<Integer, Throwable> failures;

    /**
     * A batch answered in part.
     *
     * @param outputs one entry per input of the batch, in order: the input's output, or anything
     *     ({@code null}) where {@code failures} holds the input's index
     * @param failures the failure of each input that cannot be answered, by its index in the batch
     * @throws IllegalArgumentException when there are no failures, or an index is not in the batch
     */
    public PartialBatchException(List<?> outputs, Map<Integer, ? extends Throwable> failures) {
        super(requireNonNull(failures, "failures").size() + " of " + requireNonNull(outputs, "outputs").size()
                + " inputs of the batch cannot be answered: " + new TreeMap<>(failures));
        if (failures.isEmpty()) {
            throw new IllegalArgumentException("a partial batch without failures; return the outputs instead");
        }
        for (Map.Entry<Integer, ? extends Throwable> e : failures.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0 || e.getKey() >= outputs.size() || e.getValue() == null) {
                throw new IllegalArgumentException("failure " + e + " is not of an input of the batch of "
                        + outputs.size() + "; give each failed input's index (0 to " + (outputs.size() - 1)
                        + ") and its exception");
            }
        }
        this.outputs = Collections.unmodifiableList(new ArrayList<>(outputs));
        this.failures = Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /** One entry per input: its output, or {@code null} where it failed. */
    public List<Object> outputs() {
        return outputs;
    }

    /** The failed inputs' failures, by index in the batch. */
    public Map<Integer, Throwable> failures() {
        return failures;
    }
}

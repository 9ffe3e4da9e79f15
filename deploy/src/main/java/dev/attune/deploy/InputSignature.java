package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a packaged model takes: the raw input a {@link Predictor} accepts and the features it becomes.
 *
 * @param kind tabular, text or image
 * @param columns the raw input's fields: a table's feature columns in CSV order; {@code text} for a
 *     text; {@code pixels} for an image
 * @param exampleShape the shape of one example's features as the model sees them (without the batch
 *     dimension): {@code [features]}, {@code [2, maxLength]} (token ids and attention mask) or the
 *     image's shape
 * @param dataType the features' data type ({@code float32})
 * @param names the name of each feature (a table's encoded features, such as {@code purpose=car}),
 *     or of each channel of a text's features ({@code input_ids}, {@code attention_mask}); empty for
 *     an image
 */
public record InputSignature(InputKind kind, List<String> columns, List<Long> exampleShape, String dataType,
                             List<String> names) {
    /** Validates and copies. */
    public InputSignature {
        requireNonNull(kind, "kind");
        columns = List.copyOf(requireNonNull(columns, "columns"));
        exampleShape = List.copyOf(requireNonNull(exampleShape, "exampleShape"));
        requireNonNull(dataType, "dataType");
        names = List.copyOf(requireNonNull(names, "names"));
    }

    /** The number of feature values of one example: the product of {@link #exampleShape()}. */
    public long exampleSize() {
        long n = 1;
        for (long d : exampleShape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}

package dev.attune.serving;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link PredictorService} over an {@link AdapterStore}: each request names its adapter, and one
 * micro-batch mixes requests for many adapters, each row answered through its own adapter in one pass
 * of the base model.
 *
 * <p>A request whose adapter is removed from the store after it was accepted, or whose adapter cannot
 * be loaded, fails alone (a {@link BatchFailedException} whose cause names the adapter); the other
 * requests of its batch are answered. The batch resolves its adapters against the store once: an
 * adapter removed while the batch runs still answers that batch.
 *
 * <pre>{@code
 * try (PredictorService<AdapterRequest, float[]> service = AdapterServing.forStore(store, 8)
 *         .maxBatch(64).maxWait(Duration.ofMillis(2)).build()) {
 *     float[] probabilities = service.submit(new AdapterRequest("de", row)).get();
 * }
 * }</pre>
 */
public final class AdapterServing {
    private AdapterServing() {
    }

    /**
     * A builder of a service over the store for feature rows of {@code width} values. A request for an
     * adapter the store does not hold, or whose row has another width or a value that is not finite, is
     * refused at submit; adapters are loaded as batches first need them.
     *
     * @throws IllegalArgumentException for a width below 1
     */
    public static PredictorService.Builder<AdapterRequest, float[]> forStore(AdapterStore store, int width) {
        requireNonNull(store, "store");
        if (width < 1) {
            throw new IllegalArgumentException("width " + width + " is not a number of features; give the number of"
                    + " values in one example's row (1 or more)");
        }
        return PredictorService.<AdapterRequest, float[]>builder(requests -> {
            float[][] rows = new float[requests.size()][];
            List<String> names = new ArrayList<>(requests.size());
            for (int i = 0; i < rows.length; i++) {
                rows[i] = requests.get(i).features();
                names.add(requests.get(i).adapter());
            }
            AdapterStore.Answers answers = store.outputEach(Nd4j.create(rows), names);
            float[][] out = answers.output() == null ? new float[0][] : answers.output().castTo(DataType.FLOAT)
                    .toFloatMatrix();
            if (answers.failures().isEmpty()) {
                return Arrays.asList(out);
            }
            List<float[]> outputs = new ArrayList<>(java.util.Collections.nCopies(rows.length, (float[]) null));
            for (int k = 0; k < out.length; k++) {
                outputs.set(answers.kept().get(k), out[k]);
            }
            throw new PartialBatchException(outputs, answers.failures());
        }).check(r -> {
            Rows.check(requireNonNull(r, "request").features(), width);
            if (r.adapter() != null) {
                store.requireKnown(r.adapter());
            }
        });
    }
}

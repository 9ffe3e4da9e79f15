package dev.attune.internal.train;

import dev.attune.internal.math.Rows;
import dev.attune.spi.TrainableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The output of a model's frozen bottom for a whole data set, computed once: frozen layers never
 * change, so every epoch can reuse it, while it fits in memory.
 */
public final class FrozenFeatures {
    /** Largest frozen-feature cache, in bytes; above it the frozen bottom runs on every batch. */
    private static final long CACHE_BYTES = 1L << 30;
    private static final int CHUNK = 1024;

    private FrozenFeatures() {
    }

    /** Whether the model has a frozen bottom and its output for all rows of {@code raw} fits the cache. */
    public static boolean worthCaching(TrainableModel model, INDArray raw) {
        return model.hasFrozenBottom() && fitsCache(model, raw);
    }

    private static boolean fitsCache(TrainableModel model, INDArray raw) {
        long n = raw.size(0);
        INDArray probe = model.encode(raw.get(Rows.range(raw.rank(), 0, 1)));
        return probe.length() * (long) probe.dataType().width() * n <= CACHE_BYTES;
    }

    /** The frozen bottom's output for every row, computed a chunk of rows at a time. */
    public static INDArray encodeAll(TrainableModel model, INDArray raw) {
        long n = raw.size(0);
        INDArray[] out = new INDArray[1];
        Rows.forEachChunk(n, CHUNK, (from, to) -> {
            INDArray part = raw.get(Rows.range(raw.rank(), from, to));
            if (out[0] == null) {
                long[] shape = model.encode(raw.get(Rows.range(raw.rank(), 0, 1))).shape().clone();
                shape[0] = n;
                out[0] = Nd4j.createUninitialized(raw.dataType(), shape, 'c');
            }
            model.encodeInto(part, out[0].get(Rows.range(out[0].rank(), from, to)));
        });
        return out[0];
    }

    /** Class probabilities for every row of {@code x}, encoded first unless {@code encoded}, a chunk of rows at a time. */
    public static INDArray predict(TrainableModel model, INDArray x, boolean encoded) {
        return Rows.mapChunks(x, CHUNK, part -> model.predictEncoded(encoded ? part : model.encode(part)));
    }
}

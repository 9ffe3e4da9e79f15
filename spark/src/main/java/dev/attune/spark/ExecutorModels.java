package dev.attune.spark;

import dev.attune.Network;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The executor's side of a step: models prepared from the broadcast base model (once per executor and
 * run, one per concurrent task) compute the gradients of their task's rows with the trained tensors'
 * values the driver sent.
 */
final class ExecutorModels {
    private record Prepared(TrainableModel model, List<TrainedTensor> tensors) {
    }

    /** The run whose models are held; a new run drops the models of the one before. */
    private static String run;
    private static final Deque<Prepared> IDLE = new ArrayDeque<>();
    /** The frozen bottom's output for each partition's block this executor has met in the run. */
    private static final java.util.Map<Integer, INDArray> ENCODED = new java.util.HashMap<>();
    /** The largest encoded block kept, as {@code fit}'s cache of frozen features allows. */
    private static final long ENCODED_BYTES = 1L << 30;
    /** The rows encoded at a time. */
    private static final int CHUNK = 1024;

    private ExecutorModels() {
    }

    /**
     * The gradient sums of the slice's rows of {@code block} (partition {@code partition}'s) at the given
     * trained values.
     */
    static Share compute(String runKey, Broadcast<byte[]> base, PlanSpec spec, INDArray[] values, int partition,
                         RowBlock block, Slice slice) {
        if (slice.rows() == 0) {
            return Share.empty();
        }
        Prepared p = borrow(runKey, base, spec);
        try {
            long t0 = System.nanoTime();
            if (p.tensors().size() != values.length) {
                throw new IllegalStateException("the executor's model trains " + p.tensors().size() + " tensors but the"
                        + " driver sent " + values.length + "; give executors the same Attune version as the driver");
            }
            for (int i = 0; i < values.length; i++) {
                p.tensors().get(i).value().assign(values[i]);
            }
            INDArray x = features(runKey, p.model(), partition, block, slice.local());
            double loss = p.model().computeGradients(x, slice.labels(), slice.weights());
            INDArray[] g = new INDArray[values.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = p.tensors().get(i).gradient().dup();
            }
            return new Share(g, loss * slice.rows(), slice.rows(), System.nanoTime() - t0);
        } finally {
            giveBack(runKey, p);
        }
    }

    /**
     * The given rows of the block as the trained layers take them: encoded by the frozen bottom, which
     * encodes a partition's block once per run and executor when its output fits {@link #ENCODED_BYTES}
     * (as {@code fit} caches it on one machine), else the rows alone each step.
     */
    private static INDArray features(String runKey, TrainableModel model, int partition, RowBlock block, int[] local) {
        if (!model.hasFrozenBottom()) {
            return block.gather(local);
        }
        INDArray encoded;
        synchronized (ExecutorModels.class) {
            encoded = runKey.equals(run) ? ENCODED.get(partition) : null;
        }
        if (encoded == null) {
            INDArray first = model.encode(block.gather(new int[] {0}));
            long bytes = first.length() * first.dataType().width() * block.rows();
            if (bytes > ENCODED_BYTES) {
                return model.encode(block.gather(local));
            }
            INDArray[] chunks = new INDArray[(block.rows() + CHUNK - 1) / CHUNK];
            for (int c = 0; c < chunks.length; c++) {
                int[] rows = new int[Math.min(CHUNK, block.rows() - c * CHUNK)];
                int from = c * CHUNK;
                java.util.Arrays.setAll(rows, i -> from + i);
                chunks[c] = model.encode(block.gather(rows));
            }
            encoded = chunks.length == 1 ? chunks[0] : org.nd4j.linalg.factory.Nd4j.concat(0, chunks);
            synchronized (ExecutorModels.class) {
                if (runKey.equals(run)) {
                    ENCODED.put(partition, encoded);
                }
            }
        }
        long[] shape = encoded.shape().clone();
        INDArray rows = encoded.reshape('c', shape[0], encoded.length() / shape[0]).getRows(local);
        shape[0] = local.length;
        return rows.reshape('c', shape);
    }

    /**
     * Local SGD's round on an executor: from the given trained values and a fresh optimizer state, the
     * round's local steps in order; the trained values after them.
     */
    static INDArray[] localSteps(String runKey, Broadcast<byte[]> base, PlanSpec spec, INDArray[] values,
                                 LocalSgd.Round round) {
        Prepared p = borrow(runKey, base, spec);
        try {
            for (int i = 0; i < values.length; i++) {
                p.tensors().get(i).value().assign(values[i]);
            }
            p.model().optimizerState().values().forEach(s -> s.assign(0));
            for (int s = 0; s < round.steps(); s++) {
                INDArray x = round.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(
                        (long) s * round.batch(), (long) (s + 1) * round.batch())).dup();
                INDArray y = round.labels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(
                        (long) s * round.batch(), (long) (s + 1) * round.batch())).dup();
                if (p.model().hasFrozenBottom()) {
                    x = p.model().encode(x);
                }
                p.model().step(x, y, null, s, 0);
            }
            INDArray[] out = new INDArray[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = p.tensors().get(i).value().dup();
            }
            return out;
        } finally {
            giveBack(runKey, p);
        }
    }

    private static Prepared borrow(String runKey, Broadcast<byte[]> base, PlanSpec spec) {
        synchronized (ExecutorModels.class) {
            if (!runKey.equals(run)) {
                IDLE.clear();
                ENCODED.clear();
                run = runKey;
            }
            Prepared p = IDLE.poll();
            if (p != null) {
                return p;
            }
        }
        TrainableModel model = ModelBytes.load(base.value()).handle().prepare(spec.plan());
        return new Prepared(model, model.gradientTensors());
    }

    private static void giveBack(String runKey, Prepared p) {
        synchronized (ExecutorModels.class) {
            if (runKey.equals(run)) {
                IDLE.push(p);
            }
        }
    }

    /** Drops the models held for {@code runKey} (the driver's JVM after a run in local mode). */
    static void release(String runKey) {
        synchronized (ExecutorModels.class) {
            if (runKey.equals(run)) {
                IDLE.clear();
                ENCODED.clear();
                run = null;
            }
        }
    }
}

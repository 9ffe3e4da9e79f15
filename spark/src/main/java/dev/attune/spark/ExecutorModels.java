package dev.attune.spark;

import dev.attune.Network;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private ExecutorModels() {
    }

    /** The gradient sums of the slice's rows (raw features) at the given trained values. */
    static Share compute(String runKey, Broadcast<byte[]> base, PlanSpec spec, INDArray[] values, Slice slice) {
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
            // The executor's rows are raw: the frozen bottom encodes them here.
            INDArray x = p.model().hasFrozenBottom() ? p.model().encode(slice.features()) : slice.features();
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
                run = runKey;
            }
            Prepared p = IDLE.poll();
            if (p != null) {
                return p;
            }
        }
        TrainableModel model = load(base.value()).handle().prepare(spec.plan());
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
                run = null;
            }
        }
    }

    private static Network load(byte[] bytes) {
        try {
            Path file = Files.createTempFile("attune-spark-base", ".zip");
            try {
                Files.write(file, bytes);
                return Network.load(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broadcast base model to the executor's temporary directory ("
                    + System.getProperty("java.io.tmpdir") + "): " + e.getMessage() + "; give executors a writable"
                    + " java.io.tmpdir (spark.executor.extraJavaOptions=-Djava.io.tmpdir=...)", e);
        }
    }
}

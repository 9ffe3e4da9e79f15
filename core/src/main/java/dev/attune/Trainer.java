package dev.attune;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** One run of the training loop for a {@link FineTuner}. */
final class Trainer {
    /** Largest frozen-feature cache, in bytes; above it the frozen bottom runs on every batch. */
    private static final long CACHE_BYTES = 1L << 30;
    private static final int CHUNK = 1024;

    private final FineTuner tuner;

    Trainer(FineTuner tuner) {
        this.tuner = tuner;
    }

    FineTuneResult run(LabeledData given, LabeledData validation, List<TrainingListener.Warning> warnings) {
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        // Provenance names the data the caller gave; the balancer is in the config and seeded, so the
        // balanced set can be made again from it.
        Provenance provenance = Provenance.capture(tuner.config(), tuner.seed(), tuner.base().fingerprint(),
                given.fingerprint(), validation == null ? "" : validation.fingerprint(), startedAt,
                warnings.stream().map(w -> w.topic() + ": " + w.message()).toList());
        Balanced balanced = balance(given);
        LabeledData train = balanced.data();
        double[] weights = balanced.weightsView();
        // DL4J draws weight initialisation and dropout masks from ND4J's global generator.
        Nd4j.getRandom().setSeed(tuner.seed());
        TrainableModel model = tuner.base().handle().prepare(tuner.plan());

        int n = train.size();
        int batch = Math.min(tuner.batchSize(), n);
        int steps = (n + batch - 1) / batch;
        INDArray rawX = train.featuresView();
        boolean cache = model.hasFrozenBottom() && fitsCache(model, rawX);
        INDArray x = cache ? encodeAll(model, rawX) : rawX;
        INDArray y = oneHot(train);
        INDArray w = weights == null ? null
                : Nd4j.createFromArray(weights).castTo(DataType.FLOAT).reshape('c', weights.length, 1);
        INDArray valX = validation == null ? null
                : model.hasFrozenBottom() && cache ? encodeAll(model, validation.featuresView()) : validation.featuresView();
        boolean valEncoded = validation != null && cache;

        List<TrainingListener> listeners = tuner.listeners();
        var start = new TrainingListener.FitStart(tuner.epochs(), steps, n, model.trainableParams(),
                model.frozenParams(), cache);
        listeners.forEach(l -> l.onFitStart(start));
        warnings.forEach(warning -> listeners.forEach(l -> l.onWarning(warning)));

        EarlyStopping es = tuner.earlyStopping();
        SplittableRandom rng = new SplittableRandom(tuner.seed());
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        List<EpochRecord> history = new ArrayList<>();
        INDArray bestParams = null;
        double best = Double.NaN;
        int bestEpoch = 0;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        int iteration = 0;
        // Mini-batches are gathered a few at a time into the same arrays: fresh memory is slow to touch,
        // a gather has a fixed cost that small batches would pay on every step, and a copy of the whole
        // shuffled epoch would need as much again as the training set.
        int perGather = batchesPerGather(x, batch);
        INDArray gatherX = Nd4j.createUninitialized(x.dataType(), batchShape(x, batch * perGather), 'c');
        INDArray gatherY = Nd4j.createUninitialized(y.dataType(), new long[] {batch * perGather, y.size(1)}, 'c');
        INDArray gatherW = w == null ? null : Nd4j.createUninitialized(w.dataType(), new long[] {batch * perGather, 1}, 'c');
        INDArray[][] fullBatches = new INDArray[3][perGather];
        for (int epoch = 1; epoch <= tuner.epochs(); epoch++) {
            long e0 = System.nanoTime();
            shuffle(order, rng);
            double lossSum = 0;
            for (int s = 0; s < steps; s++) {
                int from = s * batch;
                int to = Math.min(n, from + batch);
                int slot = s % perGather;
                if (slot == 0) {
                    int[] idx = Arrays.copyOfRange(order, from, Math.min(n, from + batch * perGather));
                    LabeledData.rowsInto(x, idx, rowsOf(gatherX, 0, idx.length));
                    LabeledData.rowsInto(y, idx, rowsOf(gatherY, 0, idx.length));
                    if (w != null) {
                        LabeledData.rowsInto(w, idx, rowsOf(gatherW, 0, idx.length));
                    }
                }
                INDArray bx = batchOf(gatherX, fullBatches[0], slot, batch, to - from);
                INDArray by = batchOf(gatherY, fullBatches[1], slot, batch, to - from);
                INDArray bw = w == null ? null : batchOf(gatherW, fullBatches[2], slot, batch, to - from);
                if (model.hasFrozenBottom() && !cache) {
                    bx = model.encode(bx);
                }
                int rows = to - from;
                double loss = model.step(bx, by, bw, iteration++, epoch - 1);
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("training diverged: the loss is " + loss + " at epoch " + epoch
                            + ", step " + (s + 1) + "; lower the learning rate (now " + tuner.plan().optimizer() + ")");
                }
                lossSum += loss * rows;
                int stepNo = s + 1;
                int epochNo = epoch;
                Duration since = Duration.ofNanos(System.nanoTime() - t0);
                listeners.forEach(l -> l.onBatchEnd(new TrainingListener.BatchEnd(epochNo, stepNo, steps, loss, since)));
            }
            double valLoss = Double.NaN;
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (validation != null) {
                INDArray probs = predict(model, valX, valEncoded);
                Predictions p = Predictions.of(validation.labels(), probs);
                valLoss = p.logLoss();
                for (Metric m : tuner.metrics()) {
                    metrics.put(m.name(), m.compute(p));
                }
            }
            EpochRecord record = new EpochRecord(epoch, lossSum / n, valLoss, metrics,
                    Duration.ofNanos(System.nanoTime() - e0));
            history.add(record);
            boolean improved = false;
            if (es != null) {
                double value = record.metric(es.monitored());
                if (es.missed(record).isEmpty() && es.improves(value, best)) {
                    best = value;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    improved = true;
                    bestParams = bestParams == null ? model.params().dup() : bestParams.assign(model.params());
                } else {
                    sinceBest++;
                }
            } else {
                bestEpoch = epoch;
            }
            if (tuner.checkpoints() != null) {
                tuner.checkpoints().save(epoch, model.snapshot());
            }
            var end = new TrainingListener.EpochEnd(record, tuner.epochs(), improved,
                    Duration.ofNanos(System.nanoTime() - t0));
            listeners.forEach(l -> l.onEpochEnd(end));
            // Patience running out at the last epoch stops nothing: every epoch ran.
            if (es != null && sinceBest >= es.patience() && epoch < tuner.epochs()) {
                stoppedEarly = true;
                break;
            }
        }
        if (es != null && bestParams != null && bestEpoch != history.size()) {
            model.params().assign(bestParams);
        }
        if (bestEpoch == 0) {
            // Early stopping never saw a finite value, or no epoch met its constraints: keep the last epoch.
            bestEpoch = history.size();
            if (es != null && history.stream().noneMatch(r -> es.missed(r).isEmpty())) {
                var warning = new TrainingListener.Warning("early stopping", noEpochMet(es, history.get(history.size() - 1)));
                listeners.forEach(l -> l.onWarning(warning));
                provenance = provenance.withWarning(warning.topic() + ": " + warning.message());
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - t0);
        var fitEnd = new TrainingListener.FitEnd(history.size(), bestEpoch, stoppedEarly, wall);
        listeners.forEach(l -> l.onFitEnd(fitEnd));
        AdapterWeights adapter = null;
        TrainingPlan plan = tuner.plan();
        if (plan.adapter() != null) {
            adapter = new AdapterWeights(plan.adapter(),
                    plan.headClasses() > 0 ? new AdapterWeights.Head(plan.headName(), plan.headClasses()) : null,
                    model.trainedTensors(), provenance.baseModel(), provenance.asText());
        }
        return new FineTuneResult(model.snapshot(), history, bestEpoch, stoppedEarly, model.trainableParams(),
                model.frozenParams(), model.frozenLayers().stream().sorted().toList(), model.optimizerStateSize(), wall,
                provenance, adapter);
    }

    /** The warning when no epoch met early stopping's constraints, with the last epoch's values. */
    private static String noEpochMet(EarlyStopping es, EpochRecord last) {
        StringJoiner limits = new StringJoiner(" and ");
        es.constraints().forEach(c -> limits.add(c.toString()));
        StringJoiner values = new StringJoiner(", ");
        es.constraints().forEach(c -> values.add(c.metric().name() + " = " + last.metric(c.metric().name())));
        return "no epoch met " + limits + " on the validation set (last epoch: " + values
                + "); the model holds the last epoch's weights. Loosen the limit, train longer or change the"
                + " training data (for example by reweighing) to meet it";
    }

    /** The training data after the balancer, checked against the data the caller gave. */
    private Balanced balance(LabeledData given) {
        Balancer balancer = tuner.balancer();
        if (balancer == null) {
            return Balanced.of(given);
        }
        Balanced b = java.util.Objects.requireNonNull(balancer.balance(given, tuner.seed()),
                () -> "balancer " + balancer.describe() + " returned null; return Balanced.of(train) to keep the data");
        LabeledData data = b.data();
        if (data.numClasses() != given.numClasses() || !Arrays.equals(data.exampleShape(), given.exampleShape())) {
            throw new IllegalStateException("balancer " + balancer.describe() + " returned " + data + " for " + given
                    + "; a balancer must keep the class count and the example shape");
        }
        return b;
    }

    private static long[] batchShape(INDArray x, int batch) {
        long[] shape = x.shape().clone();
        shape[0] = batch;
        return shape;
    }

    /** Rows {@code [from, to)} of a c-ordered array, a contiguous view (the array itself when that is all of it). */
    private static INDArray rowsOf(INDArray buffer, long from, long to) {
        return from == 0 && to == buffer.size(0) ? buffer : buffer.get(Network.rowRange(buffer.rank(), from, to));
    }

    /** Mini-batch {@code slot} of a gather: a row range of it, kept for full batches. */
    private static INDArray batchOf(INDArray gather, INDArray[] full, int slot, int batch, int rows) {
        if (rows < batch) {
            return rowsOf(gather, (long) slot * batch, (long) slot * batch + rows);
        }
        if (full[slot] == null) {
            full[slot] = rowsOf(gather, (long) slot * batch, (long) (slot + 1) * batch);
        }
        return full[slot];
    }

    /** How many mini-batches one gather takes: up to 16, within 8 MiB of features (at least one). */
    private static int batchesPerGather(INDArray x, int batch) {
        long batchBytes = Math.max(1, x.length() / Math.max(1, x.size(0)) * x.dataType().width() * (long) batch);
        return (int) Math.max(1, Math.min(16, (8L << 20) / batchBytes));
    }

    private static boolean fitsCache(TrainableModel model, INDArray rawX) {
        long n = rawX.size(0);
        INDArray probe = model.encode(rawX.get(Network.rowRange(rawX.rank(), 0, 1)));
        return probe.length() * (long) probe.dataType().width() * n <= CACHE_BYTES;
    }

    private static INDArray encodeAll(TrainableModel model, INDArray raw) {
        long n = raw.size(0);
        INDArray out = null;
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            INDArray part = raw.get(Network.rowRange(raw.rank(), from, to));
            if (out == null) {
                long[] shape = model.encode(raw.get(Network.rowRange(raw.rank(), 0, 1))).shape().clone();
                shape[0] = n;
                out = Nd4j.createUninitialized(raw.dataType(), shape, 'c');
            }
            model.encodeInto(part, out.get(Network.rowRange(out.rank(), from, to)));
        }
        return out;
    }

    private static INDArray predict(TrainableModel model, INDArray x, boolean encoded) {
        return chunked(x, part -> model.predictEncoded(encoded ? part : model.encode(part)));
    }

    /** Applies {@code f} to row chunks of {@code x} and stacks the results. */
    private static INDArray chunked(INDArray x, java.util.function.UnaryOperator<INDArray> f) {
        long n = x.size(0);
        INDArray out = null;
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            INDArray part = f.apply(x.get(Network.rowRange(x.rank(), from, to)));
            if (out == null) {
                long[] shape = part.shape().clone();
                shape[0] = n;
                out = Nd4j.create(part.dataType(), shape, 'c');
            }
            out.get(Network.rowRange(part.rank(), from, to)).assign(part);
        }
        return out;
    }

    private static INDArray oneHot(LabeledData data) {
        int classes = data.numClasses();
        float[] buf = new float[data.size() * classes];
        for (int i = 0; i < data.size(); i++) {
            buf[i * classes + data.label(i)] = 1f;
        }
        return Nd4j.create(buf, new long[] {data.size(), classes}, DataType.FLOAT);
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

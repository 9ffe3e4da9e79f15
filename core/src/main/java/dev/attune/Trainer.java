package dev.attune;

import dev.attune.internal.train.Epochs;
import dev.attune.internal.train.FrozenFeatures;
import dev.attune.internal.train.MiniBatches;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.GradientExchange;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
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

/**
 * One run of the training loop for a {@link FineTuner}: it prepares the model and the data, runs the
 * epochs, and makes the result. Each step is a method of its own; the mechanics that speak arrays
 * alone (mini-batches, the frozen-feature cache, chunked prediction) are in {@code internal.train}.
 */
final class Trainer {
    private final FineTuner tuner;
    private final List<TrainingListener> listeners;
    /** The run under training controls, or {@code null} when the model's own step runs (none set). */
    private ControlledTraining controlled;
    /** Where the gradients are computed, or {@code null} for here. */
    private final GradientExchange exchange;

    Trainer(FineTuner tuner) {
        this(tuner, null);
    }

    Trainer(FineTuner tuner, GradientExchange exchange) {
        this.tuner = tuner;
        this.listeners = tuner.listeners();
        this.exchange = exchange;
    }

    /**
     * The model to train and its data, as arrays: features encoded by the frozen bottom when they are
     * cached ({@code cached}; {@code null} for rows held elsewhere), one-hot labels (for rows held elsewhere,
     * one row per class), loss weights ({@code null} for none).
     */
    private record Prepared(TrainableModel model, LabeledData train, INDArray x, INDArray y, INDArray w,
                            INDArray validationX, boolean cached) {
    }

    FineTuneResult run(LabeledData given, LabeledData validation, List<TrainingListener.Warning> warnings) {
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        Provenance provenance = provenance(given, validation, startedAt, warnings);
        Prepared p = prepare(balance(given), validation);
        MiniBatches batches = start(p, warnings);
        EarlyStopping es = tuner.earlyStopping();
        BestEpoch best = new BestEpoch(es);
        List<EpochRecord> history = new ArrayList<>();
        if (tuner.controls().controlsUpdate() || exchange != null) {
            controlled = new ControlledTraining(p.model(), tuner.controls(), tuner.plan().optimizer(), tuner.epochs(),
                    batches.steps(), listeners);
        }
        RunCheckpoints runs = new RunCheckpoints(tuner, provenance, p.model(), controlled, best, history);
        RunCheckpoints.Position from = runs.start();
        for (TrainingListener.Warning warning : runs.warnings()) {
            listeners.forEach(l -> l.onWarning(warning));
            provenance = provenance.withWarning(warning.topic() + ": " + warning.message());
        }
        SplittableRandom rng = new SplittableRandom(tuner.seed());
        int[] order = new int[p.train().size()];
        Arrays.setAll(order, i -> i);
        for (int e = 1; e < from.epoch(); e++) {
            Epochs.shuffle(order, rng); // the order and the generator as the epochs before left them
        }
        // A run resumed after an epoch whose patience ran out has stopped early.
        boolean stoppedEarly = from.step() == 0 && from.epoch() > 1 && from.epoch() <= tuner.epochs() && best.exhausted();
        int[] iteration = {from.iteration()};
        for (int epoch = from.epoch(); epoch <= tuner.epochs() && !stoppedEarly; epoch++) {
            long e0 = System.nanoTime();
            Epochs.shuffle(order, rng);
            RunCheckpoints.Position at = epoch == from.epoch() ? from : new RunCheckpoints.Position(epoch, 0, 0, 0);
            double lossSum = trainEpoch(p, batches, order, epoch, at, iteration, t0, runs);
            EpochRecord record = evaluate(p, validation, epoch, lossSum, e0);
            history.add(record);
            boolean improved = best.offer(record, p.model());
            if (tuner.checkpoints() != null) {
                tuner.checkpoints().save(epoch, new Network(p.model().snapshot()));
            }
            runs.afterEpoch(epoch, iteration[0]);
            var end = new TrainingListener.EpochEnd(record, tuner.epochs(), improved,
                    Duration.ofNanos(System.nanoTime() - t0));
            listeners.forEach(l -> l.onEpochEnd(end));
            boolean stopAsked = false;
            for (StopCondition c : tuner.stopConditions()) {
                stopAsked |= c.stopAfter(record);
            }
            // Patience running out, or a stop asked, at the last epoch stops nothing: every epoch ran.
            if ((best.exhausted() || stopAsked) && epoch < tuner.epochs()) {
                stoppedEarly = true;
                break;
            }
        }
        for (TrainingListener.Warning w : controlled == null ? List.<TrainingListener.Warning>of() : controlled.warnings()) {
            provenance = provenance.withWarning(w.topic() + ": " + w.message());
        }
        int bestEpoch = best.restore(p.model(), history.size());
        if (bestEpoch == 0) {
            // Early stopping never saw a finite value, or no epoch met its constraints: keep the last epoch.
            bestEpoch = history.size();
            provenance = warnIfNoEpochMet(es, history, provenance);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - t0);
        var fitEnd = new TrainingListener.FitEnd(history.size(), bestEpoch, stoppedEarly, wall);
        listeners.forEach(l -> l.onFitEnd(fitEnd));
        return result(p.model(), history, bestEpoch, stoppedEarly, wall, provenance);
    }

    /**
     * Provenance names the data the caller gave; the balancer is in the config and seeded, so the
     * balanced set can be made again from it.
     */
    private Provenance provenance(LabeledData given, LabeledData validation, Instant startedAt,
                                  List<TrainingListener.Warning> warnings) {
        return Provenance.capture(tuner.config(), tuner.seed(), tuner.base().fingerprint(),
                given.fingerprint(), validation == null ? "" : validation.fingerprint(), startedAt,
                warnings.stream().map(w -> w.topic() + ": " + w.message()).toList());
    }

    /** Builds the model to train from the seed and puts the data in the arrays it trains on. */
    private Prepared prepare(Balanced balanced, LabeledData validation) {
        LabeledData train = balanced.data();
        double[] weights = balanced.weightsView();
        // DL4J draws weight initialisation and dropout masks from ND4J's global generator.
        Nd4j.getRandom().setSeed(tuner.seed());
        TrainableModel model = tuner.base().handle().prepare(tuner.plan());
        if (exchange != null) {
            model = exchange.distribute(model, tuner.base().handle(), tuner.plan());
        }
        // Rows held elsewhere: no features here; the mini-batches carry row numbers, which the model takes.
        INDArray rawX = train.held() == null ? train.featuresView() : HeldData.takesRowNumbers(model, train);
        boolean cache = rawX != null && FrozenFeatures.worthCaching(model, rawX);
        INDArray x = cache ? FrozenFeatures.encodeAll(model, rawX) : rawX;
        // Rows held elsewhere: one row of labels per class, which the mini-batches pick by class.
        INDArray y = Epochs.oneHot(rawX == null ? java.util.stream.IntStream.range(0, train.numClasses()).toArray()
                : train.labels(), train.numClasses());
        double eps = tuner.controls().labelSmoothing();
        if (eps > 0) {
            // Label smoothing: (1 - eps) on the class, eps spread evenly over all classes.
            y.muli(1 - eps).addi(eps / train.numClasses());
        }
        INDArray w = weights == null ? null
                : Nd4j.createFromArray(weights).castTo(DataType.FLOAT).reshape('c', weights.length, 1);
        INDArray valX = validation == null ? null
                : cache ? FrozenFeatures.encodeAll(model, validation.featuresView()) : validation.featuresView();
        return new Prepared(model, train, x, y, w, valX, cache);
    }

    /** Tells the listeners that fitting starts (and the warnings so far); the mini-batches of every epoch. */
    private MiniBatches start(Prepared p, List<TrainingListener.Warning> warnings) {
        int n = p.train().size();
        int batch = Math.min(tuner.batchSize(), n);
        int steps = tuner.controls().stepsPerEpoch((n + batch - 1) / batch);
        var start = new TrainingListener.FitStart(tuner.epochs(), steps, n, p.model().trainableParams(),
                p.model().frozenParams(), p.cached());
        listeners.forEach(l -> l.onFitStart(start));
        warnings.forEach(warning -> listeners.forEach(l -> l.onWarning(warning)));
        return new MiniBatches(p.x(), p.y(), p.w(), batch, p.x() == null ? p.train().labels() : null);
    }

    /**
     * One pass over the shuffled training data, from mini-batch {@code at.step()} on (with the loss sum
     * of those before it); the sum over the mini-batches of loss times rows.
     */
    private double trainEpoch(Prepared p, MiniBatches batches, int[] order, int epoch, RunCheckpoints.Position at,
                              int[] iteration, long t0, RunCheckpoints runs) {
        if (controlled != null) {
            return controlled.epoch(batches, order, epoch, at, iteration, p.cached(), t0, runs);
        }
        TrainableModel model = p.model();
        int steps = batches.steps();
        double rate = tuner.plan().optimizer().learningRate();
        double lossSum = at.lossSum();
        for (int s = at.step(); s < steps; s++) {
            MiniBatches.Batch b = batches.get(s, order);
            INDArray bx = b.features();
            if (model.hasFrozenBottom() && !p.cached()) {
                bx = model.encode(bx);
            }
            double loss = model.step(bx, b.labels(), b.weights(), iteration[0]++, epoch - 1);
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged: the loss is " + loss + " at epoch " + epoch
                        + ", step " + (s + 1) + "; lower the learning rate (now " + tuner.plan().optimizer() + ")");
            }
            lossSum += loss * b.rows();
            runs.afterStep(epoch, s + 1, steps, iteration[0], lossSum);
            int stepNo = s + 1;
            Duration since = Duration.ofNanos(System.nanoTime() - t0);
            listeners.forEach(l -> l.onBatchEnd(new TrainingListener.BatchEnd(epoch, stepNo, steps, loss, since, rate)));
        }
        return lossSum;
    }

    /** The epoch's record: its training loss and, with a validation set, its validation loss and metrics. */
    private EpochRecord evaluate(Prepared p, LabeledData validation, int epoch, double lossSum, long e0) {
        double valLoss = Double.NaN;
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (validation != null) {
            INDArray probs = FrozenFeatures.predict(p.model(), p.validationX(), p.cached());
            Predictions predictions = Predictions.of(validation.labels(), probs);
            valLoss = predictions.logLoss();
            for (Metric m : tuner.metrics()) {
                metrics.put(m.name(), m.compute(predictions));
            }
        }
        return new EpochRecord(epoch, lossSum / p.train().size(), valLoss, metrics,
                Duration.ofNanos(System.nanoTime() - e0),
                controlled != null ? controlled.lastRate() : tuner.plan().optimizer().learningRate());
    }

    /** When no epoch met early stopping's constraints, warns the listeners and notes it in the provenance. */
    private Provenance warnIfNoEpochMet(EarlyStopping es, List<EpochRecord> history, Provenance provenance) {
        if (es == null || history.stream().anyMatch(r -> es.missed(r).isEmpty())) {
            return provenance;
        }
        var warning = new TrainingListener.Warning("early stopping", noEpochMet(es, history.get(history.size() - 1)));
        listeners.forEach(l -> l.onWarning(warning));
        return provenance.withWarning(warning.topic() + ": " + warning.message());
    }

    /**
     * The result: the model as it is now, with the trained adapter when the plan had one; the provenance
     * records their fingerprints.
     */
    private FineTuneResult result(TrainableModel model, List<EpochRecord> history, int bestEpoch, boolean stoppedEarly,
                                  Duration wall, Provenance provenance) {
        AdapterWeights adapter = null;
        TrainingPlan plan = tuner.plan();
        Network network = new Network(model.snapshot());
        Map<String, INDArray> trained = plan.adapter() == null ? null : model.trainedTensors();
        String adapterFingerprint = trained == null ? "" : AdapterWeights.fingerprint(trained);
        provenance = provenance.withResult(network.fingerprint(), adapterFingerprint);
        if (plan.adapter() != null) {
            adapter = new AdapterWeights(plan.adapter(),
                    plan.headClasses() > 0 ? new AdapterWeights.Head(plan.headName(), plan.headClasses()) : null,
                    trained, provenance.baseModel(), provenance.asText());
        }
        return new FineTuneResult(network, history, bestEpoch, stoppedEarly, model.trainableParams(),
                model.frozenParams(), model.frozenLayers().stream().sorted().toList(),
                controlled != null ? controlled.stateSize() : model.optimizerStateSize(), wall,
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
}

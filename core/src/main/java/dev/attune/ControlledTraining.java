package dev.attune;

import dev.attune.internal.train.ControlledUpdate;
import dev.attune.internal.train.MiniBatches;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The epochs of a run under training controls: the model computes gradients, {@link ControlledUpdate}
 * runs the optimizer's step with the schedule's learning rate, the layer groups' rates and thaws,
 * clipping and accumulation; a NaN or infinite loss stops the run or rolls it back to the start of its
 * epoch, as {@link Divergence} says.
 */
final class ControlledTraining {
    private final TrainableModel model;
    private final TrainingControls controls;
    private final Optimizer optimizer;
    private final List<TrainingListener> listeners;
    private final ControlledUpdate update;
    private final int miniBatches;
    private final int stepsPerEpoch;
    private final int totalSteps;
    private final List<TrainingListener.Warning> warnings = new ArrayList<>();
    private double rollbackScale = 1;
    private int rollbacks;
    private double lastRate = Double.NaN;
    /** The running epoch's sum of loss times rows. */
    private double lossSum;

    /**
     * @throws IllegalArgumentException when the schedule's warm-up is longer than the run, or the layer
     *     groups do not fit the trained layers
     */
    ControlledTraining(TrainableModel model, TrainingControls controls, Optimizer optimizer, int epochs, int miniBatches,
                       List<TrainingListener> listeners) {
        this.model = model;
        this.controls = controls;
        this.optimizer = optimizer;
        this.listeners = listeners;
        this.miniBatches = miniBatches;
        this.stepsPerEpoch = controls.stepsPerEpoch(miniBatches);
        this.totalSteps = epochs * stepsPerEpoch;
        if (controls.schedule() != null) {
            controls.schedule().checkFits(totalSteps);
        }
        this.update = new ControlledUpdate(model.gradientTensors(), optimizer, controls.layerGroups(),
                controls.discriminativeFactor() > 0 ? controls.discriminativeFactor() : 1, controls.unfreezeEvery(),
                controls.clipNorm(), stepsPerEpoch);
    }

    /** The top group's learning rate at optimizer step {@code step} (from 0). */
    double rate(int step) {
        double m = controls.schedule() == null ? 1 : controls.schedule().multiplier(step, totalSteps);
        return optimizer.learningRate() * m * rollbackScale;
    }

    /** The learning rate of the last step taken. */
    double lastRate() {
        return lastRate;
    }

    /** The optimizer-state values held now. */
    long stateSize() {
        return update.stateSize();
    }

    /** The warnings of the rollbacks so far. */
    List<TrainingListener.Warning> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * One epoch over the shuffled data; the sum over its mini-batches of loss times rows. Under
     * {@link Divergence#rollback} a divergence puts the weights and the optimizer state back to where
     * they were when the epoch started and runs it again with a lower learning rate.
     */
    double epoch(MiniBatches batches, int[] order, int epoch, RunCheckpoints.Position at, int[] iteration,
                 boolean cached, long t0, RunCheckpoints runs) {
        boolean guarded = controls.divergence().maxRollbacks() > 0;
        INDArray params = guarded ? model.params().dup() : null;
        Object state = guarded ? update.snapshot() : null;
        int startIteration = iteration[0];
        while (true) {
            Diverged d = run(batches, order, epoch, at, iteration, cached, t0, runs);
            if (d == null) {
                return lossSum;
            }
            String what = "training diverged: the loss is " + d.loss() + " at epoch " + epoch + ", step " + d.step();
            if (rollbacks >= controls.divergence().maxRollbacks()) {
                throw new IllegalStateException(what + (rollbacks > 0 ? " after " + rollbacks + " rollback"
                        + (rollbacks == 1 ? "" : "s") : "") + "; lower the learning rate (now " + optimizer
                        + (rollbackScale != 1 ? " times " + rollbackScale : "") + ")");
            }
            rollbacks++;
            rollbackScale *= controls.divergence().lrFactor();
            model.params().assign(params);
            update.restore(state);
            iteration[0] = startIteration;
            var warning = new TrainingListener.Warning("divergence", what + ": weights and optimizer state rolled back to"
                    + " the start of epoch " + epoch + ", learning rate multiplied by " + controls.divergence().lrFactor()
                    + " (now " + optimizer.learningRate() * rollbackScale + " before the schedule), epoch " + epoch
                    + " run again; rollback " + rollbacks + " of " + controls.divergence().maxRollbacks());
            warnings.add(warning);
            listeners.forEach(l -> l.onWarning(warning));
        }
    }

    /** The key of the rollbacks' state (learning-rate scale and count) among a checkpoint's optimizer state. */
    private static final String ROLLBACK = "controls.rollback";

    /**
     * The optimizer state for a run checkpoint, taken between optimizer steps: each trained tensor's
     * updater state once its group has thawed and stepped, and the rollbacks so far.
     */
    Map<String, INDArray> saveState() {
        Map<String, INDArray> out = new LinkedHashMap<>(update.savedState());
        out.put(ROLLBACK, Nd4j.createFromArray(rollbackScale, rollbacks));
        return out;
    }

    /**
     * Puts back what {@link #saveState} took.
     *
     * @throws IllegalArgumentException when the checkpoint's state does not fit the tensors being trained
     */
    void restoreState(Map<String, INDArray> saved, java.nio.file.Path file) {
        INDArray rollback = saved.get(ROLLBACK);
        if (rollback == null || rollback.length() != 2) {
            throw new IllegalArgumentException("checkpoint " + file + " holds no training controls' state (" + ROLLBACK
                    + ") although this fine-tuner uses training controls; checkpoint into another directory to start afresh");
        }
        Map<String, INDArray> states = new LinkedHashMap<>(saved);
        states.remove(ROLLBACK);
        update.restoreSaved(states, file.toString());
        rollbackScale = rollback.getDouble(0);
        rollbacks = (int) rollback.getDouble(1);
    }

    /** A NaN or infinite loss, at an optimizer step of the epoch (from 1). */
    private record Diverged(double loss, int step) {
    }

    /** The epoch's steps; the divergence, or {@code null} when every loss was finite. */
    private Diverged run(MiniBatches batches, int[] order, int epoch, RunCheckpoints.Position at, int[] iteration,
                         boolean cached, long t0, RunCheckpoints runs) {
        int k = controls.accumulate();
        // A run resumed mid-epoch starts at an optimizer step's first mini-batch: checkpoints are taken between steps.
        int step = (epoch - 1) * stepsPerEpoch + at.step() / k;
        lossSum = at.lossSum();
        double stepLoss = 0;
        int stepRows = 0;
        for (int s = at.step(); s < miniBatches; s++) {
            MiniBatches.Batch b = batches.get(s, order);
            INDArray bx = b.features();
            if (model.hasFrozenBottom() && !cached) {
                bx = model.encode(bx);
            }
            if (model instanceof dev.attune.spi.BatchRows rows) {
                rows.nextBatchRows(batches.rowsOf(s, order), order.length);
            }
            double loss = model.computeGradients(bx, b.labels(), b.weights());
            int stepNo = s / k + 1;
            if (!Double.isFinite(loss)) {
                return new Diverged(loss, stepNo);
            }
            update.accumulate(b.rows(), epoch);
            lossSum += loss * b.rows();
            stepLoss += loss * b.rows();
            stepRows += b.rows();
            if ((s + 1) % k == 0 || s == miniBatches - 1) {
                double rate = rate(step);
                update.apply(step, epoch, rate);
                lastRate = rate;
                step++;
                iteration[0]++;
                runs.afterStep(epoch, s + 1, miniBatches, iteration[0], lossSum);
                var end = new TrainingListener.BatchEnd(epoch, stepNo, stepsPerEpoch, stepLoss / stepRows,
                        Duration.ofNanos(System.nanoTime() - t0), rate);
                listeners.forEach(l -> l.onBatchEnd(end));
                stepLoss = 0;
                stepRows = 0;
            }
        }
        return null;
    }
}

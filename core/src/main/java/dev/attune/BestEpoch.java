package dev.attune;

import dev.attune.internal.train.RunState;
import dev.attune.spi.TrainableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Early stopping's bookkeeping over a run: the best epoch so far, a copy of its weights, and the
 * epochs since it. Without early stopping the best epoch is the last one.
 */
final class BestEpoch {
    private final EarlyStopping es;
    private INDArray bestParams;
    private double best = Double.NaN;
    private int bestEpoch;
    private int sinceBest;

    /** @param es the early stopping of the run, or {@code null} for none */
    BestEpoch(EarlyStopping es) {
        this.es = es;
    }

    /** Takes an epoch's record (the model holds that epoch's weights); whether it is the best so far. */
    boolean offer(EpochRecord record, TrainableModel model) {
        if (es == null) {
            bestEpoch = record.epoch();
            return false;
        }
        double value = record.metric(es.monitored());
        if (es.missed(record).isEmpty() && es.improves(value, best)) {
            best = value;
            bestEpoch = record.epoch();
            sinceBest = 0;
            bestParams = bestParams == null ? model.params().dup() : bestParams.assign(model.params());
            return true;
        }
        sinceBest++;
        return false;
    }

    /** Whether early stopping's patience has run out. */
    boolean exhausted() {
        return es != null && sinceBest >= es.patience();
    }

    /**
     * Puts the best epoch's weights back into the model when a later epoch came after it; the best
     * epoch (0 when early stopping found none).
     *
     * @param epochs the number of epochs run
     */
    int restore(TrainableModel model, int epochs) {
        if (es != null && bestParams != null && bestEpoch != epochs) {
            model.params().assign(bestParams);
        }
        return bestEpoch;
    }

    /** The bookkeeping as a checkpoint holds it (the best weights a live reference, not a copy). */
    RunState.Stopping state() {
        return new RunState.Stopping(best, bestEpoch, sinceBest, bestParams);
    }

    /** Takes the bookkeeping of a checkpoint back. */
    void resume(RunState.Stopping state) {
        best = state.best();
        bestEpoch = state.bestEpoch();
        sinceBest = state.sinceBest();
        bestParams = state.bestParams();
    }
}

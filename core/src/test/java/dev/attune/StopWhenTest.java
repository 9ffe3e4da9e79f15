package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link FineTuner.Builder#stopWhen}: a stop asked after an epoch ends the run as early stopping does. */
class StopWhenTest {
    private static final LabeledData TRAIN = Fixtures.blobs(60, 8, 3, 1);
    private static final LabeledData VALIDATION = Fixtures.blobs(30, 8, 3, 2);

    private static FineTuner.Builder builder(int epochs) {
        return FineTuner.builder(Fixtures.mlp(3, 1)).metrics(Fixtures.ACCURACY).epochs(epochs).batchSize(16).seed(3);
    }

    @Test
    void aStopAfterTheSecondEpochGivesTheWeightsOfATwoEpochRun() {
        FineTuneResult stopped = builder(5).stopWhen(r -> r.epoch() == 2).build().fit(TRAIN, VALIDATION);
        FineTuneResult two = builder(2).build().fit(TRAIN, VALIDATION);
        assertThat(stopped.history()).hasSize(2);
        assertThat(stopped.stoppedEarly()).isTrue();
        assertThat(stopped.bestEpoch()).isEqualTo(2);
        assertThat(stopped.model().handle().params().data().asFloat())
                .isEqualTo(two.model().handle().params().data().asFloat());
    }

    @Test
    void withEarlyStoppingTheBestEpochIsRestoredAndAnyConditionStops() {
        FineTuneResult r = builder(6).earlyStopping(EarlyStopping.onValidationLoss().patience(5))
                .stopWhen(rec -> false).stopWhen(rec -> rec.epoch() == 4).build().fit(TRAIN, VALIDATION);
        assertThat(r.history()).hasSize(4);
        assertThat(r.stoppedEarly()).isTrue();
        int best = 1;
        for (EpochRecord e : r.history()) {
            if (e.validationLoss() < r.history().get(best - 1).validationLoss()) {
                best = e.epoch();
            }
        }
        assertThat(r.bestEpoch()).isEqualTo(best);
    }

    @Test
    void aStopAskedAtTheLastEpochIsNoEarlyStop() {
        FineTuneResult r = builder(3).stopWhen(rec -> rec.epoch() == 3).build().fit(TRAIN, VALIDATION);
        assertThat(r.history()).hasSize(3);
        assertThat(r.stoppedEarly()).isFalse();
    }
}

package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.LayerInfo;
import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class FineTunerTest {
    private static final Metric ACCURACY = Fixtures.ACCURACY;

    private final LabeledData train = Fixtures.blobs(300, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(150, 8, 3, 2);

    @Test
    void fullFineTuningLearnsTheTask() {
        MultiLayerNetwork base = Fixtures.mlp(3, 5);
        FineTuneResult r = FineTuner.builder(base).epochs(15).metrics(ACCURACY).build().fit(train, validation);
        assertThat(r.history()).hasSize(15);
        assertThat(r.history().get(14).trainLoss()).isLessThan(r.history().get(0).trainLoss());
        assertThat(r.best().metric("accuracy")).isGreaterThan(0.9);
        assertThat(r.evaluate(validation, ACCURACY)).isEqualTo(r.history().get(14).metric("accuracy"));
        assertThat(r.trainableParams()).isEqualTo(base.numParams());
        assertThat(r.frozenParams()).isZero();
        // Adam keeps two state values per trained parameter.
        assertThat(r.optimizerStateSize()).isEqualTo(2 * base.numParams());
    }

    @Test
    void headOnlyKeepsFrozenWeightsBitIdenticalAndHoldsNoStateForThem() {
        MultiLayerNetwork base = Fixtures.mlp(5, 5);
        INDArray dense0 = base.getLayer(0).params().dup();
        INDArray dense1 = base.getLayer(1).params().dup();
        FineTuneResult r = FineTuner.builder(base).replaceHead(3).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adamW(1e-2)).epochs(10).build().fit(train, validation);
        MultiLayerNetwork tuned = r.model().asMultiLayerNetwork();
        assertThat(tuned.getLayer(0).params()).isEqualTo(dense0);
        assertThat(tuned.getLayer(1).params()).isEqualTo(dense1);
        long headParams = 16 * 3 + 3;
        assertThat(r.trainableParams()).isEqualTo(headParams);
        assertThat(r.frozenParams()).isEqualTo(8 * 16 + 16 + 16 * 16 + 16);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * headParams);
        assertThat(r.frozenLayers()).containsExactly("dense0", "dense1");
        assertThat(r.model().layers()).extracting(LayerInfo::name).containsExactly("dense0", "dense1", "head");
        assertThat(r.model().numOutputs()).isEqualTo(3);
        assertThat(r.history().get(9).trainLoss()).isLessThan(r.history().get(0).trainLoss());
    }

    @Test
    void frozenConvolutionBottomIsCachedAndUnchanged() {
        LabeledData images = Fixtures.blobs(200, 64, 4, 3);
        MultiLayerNetwork base = Fixtures.cnn(4, 9);
        INDArray conv = base.getLayer(0).params().dup();
        List<TrainingListener.FitStart> starts = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onFitStart(FitStart e) {
                starts.add(e);
            }
        };
        FineTuneResult r = FineTuner.builder(base).freeze(Freeze.upTo("pool0")).epochs(5).listener(spy).build()
                .fit(images);
        assertThat(starts).singleElement().satisfies(s -> assertThat(s.cachedFrozenFeatures()).isTrue());
        assertThat(r.model().asMultiLayerNetwork().getLayer(0).params()).isEqualTo(conv);
        assertThat(r.model().asMultiLayerNetwork().getLayer(2).params()).isNotEqualTo(base.getLayer(2).params());
        assertThat(r.frozenLayers()).containsExactly("conv0", "pool0");
    }

    @Test
    void cachedBottomTrainsExactlyLikeRunningItEveryStep() {
        // The frozen bottom runs in inference mode, so its cached output must give the same training
        // as a full network whose bottom has a learning rate of zero... compared here through the
        // frozen weights and a second identical run.
        LabeledData images = Fixtures.blobs(120, 64, 4, 3);
        FineTuner tuner = FineTuner.builder(Fixtures.cnn(4, 9)).freeze(Freeze.upTo("conv0")).epochs(3).build();
        assertThat(tuner.fit(images).model().fingerprint()).isEqualTo(tuner.fit(images).model().fingerprint());
    }

    @Test
    void reportedTrainingLossIsTheDataLossWithoutWeightDecay() {
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adamW(1e-2, 0.5)).epochs(10)
                .build().fit(train);
        double last = r.history().get(9).trainLoss();
        // With the decay term (0.25 * ||W||^2 over ~400 weights) this would be several units larger.
        assertThat(last).isCloseTo(r.predict(train).logLoss(), org.assertj.core.data.Offset.offset(0.3));
    }

    @Test
    void neverChangesTheCallersNetwork() {
        MultiLayerNetwork base = Fixtures.mlp(3, 5);
        INDArray before = base.params().dup();
        String conf = base.getLayerWiseConfigurations().toJson();
        FineTuner.builder(base).replaceHead(3).freeze(Freeze.upTo("dense0")).epochs(3).build().fit(train);
        assertThat(base.params()).isEqualTo(before);
        assertThat(base.getLayerWiseConfigurations().toJson()).isEqualTo(conf);
    }

    @Test
    void sameSeedSameDataGivesBitIdenticalWeights() {
        MultiLayerNetwork base = Fixtures.mlp(4, 5);
        FineTuner a = FineTuner.builder(base).replaceHead(3).epochs(4).seed(11).build();
        FineTuner b = FineTuner.builder(base).replaceHead(3).epochs(4).seed(11).build();
        FineTuner c = FineTuner.builder(base).replaceHead(3).epochs(4).seed(12).build();
        INDArray pa = a.fit(train, validation).model().asMultiLayerNetwork().params();
        INDArray pb = b.fit(train, validation).model().asMultiLayerNetwork().params();
        INDArray pc = c.fit(train, validation).model().asMultiLayerNetwork().params();
        assertThat(pa).isEqualTo(pb);
        assertThat(pa).isNotEqualTo(pc);
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        // A learning rate this high overshoots, so validation loss rises and training stops.
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.sgd(0.5, 0.9)).epochs(40)
                .earlyStopping(EarlyStopping.onValidationLoss().patience(2)).build().fit(train, validation);
        double bestLoss = r.history().stream().mapToDouble(EpochRecord::validationLoss).min().orElseThrow();
        assertThat(r.best().validationLoss()).isEqualTo(bestLoss);
        assertThat(r.model().predict(validation).logLoss()).isCloseTo(bestLoss, org.assertj.core.data.Offset.offset(1e-6));
        if (r.stoppedEarly()) {
            assertThat(r.history()).hasSize(r.bestEpoch() + 2);
        }
    }

    /** The same value after every epoch: only the first epoch improves on it. */
    private static final Metric FLAT = new Metric() {
        @Override
        public String name() {
            return "flat";
        }

        @Override
        public double compute(Predictions p) {
            return 0.5;
        }
    };

    @Test
    void patienceRunningOutAtTheLastEpochIsNoEarlyStop() {
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        // Epoch 2 does not improve and exhausts the patience of 1, but it is the last epoch anyway.
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(2)
                .earlyStopping(EarlyStopping.on(FLAT).patience(1))
                .listener(Progress.console(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8)))
                .build().fit(train, validation);
        assertThat(r.history()).hasSize(2);
        assertThat(r.bestEpoch()).isEqualTo(1);
        assertThat(r.stoppedEarly()).isFalse();
        assertThat(console.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("done: 2 epochs")
                .doesNotContain("stopped early");
    }

    @Test
    void patienceRunningOutBeforeTheLastEpochStopsEarly() {
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(3)
                .earlyStopping(EarlyStopping.on(FLAT).patience(1))
                .listener(Progress.console(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8)))
                .build().fit(train, validation);
        assertThat(r.history()).hasSize(2);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(console.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("done: 2 epochs").contains("best epoch 1 (stopped early)");
    }

    @Test
    void earlyStoppingOnAMetricStopsAfterPatience() {
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(60)
                .earlyStopping(EarlyStopping.on(ACCURACY).patience(3)).build().fit(train, validation);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.history()).hasSize(r.bestEpoch() + 3);
        double best = r.history().stream().mapToDouble(e -> e.metric("accuracy")).max().orElseThrow();
        assertThat(r.best().metric("accuracy")).isEqualTo(best);
        assertThat(r.evaluate(validation, ACCURACY)).isEqualTo(best);
    }

    /** The mean probability of the predicted class: constrained from above, it keeps an epoch modest. */
    private static final Metric CONFIDENCE = new Metric() {
        @Override
        public String name() {
            return "confidence";
        }

        @Override
        public double compute(Predictions p) {
            double sum = 0;
            for (int i = 0; i < p.size(); i++) {
                sum += p.probability(i, p.predicted(i));
            }
            return sum / p.size();
        }

        @Override
        public boolean higherIsBetter() {
            return false;
        }
    };

    @Test
    void constrainedEarlyStoppingChoosesTheBestEpochThatMeetsTheConstraint() {
        FineTuner.Builder tuner = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(3e-3)).epochs(12)
                .metrics(ACCURACY, CONFIDENCE);
        FineTuneResult free = tuner.build().fit(train, validation);
        double limit = free.history().get(2).metric("confidence");
        int expected = 0;
        double best = Double.NaN;
        for (EpochRecord e : free.history()) {
            if (e.metric("confidence") <= limit && !(e.metric("accuracy") <= best)) {
                best = e.metric("accuracy");
                expected = e.epoch();
            }
        }
        List<TrainingListener.Warning> warnings = new ArrayList<>();
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(3e-3)).epochs(12)
                .metrics(ACCURACY)
                .earlyStopping(EarlyStopping.on(ACCURACY).patience(12).subjectTo(CONFIDENCE, limit))
                .listener(new TrainingListener() {
                    @Override
                    public void onWarning(Warning warning) {
                        warnings.add(warning);
                    }
                })
                .build().fit(train, validation);

        assertThat(r.history()).hasSize(12);
        assertThat(r.history().get(11).metrics()).containsKeys("accuracy", "confidence");
        for (int e = 0; e < 12; e++) {   // the constraint only chooses: training is the same
            assertThat(r.history().get(e).metrics()).isEqualTo(free.history().get(e).metrics());
        }
        double freeBest = free.history().stream().mapToDouble(e -> e.metric("accuracy")).max().orElseThrow();
        assertThat(best).as("the constraint excludes the unconstrained best epochs").isLessThan(freeBest);
        assertThat(r.bestEpoch()).isEqualTo(expected);
        assertThat(r.evaluate(validation, ACCURACY)).isEqualTo(best);
        assertThat(r.evaluate(validation, CONFIDENCE)).isLessThanOrEqualTo(limit);
        assertThat(warnings).isEmpty();
        assertThat(r.provenance().warnings()).isEmpty();
    }

    @Test
    void whenNoEpochMeetsTheConstraintTheLastEpochIsKeptWithAWarning() {
        List<TrainingListener.Warning> warnings = new ArrayList<>();
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(4).metrics(ACCURACY)
                .earlyStopping(EarlyStopping.on(ACCURACY).patience(2).subjectTo(CONFIDENCE, 0.01))
                .listener(new TrainingListener() {
                    @Override
                    public void onWarning(Warning warning) {
                        warnings.add(warning);
                    }
                })
                .build().fit(train, validation);

        assertThat(r.bestEpoch()).isEqualTo(r.history().size());
        assertThat(r.stoppedEarly()).isTrue();   // no epoch improved
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.topic()).isEqualTo("early stopping");
            assertThat(w.message())
                    .startsWith("no epoch met confidence <= 0.01 on the validation set (last epoch: confidence = ")
                    .contains("the model holds the last epoch's weights");
            assertThat(r.provenance().warnings()).containsExactly("early stopping: " + w.message());
        });
    }

    @Test
    void constraintsAreCheckedWhenGiven() {
        EarlyStopping es = EarlyStopping.on(ACCURACY);
        assertThatThrownBy(() -> es.subjectTo(CONFIDENCE, Double.NaN))
                .hasMessage("the limit of confidence must be a finite number, got NaN");
        assertThatThrownBy(() -> es.subjectTo(ACCURACY, 0.5))
                .hasMessage("accuracy is the monitored metric; constrain another one, or monitor another metric");
        assertThatThrownBy(() -> es.subjectTo(CONFIDENCE, 0.5).subjectTo(CONFIDENCE, 0.6))
                .hasMessage("confidence is already constrained; give each metric one limit");
        assertThat(es.subjectTo(CONFIDENCE, 0.5)).hasToString(
                "EarlyStopping.on(accuracy).patience(5).minDelta(0.0).subjectTo(confidence <= 0.5)");
    }

    @Test
    void provenanceNamesDataSeedAndVersions() {
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(1).seed(7).build().fit(train, validation);
        Provenance p = r.provenance();
        assertThat(p.seed()).isEqualTo(7);
        assertThat(p.trainData()).isEqualTo(train.fingerprint()).hasSize(64);
        assertThat(p.validationData()).isEqualTo(validation.fingerprint());
        assertThat(p.baseModel()).isEqualTo(Network.of(Fixtures.mlp(3, 5)).fingerprint());
        assertThat(p.dl4jVersion()).isEqualTo("1.0.0-M2.1");
        assertThat(p.attuneVersion()).isNotBlank().doesNotContain("${");
        assertThat(p.backend()).contains("CpuBackend");
        assertThat(p.config()).containsEntry("seed", "7").containsEntry("epochs", "1");
    }

    @Test
    void listenersHearEveryStepAndEpoch() {
        List<String> events = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onFitStart(FitStart e) {
                events.add("start " + e.batchesPerEpoch());
            }

            @Override
            public void onBatchEnd(BatchEnd e) {
                events.add("batch " + e.epoch() + "." + e.batch());
            }

            @Override
            public void onEpochEnd(EpochEnd e) {
                events.add("epoch " + e.record().epoch());
            }

            @Override
            public void onFitEnd(FitEnd e) {
                events.add("end " + e.epochsRun());
            }
        };
        FineTuner.builder(Fixtures.mlp(3, 5)).epochs(2).batchSize(100).listener(l).build().fit(train);
        assertThat(events).containsExactly("start 3", "batch 1.1", "batch 1.2", "batch 1.3", "epoch 1",
                "batch 2.1", "batch 2.2", "batch 2.3", "epoch 2", "end 2");
    }

    @Test
    void computationGraphsFineTuneThroughTheSameApi() {
        var graph = Fixtures.graph(5, 5);
        INDArray dense0 = graph.getLayer("dense0").params().dup();
        FineTuneResult r = FineTuner.builder(graph).replaceHead(3).freeze(Freeze.upTo("dense0")).epochs(15)
                .metrics(ACCURACY).build().fit(train, validation);
        assertThat(r.model().layers()).extracting(LayerInfo::name).containsExactly("dense0", "dense1", "head");
        assertThat(r.model().asComputationGraph().getLayer("dense0").params()).isEqualTo(dense0);
        assertThat(r.trainableParams()).isEqualTo(16 * 16 + 16 + 16 * 3 + 3);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * r.trainableParams());
        assertThat(r.best().metric("accuracy")).isGreaterThan(0.85);
    }
}

package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftMonitorTest {
    private static final List<String> NAMES = List.of("age", "income", "score");

    /** Rows of three features: age ~ N(40, 10), income ~ N(3000 + shift, 500), score uniform in [0, 1). */
    private static double[][] rows(int n, double incomeShift, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {40 + 10 * random.nextGaussian(), 3000 + incomeShift + 500 * random.nextGaussian(),
                random.nextDouble()};
        }
        return rows;
    }

    private static double[][] probabilities(int n, double classZeroShare, double confidence) {
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = i < Math.round(n * classZeroShare) ? new double[] {confidence, 1 - confidence}
                    : new double[] {1 - confidence, confidence};
        }
        return p;
    }

    @Test
    void aShiftedFeatureCrossesTheAlertThresholdAndTheOthersStayOk() {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(2000, 0, 1)).build();
        DriftMonitor monitor = DriftMonitor.builder(reference).window(500).build();
        monitor.observe(DriftBatch.features(NAMES, rows(500, 1000, 2)));   // income moved by two deviations
        DriftReport report = monitor.report();

        assertThat(report.rows()).isEqualTo(500);
        assertThat(report.feature("income").psiLevel()).isEqualTo(DriftLevel.ALERT);
        assertThat(report.feature("income").psi()).isGreaterThan(1);
        assertThat(report.feature("income").ksLevel()).isEqualTo(DriftLevel.ALERT);
        assertThat(report.feature("age").level()).isEqualTo(DriftLevel.OK);
        assertThat(report.feature("score").level()).isEqualTo(DriftLevel.OK);
        assertThat(report.feature("age").psi()).isLessThan(0.1);
        assertThat(report.level()).isEqualTo(DriftLevel.ALERT);
        assertThat(report.featuresAt(DriftLevel.WARN)).containsExactly("income");
        assertThat(report.crossings()).extracting(DriftReport.Crossing::subject, DriftReport.Crossing::measure,
                        DriftReport.Crossing::threshold, DriftReport.Crossing::level)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("income", "psi", 0.25, DriftLevel.ALERT),
                        org.assertj.core.groups.Tuple.tuple("income", "ks_p_value", 0.01, DriftLevel.ALERT));
        assertThat(report.toText()).contains("ALERT income: psi").contains("ks_p_value");
        // The report's measures are those of the window's values against the reference's.
        double[] income = new double[500];
        double[][] observed = rows(500, 1000, 2);
        double[] referenceIncome = new double[2000];
        double[][] ref = rows(2000, 0, 1);
        for (int i = 0; i < 2000; i++) {
            referenceIncome[i] = ref[i][1];
            if (i < 500) {
                income[i] = observed[i][1];
            }
        }
        assertThat(report.feature("income").psi()).isCloseTo(PopulationStability.of(referenceIncome, income),
                within(1e-12));
        assertThat(report.feature("income").ks()).isEqualTo(KolmogorovSmirnov.test(referenceIncome, income));
    }

    @Test
    void aModerateShiftWarnsAndThresholdsCanBeSet() {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(4000, 0, 1)).build();
        DriftMonitor monitor = DriftMonitor.of(reference);
        monitor.observe(DriftBatch.features(NAMES, rows(1000, 200, 5)));  // 0.4 deviations
        DriftReport report = monitor.report();
        assertThat(report.feature("income").psi()).isBetween(0.1, 0.25);
        assertThat(report.feature("income").psiLevel()).isEqualTo(DriftLevel.WARN);
        DriftMonitor lenient = DriftMonitor.builder(reference).psi(0.3, 0.5).ksPValue(1e-30, 1e-40).build();
        lenient.observe(DriftBatch.features(NAMES, rows(1000, 200, 5)));
        assertThat(lenient.report().level()).isEqualTo(DriftLevel.OK);
        assertThat(lenient.report().crossings()).isEmpty();
    }

    @Test
    void theWindowKeepsTheMostRecentRows() {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(1000, 0, 1)).build();
        DriftMonitor monitor = DriftMonitor.builder(reference).window(300).build();
        monitor.observe(DriftBatch.features(NAMES, rows(400, 3000, 2)));  // far off, then pushed out
        assertThat(monitor.size()).isEqualTo(300);
        assertThat(monitor.report().level()).isEqualTo(DriftLevel.ALERT);
        double[][] recent = rows(300, 0, 3);
        monitor.observe(DriftBatch.features(NAMES, recent));
        DriftMonitor fresh = DriftMonitor.builder(reference).window(300).build();
        fresh.observe(DriftBatch.features(NAMES, recent));
        assertThat(monitor.report().features()).isEqualTo(fresh.report().features());
        assertThat(monitor.report().level()).isEqualTo(DriftLevel.OK);
        monitor.clear();
        assertThat(monitor.size()).isZero();
    }

    @Test
    void predictionDriftComparesPredictedClassSharesAndMeanConfidence() {
        DriftReference reference = DriftReference.builder().predictions(probabilities(100, 0.5, 0.8)).build();
        assertThat(reference.classShares().orElseThrow()).containsExactly(0.5, 0.5);
        assertThat(reference.meanConfidence().orElseThrow()).isCloseTo(0.8, within(1e-12));
        DriftMonitor monitor = DriftMonitor.of(reference);
        monitor.observe(DriftBatch.probabilities(probabilities(40, 1.0, 0.6)));
        DriftReport.PredictionDrift drift = monitor.report().predictions().orElseThrow();
        // Shares {1, 0} against {0.5, 0.5}, the empty class counted as 1e-4.
        assertThat(drift.psi()).isCloseTo((1 - 0.5) * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5),
                within(1e-12));
        assertThat(drift.currentShares()).containsExactly(1.0, 0.0);
        assertThat(drift.currentMeanConfidence()).isCloseTo(0.6, within(1e-12));
        assertThat(drift.referenceMeanConfidence()).isCloseTo(0.8, within(1e-12));
        assertThat(drift.level()).isEqualTo(DriftLevel.ALERT);
        assertThat(monitor.report().crossings()).singleElement().extracting(DriftReport.Crossing::subject)
                .isEqualTo("predicted classes");
    }

    @Test
    void embeddingDriftIsMeasuredOnTheWindow() {
        double[][] reference = {{0, 0}, {2, 0}, {0, 2}, {2, 2}};
        DriftMonitor monitor = DriftMonitor.of(DriftReference.builder().embeddings(reference).build());
        monitor.observe(DriftBatch.embeddings(new double[][] {{1, 1}, {1.2, 1}}));
        assertThat(monitor.report().embeddings().orElseThrow().shift()).isCloseTo(0.1 / Math.sqrt(2), within(1e-15));
        assertThat(monitor.report().embeddings().orElseThrow().level()).isEqualTo(DriftLevel.OK);
        monitor.observe(DriftBatch.embeddings(new double[][] {{4, 5}, {4, 5}}));
        assertThat(monitor.report().embeddings().orElseThrow().level()).isEqualTo(DriftLevel.ALERT);
    }

    @Test
    void aReferenceIsWrittenAndReadBackWhole(@TempDir Path dir) throws Exception {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(300, 0, 1))
                .embeddings(new double[][] {{0, 0, 1}, {2, 0, 1}, {0, 2, 0.5}})
                .predictions(probabilities(300, 0.3, 0.9)).bins(8).build();
        Path file = dir.resolve("drift").resolve("reference.json");
        reference.write(file);
        String json = Files.readString(file);
        assertThat(json).startsWith("{\n  \"schema\": \"attune-drift-reference/1\",\n  \"bins\": 8,");
        DriftReference read = DriftReference.read(file);
        assertThat(read.toJson()).isEqualTo(json);
        assertThat(read.featureNames()).isEqualTo(NAMES);
        assertThat(read.bins()).isEqualTo(8);
        for (int f = 0; f < 3; f++) {
            assertThat(read.values(f)).containsExactly(reference.values(f));
            assertThat(read.edges(f)).containsExactly(reference.edges(f));
        }
        assertThat(read.embeddingDimension()).isEqualTo(3);
        assertThat(read.classShares().orElseThrow()).containsExactly(reference.classShares().orElseThrow());
        // The same rows give the same report from the reference and from its copy read back.
        DriftBatch batch = DriftBatch.features(NAMES, rows(2, 400, 9))
                .withEmbeddings(new double[][] {{1, 1, 1}, {3, 0, 0}}).withProbabilities(probabilities(2, 1, 0.7));
        assertThat(batch.size()).isEqualTo(2);
        DriftMonitor original = DriftMonitor.of(reference);
        DriftMonitor copy = DriftMonitor.of(read);
        original.observe(batch);
        copy.observe(batch);
        assertThat(copy.report()).isEqualTo(original.report());
        assertThat(copy.report().embeddings()).isPresent();
        assertThat(copy.report().predictions()).isPresent();
    }

    @Test
    void aReferenceTakesAFeatureMatrixAndPredictions() {
        double[][] rows = rows(50, 0, 4);
        DriftReference fromArrays = DriftReference.builder().features(NAMES, rows).build();
        DriftReference fromMatrix = DriftReference.builder()
                .features(NAMES, org.nd4j.linalg.factory.Nd4j.create(rows))
                .predictions(dev.attune.Predictions.of(new int[] {0, 1, 1}, new double[][] {{0.9, 0.1}, {0.4, 0.6},
                    {0.3, 0.7}}))
                .build();
        for (int f = 0; f < NAMES.size(); f++) {
            assertThat(fromMatrix.values(f)).containsExactly(fromArrays.values(f));
        }
        assertThat(fromMatrix.classShares().orElseThrow()).containsExactly(1.0 / 3, 2.0 / 3);
        assertThat(fromMatrix.meanConfidence().orElseThrow()).isCloseTo((0.9 + 0.6 + 0.7) / 3, within(1e-12));
        assertThat(fromArrays.hasPredictions()).isFalse();
        assertThat(fromArrays.meanConfidence()).isEmpty();
    }

    @Test
    void observeIsSafeFromManyThreads() throws Exception {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(500, 0, 1)).build();
        DriftMonitor concurrent = DriftMonitor.builder(reference).window(100_000).build();
        DriftMonitor sequential = DriftMonitor.builder(reference).window(100_000).build();
        List<double[][]> batches = new ArrayList<>();
        for (int b = 0; b < 400; b++) {
            batches.add(rows(5, b, 100 + b));
            sequential.observe(DriftBatch.features(NAMES, batches.get(b)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (double[][] batch : batches) {
                done.add(pool.submit(() -> {
                    concurrent.observe(DriftBatch.features(NAMES, batch));
                    concurrent.size();
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(concurrent.size()).isEqualTo(2000);
        // Every measure is blind to row order, so the two windows of the same rows report the same.
        DriftReport a = concurrent.report();
        DriftReport b = sequential.report();
        for (String name : NAMES) {
            assertThat(a.feature(name).psi()).isCloseTo(b.feature(name).psi(), within(1e-12));
            assertThat(a.feature(name).ks()).isEqualTo(b.feature(name).ks());
        }
    }
}

package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Network;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.Prediction;
import dev.attune.deploy.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Bad input is refused at submit for its caller alone; the requests around it are answered. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void aRowOfTheWrongWidthOrWithNaNIsRefusedAloneAndItsBatchIsAnswered() throws Exception {
        Network network = Mlp.of(4, 3, 5);
        float[] a = {0.1f, 0.2f, 0.3f, 0.4f};
        float[] b = {1f, -1f, 2f, -2f};
        float[] c = {0f, 0f, 0f, 1f};
        try (PredictorService<float[], float[]> service = PredictorService.forNetwork(network, 4).maxBatch(3)
                .maxWait(Duration.ofHours(1)).build()) {
            CompletableFuture<float[]> fa = service.submit(a);
            assertThatThrownBy(() -> service.submit(new float[] {1f, 2f, 3f}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the row has 3 features, but the model takes 4; give one example's 4 feature values");
            assertThatThrownBy(() -> service.submit(new float[] {1f, Float.NaN, 3f, 4f}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("feature 1 of the row is NaN; features must be finite numbers: impute or drop the"
                            + " missing value before predicting");
            assertThatThrownBy(() -> service.submit(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("input");
            CompletableFuture<float[]> fb = service.submit(b);
            CompletableFuture<float[]> fc = service.submit(c);   // the third row fills the batch
            float[][] same = network.output(Nd4j.create(new float[][] {a, b, c})).toFloatMatrix();
            assertThat(fa.get()).isEqualTo(same[0]);
            assertThat(fb.get()).isEqualTo(same[1]);
            assertThat(fc.get()).isEqualTo(same[2]);
            ServingStats stats = service.stats();
            assertThat(stats.invalid()).isEqualTo(2);
            assertThat(stats.rejected()).isEqualTo(2);
            assertThat(stats.accepted()).isEqualTo(3);
            assertThat(stats.batchSizes().get(2)).isEqualTo(1);
        }
    }

    @Test
    void anImageOfAnotherSizeIsRefusedAndAPackagedImageModelIsServed() throws Exception {
        Network network = Mlp.of(8, 3, 1);
        Path file = dir.resolve("small.attune");
        ModelPackage.builder("small").model(network).classNames(List.of("a", "b", "c")).image(2f, 8)
                .reproduceCommand("./train.sh --seed 1").write(file);
        Predictor predictor = ModelPackage.load(file).predictor();
        float[] pixels = {0, 2, 4, 6, 8, 10, 12, 14};
        try (PredictorService<float[], Prediction> service = PredictorService.forImages(predictor).maxBatch(1).build()) {
            assertThatThrownBy(() -> service.submit(new float[7])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the row has 7 features, but the model takes 8; give one example's 8 feature values");
            assertThatThrownBy(() -> service.submit(new float[] {0, 0, 0, Float.POSITIVE_INFINITY, 0, 0, 0, 0}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("feature 3 of the row is Infinity");
            assertThat(service.predict(pixels, Duration.ofMinutes(1))).isEqualTo(predictor.predictImage(pixels));
        }
    }

    @Test
    void builderOptionsOutOfRangeAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> PredictorService.forNetwork(Mlp.of(4, 3, 5), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("width 0 is not a number of features; give the number of values in one example's row (1 or more)");
        assertThatThrownBy(() -> PredictorService.builder((List<Integer> in) -> in).maxBatch(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatch 0 is below 1; give the most requests one batch call may take (1 turns batching off)");
        assertThatThrownBy(() -> PredictorService.builder((List<Integer> in) -> in).queueCapacity(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queueCapacity 0 is below 1; give the most requests that may wait");
        assertThatThrownBy(() -> PredictorService.builder((List<Integer> in) -> in).maxWait(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWait PT-0.001S is negative; give zero or more");
        assertThatThrownBy(() -> PredictorService.builder((List<Integer> in) -> in).workers(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workers 0 is below 1; give 1 or more worker threads");
    }
}

package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LatencyTest {
    @Test
    void percentilesInterpolateBetweenRanksAsNumpyDoes() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 95, 99]) -> [3.0, 8.8, 9.76]
        double[] v = {10, 1, 4, 2, 3};
        assertThat(Latency.percentile(v, 50)).isEqualTo(3.0);
        assertThat(Latency.percentile(v, 95)).isCloseTo(8.8, within(1e-12));
        assertThat(Latency.percentile(v, 99)).isCloseTo(9.76, within(1e-12));
        assertThat(Latency.percentile(new double[] {7}, 99)).isEqualTo(7.0);
    }

    @Test
    void batchesCycleTheExampleRows() {
        INDArray x = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2});
        INDArray b = Latency.batch(x, 5);
        assertThat(b.shape()).containsExactly(5, 2);
        assertThat(b.getRow(3)).isEqualTo(x.getRow(0));
        assertThat(b.getRow(4)).isEqualTo(x.getRow(1));
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 1, 3, 3);
        assertThat(Latency.batch(images, 3).shape()).containsExactly(3, 1, 3, 3);
    }

    @Test
    void everyModelIsCalledInTurnOnBatchesOfEachSize() {
        List<String> log = new ArrayList<>();
        Map<String, UnaryOperator<INDArray>> models = new LinkedHashMap<>();
        models.put("a", x -> { log.add("a" + x.size(0)); return x; });
        models.put("b", x -> { log.add("b" + x.size(0)); return x; });
        LatencyReport r = Latency.calls(4).warmup(1).batchSizes(1, 3).measure(models, Nd4j.rand(DataType.FLOAT, 2, 5));

        // Per batch size: one warm-up round, then 4 rounds whose order rotates.
        assertThat(log).containsExactly("a1", "b1", "a1", "b1", "b1", "a1", "a1", "b1", "b1", "a1",
                "a3", "b3", "a3", "b3", "b3", "a3", "a3", "b3", "b3", "a3");
        assertThat(r.rows()).extracting(LatencyReport.Row::model).containsExactly("a", "b", "a", "b");
        for (LatencyReport.Row row : r.rows()) {
            assertThat(row.p50()).isPositive().isLessThanOrEqualTo(row.p95());
            assertThat(row.p95()).isLessThanOrEqualTo(row.p99());
            assertThat(row.examplesPerSecond()).isPositive();
        }
        assertThat(r.ratio("a", "a", 3)).isEqualTo(1.0);
        assertThat(r.ratio("a", "b", 1) * r.ratio("b", "a", 1)).isPositive();
        assertThat(r.toMarkdown()).contains("| a | 1 |").contains("| b | 3 |").contains("time / a");
        assertThat(r.conditions()).contains("4 measured calls").contains("OMP_NUM_THREADS=");
    }

    @Test
    void percentilesThroughputAndRatiosComeFromTheMeasuredTimes() {
        // A clock that only the models move: "fast" takes 10 ns plus its call number mod 4, "slow" 30 ns.
        AtomicLong now = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        Map<String, UnaryOperator<INDArray>> models = new LinkedHashMap<>();
        models.put("fast", x -> { now.addAndGet(10_000 + 1_000 * (calls.getAndIncrement() % 4)); return x; });
        models.put("slow", x -> { now.addAndGet(30_000); return x; });
        LatencyReport r = Latency.calls(8).warmup(0).batchSizes(4).measure(models, Nd4j.ones(2, 2), now::get);

        // fast took 10, 11, 12, 13, 10, 11, 12, 13 µs: numpy.percentile gives 11.5, 13.0 and 13.0.
        assertThat(r.row("fast", 4).p50()).isCloseTo(11.5, within(1e-9));
        assertThat(r.row("fast", 4).p95()).isCloseTo(13.0, within(1e-9));
        assertThat(r.row("fast", 4).p99()).isCloseTo(13.0, within(1e-9));
        // 8 calls of 4 examples in 92 µs.
        assertThat(r.row("fast", 4).examplesPerSecond()).isCloseTo(32 / 92e-6, within(1e-3));
        assertThat(r.row("slow", 4).p50()).isCloseTo(30.0, within(1e-9));
        // Per-call ratios slow / fast: 30/10, 30/11, 30/12, 30/13 twice each; the median is between 30/12 and 30/11.
        assertThat(r.ratio("slow", "fast", 4)).isCloseTo((30.0 / 12 + 30.0 / 11) / 2, within(1e-9));
        assertThat(r.ratio("fast", "slow", 4)).isCloseTo((11.0 / 30 + 12.0 / 30) / 2, within(1e-9));
    }

    @Test
    void badInputIsRefusedWithTheValue() {
        assertThatThrownBy(() -> Latency.calls(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> Latency.defaults().warmup(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> Latency.defaults().batchSizes()).hasMessageContaining("at least one batch size");
        assertThatThrownBy(() -> Latency.defaults().batchSizes(8, 0)).hasMessageContaining("got 0 in [8, 0]");
        assertThatThrownBy(() -> Latency.defaults().measure(Map.of(), Nd4j.ones(2, 2)))
                .hasMessageContaining("at least one model");
        assertThatThrownBy(() -> Latency.defaults().measure(Map.of("m", x -> x), Nd4j.create(DataType.FLOAT, 0, 4)))
                .hasMessageContaining("[0, 4]");
        LatencyReport r = Latency.calls(2).warmup(0).batchSizes(1).measure(Map.of("m", x -> x), Nd4j.ones(2, 2));
        assertThatThrownBy(() -> r.row("m", 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch 8").hasMessageContaining("[m@1]");
    }
}

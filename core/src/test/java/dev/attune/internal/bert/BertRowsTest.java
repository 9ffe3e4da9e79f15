package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertFineTuningTest;
import dev.attune.BertLoraFineTuningTest;
import dev.attune.Network;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The per-row BERT pass of {@code MultiAdapterNetwork}: the written-out pass (padding skipped, each
 * adapter's LoRA products on its examples' tokens) against the pass in ND4J ops over every position, on
 * one mixed batch of three adapters and the base, in float and double, and from several threads at once. (That each row equals its
 * adapter's own network is {@code MultiAdapterBertTest}'s.)
 */
class BertRowsTest {
    private static AdapterWeights adapter(Network on, DataType type, int rank, List<String> modules, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String m : modules) {
            long in = m.endsWith("output.dense") && !m.contains("attention") ? 32 : 16;
            long out = m.endsWith("intermediate.dense") ? 32 : 16;
            tensors.put(m + ".lora_A", Nd4j.rand(type, rank, in).subi(0.5).muli(0.4));
            tensors.put(m + ".lora_B", Nd4j.rand(type, out, rank).subi(0.5).muli(0.4));
        }
        return new AdapterWeights(BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(rank, modules)), null,
                tensors, on.fingerprint(), Map.of());
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void writtenOutPassEqualsTheOpsPassOnAMixedBatch(DataType type) throws Exception {
        Network base = Network.of(BertFineTuningTest.tiny(type));
        BertHandle handle = (BertHandle) base.handle();
        List<List<String>> modules = List.of(
                List.of("encoder.0.attention.self.query", "encoder.1.attention.self.value"),
                List.of("encoder.0.attention.self.key", "encoder.1.intermediate.dense", "encoder.1.output.dense"),
                List.of("encoder.0.attention.output.dense", "encoder.1.attention.self.query"));
        BertRows written = BertRows.of(handle);
        BertRows ops = BertRows.overOps(handle);
        List<RowsAdapter> forWritten = new java.util.ArrayList<>();
        List<RowsAdapter> forOps = new java.util.ArrayList<>();
        for (int i = 0; i < modules.size(); i++) {
            AdapterWeights w = adapter(base, type, 2 + i, modules.get(i), 3 + i);
            LowRankSpec spec = BertLoraFineTuningTest.spec(2 + i, modules.get(i));
            forWritten.add(written.prepare("a" + i, w, spec));
            forOps.add(ops.prepare("a" + i, w, spec));
        }
        RowsBank writtenBank = written.bank(forWritten);
        RowsBank opsBank = ops.bank(forOps);
        INDArray x = BertForwardTest.features(14, 9, 50, 21); // padded, some masks with holes
        int[] slots = {2, -1, 0, 1, 1, 0, 2, -1, 0, 0, 1, 2, 2, 1}; // every adapter and the base, unsorted
        INDArray got = writtenBank.output(x, slots);
        INDArray expected = opsBank.output(x, slots);
        assertThat(got.shape()).containsExactly(14, 16);
        assertThat(got.dataType()).isEqualTo(type);
        double gap = got.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(gap).isLessThanOrEqualTo(type == DataType.DOUBLE ? 1e-10 : 1e-5);
        // Calls from several threads at once (each takes a pass of its own) give the same answers.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<INDArray>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                runs.add(pool.submit(() -> writtenBank.output(x, slots)));
            }
            for (java.util.concurrent.Future<INDArray> run : runs) {
                assertThat(run.get()).isEqualTo(got);
            }
        } finally {
            pool.shutdownNow();
        }
        // The adapters change their rows: the comparison is not of the base alone.
        INDArray plain = base.output(x);
        for (int i = 0; i < slots.length; i++) {
            double d = got.getRow(i).sub(plain.getRow(i).castTo(type)).amaxNumber().doubleValue();
            if (slots[i] < 0) {
                assertThat(d).as("base row " + i).isLessThan(1e-5);
            } else {
                assertThat(d).as("adapted row " + i).isGreaterThan(1e-4);
            }
        }
    }
}

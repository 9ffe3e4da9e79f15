package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.LabeledData;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledText;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.spi.AdapterWeights;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Three LoRA adapters (r = 8 on query and value, each with its own 12-class head) on the real
 * all-MiniLM-L6-v2 in one mixed batch: each utterance's answer equals its adapter's own batch through
 * {@link AdaptedNetwork}.
 */
class MiniLmMultiAdapterTest {
    @Test
    void aMixedBatchOnMiniLmEqualsEachAdaptersOwnBatch() throws Exception {
        WordPieceTokenizer tokenizer;
        try (InputStream in = MiniLmMultiAdapterTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = WordPieceTokenizer.fromJson(in, "all-minilm-l6-v2-tokenizer.json").withMaxLength(16);
        }
        BertEncoder encoder;
        try (InputStream in = MiniLmMultiAdapterTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            encoder = BertEncoder.fromOnnx(in);
        }
        LabeledData all = BundledText.SUPPORT_INTENTS.train().toLabeledData(tokenizer);
        INDArray x = all.select(IntStream.range(0, 12).toArray()).features();
        Network base = Network.of(encoder);
        Lora lora = Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value");
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        for (int a = 0; a < 3; a++) {
            Nd4j.getRandom().setSeed(10 + a);
            Map<String, INDArray> t = new LinkedHashMap<>();
            for (int n = 0; n < 6; n++) {
                for (String m : List.of("query", "value")) {
                    String module = "encoder." + n + ".attention.self." + m;
                    t.put(module + ".lora_A", Nd4j.rand(DataType.FLOAT, 8, 384).subi(0.5).muli(0.1));
                    t.put(module + ".lora_B", Nd4j.rand(DataType.FLOAT, 384, 8).subi(0.5).muli(0.1));
                }
            }
            t.put("head.W", Nd4j.rand(DataType.FLOAT, 384, 12).subi(0.5));
            t.put("head.b", Nd4j.rand(DataType.FLOAT, 12).subi(0.5));
            adapters.put("a" + a, new AdapterWeights(lora, new AdapterWeights.Head("head", 12), t, base.fingerprint(),
                    Map.of()));
        }
        MultiAdapterNetwork multi = MultiAdapterNetwork.of(base);
        adapters.forEach(multi::put);
        List<String> perRow = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            perRow.add("a" + (i * 7 % 3));
        }
        INDArray got = multi.output(x, perRow);

        AdaptedNetwork one = AdaptedNetwork.of(base);
        adapters.forEach(one::add);
        double worst = 0;
        for (String name : adapters.keySet()) {
            int[] rows = IntStream.range(0, 12).filter(i -> perRow.get(i).equals(name)).toArray();
            INDArray own = Nd4j.create(DataType.FLOAT, rows.length, 2, x.size(2));
            for (int i = 0; i < rows.length; i++) {
                own.get(NDArrayIndex.point(i)).assign(x.get(NDArrayIndex.point(rows[i])));
            }
            INDArray want = one.activate(name).output(own);
            for (int i = 0; i < rows.length; i++) {
                worst = Math.max(worst, got.getRow(rows[i]).sub(want.getRow(i)).amaxNumber().doubleValue());
            }
        }
        assertThat(worst).isLessThan(1e-6);
        // The adapters differ: the same utterance through two of them gives other answers.
        INDArray a0 = multi.output(x, "a0");
        INDArray a1 = multi.output(x, "a1");
        assertThat(a0.sub(a1).amaxNumber().doubleValue()).isGreaterThan(1e-2);
    }
}

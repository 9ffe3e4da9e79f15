package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.internal.bert.BertGraph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@link BertEncoder#saveSafetensors}: Hugging Face's names and PyTorch's layouts, 8-byte aligned data,
 * the configuration in the metadata, and weights that rebuild the same encoder.
 */
class BertSafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void writesHuggingFaceNamesAndLayoutsThatRebuildTheEncoder() throws IOException {
        BertEncoder encoder = BertFineTuningTest.tiny(DataType.FLOAT);
        Path file = dir.resolve("tiny.safetensors");
        encoder.saveSafetensors(file);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        JsonNode meta = header.get("__metadata__");
        assertThat(meta.get("num_layers").asText()).isEqualTo("2");
        assertThat(meta.get("num_heads").asText()).isEqualTo("2");
        assertThat(meta.get("hidden_size").asText()).isEqualTo("16");
        assertThat(meta.get("intermediate_size").asText()).isEqualTo("32");
        assertThat(Double.parseDouble(meta.get("layer_norm_eps").asText())).isEqualTo(1e-12);

        Map<String, INDArray> read = new LinkedHashMap<>();
        long end = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            assertThat(e.getValue().get("dtype").asText()).isEqualTo("F32");
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            long from = e.getValue().get("data_offsets").get(0).asLong();
            long to = e.getValue().get("data_offsets").get(1).asLong();
            float[] v = new float[(int) ((to - from) / 4)];
            ByteBuffer.wrap(bytes, (int) (8 + headerLength + from), (int) (to - from)).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(v);
            read.put(e.getKey(), Nd4j.create(v, shape, 'c'));
            end = Math.max(end, to);
        }
        assertThat(8 + headerLength + end).isEqualTo(bytes.length);
        assertThat(read).hasSize(5 + 2 * 16);
        assertThat(read.get("encoder.layer.1.intermediate.dense.weight").shape()).containsExactly(32, 16); // [out, in]
        assertThat(read.get("encoder.layer.0.output.dense.weight").shape()).containsExactly(16, 32);
        assertThat(read.get("embeddings.word_embeddings.weight").shape()).containsExactly(encoder.vocabSize(), 16);

        // Back to Attune's names and [in, out] layout: the same encoder, bit for bit.
        Map<String, INDArray> weights = new LinkedHashMap<>();
        read.forEach((name, w) -> {
            boolean linear = name.startsWith("encoder.") && w.rank() == 2;
            weights.put(name.replaceFirst("^encoder\\.layer\\.", "encoder."), linear ? w.transpose().dup('c') : w);
        });
        BertEncoder rebuilt = BertEncoder.of(BertGraph.build(BertFineTuningTest.TINY, weights, DataType.FLOAT,
                BertGraph.Lookup.GATHER));
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 0}, {1, 9, 13, 11, 2}});
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}});
        assertThat(rebuilt.embed(ids, mask)).isEqualTo(encoder.embed(ids, mask));
        assertThat(Files.list(dir)).containsExactly(file); // no temporary file left beside it
    }
}

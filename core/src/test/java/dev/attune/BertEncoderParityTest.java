package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.attune.internal.bert.BertConfig;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attune's SameDiff BERT encoder against ONNX Runtime running the same all-MiniLM-L6-v2 ONNX file
 * (from the langchain4j jar on the test class path).
 */
public class BertEncoderParityTest {
    public static final String MODEL = "/all-minilm-l6-v2.onnx";

    /**
     * WordPiece ids (bert-base-uncased vocabulary, the model's tokenizer.json) of
     * "Where is my order?", "I want a refund for the broken headphones I received yesterday.",
     * "Hello!" and "The delivery was late, and the package arrived damaged; please send a
     * replacement as soon as possible.", each as [CLS] ... [SEP].
     */
    public static final long[][] SENTENCES = {
        {101, 2073, 2003, 2026, 2344, 1029, 102},
        {101, 1045, 2215, 1037, 25416, 8630, 2005, 1996, 3714, 2132, 19093, 1045, 2363, 7483, 1012, 102},
        {101, 7592, 999, 102},
        {101, 1996, 6959, 2001, 2397, 1010, 1998, 1996, 7427, 3369, 5591, 1025, 3531, 4604, 1037, 6110, 2004, 2574,
            2004, 2825, 1012, 102},
    };

    private static BertEncoder encoder;
    private static OrtEnvironment env;
    private static OrtSession session;

    @BeforeAll
    static void load() throws Exception {
        byte[] bytes;
        try (InputStream in = BertEncoderParityTest.class.getResourceAsStream(MODEL)) {
            bytes = in.readAllBytes();
        }
        try (InputStream in = BertEncoderParityTest.class.getResourceAsStream(MODEL)) {
            encoder = BertEncoder.fromOnnx(in);
        }
        env = OrtEnvironment.getEnvironment();
        session = env.createSession(bytes, new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
    }

    /** Right-padded [n, length] ids (0 = [PAD]) and the 0/1 mask. */
    public static long[][][] batch(int length, long[]... rows) {
        long[][] ids = new long[rows.length][length];
        long[][] mask = new long[rows.length][length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, ids[i], 0, rows[i].length);
            for (int j = 0; j < rows[i].length; j++) {
                mask[i][j] = 1;
            }
        }
        return new long[][][] {ids, mask};
    }

    /** ONNX Runtime's last_hidden_state [n, length, 384]. */
    static INDArray reference(long[][] ids, long[][] mask) throws Exception {
        long[][] types = new long[ids.length][ids[0].length];
        try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor t = OnnxTensor.createTensor(env, types);
                OrtSession.Result r = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            float[][][] out = (float[][][]) r.get(0).getValue();
            return Nd4j.create(out);
        }
    }

    /** sentence-transformers' mean pooling of a hidden state over the mask. */
    static INDArray meanPool(INDArray hidden, INDArray mask) {
        INDArray m = mask.castTo(DataType.FLOAT);
        INDArray summed = hidden.mul(m.reshape(m.size(0), m.size(1), 1)).sum(1);
        return summed.diviColumnVector(m.sum(true, 1));
    }

    @Test
    void readsTheConfigurationFromTheFile() {
        assertThat(encoder.hiddenSize()).isEqualTo(384);
        assertThat(encoder.numLayers()).isEqualTo(6);
        assertThat(encoder.vocabSize()).isEqualTo(30522);
        assertThat(encoder.maxLength()).isEqualTo(512);
        assertThat(encoder.numParams()).isEqualTo(22_565_376L);
        BertConfig c = encoder.graph().config();
        assertThat(c.numHeads()).isEqualTo(12);
        assertThat(c.intermediateSize()).isEqualTo(1536);
        assertThat(c.typeVocabSize()).isEqualTo(2);
        assertThat(c.layerNormEps()).isCloseTo(1e-12, org.assertj.core.data.Offset.offset(1e-18));
    }

    @Test
    void matchesOnnxRuntimeOnPaddedBatchesOfRealSentences() throws Exception {
        // all four sentences padded to the longest (22), then two of them padded further, to 30
        long[][][] a = batch(22, SENTENCES);
        long[][][] b = batch(30, SENTENCES[2], SENTENCES[1]);
        for (long[][][] in : new long[][][][] {a, b}) {
            INDArray ids = Nd4j.createFromArray(in[0]);
            INDArray mask = Nd4j.createFromArray(in[1]);
            INDArray expected = reference(in[0], in[1]);
            INDArray hidden = encoder.lastHiddenState(ids, mask);
            assertThat(hidden.shape()).containsExactly(expected.shape());
            double hiddenError = Transforms.maxAbsDiff(hidden, expected);
            INDArray embedding = encoder.embed(ids, mask);
            assertThat(embedding.shape()).containsExactly(ids.size(0), 384L);
            double embeddingError = Transforms.maxAbsDiff(embedding, meanPool(expected, mask));
            System.out.printf("length %d: max abs difference %.2e (last hidden state), %.2e (embedding)%n",
                    ids.size(1), hiddenError, embeddingError);
            assertThat(hiddenError).isLessThan(1e-4);
            assertThat(embeddingError).isLessThan(1e-4);
        }
    }

    @Test
    void paddingDoesNotChangeAnEmbedding() {
        long[][][] padded = batch(22, SENTENCES);
        INDArray batchEmbeddings = encoder.embed(Nd4j.createFromArray(padded[0]), Nd4j.createFromArray(padded[1]));
        for (int i = 0; i < SENTENCES.length; i++) {
            long[][][] alone = batch(SENTENCES[i].length, SENTENCES[i]);
            INDArray single = encoder.embed(Nd4j.createFromArray(alone[0]), Nd4j.createFromArray(alone[1]));
            INDArray row = batchEmbeddings.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all());
            assertThat(Transforms.maxAbsDiff(single, row)).as("sentence %d", i).isLessThan(1e-5);
        }
    }

    /** Small array helpers. */
    static final class Transforms {
        static double maxAbsDiff(INDArray a, INDArray b) {
            return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        }
    }
}

package dev.attune;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sentence-embedding throughput of {@link BertEncoder} (SameDiff) against ONNX Runtime on the same
 * all-MiniLM-L6-v2 file, one JVM, batches of 32 sequences of 64 tokens (no padding). A measurement to
 * run by hand, not a test: {@code java -cp <core test class path> dev.attune.EncoderThroughput}.
 */
public final class EncoderThroughput {
    private EncoderThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int batch = 32;
        int length = 64;
        int warmup = 3;
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        byte[] bytes;
        try (InputStream in = EncoderThroughput.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            bytes = in.readAllBytes();
        }
        Random rng = new Random(1);
        long[][] ids = new long[batch][length];
        long[][] mask = new long[batch][length];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < length; j++) {
                ids[i][j] = j == 0 ? 101 : j == length - 1 ? 102 : 1000 + rng.nextInt(29000);
                mask[i][j] = 1;
            }
        }
        BertEncoder encoder = BertEncoder.fromOnnx(new java.io.ByteArrayInputStream(bytes));
        INDArray idArray = Nd4j.createFromArray(ids);
        INDArray maskArray = Nd4j.createFromArray(mask);
        for (int i = 0; i < warmup; i++) {
            encoder.embed(idArray, maskArray);
        }
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            encoder.embed(idArray, maskArray);
        }
        double attune = runs * batch / ((System.nanoTime() - start) / 1e9);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double ort;
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
                OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor t = OnnxTensor.createTensor(env, new long[batch][length])) {
            Map<String, OnnxTensor> in = Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t);
            for (int k = 0; k < warmup; k++) {
                session.run(in).close();
            }
            long s = System.nanoTime();
            for (int k = 0; k < runs; k++) {
                session.run(in).close();
            }
            ort = runs * batch / ((System.nanoTime() - s) / 1e9);
        }
        System.out.printf("batch %d x length %d, %d timed runs after %d warm-up runs, %d cores%n", batch, length, runs,
                warmup, Runtime.getRuntime().availableProcessors());
        System.out.printf("Attune SameDiff encoder: %.1f sentences/s%n", attune);
        System.out.printf("ONNX Runtime 1.19.2:     %.1f sentences/s (last hidden state, no pooling)%n", ort);
        System.out.printf("ratio Attune / ONNX Runtime: %.2f%n", attune / ort);
    }
}

package dev.attune;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sentence-embedding throughput of {@link BertEncoder} (SameDiff) against ONNX Runtime on the same
 * all-MiniLM-L6-v2 file, one JVM, batches of 32 sequences of 64 tokens (no padding), the two run in
 * alternation, with the load average before and after. A measurement to run by hand, not a test:
 * {@code java -cp <core test class path> dev.attune.EncoderThroughput [runs]}.
 */
public final class EncoderThroughput {
    private EncoderThroughput() {
    }

    /** Seeded token ids: [CLS], random word-piece ids, [SEP], with no padding. */
    static long[][] ids(int batch, int length) {
        Random rng = new Random(1);
        long[][] ids = new long[batch][length];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < length; j++) {
                ids[i][j] = j == 0 ? 101 : j == length - 1 ? 102 : 1000 + rng.nextInt(29000);
            }
        }
        return ids;
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
        long[][] ids = ids(batch, length);
        long[][] mask = new long[batch][length];
        for (long[] row : mask) {
            java.util.Arrays.fill(row, 1);
        }
        BertEncoder encoder = BertEncoder.fromOnnx(new java.io.ByteArrayInputStream(bytes));
        INDArray idArray = Nd4j.createFromArray(ids);
        INDArray maskArray = Nd4j.createFromArray(mask);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
                OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor t = OnnxTensor.createTensor(env, new long[batch][length])) {
            Map<String, OnnxTensor> in = Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t);
            for (int k = 0; k < warmup; k++) {
                encoder.embed(idArray, maskArray);
                session.run(in).close();
            }
            double loadBefore = loadAverage();
            // alternating rounds, so that a change in the machine's load affects both alike
            long attuneNanos = 0;
            long ortNanos = 0;
            for (int k = 0; k < runs; k++) {
                long s = System.nanoTime();
                encoder.embed(idArray, maskArray);
                long mid = System.nanoTime();
                session.run(in).close();
                ortNanos += System.nanoTime() - mid;
                attuneNanos += mid - s;
            }
            double attune = runs * batch / (attuneNanos / 1e9);
            double ort = runs * batch / (ortNanos / 1e9);
            System.out.printf("batch %d x length %d, %d alternating timed runs each after %d warm-up runs, %d cores,"
                    + " load average %.2f before and %.2f after%n", batch, length, runs, warmup,
                    Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage());
            System.out.printf("Attune SameDiff encoder: %.1f sentences/s%n", attune);
            System.out.printf("ONNX Runtime 1.19.2:     %.1f sentences/s (last hidden state, no pooling)%n", ort);
            System.out.printf("ratio Attune / ONNX Runtime: %.2f%n", attune / ort);
        }
    }

    /** The one-minute load average, or -1 where the system does not report it. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

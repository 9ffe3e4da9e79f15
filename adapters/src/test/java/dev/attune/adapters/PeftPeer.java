package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertEncoder;
import dev.attune.BertFineTuningTest;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tiny random BERT of core's tests, token inputs for it, an adapter trained on it, and the
 * Python side ({@code src/test/python/peft_lora.py}, numpy only) that reads and writes PEFT's layout.
 */
final class PeftPeer {
    static final int LENGTH = 10;
    static final int CLASSES = 3;
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final Path SCRIPT = Path.of("src/test/python/peft_lora.py");

    private PeftPeer() {
    }

    /** The tiny random BERT (vocabulary 50, width 16, 2 layers, 2 heads), float32. */
    static BertEncoder tiny() {
        return BertFineTuningTest.tiny(DataType.FLOAT);
    }

    /** {@code n} token sequences [n, 2, LENGTH]: ids 1..49, lengths 3 to LENGTH, padding 0 under mask 0. */
    static LabeledData tokens(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 2 * LENGTH];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int len = 3 + rng.nextInt(LENGTH - 2);
            labels[i] = i % CLASSES;
            for (int t = 0; t < LENGTH; t++) {
                x[i * 2 * LENGTH + t] = t < len ? (t == 0 ? 1 : 10 + 3 * labels[i] + rng.nextInt(3) + (rng.nextBoolean() ? 0 : 10)) : 0;
                x[i * 2 * LENGTH + LENGTH + t] = t < len ? 1 : 0;
            }
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 2, LENGTH}, 'c'), labels, CLASSES);
    }

    /** LoRA r = 4, alpha 8 on the given targets and a new 3-class head, trained for two epochs. */
    static FineTuneResult train(Network base, Lora lora) {
        return FineTuner.builder(base).replaceHead(CLASSES).adapter(lora).optimizer(Optimizer.adam(5e-2))
                .batchSize(32).epochs(2).seed(3).build().fit(tokens(96, 2), null);
    }

    /** Whether the Python peer can run here: {@code python3} with numpy. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs the peer in {@code mode} ({@code make} or {@code run}) on the base's weights and the
     * features' tokens with the PEFT directory {@code dir}; returns its class probabilities [n, classes].
     */
    static INDArray run(String mode, BertEncoder base, INDArray features, Path dir, Path work, String... extra)
            throws IOException, InterruptedException {
        Path weights = work.resolve("base.safetensors");
        base.saveSafetensors(weights);
        int n = (int) features.size(0);
        ByteBuffer ids = ByteBuffer.allocate(n * LENGTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer mask = ByteBuffer.allocate(n * LENGTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < LENGTH; t++) {
                ids.putInt(features.getInt(i, 0, t));
                mask.putInt(features.getInt(i, 1, t));
            }
        }
        Files.write(work.resolve("ids.i32"), ids.array());
        Files.write(work.resolve("mask.i32"), mask.array());
        Path probs = work.resolve(mode + "-probs.f64");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, SCRIPT.toString(), mode, "--weights", weights.toString(),
                "--ids", work.resolve("ids.i32").toString(), "--mask", work.resolve("mask.i32").toString(),
                "--length", String.valueOf(LENGTH), "--dir", dir.toString(), "--probs", probs.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("the peer finishes").isTrue();
        assertThat(p.exitValue()).as("the peer's exit status; its output:\n" + output).isZero();
        byte[] raw = Files.readAllBytes(probs);
        double[] v = new double[raw.length / 8];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
        return Nd4j.create(v, new long[] {n, v.length / n}, 'c');
    }
}

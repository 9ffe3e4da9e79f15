package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Attune against PyTorch on the same model, data, batch size, rank and optimizer: an MLP
 * 784-1024-1024-10 on 12,000 Fashion-MNIST images, batch 128, Adam 1e-3, in three modes (full
 * fine-tuning, head only, LoRA of rank 8 with alpha 16 on all three layers). PyTorch runs
 * {@code benchmarks/peer/lora_mlp.py} with Debian's {@code python3-torch}, in alternating rounds
 * with Attune; without Python and torch the PyTorch column is skipped with a message. Attune's time
 * is its whole {@code fit}; PyTorch's is its training loop after a warm-up epoch.
 */
public final class PeerBenchmark {
    static final int BATCH = 128;
    static final int EPOCHS = 2;
    static final int ROUNDS = 5;
    /** Debian's python3-torch serves the system Python; a python3 first on the PATH may lack torch. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final Pattern RATE = Pattern.compile("\"examples_per_s\": ([0-9.]+)");

    private PeerBenchmark() {
    }

    /** Runs the benchmark and prints examples per second and ratios per mode (all three, or those named: full, head, lora). */
    public static void main(String[] args) throws Exception {
        LabeledData train = BundledData.FASHION_MNIST.train();
        Path dir = Path.of("target/attune/peer");
        Path features = dir.resolve("fashion-x.f32");
        Path labels = dir.resolve("fashion-y.u8");
        write(train, features, labels);
        String torch = torchVersion();
        System.out.println("peer benchmark: MLP 784-1024-1024-10, " + train.size() + " Fashion-MNIST images, batch " + BATCH
                + ", Adam 1e-3, LoRA r=8 alpha=16 on all layers, " + EPOCHS + " epochs per measurement, " + ROUNDS
                + " alternating rounds after a warm-up; " + BaseModels.threadSettings() + "; PyTorch: "
                + (torch == null ? "not found (install Debian's python3-torch to compare)" : torch));
        MultiLayerNetwork base = mlp(3);

        List<String> rows = new ArrayList<>();
        for (String mode : args.length > 0 ? List.of(args) : List.of("full", "head", "lora")) {
            FineTuner tuner = tuner(base, mode);
            tuner.fit(train);
            double[] attune = new double[ROUNDS];
            double[] torchRates = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                if (torch != null && r % 2 == 1) {
                    torchRates[r] = torch(mode, features, labels);
                }
                System.gc();
                FineTuneResult result = tuner.fit(train);
                attune[r] = (double) train.size() * EPOCHS / (result.wallTime().toNanos() / 1e9);
                if (torch != null && r % 2 == 0) {
                    torchRates[r] = torch(mode, features, labels);
                }
                System.out.printf(Locale.ROOT, "  %s round %d: Attune %,.0f examples/s%s%n", mode, r + 1, attune[r],
                        torch == null ? "" : String.format(Locale.ROOT, ", PyTorch %,.0f examples/s", torchRates[r]));
            }
            rows.add(row(label(mode), attune, torch == null ? null : torchRates));
        }
        System.out.println();
        System.out.println("| mode | Attune (examples/s) | PyTorch (examples/s) | Attune / PyTorch (median, range) |");
        System.out.println("|---|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** A table row: the median of each side and the median and range of the per-round ratios (peer null: skipped). */
    static String row(String label, double[] attune, double[] peer) {
        if (peer == null) {
            return String.format(Locale.ROOT, "| %s | %,.0f | skipped | - |", label, LoopBenchmark.median(attune));
        }
        double[] ratios = new double[attune.length];
        Arrays.setAll(ratios, i -> attune[i] / peer[i]);
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f (%.2f to %.2f) |", label, LoopBenchmark.median(attune),
                LoopBenchmark.median(peer), LoopBenchmark.median(ratios), sorted[0], sorted[sorted.length - 1]);
    }

    private static String label(String mode) {
        return switch (mode) {
            case "full" -> "full fine-tuning";
            case "head" -> "head only";
            default -> "LoRA r=8, all layers";
        };
    }

    private static FineTuner tuner(MultiLayerNetwork base, String mode) {
        FineTuner.Builder b = FineTuner.builder(base).optimizer(Optimizer.adam(1e-3)).epochs(EPOCHS).batchSize(BATCH).seed(1);
        return switch (mode) {
            case "full" -> b.build();
            case "head" -> b.freeze(Freeze.upTo("dense1")).build();
            default -> b.adapter(Lora.rank(8).alpha(16).targets("dense0", "dense1", "out")).build();
        };
    }

    /** The benchmark's MLP, randomly initialised from the seed. */
    public static MultiLayerNetwork mlp(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(784).nOut(1024).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(1024).nOut(1024).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(1024).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static void write(LabeledData data, Path features, Path labels) throws IOException {
        Files.createDirectories(features.getParent());
        float[] x = data.features().reshape(data.size(), 784).data().asFloat();
        ByteBuffer buf = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(x);
        Files.write(features, buf.array());
        byte[] y = new byte[data.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = (byte) data.label(i);
        }
        Files.write(labels, y);
    }

    /** The torch version, or null when Python or torch is missing. */
    static String torchVersion() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? "torch " + out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static double torch(String mode, Path features, Path labels) {
        return peer(RATE, PYTHON, "benchmarks/peer/lora_mlp.py", "--features", features.toString(), "--labels",
                labels.toString(), "--mode", mode, "--epochs", String.valueOf(EPOCHS), "--batch", String.valueOf(BATCH),
                "--threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    /** Runs a peer script and returns the rate its JSON line reports. */
    static double peer(Pattern rate, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the PyTorch side failed: " + out);
            }
            Matcher m = rate.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("the PyTorch side printed no rate: " + out);
            }
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * with Attune, each round in both OpenBLAS configurations ({@link PeerConfigurations}: pthread, and
 * OpenMP where {@code libopenblas0-openmp} is installed); the ratio is taken against the faster
 * configuration of each mode. Without Python and torch the PyTorch columns are skipped with a message. Attune's time
 * is its whole {@code fit}; PyTorch's is its training loop after a warm-up epoch.
 */
public final class PeerBenchmark {
    static final int BATCH = 128;
    static final int EPOCHS = 2;
    static final int ROUNDS = 5;
    /** Debian's python3-torch serves the system Python; a python3 first on the PATH may lack torch. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private PeerBenchmark() {
    }

    /**
     * Runs the benchmark and prints examples per second and ratios per mode (all three, or those named:
     * full, head, lora), the load average before and after, and writes them to
     * {@code target/attune/peer/results.json}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        System.out.println("load average before: " + loadBefore);
        LabeledData train = BundledData.FASHION_MNIST.train();
        Path dir = Path.of("target/attune/peer");
        Path features = dir.resolve("fashion-x.f32");
        Path labels = dir.resolve("fashion-y.u8");
        write(train, features, labels);
        String torch = torchVersion();
        String openmpMissing = PeerConfigurations.openmpMissing(PeerConfigurations.OPENMP_DIR);
        List<PeerConfigurations.Configuration> configurations = torch == null ? List.of()
                : PeerConfigurations.available(openmpMissing);
        System.out.println("peer benchmark: MLP 784-1024-1024-10, " + train.size() + " Fashion-MNIST images, batch " + BATCH
                + ", Adam 1e-3, LoRA r=8 alpha=16 on all layers, " + EPOCHS + " epochs per measurement, " + ROUNDS
                + " alternating rounds after a warm-up; " + BaseModels.threadSettings() + "; PyTorch: "
                + (torch == null ? "not found (install Debian's python3-torch to compare)" : torch
                + ", run in each OpenBLAS configuration: " + names(configurations)));
        if (torch != null && openmpMissing != null) {
            System.out.println(openmpMissing);
        }
        MultiLayerNetwork base = mlp(3);

        List<String> rows = new ArrayList<>();
        List<PeerResults.Mode> results = new ArrayList<>();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        Map<String, List<String>> blasSeen = new LinkedHashMap<>();
        for (String mode : args.length > 0 ? List.of(args) : List.of("full", "head", "lora")) {
            FineTuner tuner = tuner(base, mode);
            tuner.fit(train);
            double[] attune = new double[ROUNDS];
            Map<String, double[]> peers = new LinkedHashMap<>();
            configurations.forEach(c -> peers.put(c.name(), new double[ROUNDS]));
            List<String> command = peerCommand(mode, features, labels);
            for (int r = 0; r < ROUNDS; r++) {
                if (r % 2 == 1) {
                    PeerConfigurations.round("examples_per_s", configurations, r, command, peers, blasSeen);
                }
                System.gc();
                FineTuneResult result = tuner.fit(train);
                attune[r] = (double) train.size() * EPOCHS / (result.wallTime().toNanos() / 1e9);
                if (r % 2 == 0) {
                    PeerConfigurations.round("examples_per_s", configurations, r, command, peers, blasSeen);
                }
                System.out.printf(Locale.ROOT, "  %s round %d: Attune %,.0f examples/s%s%n", mode, r + 1, attune[r],
                        peerRound(peers, r, "examples/s"));
            }
            PeerResults.Mode result = new PeerResults.Mode(mode, label(mode), attune, peers);
            rows.add(PeerResults.row(result));
            results.add(result);
            if (torch != null) {
                commands.put(mode, command);
            }
        }
        System.out.println();
        System.out.println(PeerResults.header("examples/s"));
        rows.forEach(System.out::println);
        printBlas(blasSeen);

        Map<String, String> inherited = new ProcessBuilder().environment();
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("python", PYTHON);
        peer.put("torch", torch);
        peer.put("configurations", PeerResults.configurations(openmpMissing, blasSeen, inherited));
        peer.put("commands", commands);
        peer.put("workingDirectory", System.getProperty("user.dir"));
        peer.put("inheritedThreadVariables", RunEnvironment.threadVariables(inherited));
        Map<String, Object> loadAfter = RunEnvironment.loadAverage();
        System.out.println("load average after: " + loadAfter);
        Path file = dir.resolve("results.json");
        RunEnvironment.write(file, json(protocol(), RunEnvironment.environment(loadBefore, loadAfter), peer, results));
        System.out.println("wrote " + file);
    }

    /** The results file's content; the modes' figures are examples per second. */
    static Map<String, Object> json(Map<String, Object> protocol, Map<String, Object> environment, Map<String, Object> peer,
                                    List<PeerResults.Mode> modes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "peer-benchmark");
        m.put("unit", "examples per second");
        m.put("protocol", protocol);
        m.put("environment", environment);
        m.put("peer", peer);
        m.put("modes", PeerResults.modes(modes));
        return m;
    }

    /** The benchmark's settings, for the results file. */
    static Map<String, Object> protocol() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "MLP 784-1024-1024-10, ReLU, softmax cross-entropy");
        m.put("data", "BundledData.FASHION_MNIST training images");
        m.put("batch", BATCH);
        m.put("optimizer", "Adam 1e-3");
        m.put("lora", "r=8 alpha=16 on all three layers");
        m.put("epochs", EPOCHS);
        m.put("rounds", ROUNDS);
        m.put("measure", "examples per second; Attune: its whole fit after a warm-up fit; PyTorch: its training loop"
                + " after a warm-up epoch, in each OpenBLAS configuration; alternating rounds; ratios against the faster"
                + " configuration of each mode");
        return m;
    }

    /** The configurations' names, or "none" when the PyTorch side is skipped. */
    static String names(List<PeerConfigurations.Configuration> configurations) {
        return configurations.isEmpty() ? "none"
                : String.join(", ", configurations.stream().map(PeerConfigurations.Configuration::name).toList());
    }

    /** Each configuration's rate in round r, for the round's line (empty when none ran). */
    static String peerRound(Map<String, double[]> peers, int r, String unit) {
        StringBuilder b = new StringBuilder();
        peers.forEach((name, rates) -> b.append(String.format(Locale.ROOT, ", PyTorch %s %,.0f %s", name, rates[r], unit)));
        return b.toString();
    }

    /** Prints the BLAS libraries the peer's runs reported in each configuration. */
    static void printBlas(Map<String, List<String>> blasSeen) {
        blasSeen.forEach((name, libs) -> System.out.println("PyTorch " + name + " runs loaded: "
                + (libs.isEmpty() ? "no BLAS library reported" : String.join(", ", libs))));
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

    /** The command line that runs the MLP peer in a mode (it inherits this process's environment). */
    static List<String> peerCommand(String mode, Path features, Path labels) {
        return List.of(PYTHON, "benchmarks/peer/lora_mlp.py", "--features", features.toString(), "--labels",
                labels.toString(), "--mode", mode, "--epochs", String.valueOf(EPOCHS), "--batch", String.valueOf(BATCH),
                "--threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }
}

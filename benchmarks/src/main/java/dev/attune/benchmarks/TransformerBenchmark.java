package dev.attune.benchmarks;

import dev.attune.BertEncoder;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.TokenizedText;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Attune against PyTorch on all-MiniLM-L6-v2: the same weights (written by
 * {@link BertEncoder#saveSafetensors}), the same tokens (the 504 support-intent training utterances,
 * padded to 32 positions), batch size, LoRA rank and optimizer. Three modes: inference (the pooled
 * embedding, batches of {@value #INFER_BATCH}), LoRA r = 8 (alpha 16) on query and value plus a
 * 12-class head, and full fine-tuning, both trained by Adam in batches of {@value #TRAIN_BATCH}. The
 * measure is tokens per second, counting padded positions (PyTorch computes them; Attune's written-out
 * passes skip them, with the same result). PyTorch runs
 * {@code benchmarks/peer/minilm.py} with Debian's {@code python3-torch} in alternating rounds, each
 * round in both OpenBLAS configurations ({@link PeerConfigurations}: pthread, and OpenMP where
 * {@code libopenblas0-openmp} is installed), and the ratio is taken against the faster configuration of
 * each mode; without torch the PyTorch columns are skipped with a message. Attune's training time is its whole
 * {@code fit} of one epoch (after a warm-up fit); PyTorch's is one pass of its loop after a warm-up pass.
 * Every figure it prints, the protocol, the environment (thread settings, Java, the load average
 * before and after, which it also prints) and how the peer ran (its Python, torch, each configuration's
 * variables and the BLAS libraries its runs reported, its command lines and inherited thread variables) also go to {@code target/attune/transformer/results.json}.
 */
public final class TransformerBenchmark {
    static final int LENGTH = 32;
    static final int TRAIN_BATCH = 16;
    static final int INFER_BATCH = 32;
    static final int ROUNDS = 5;
    static final double LEARNING_RATE = 1e-4;

    private TransformerBenchmark() {
    }

    /** Runs the benchmark and prints tokens per second and ratios per mode (the modes given, or all three). */
    public static void main(String[] args) throws IOException {
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        System.out.println("load average before: " + loadBefore);
        WordPieceTokenizer tokenizer = IntentFineTuningJob.miniLmTokenizer(LENGTH)
                .withPadding(WordPieceTokenizer.Padding.MAX_LENGTH);
        BertEncoder encoder = IntentFineTuningJob.miniLmEncoder();
        TextData text = BundledText.SUPPORT_INTENTS.train();
        TokenizedText tokens = text.tokenize(tokenizer);
        LabeledData train = tokens.labeled(text.labels(), text.numClasses());
        Path dir = Path.of("target/attune/transformer");
        Files.createDirectories(dir);
        Path weights = dir.resolve("minilm.safetensors");
        encoder.saveSafetensors(weights);
        writeInts(dir.resolve("ids.i32"), tokens.ids());
        writeInts(dir.resolve("mask.i32"), tokens.attentionMask());
        writeInts(dir.resolve("labels.i32"), new int[][] {text.labels()});
        String torch = PeerBenchmark.torchVersion();
        String openmpMissing = PeerConfigurations.openmpMissing(PeerConfigurations.OPENMP_DIR);
        List<PeerConfigurations.Configuration> configurations = torch == null ? List.of()
                : PeerConfigurations.available(openmpMissing);
        Map<String, List<String>> blasSeen = new LinkedHashMap<>();
        System.out.println("transformer benchmark: all-MiniLM-L6-v2, " + train.size() + " support-intent utterances at "
                + LENGTH + " positions (" + tokens.truncated() + " truncated), inference batch " + INFER_BATCH
                + ", training batch " + TRAIN_BATCH + ", Adam " + LEARNING_RATE + ", LoRA r=8 alpha=16 on query and value, "
                + ROUNDS + " alternating rounds after a warm-up; " + BaseModels.threadSettings() + "; PyTorch: "
                + (torch == null ? "not found (install Debian's python3-torch to compare)" : torch
                + ", run in each OpenBLAS configuration: " + PeerBenchmark.names(configurations)));
        if (torch != null && openmpMissing != null) {
            System.out.println(openmpMissing);
        }

        INDArray ids = train.features().get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup();
        INDArray mask = train.features().get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).dup();
        Double embeddingGap = null;
        if (torch != null) {
            // Both sides compute the same function: PyTorch's pooled embeddings of the first batch against Attune's.
            Path peerEmbeddings = dir.resolve("torch-embeddings.f32");
            PeerConfigurations.Run check = PeerConfigurations.run("rows", PeerConfigurations.PTHREAD,
                    peerCommand("embed", dir, train.numClasses(), "--out", peerEmbeddings.toString()));
            blasSeen.put(PeerConfigurations.PTHREAD.name(), new ArrayList<>(check.blas()));
            float[] theirs = new float[INFER_BATCH * encoder.hiddenSize()];
            ByteBuffer.wrap(Files.readAllBytes(peerEmbeddings)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(theirs);
            INDArray ours = encoder.embed(ids.get(NDArrayIndex.interval(0, INFER_BATCH), NDArrayIndex.all()),
                    mask.get(NDArrayIndex.interval(0, INFER_BATCH), NDArrayIndex.all()));
            embeddingGap = ours.sub(Nd4j.create(theirs, ours.shape(), 'c')).amaxNumber().doubleValue();
            System.out.printf(Locale.ROOT, "same weights, same function: largest difference of the pooled embeddings of"
                    + " %d utterances, Attune against PyTorch: %.2e%n", INFER_BATCH, embeddingGap);
        }
        Network base = Network.of(encoder);
        long positions = (long) train.size() * LENGTH;
        List<String> rows = new ArrayList<>();
        List<PeerResults.Mode> results = new ArrayList<>();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        Map<String, Object> peakResident = new LinkedHashMap<>();
        if (torch != null) {
            commands.put("embed", peerCommand("embed", dir, train.numClasses(), "--out",
                    dir.resolve("torch-embeddings.f32").toString()));
        }
        for (String mode : args.length > 0 ? List.of(args) : List.of("infer", "lora", "full")) {
            FineTuner tuner = mode.equals("infer") ? null : tuner(base, mode, train.numClasses());
            Runnable attuneRun = tuner == null ? () -> embedAll(encoder, ids, mask) : () -> tuner.fit(train, null);
            System.gc();
            boolean reset = RunEnvironment.resetPeakResident();
            attuneRun.run(); // warm-up
            double[] attune = new double[ROUNDS];
            Map<String, double[]> peers = new LinkedHashMap<>();
            configurations.forEach(c -> peers.put(c.name(), new double[ROUNDS]));
            Map<String, double[]> peerPeaks = new LinkedHashMap<>();
            List<String> command = peerCommand(mode, dir, train.numClasses());
            for (int r = 0; r < ROUNDS; r++) {
                if (r % 2 == 1) {
                    PeerConfigurations.round("tokens_per_s", configurations, r, command, peers, blasSeen, peerPeaks);
                }
                System.gc();
                long t0 = System.nanoTime();
                attuneRun.run();
                attune[r] = positions / ((System.nanoTime() - t0) / 1e9);
                if (r % 2 == 0) {
                    PeerConfigurations.round("tokens_per_s", configurations, r, command, peers, blasSeen, peerPeaks);
                }
                System.out.printf(Locale.ROOT, "  %s round %d: Attune %,.0f tokens/s%s%n", mode, r + 1, attune[r],
                        PeerBenchmark.peerRound(peers, r, "tokens/s"));
            }
            Map<String, Object> peaks = peakResident(RunEnvironment.peakResidentMib(), reset, peerPeaks);
            peakResident.put(mode, peaks);
            System.out.println("  " + mode + " peak resident memory (MiB): " + peaks);
            PeerResults.Mode result = new PeerResults.Mode(mode, label(mode), attune, peers);
            rows.add(PeerResults.row(result));
            results.add(result);
            if (torch != null) {
                commands.put(mode, peerCommand(mode, dir, train.numClasses()));
            }
        }
        System.out.println();
        System.out.println(PeerResults.header("tokens/s"));
        rows.forEach(System.out::println);
        PeerBenchmark.printBlas(blasSeen);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("source", "BundledText.SUPPORT_INTENTS training utterances");
        data.put("utterances", train.size());
        data.put("classes", train.numClasses());
        data.put("length", LENGTH);
        data.put("truncated", tokens.truncated());
        data.put("tokensPerPass", positions);
        Map<String, String> inherited = new ProcessBuilder().environment();
        Map<String, Object> peerConfig = TransformerResults.peer(PeerBenchmark.PYTHON, torch,
                TransformerResults.probe(PeerBenchmark.PYTHON),
                PeerResults.configurations(openmpMissing, blasSeen, inherited), commands,
                RunEnvironment.threadVariables(inherited));
        Map<String, Object> loadAfter = RunEnvironment.loadAverage();
        System.out.println("load average after: " + loadAfter);
        Map<String, Object> environment = RunEnvironment.environment(loadBefore, loadAfter);
        Path file = dir.resolve("results.json");
        Map<String, Object> json = TransformerResults.json(data, protocol(), environment, peerConfig, embeddingGap, results);
        json.put("peakResidentMiB", peakResident);
        json.put("peakResidentMeasure", "Attune: this JVM's peak resident memory (VmHWM) over the mode's warm-up and"
                + " rounds, reset to the resident memory at the mode's start (what earlier modes left resident counts);"
                + " PyTorch: each run's own process peak (ru_maxrss), the largest over the rounds per configuration");
        RunEnvironment.write(file, json);
        System.out.println("wrote " + file);
    }

    /**
     * A mode's peak resident memory in MiB: Attune's (this JVM over the mode; {@code attuneFromStart} when
     * the peak could not be reset at the mode's start) and each peer configuration's largest over its runs.
     */
    static Map<String, Object> peakResident(double attune, boolean reset, Map<String, double[]> peers) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(reset ? "attune" : "attuneFromStart", Math.round(attune));
        peers.forEach((name, v) -> {
            double max = Arrays.stream(v).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN);
            m.put(name, Double.isNaN(max) ? null : Math.round(max));
        });
        return m;
    }

    /** The benchmark's settings, for the results file. */
    static Map<String, Object> protocol() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "all-MiniLM-L6-v2 (weights written by BertEncoder.saveSafetensors, read by both sides)");
        m.put("inferBatch", INFER_BATCH);
        m.put("trainBatch", TRAIN_BATCH);
        m.put("optimizer", "Adam " + LEARNING_RATE);
        m.put("lora", "r=8 alpha=16 on query and value; both training modes train a new head of one output per class");
        m.put("rounds", ROUNDS);
        m.put("measure", "tokens per second, padded positions counted (PyTorch computes them, Attune skips them);"
                + " Attune: one epoch's whole fit (inference: every"
                + " batch embedded) after a warm-up; PyTorch: one pass of its loop after a warm-up pass, in each OpenBLAS configuration; alternating rounds; ratios against the faster"
                + " configuration of each mode");
        return m;
    }

    private static String label(String mode) {
        return switch (mode) {
            case "infer" -> "inference (pooled embedding, batch " + INFER_BATCH + ")";
            case "lora" -> "LoRA r=8 on query, value + head (batch " + TRAIN_BATCH + ")";
            default -> "full fine-tuning (batch " + TRAIN_BATCH + ")";
        };
    }

    private static FineTuner tuner(Network base, String mode, int classes) {
        FineTuner.Builder b = FineTuner.builder(base).replaceHead(classes).optimizer(Optimizer.adam(LEARNING_RATE))
                .epochs(1).batchSize(TRAIN_BATCH).seed(1);
        if (mode.equals("lora")) {
            b.adapter(Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value"));
        }
        return b.build();
    }

    private static void embedAll(BertEncoder encoder, INDArray ids, INDArray mask) {
        long n = ids.size(0);
        for (long start = 0; start < n; start += INFER_BATCH) {
            long end = Math.min(n, start + INFER_BATCH);
            encoder.embed(ids.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()),
                    mask.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
        }
    }

    private static void writeInts(Path file, int[][] rows) throws IOException {
        int n = Arrays.stream(rows).mapToInt(r -> r.length).sum();
        ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] row : rows) {
            for (int v : row) {
                buf.putInt(v);
            }
        }
        Files.write(file, buf.array());
    }

    /** The command line that runs the PyTorch peer in a mode (it inherits this process's environment). */
    static List<String> peerCommand(String mode, Path dir, int classes, String... more) {
        List<String> command = new ArrayList<>(List.of(PeerBenchmark.PYTHON, "benchmarks/peer/minilm.py", "--weights",
                dir.resolve("minilm.safetensors").toString(), "--ids", dir.resolve("ids.i32").toString(), "--mask",
                dir.resolve("mask.i32").toString(), "--labels", dir.resolve("labels.i32").toString(), "--length",
                String.valueOf(LENGTH), "--classes", String.valueOf(classes), "--mode", mode, "--batch",
                String.valueOf(mode.equals("lora") || mode.equals("full") ? TRAIN_BATCH : INFER_BATCH), "--lr",
                String.valueOf(LEARNING_RATE), "--threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        command.addAll(List.of(more));
        return command;
    }
}

package dev.attune.internal.io;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.train.RunState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run checkpoint on disk: a zip of {@code manifest.json} (the format, {@value #FORMAT}; what the run
 * is: the base model's, the training data's and the validation data's fingerprints and the
 * configuration; where it is; ND4J's random state; early stopping's bookkeeping; the epochs so far) and
 * {@code tensors.safetensors} (the parameters as {@code params}, the optimizer's state as
 * {@code optimizer/<name>}, the best epoch's parameters as {@code best/params}). Written atomically
 * ({@link AtomicFiles}); read with every zip entry's CRC checked. Doubles are written as Java's
 * shortest exact decimal text (NaN as {@code "NaN"}), longs as text, so every value reads back bit for bit.
 */
public final class CheckpointFile {
    /** The format this version writes and reads. */
    public static final String FORMAT = "attune-checkpoint/1";
    private static final String FORMAT_PREFIX = "attune-checkpoint/";
    private static final int VERSION = 1;
    private static final String MANIFEST = "manifest.json";
    private static final String TENSORS = "tensors.safetensors";
    private static final String PARAMS = "params";
    private static final String OPTIMIZER = "optimizer/";
    private static final String BEST = "best/params";

    private CheckpointFile() {
    }

    /**
     * What a run is: a checkpoint continues only the run it was written by.
     *
     * @param baseModel the base model's fingerprint
     * @param trainData the training data's fingerprint
     * @param validationData the validation data's fingerprint, empty without one
     * @param config the run's options by name, as text
     */
    public record Identity(String baseModel, String trainData, String validationData, Map<String, String> config) {
        /** Copies the configuration, keeping its order. */
        public Identity {
            requireNonNull(baseModel, "baseModel");
            requireNonNull(trainData, "trainData");
            requireNonNull(validationData, "validationData");
            config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        }
    }

    /** A checkpoint as read: the run it belongs to and its state. */
    public record Contents(Identity identity, RunState state) {
    }

    /**
     * Writes a checkpoint atomically: the file is whole or absent, whenever the process dies.
     *
     * @throws IOException when it cannot be written (the message in words)
     */
    public static void write(Path file, Identity identity, RunState state) throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put(PARAMS, state.params());
        new TreeMap<>(state.optimizer()).forEach((name, t) -> tensors.put(OPTIMIZER + name, t));
        if (state.stopping().bestParams() != null) {
            tensors.put(BEST, state.stopping().bestParams());
        }
        byte[] manifest = Json.write(manifest(identity, state)).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, tmp -> {
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 ZipOutputStream zip = new ZipOutputStream(raw)) {
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(manifest);
                zip.closeEntry();
                // Parameters compress little; storing them keeps a checkpoint as fast to write as the bytes.
                zip.setLevel(Deflater.NO_COMPRESSION);
                zip.putNextEntry(new ZipEntry(TENSORS));
                Safetensors.write(zip, tensors, Map.of("format", FORMAT));
                zip.closeEntry();
            }
        });
    }

    private static Map<String, Object> manifest(Identity identity, RunState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("baseModel", identity.baseModel());
        run.put("trainData", identity.trainData());
        run.put("validationData", identity.validationData());
        run.put("config", new LinkedHashMap<>(identity.config()));
        m.put("run", run);
        Map<String, Object> at = new LinkedHashMap<>();
        at.put("epoch", s.epoch());
        at.put("step", s.step());
        at.put("iteration", s.iteration());
        at.put("lossSum", Double.toString(s.lossSum()));
        m.put("position", at);
        m.put("random", Map.of("root", Long.toString(s.randomRoot()), "node", Long.toString(s.randomNode())));
        Map<String, Object> es = new LinkedHashMap<>();
        es.put("best", Double.toString(s.stopping().best()));
        es.put("bestEpoch", s.stopping().bestEpoch());
        es.put("sinceBest", s.stopping().sinceBest());
        es.put("bestParams", s.stopping().bestParams() != null);
        m.put("earlyStopping", es);
        List<Object> history = new ArrayList<>();
        for (RunState.Epoch e : s.history()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", e.epoch());
            r.put("trainLoss", Double.toString(e.trainLoss()));
            r.put("validationLoss", Double.toString(e.validationLoss()));
            Map<String, Object> metrics = new LinkedHashMap<>();
            new TreeMap<>(e.metrics()).forEach((k, v) -> metrics.put(k, Double.toString(v)));
            r.put("metrics", metrics);
            r.put("nanos", Long.toString(e.nanos()));
            r.put("learningRate", Double.toString(e.learningRate()));
            history.add(r);
        }
        m.put("history", history);
        m.put("optimizer", new ArrayList<>(new TreeMap<>(s.optimizer()).keySet()));
        return m;
    }

    /**
     * Reads a checkpoint.
     *
     * @throws IOException when the file is unreadable, truncated, corrupted (a CRC that does not match)
     *     or not a checkpoint; the message says which and names the file
     * @throws IllegalArgumentException when it is of a newer format than {@value #FORMAT}
     */
    public static Contents read(Path file) throws IOException {
        byte[] manifestBytes;
        Map<String, INDArray> tensors;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            manifestBytes = entry(zip, MANIFEST, file, in -> in.readAllBytes());
            Map<String, Object> m = manifestOf(manifestBytes, file);
            checkFormat(m, file);
            tensors = entry(zip, TENSORS, file, in -> Safetensors.read(in, file + " (" + TENSORS + ")"));
            return new Contents(identity(m), state(m, tensors, file));
        } catch (java.util.zip.ZipException e) {
            throw new IOException("checkpoint " + file + " is not a readable zip (truncated or corrupted?): "
                    + e.getMessage(), e);
        } catch (ClassCastException | NullPointerException | NumberFormatException e) {
            throw new IOException("checkpoint " + file + " has a malformed manifest: " + e, e);
        }
    }

    private interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    /** Reads a zip entry whole, checking its CRC. */
    private static <T> T entry(ZipFile zip, String name, Path file, Reader<T> reader) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException("checkpoint " + file + " has no " + name + " (not a checkpoint, or corrupted)");
        }
        try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
            T value = reader.read(in);
            if (in.read() != -1) {
                throw new IOException("checkpoint " + file + ": " + name + " holds more bytes than it declares");
            }
            if (in.getChecksum().getValue() != e.getCrc()) {
                throw new IOException("checkpoint " + file + ": the CRC of " + name + " does not match (corrupted)");
            }
            return value;
        } catch (java.io.EOFException | java.util.zip.ZipException x) {
            throw new IOException("checkpoint " + file + ": " + name + " is cut short or corrupted: " + x.getMessage(), x);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> manifestOf(byte[] bytes, Path file) throws IOException {
        try {
            Object parsed = Json.parse(new String(bytes, StandardCharsets.UTF_8), 8, Json.Numbers.LONGS_WHEN_INTEGRAL);
            if (parsed instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new IOException("checkpoint " + file + ": " + MANIFEST + " is not a JSON object");
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + file + ": " + MANIFEST + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static void checkFormat(Map<String, Object> m, Path file) throws IOException {
        Object format = m.get("format");
        if (!(format instanceof String f) || !f.startsWith(FORMAT_PREFIX)) {
            throw new IOException("checkpoint " + file + " is not an Attune checkpoint (format " + format
                    + ", not " + FORMAT + ")");
        }
        int version;
        try {
            version = Integer.parseInt(f.substring(FORMAT_PREFIX.length()));
        } catch (NumberFormatException e) {
            throw new IOException("checkpoint " + file + " names an unknown format " + f, e);
        }
        if (version > VERSION) {
            throw new IllegalArgumentException("checkpoint " + file + " is of format " + f + ", newer than this Attune "
                    + "version reads (" + FORMAT + "); resume it with the Attune version that wrote it, or checkpoint"
                    + " into another directory to start afresh");
        }
        if (version != VERSION) {
            throw new IOException("checkpoint " + file + " names an unknown format " + f);
        }
    }

    private static Identity identity(Map<String, Object> m) {
        Map<?, ?> run = (Map<?, ?>) m.get("run");
        Map<String, String> config = new LinkedHashMap<>();
        ((Map<?, ?>) run.get("config")).forEach((k, v) -> config.put((String) k, (String) v));
        return new Identity((String) run.get("baseModel"), (String) run.get("trainData"),
                (String) run.get("validationData"), config);
    }

    private static RunState state(Map<String, Object> m, Map<String, INDArray> tensors, Path file) throws IOException {
        Map<?, ?> at = (Map<?, ?>) m.get("position");
        Map<?, ?> random = (Map<?, ?>) m.get("random");
        Map<?, ?> es = (Map<?, ?>) m.get("earlyStopping");
        INDArray best = null;
        if ((Boolean) es.get("bestParams")) {
            best = tensor(tensors, BEST, file);
        }
        List<RunState.Epoch> history = new ArrayList<>();
        for (Object o : (List<?>) m.get("history")) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<String, Double> metrics = new LinkedHashMap<>();
            ((Map<?, ?>) r.get("metrics")).forEach((k, v) -> metrics.put((String) k, Double.parseDouble((String) v)));
            history.add(new RunState.Epoch(integer(r.get("epoch")), Double.parseDouble((String) r.get("trainLoss")),
                    Double.parseDouble((String) r.get("validationLoss")), metrics, Long.parseLong((String) r.get("nanos")),
                    Double.parseDouble((String) r.get("learningRate"))));
        }
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        for (Object name : (List<?>) m.get("optimizer")) {
            optimizer.put((String) name, tensor(tensors, OPTIMIZER + name, file));
        }
        return new RunState(integer(at.get("epoch")), integer(at.get("step")), integer(at.get("iteration")),
                Double.parseDouble((String) at.get("lossSum")), Long.parseLong((String) random.get("root")),
                Long.parseLong((String) random.get("node")),
                new RunState.Stopping(Double.parseDouble((String) es.get("best")), integer(es.get("bestEpoch")),
                        integer(es.get("sinceBest")), best),
                history, tensor(tensors, PARAMS, file), optimizer);
    }

    private static int integer(Object o) {
        return Math.toIntExact((Long) o);
    }

    private static INDArray tensor(Map<String, INDArray> tensors, String name, Path file) throws IOException {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IOException("checkpoint " + file + " lacks the tensor " + name + " its manifest names");
        }
        return t;
    }
}

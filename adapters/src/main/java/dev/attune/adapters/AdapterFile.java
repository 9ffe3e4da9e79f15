package dev.attune.adapters;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.attune.AttuneException;
import dev.attune.Network;
import dev.attune.Provenance;
import dev.attune.adapters.bottleneck.Bottleneck;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.io.Safetensors;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Adapter files: a trained adapter alone (a few kB to MB), sealed to its base model.
 *
 * <p>The format is <a href="https://github.com/huggingface/safetensors">safetensors</a>: an 8-byte
 * little-endian header length, a JSON header, then the tensors' bytes (little-endian, row-major).
 * Tensors are named {@code <layer>.<name>}: {@code dense0.lora_A} of shape {@code [r, in]} and
 * {@code dense0.lora_B} of shape {@code [out, r]} as in PEFT ({@code [r, in, kH, kW]} and
 * {@code [out, r, 1, 1]} on a convolution), DoRA's {@code <layer>.lora_magnitude_vector}
 * ({@code [out]}, {@code [1, out, 1, 1]} on a convolution), {@code <layer>.b} for a trained bias
 * (an adapted layer's, or with {@code Bias.ALL} that of a layer whose weights stay frozen),
 * and {@code <layer>.W} ({@code [in, out]}, DL4J's layout) and {@code <layer>.b} for layers trained in
 * full, such as a new head; a bottleneck adapter's are {@code <layer>.adapter_down.weight} ({@code [m, out]}),
 * {@code <layer>.adapter_down.bias}, {@code <layer>.adapter_up.weight} ({@code [out, m]}) and
 * {@code <layer>.adapter_up.bias}, as PyTorch's linear layers. The header's {@code __metadata__} holds the JSON configuration:
 * {@code format} ({@value #FORMAT}), {@code method}, {@code config} (the method's options as a JSON
 * object), {@code head} ({@code {"name":..., "classes":...}} or empty), {@code base_fingerprint}
 * (the {@link Network#fingerprint() fingerprint} of the base model's architecture and weights),
 * {@code attune_version}, {@code provenance} (a JSON object) and {@code sha256}, a digest of every
 * tensor's name, type, shape and bytes and of every other metadata entry. A file whose digest does
 * not match, or that is cut short, is refused; so is loading onto another base model.
 */
public final class AdapterFile {
    /** The format name and version written into every file. */
    public static final String FORMAT = "attune-adapter/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private AdapterFile() {
    }

    /**
     * Writes the adapter to {@code file}, atomically (a temporary file moved into place).
     *
     * @throws AttuneException when the file cannot be written
     */
    public static void save(AdapterWeights adapter, Path file) {
        requireNonNull(adapter, "adapter");
        requireNonNull(file, "file");
        Map<String, String> meta = metadata(adapter);
        List<Part> parts = new ArrayList<>();
        adapter.tensors().forEach((name, t) -> parts.add(new Part(name, Safetensors.dtype(t.dataType(), name),
                JSON.valueToTree(t.shape()).toString(), Safetensors.bytes(t))));
        meta.put("sha256", digest(parts, meta));
        try {
            Safetensors.write(file, adapter.tensors(), meta);
        } catch (IOException e) {
            // Safetensors words its failures (a directory that cannot be made, permission denied).
            throw new AttuneException("cannot write the adapter file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** What the digest covers of one tensor: its name, type, shape (as the header's JSON) and bytes. */
    private record Part(String name, String dtype, String shape, byte[] bytes) {
    }

    /**
     * Reads an adapter file and checks that it is whole and unchanged.
     *
     * @throws AttuneException when the file is missing, cut short, not an adapter file, or changed after it was written
     */
    public static AdapterWeights load(Path file) {
        requireNonNull(file, "file");
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new AttuneException(abs + " is a directory, not an adapter file; give the path of a file written by"
                    + " AdapterFile.save inside it");
        }
        if (!Files.isRegularFile(abs)) {
            throw new AttuneException("no adapter file at " + abs + "; give the path of a file written by AdapterFile.save"
                    + " (a .safetensors file of the trained adapter, from result.adapters())");
        }
        byte[] all;
        try {
            all = Files.readAllBytes(abs);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new AttuneException("cannot read the adapter file " + abs + ": permission denied; make it readable"
                    + " by this process", e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AttuneException("no adapter file at " + abs + " (it was removed while being read)", e);
        } catch (IOException e) {
            throw new AttuneException("cannot read the adapter file " + abs + ": " + e, e);
        }
        if (all.length < 8) {
            throw corrupt(file, "it holds " + all.length + " bytes, fewer than the 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > all.length) {
            throw corrupt(file, "its header length " + headerLength + " does not fit its " + all.length + " bytes");
        }
        ObjectNode header;
        try {
            header = (ObjectNode) JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException | ClassCastException e) {
            throw corrupt(file, "its header is not a JSON object");
        }
        JsonNode metaNode = header.remove("__metadata__");
        if (metaNode == null || !FORMAT.equals(metaNode.path("format").asText())) {
            throw corrupt(file, "it is not an Attune adapter file (no '" + FORMAT + "' format in its metadata)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        metaNode.fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
        String expected = meta.remove("sha256");

        long start = 8 + headerLength;
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        List<Part> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode info = e.getValue();
            long from = info.path("data_offsets").path(0).asLong(-1);
            long to = info.path("data_offsets").path(1).asLong(-1);
            if (from < 0 || to < from || start + to > all.length) {
                throw corrupt(file, "tensor '" + e.getKey() + "' lies outside the file (cut short?)");
            }
            long[] shape = new long[info.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.path("shape").path(i).asLong();
            }
            byte[] bytes = java.util.Arrays.copyOfRange(all, (int) (start + from), (int) (start + to));
            tensors.put(e.getKey(), tensor(info.path("dtype").asText(), shape, bytes, file, e.getKey()));
            parts.add(new Part(e.getKey(), info.path("dtype").asText(), info.path("shape").toString(), bytes));
        }
        if (expected == null || !expected.equals(digest(parts, meta))) {
            throw corrupt(file, "its content does not match its SHA-256 digest: it was changed after it was written");
        }
        return weights(meta, tensors, file);
    }

    /**
     * Reads an adapter file for the given base model.
     *
     * @throws IllegalArgumentException when the adapter was trained on another base model (both fingerprints named)
     * @throws AttuneException as {@link #load(Path)}
     */
    public static AdapterWeights load(Path file, Network base) {
        AdapterWeights w = load(file);
        String actual = base.fingerprint();
        if (!w.baseFingerprint().equals(actual)) {
            throw new IllegalArgumentException("the adapter in " + file + " was trained on base model " + w.baseFingerprint()
                    + ", not on this one (" + actual + "); load it onto the base model it was trained on");
        }
        return w;
    }

    private static Map<String, String> metadata(AdapterWeights w) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("method", w.method().name());
        m.put("config", json(w.method().config()));
        m.put("head", w.head() == null ? "" : json(Map.of("name", w.head().name(), "classes", String.valueOf(w.head().classes()))));
        m.put("base_fingerprint", w.baseFingerprint());
        m.put("attune_version", Provenance.libraryVersion());
        m.put("provenance", json(w.provenance()));
        return m;
    }

    private static AdapterWeights weights(Map<String, String> meta, Map<String, INDArray> tensors, Path file) {
        try {
            Map<String, String> config = map(meta.get("config"));
            AdapterMethod method = switch (String.valueOf(meta.get("method"))) {
                case "lora", "dora" -> Lora.fromConfig(config);
                case "bottleneck" -> Bottleneck.fromConfig(config);
                default -> throw corrupt(file, "its adapter method '" + meta.get("method") + "' is unknown; this"
                        + " version reads: lora, dora, bottleneck");
            };
            String head = meta.getOrDefault("head", "");
            AdapterWeights.Head h = null;
            if (!head.isEmpty()) {
                Map<String, String> hm = map(head);
                h = new AdapterWeights.Head(hm.get("name"), Integer.parseInt(hm.get("classes")));
            }
            return new AdapterWeights(method, h, tensors, String.valueOf(meta.get("base_fingerprint")),
                    map(meta.getOrDefault("provenance", "{}")));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw corrupt(file, "its metadata is invalid: " + e.getMessage());
        }
    }

    private static String digest(List<Part> parts, Map<String, String> meta) {
        Hasher h = Hashing.sha256().newHasher();
        for (Part p : parts) {
            h.putString(p.name(), StandardCharsets.UTF_8).putByte((byte) 0);
            h.putString(p.dtype(), StandardCharsets.UTF_8).putByte((byte) 0);
            h.putString(p.shape(), StandardCharsets.UTF_8).putByte((byte) 0);
            h.putBytes(p.bytes());
        }
        new TreeMap<>(meta).forEach((k, v) -> {
            if (!"sha256".equals(k)) {
                h.putString(k, StandardCharsets.UTF_8).putByte((byte) 0).putString(v, StandardCharsets.UTF_8).putByte((byte) 0);
            }
        });
        return h.hash().toString();
    }

    private static INDArray tensor(String dtype, long[] shape, byte[] bytes, Path file, String name) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case "F32" -> {
                if (bytes.length != n * 4) {
                    throw corrupt(file, "tensor '" + name + "' holds " + bytes.length + " bytes for " + n + " floats");
                }
                float[] v = new float[(int) n];
                buf.asFloatBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case "F64" -> {
                if (bytes.length != n * 8) {
                    throw corrupt(file, "tensor '" + name + "' holds " + bytes.length + " bytes for " + n + " doubles");
                }
                double[] v = new double[(int) n];
                buf.asDoubleBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            default -> throw corrupt(file, "tensor '" + name + "' has type " + dtype + "; adapter files hold F32 or F64");
        }
    }

    private static String json(Map<String, String> map) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(map));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object of strings: " + json, e);
        }
    }

    private static AttuneException corrupt(Path file, String why) {
        return new AttuneException("the adapter file " + file + " is not a valid Attune adapter: " + why
                + "; save the adapter again with AdapterFile.save", null);
    }
}

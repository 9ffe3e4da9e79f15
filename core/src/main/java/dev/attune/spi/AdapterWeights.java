package dev.attune.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained adapter: its method, the tensors it learnt and the base model it belongs to. What an
 * adapter file holds. The tensors are private copies; {@link #tensor} hands out copies, while
 * {@code tensors()} is an unmodifiable view whose arrays callers must only read.
 *
 * @param method the adapter method and its options
 * @param head the new output head trained with it ({@code null} when the base model's head was kept)
 * @param tensors every trained tensor by {@code <layer>.<name>}: the adapter's ({@code dense0.lora_A})
 *     and those of layers trained in full ({@code head.W}, {@code head.b}), in a stable order
 * @param baseFingerprint the {@link dev.attune.Network#fingerprint() fingerprint} of the base model it was trained on
 * @param provenance how it was trained, as text (seed, data fingerprint, versions), for the file's header
 */
public record AdapterWeights(AdapterMethod method, Head head, Map<String, INDArray> tensors, String baseFingerprint,
                             Map<String, String> provenance) {
    /** Validates and copies. */
    public AdapterWeights {
        requireNonNull(method, "method");
        requireNonNull(tensors, "tensors");
        requireNonNull(baseFingerprint, "baseFingerprint");
        Map<String, INDArray> copy = new LinkedHashMap<>();
        tensors.forEach((k, v) -> copy.put(requireNonNull(k, "tensor name"), requireNonNull(v, k).dup()));
        tensors = Collections.unmodifiableMap(copy);
        provenance = Map.copyOf(requireNonNull(provenance, "provenance"));
    }

    /** A copy of one tensor. */
    public INDArray tensor(String name) {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "'; tensors are: " + tensors.keySet());
        }
        return t.dup();
    }

    /**
     * A SHA-256 fingerprint of the trained tensors: each tensor's name, data type, shape and values, in
     * order. Two adapters with the same fingerprint hold the same tensors bit for bit; the method, head
     * and provenance are not part of it.
     */
    public String fingerprint() {
        return fingerprint(tensors);
    }

    /** {@link #fingerprint()} of tensors by name, in the map's order. */
    public static String fingerprint(Map<String, INDArray> tensors) {
        requireNonNull(tensors, "tensors");
        com.google.common.hash.Hasher h = com.google.common.hash.Hashing.sha256().newHasher();
        tensors.forEach((name, t) -> {
            h.putString(name, java.nio.charset.StandardCharsets.UTF_8).putByte((byte) 0);
            h.putString(t.dataType().name(), java.nio.charset.StandardCharsets.UTF_8).putByte((byte) 0);
            h.putInt(t.rank());
            for (long d : t.shape()) {
                h.putLong(d);
            }
            h.putBytes(t.dup('c').data().asNio().order(java.nio.ByteOrder.nativeOrder()));
        });
        return h.hash().toString();
    }

    /** The number of trained values it holds. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(INDArray::length).sum();
    }

    /**
     * A new softmax output head trained with the adapter.
     *
     * @param name the head layer's name
     * @param classes its number of classes
     */
    public record Head(String name, int classes) {
        /** Validates. */
        public Head {
            requireNonNull(name, "name");
            if (classes < 2) {
                throw new IllegalArgumentException("a head needs at least 2 classes, got " + classes);
            }
        }
    }
}

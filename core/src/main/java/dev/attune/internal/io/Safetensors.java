package dev.attune.internal.io;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an 8-byte
 * little-endian header length, a JSON header (each tensor's {@code dtype}, {@code shape} and
 * {@code data_offsets} in the map's order, then {@code __metadata__}), padded with spaces so that
 * the data starts 8-byte aligned, then the tensors' bytes (little-endian, row-major). FLOAT tensors
 * are written as {@code F32}, DOUBLE ones as {@code F64}. Adapter files and exported encoders use it.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /**
     * Writes the tensors and the string metadata (none when empty) to {@code file}, atomically: to a
     * temporary file beside it, then moved into place, so a failed write leaves nothing at {@code file}.
     *
     * @throws IllegalArgumentException for a tensor that is neither FLOAT nor DOUBLE
     * @throws IOException when the file cannot be written (its message says why in words, such as a
     *     directory that cannot be created because a file of that name exists)
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        requireNonNull(file, "file");
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray t = e.getValue();
            long size = t.length() * (dtype(t.dataType(), e.getKey()).equals("F64") ? 8 : 4);
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", dtype(t.dataType(), e.getKey()));
            ArrayNode shape = info.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            info.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, json.length + (8 - json.length % 8) % 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');

        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
                out.write(padded);
                for (INDArray t : tensors.values()) {
                    out.write(bytes(t));
                }
            }
        });
    }

    /** A tensor's bytes as the file holds them: row-major, little-endian, F32 or F64. */
    public static byte[] bytes(INDArray t) {
        INDArray c = t.dup('c');
        ByteBuffer buf;
        if (c.dataType() == DataType.DOUBLE) {
            double[] v = c.data().asDouble();
            buf = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            buf.asDoubleBuffer().put(v);
        } else {
            dtype(c.dataType(), "tensor");
            float[] v = c.data().asFloat();
            buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
        }
        return buf.array();
    }

    /**
     * The safetensors type of a tensor: {@code F32} for FLOAT, {@code F64} for DOUBLE.
     *
     * @throws IllegalArgumentException for any other type, naming the tensor
     */
    public static String dtype(DataType type, String name) {
        return switch (type) {
            case DOUBLE -> "F64";
            case FLOAT -> "F32";
            default -> throw new IllegalArgumentException("tensor '" + name + "' is of type " + type
                    + "; safetensors files here hold FLOAT or DOUBLE tensors: cast it first");
        };
    }
}

package dev.attune.internal.io;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Writes and reads <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an 8-byte
 * little-endian header length, a JSON header (each tensor's {@code dtype}, {@code shape} and
 * {@code data_offsets} in the map's order, then {@code __metadata__}), padded with spaces so that
 * the data starts 8-byte aligned, then the tensors' bytes (little-endian, row-major). FLOAT tensors
 * are written as {@code F32}, DOUBLE ones as {@code F64}. Adapter files, exported encoders and run
 * checkpoints use it.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest header read: 100 MB. */
    private static final long MAX_HEADER = 100L << 20;

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
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(out, header, tensors);
            }
        });
    }

    /**
     * Writes the tensors and the string metadata as a safetensors file's bytes to {@code out} (left open).
     *
     * @throws IllegalArgumentException for a tensor that is neither FLOAT nor DOUBLE
     */
    public static void write(OutputStream out, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        write(out, header(tensors, metadata), tensors);
    }

    private static void write(OutputStream out, byte[] padded, Map<String, INDArray> tensors) throws IOException {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
        out.write(padded);
        for (INDArray t : tensors.values()) {
            out.write(bytes(t));
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, INDArray> tensors, Map<String, String> metadata) {
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
        return padded;
    }

    /**
     * Reads the F32 and F64 tensors of safetensors bytes (as {@link #write} writes them: tensors one after
     * another, in the order of their offsets), in the order of the header. {@code __metadata__} is skipped.
     *
     * @param in the bytes, read to the end of the last tensor (left open)
     * @param source what the bytes are, for messages
     * @throws IOException when the bytes are cut short or the header is not a safetensors header of
     *     F32 and F64 tensors laid end to end; the message names {@code source}
     */
    public static Map<String, INDArray> read(InputStream in, String source) throws IOException {
        long headerLength = ByteBuffer.wrap(readFully(in, 8, source)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER) {
            throw new IOException(source + ": a safetensors header of " + headerLength + " bytes is not plausible");
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(readFully(in, (int) headerLength, source), StandardCharsets.UTF_8).strip(),
                    4, Json.Numbers.LONGS_WHEN_INTEGRAL);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": the safetensors header is not JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new IOException(source + ": the safetensors header is not a JSON object");
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            try {
                Map<?, ?> info = (Map<?, ?>) e.getValue();
                String dtype = (String) info.get("dtype");
                List<?> shapeList = (List<?>) info.get("shape");
                List<?> offsets = (List<?>) info.get("data_offsets");
                long[] shape = shapeList.stream().mapToLong(x -> (Long) x).toArray();
                long length = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F64" -> 8;
                    default -> throw new IOException(source + ": tensor '" + name + "' is of type " + dtype
                            + "; only F32 and F64 tensors are read");
                };
                if ((Long) offsets.get(0) != offset || (Long) offsets.get(1) != offset + length * width
                        || length * width > Integer.MAX_VALUE) {
                    throw new IOException(source + ": tensor '" + name + "' has data offsets " + offsets
                            + " where " + offset + " to " + (offset + length * width) + " were expected");
                }
                ByteBuffer buf = ByteBuffer.wrap(readFully(in, (int) (length * width), source)).order(ByteOrder.LITTLE_ENDIAN);
                INDArray t;
                if (width == 4) {
                    float[] v = new float[(int) length];
                    buf.asFloatBuffer().get(v);
                    t = Nd4j.create(v, shape, 'c');
                } else {
                    double[] v = new double[(int) length];
                    buf.asDoubleBuffer().get(v);
                    t = Nd4j.create(v, shape, 'c');
                }
                out.put(name, t);
                offset += length * width;
            } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException | ArithmeticException x) {
                throw new IOException(source + ": the safetensors entry of tensor '" + name + "' is malformed", x);
            }
        }
        return out;
    }

    private static byte[] readFully(InputStream in, int n, String source) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException(source + " is cut short: " + b.length + " of " + n + " bytes");
        }
        return b;
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

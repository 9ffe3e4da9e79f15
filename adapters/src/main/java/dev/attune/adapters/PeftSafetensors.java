package dev.attune.adapters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Reads a safetensors file as other writers lay it out: each tensor where its {@code data_offsets}
 * put it, whatever the order of the header, in F32, F64, F16 or BF16 (the half types widened to
 * float32). What PEFT's and Python's {@code safetensors} write.
 */
final class PeftSafetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private PeftSafetensors() {
    }

    /** The tensors by name, in the header's order; {@code __metadata__} is skipped. */
    static Map<String, INDArray> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new IOException("it holds " + all.length + " bytes, fewer than a safetensors header's length");
        }
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > all.length) {
            throw new IOException("its header length " + headerLength + " does not fit its " + all.length
                    + " bytes (cut short, or not a safetensors file)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("its safetensors header is not JSON", e);
        }
        if (header == null || !header.isObject()) {
            throw new IOException("its safetensors header is not a JSON object");
        }
        long start = 8 + headerLength;
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String name = e.getKey();
            JsonNode info = e.getValue();
            String dtype = info.path("dtype").asText("");
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F64" -> 8;
                case "F16", "BF16" -> 2;
                default -> throw new IOException("tensor '" + name + "' has type '" + dtype + "'; Attune reads F32, F64,"
                        + " F16 and BF16 adapters: save the adapter in float32");
            };
            long[] shape = new long[info.path("shape").size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.path("shape").path(i).asLong(-1);
                if (shape[i] < 0) {
                    throw new IOException("tensor '" + name + "' has shape " + info.path("shape"));
                }
                n = Math.multiplyExact(n, shape[i]);
            }
            long from = info.path("data_offsets").path(0).asLong(-1);
            long to = info.path("data_offsets").path(1).asLong(-1);
            if (from < 0 || to - from != n * width || start + to > all.length || n > Integer.MAX_VALUE) {
                throw new IOException("tensor '" + name + "' (" + dtype + " " + info.path("shape") + ") does not fit its"
                        + " data offsets " + info.path("data_offsets") + " in " + (all.length - start)
                        + " bytes of data (cut short?)");
            }
            ByteBuffer buf = ByteBuffer.wrap(all, (int) (start + from), (int) (to - from)).slice().order(ByteOrder.LITTLE_ENDIAN);
            INDArray t;
            if (width == 8) {
                double[] v = new double[(int) n];
                buf.asDoubleBuffer().get(v);
                t = Nd4j.create(v, shape, 'c');
            } else {
                float[] v = new float[(int) n];
                if (width == 4) {
                    buf.asFloatBuffer().get(v);
                } else {
                    for (int i = 0; i < n; i++) {
                        int bits = buf.getShort(2 * i) & 0xffff;
                        v[i] = dtype.equals("BF16") ? Float.intBitsToFloat(bits << 16) : half(bits);
                    }
                }
                t = Nd4j.create(v, shape, 'c');
            }
            out.put(name, t);
        }
        return out;
    }

    /** An IEEE 754 half-precision value as a float. */
    static float half(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f;
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}

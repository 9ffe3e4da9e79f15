package dev.attune.internal.bert;

import dev.attune.spi.ModelFileException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an ONNX model file ({@code ModelProto}) that Attune reads to load weights: the graph's
 * initializers (float tensors with their names and dimensions), its nodes (operator, name, inputs,
 * outputs) and the scalar float values of its {@code Constant} nodes. A small reader of the
 * protobuf wire format, so no protobuf library is needed; tensor data stays in the file's bytes
 * until asked for.
 */
public final class OnnxModel {
    /** ONNX {@code TensorProto.DataType.FLOAT}. */
    static final int FLOAT = 1;

    /** An initializer: name, dimensions, element type and where its data lies in the file. */
    record Tensor(String name, long[] dims, int dataType, byte[] source, int offset, int length, boolean external) {
        /** The number of elements the dimensions give. */
        long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        /** The dimensions as text, e.g. {@code [384, 1536]}. */
        String shape() {
            return Arrays.toString(dims);
        }

        /** The values, little-endian floats, in row-major order. */
        float[] floats() {
            if (dataType != FLOAT) {
                throw new ModelFileException("ONNX tensor '" + name + "' holds data type " + dataType
                        + ", not FLOAT (1); export the model in float32");
            }
            if (external) {
                throw new ModelFileException("ONNX tensor '" + name + "' keeps its data in an external file;"
                        + " export the model with its weights inside the .onnx file");
            }
            long n = size();
            if ((long) length != n * 4) {
                throw new ModelFileException("ONNX tensor '" + name + "' of shape " + shape() + " needs " + (n * 4)
                        + " bytes of data but holds " + length + "; the file is corrupted, export it again");
            }
            float[] out = new float[(int) n];
            ByteBuffer.wrap(source, offset, length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }

    /** A graph node. */
    record Node(String opType, String name, List<String> inputs, List<String> outputs) {
    }

    private final Map<String, Tensor> initializers;
    private final List<Node> nodes;
    private final Map<String, Float> constants;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxModel(Map<String, Tensor> initializers, List<Node> nodes, Map<String, Float> constants,
            List<String> inputs, List<String> outputs) {
        this.initializers = initializers;
        this.nodes = nodes;
        this.constants = constants;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * Reads an ONNX model from its bytes.
     *
     * @param source the file name, for messages
     * @throws ModelFileException when the bytes are not an ONNX model or are truncated
     */
    public static OnnxModel read(byte[] bytes, String source) {
        try {
            Reader model = new Reader(bytes, 0, bytes.length);
            Reader graph = null;
            boolean irVersion = false;
            while (model.more()) {
                int key = model.key();
                if (key >>> 3 == 1 && (key & 7) == 0) {
                    irVersion = true;
                }
                if (key >>> 3 == 7 && (key & 7) == 2) {
                    graph = model.message();
                } else {
                    model.skip(key);
                }
            }
            if (graph == null || !irVersion) {
                throw new ModelFileException(source + " is not an ONNX model: it has no " + (irVersion ? "graph" : "ir_version")
                        + "; give the .onnx file of the model (a ModelProto)");
            }
            Map<String, Tensor> initializers = new LinkedHashMap<>();
            List<Node> nodes = new ArrayList<>();
            Map<String, Float> constants = new LinkedHashMap<>();
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            while (graph.more()) {
                int key = graph.key();
                int field = key >>> 3;
                if (field == 1 && (key & 7) == 2) {
                    readNode(graph.message(), bytes, nodes, constants);
                } else if (field == 5 && (key & 7) == 2) {
                    Tensor t = readTensor(graph.message(), bytes);
                    initializers.put(t.name(), t);
                } else if ((field == 11 || field == 12) && (key & 7) == 2) {
                    Reader info = graph.message();
                    String name = "";
                    while (info.more()) {
                        int k = info.key();
                        if (k >>> 3 == 1 && (k & 7) == 2) {
                            name = info.string();
                        } else {
                            info.skip(k);
                        }
                    }
                    (field == 11 ? inputs : outputs).add(name);
                } else {
                    graph.skip(key);
                }
            }
            return new OnnxModel(initializers, List.copyOf(nodes), constants, List.copyOf(inputs), List.copyOf(outputs));
        } catch (Truncated e) {
            throw new ModelFileException(source + " is not a readable ONNX model (truncated or not ONNX): " + e.getMessage()
                    + "; give the complete .onnx file", e);
        }
    }

    private static void readNode(Reader r, byte[] bytes, List<Node> nodes, Map<String, Float> constants) {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        Float value = null;
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (1 << 3) | 2 -> in.add(r.string());
                case (2 << 3) | 2 -> out.add(r.string());
                case (3 << 3) | 2 -> name = r.string();
                case (4 << 3) | 2 -> op = r.string();
                case (5 << 3) | 2 -> {
                    // AttributeProto: a Constant's "value" tensor (field 5, t)
                    Reader a = r.message();
                    while (a.more()) {
                        int k = a.key();
                        if (k == ((5 << 3) | 2)) {
                            Tensor t = readTensor(a.message(), bytes);
                            if (t.dataType() == FLOAT && t.size() == 1 && !t.external()) {
                                value = t.floats()[0];
                            }
                        } else {
                            a.skip(k);
                        }
                    }
                }
                default -> r.skip(key);
            }
        }
        nodes.add(new Node(op, name, List.copyOf(in), List.copyOf(out)));
        if (op.equals("Constant") && value != null && out.size() == 1) {
            constants.put(out.get(0), value);
        }
    }

    private static Tensor readTensor(Reader r, byte[] bytes) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        int offset = 0;
        int length = 0;
        boolean external = false;
        while (r.more()) {
            int key = r.key();
            switch (key) {
                case (1 << 3) | 0 -> dims.add(r.varint());
                case (1 << 3) | 2 -> {
                    Reader p = r.message();
                    while (p.more()) {
                        dims.add(p.varint());
                    }
                }
                case (2 << 3) | 0 -> dataType = (int) r.varint();
                case (8 << 3) | 2 -> name = r.string();
                case (9 << 3) | 2, (4 << 3) | 2 -> {
                    // raw_data, or packed float_data: both little-endian 4-byte floats
                    length = (int) r.varint();
                    offset = r.position();
                    r.advance(length);
                }
                case (14 << 3) | 0 -> external = r.varint() == 1;
                default -> r.skip(key);
            }
        }
        return new Tensor(name, dims.stream().mapToLong(Long::longValue).toArray(), dataType, bytes, offset, length, external);
    }

    /** The initializers by name, in file order. */
    Map<String, Tensor> initializers() {
        return initializers;
    }

    /** The nodes in file (topological) order. */
    List<Node> nodes() {
        return nodes;
    }

    /** The graph's input names. */
    List<String> inputs() {
        return inputs;
    }

    /** The graph's output names. */
    List<String> outputs() {
        return outputs;
    }

    /** The scalar float value of the {@code Constant} node whose output this is, if there is one. */
    Optional<Float> constant(String output) {
        return Optional.ofNullable(constants.get(output));
    }

    /** The node of that name, if there is one. */
    Optional<Node> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** Thrown when a length or key runs past the end of its message. */
    private static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }

    /** A cursor over one protobuf message: bytes [position, end). */
    private static final class Reader {
        private final byte[] bytes;
        private int pos;
        private final int end;

        Reader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.pos = start;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int position() {
            return pos;
        }

        int key() {
            long k = varint();
            if (k >>> 3 == 0 || k > Integer.MAX_VALUE) {
                throw new Truncated("invalid field key " + k + " at byte " + (pos - 1));
            }
            return (int) k;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new Truncated("a number runs past the end of its message at byte " + pos);
                }
                byte b = bytes[pos++];
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new Truncated("a malformed number at byte " + pos);
        }

        void advance(long n) {
            if (n < 0 || n > end - pos) {
                throw new Truncated("a field of " + n + " bytes at byte " + pos + " runs past the end ("
                        + (end - pos) + " bytes left)");
            }
            pos += (int) n;
        }

        Reader message() {
            long n = varint();
            int start = pos;
            advance(n);
            return new Reader(bytes, start, pos);
        }

        String string() {
            long n = varint();
            int start = pos;
            advance(n);
            return new String(bytes, start, (int) n, StandardCharsets.UTF_8);
        }

        void skip(int key) {
            switch (key & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(varint());
                case 5 -> advance(4);
                default -> throw new Truncated("unsupported wire type " + (key & 7) + " at byte " + pos);
            }
        }
    }
}

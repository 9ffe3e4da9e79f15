package dev.attune.internal.bert;

import dev.attune.internal.io.ProtoWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds an ONNX model ({@code ModelProto}) node by node and writes it in the protobuf wire format,
 * the counterpart of {@link OnnxModel}: float initializers (raw little-endian data), int64
 * initializers, scalar float {@code Constant} nodes, nodes with int, ints and float attributes, and
 * the graph's inputs and outputs as tensors whose dimensions are numbers or named (symbolic) sizes.
 * Nodes must be added in topological order. Field numbers are those of {@code onnx.proto}.
 */
final class OnnxWriter {
    /** {@code TensorProto.DataType}: FLOAT. */
    static final int FLOAT = 1;
    /** {@code TensorProto.DataType}: INT64. */
    static final int INT64 = 7;

    private static final int ATTRIBUTE_FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();

    /** A node attribute: a name and its value. */
    record Attribute(String name, ProtoWriter proto) {
        static Attribute of(String name, long value) {
            return new Attribute(name, new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT));
        }

        static Attribute of(String name, float value) {
            return new Attribute(name, new ProtoWriter().string(1, name).float32(2, value).varint(20, ATTRIBUTE_FLOAT));
        }

        static Attribute ints(String name, long... values) {
            ProtoWriter p = new ProtoWriter().string(1, name);
            for (long v : values) {
                p.varint(8, v); // repeated int64 ints, unpacked as onnx.proto2 declares it
            }
            return new Attribute(name, p.varint(20, ATTRIBUTE_INTS));
        }
    }

    /** Adds a float initializer holding the array's values (cast to float, row-major); returns its name. */
    String initializer(String name, INDArray values) {
        INDArray f = values.castTo(DataType.FLOAT).dup('c');
        float[] data = f.data().asFloat();
        ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        initializers.add(new ProtoWriter().packedVarints(1, f.shape()).varint(2, FLOAT).string(8, name)
                .bytes(9, raw.array()));
        return name;
    }

    /** Adds a 1-D int64 initializer; returns its name. */
    String longs(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(new ProtoWriter().packedVarints(1, values.length).varint(2, INT64).string(8, name)
                .bytes(9, raw.array()));
        return name;
    }

    /** Adds a scalar int64 initializer (rank 0); returns its name. */
    String longScalar(String name, long value) {
        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        initializers.add(new ProtoWriter().varint(2, INT64).string(8, name).bytes(9, raw.array()));
        return name;
    }

    /** Adds a {@code Constant} node of that name giving a scalar float; returns its output's name. */
    String constant(String name, float value) {
        ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        ProtoWriter tensor = new ProtoWriter().varint(2, FLOAT).bytes(9, raw.array());
        ProtoWriter attr = new ProtoWriter().string(1, "value").message(5, tensor).varint(20, 4); // TENSOR
        String out = name + "_output_0";
        nodes.add(new ProtoWriter().string(2, out).string(3, name).string(4, "Constant").message(5, attr));
        return out;
    }

    /** Adds a node whose one output is named {@code <name>_output_0}; returns that name. */
    String node(String opType, String name, List<String> in, Attribute... attributes) {
        return node(opType, name, name + "_output_0", in, attributes);
    }

    /** Adds a node with one output of the given name; returns it. */
    String node(String opType, String name, String output, List<String> in, Attribute... attributes) {
        ProtoWriter n = new ProtoWriter();
        in.forEach(i -> n.string(1, i));
        n.string(2, output).string(3, name).string(4, opType);
        for (Attribute a : attributes) {
            n.message(5, a.proto());
        }
        nodes.add(n);
        return output;
    }

    /** Declares a graph input: a tensor of that element type; each dimension a {@code Long} size or a {@code String} name. */
    void input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
    }

    /** Declares a graph output, as {@link #input}. */
    void output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
    }

    private static ProtoWriter valueInfo(String name, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof String param) {
                dim.string(2, param);
            } else {
                dim.varint(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    /**
     * Writes the model: IR version, the producer, the graph (nodes, name, initializers, inputs,
     * outputs) and one default-domain opset import. The graph is streamed field by field, not copied
     * into one message first: the initializers hold the whole model.
     */
    void write(OutputStream out, String graphName, long irVersion, long opset, String producer)
            throws IOException {
        List<ProtoWriter[]> fields = new ArrayList<>(); // {key and length, content}
        nodes.forEach(n -> fields.add(new ProtoWriter[] {new ProtoWriter().lengthPrefix(1, n.size()), n}));
        fields.add(new ProtoWriter[] {new ProtoWriter().string(2, graphName), new ProtoWriter()});
        initializers.forEach(t -> fields.add(new ProtoWriter[] {new ProtoWriter().lengthPrefix(5, t.size()), t}));
        inputs.forEach(i -> fields.add(new ProtoWriter[] {new ProtoWriter().lengthPrefix(11, i.size()), i}));
        outputs.forEach(o -> fields.add(new ProtoWriter[] {new ProtoWriter().lengthPrefix(12, o.size()), o}));
        long graphSize = 0;
        for (ProtoWriter[] f : fields) {
            graphSize += f[0].size() + (long) f[1].size();
        }
        new ProtoWriter().varint(1, irVersion).string(2, producer).lengthPrefix(7, graphSize).writeTo(out);
        for (ProtoWriter[] f : fields) {
            f[0].writeTo(out);
            f[1].writeTo(out);
        }
        new ProtoWriter().message(8, new ProtoWriter().string(1, "").varint(2, opset)).writeTo(out);
    }
}

package dev.attune.internal.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes one protobuf message in the wire format: field keys and varints (wire type 0), 32-bit
 * little-endian values (type 5) and length-delimited fields (type 2: strings, bytes, packed
 * repeated numbers and nested messages, each a {@code ProtoWriter} of its own). Enough to write
 * ONNX models without a protobuf library.
 */
public final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A varint field ({@code int32}, {@code int64}, {@code bool} or enum); negative numbers take ten bytes. */
    public ProtoWriter varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    /** A {@code float} field: four little-endian bytes. */
    public ProtoWriter float32(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToIntBits(value);
        for (int k = 0; k < 4; k++) {
            out.write(bits >>> (8 * k));
        }
        return this;
    }

    /** A {@code string} field, UTF-8. */
    public ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code bytes} field. */
    public ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    /** A nested message field. */
    public ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    /** A packed repeated varint field (e.g. {@code repeated int64}); nothing for no values. */
    public ProtoWriter packedVarints(int field, long... values) {
        if (values.length == 0) {
            return this;
        }
        ProtoWriter packed = new ProtoWriter();
        for (long v : values) {
            packed.rawVarint(v);
        }
        return bytes(field, packed.toByteArray());
    }

    /**
     * The key and length of a length-delimited field whose {@code length} bytes the caller writes
     * after this writer's (see {@link #writeTo}), so that a large nested message need not be copied
     * into its parent.
     */
    public ProtoWriter lengthPrefix(int field, long length) {
        key(field, LENGTH_DELIMITED);
        rawVarint(length);
        return this;
    }

    /** The number of bytes written so far. */
    public int size() {
        return out.size();
    }

    /** Writes the message's bytes so far to the stream. */
    public void writeTo(OutputStream stream) throws IOException {
        out.writeTo(stream);
    }

    /** The message's bytes so far. */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        if (field < 1) {
            throw new IllegalArgumentException("protobuf field numbers start at 1, got " + field);
        }
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}

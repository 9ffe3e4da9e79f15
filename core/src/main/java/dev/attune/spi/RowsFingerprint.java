package dev.attune.spi;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The SHA-256 fingerprint of labelled rows, as {@code LabeledData.fingerprint()} computes it, fed the
 * features a part at a time in row order: the class count, the shape (rows first), the data type's name,
 * the feature bytes in the machine's byte order, then the labels. So a holder of rows that sees one part
 * of them at a time gets the fingerprint of the whole without holding it. Not thread-safe; one use.
 */
public final class RowsFingerprint {
    private static final int CHUNK = 1 << 16;
    private final Hasher hasher = Hashing.sha256().newHasher();
    private final DataType dataType;
    private boolean done;

    /**
     * Starts the fingerprint of {@code rows} rows of examples of {@code exampleShape} in {@code dataType}.
     *
     * @param numClasses the class count
     */
    public RowsFingerprint(int numClasses, long rows, long[] exampleShape, DataType dataType) {
        this.dataType = dataType;
        hasher.putInt(numClasses);
        hasher.putLong(rows);
        for (long d : exampleShape) {
            hasher.putLong(d);
        }
        hasher.putString(dataType.name(), StandardCharsets.UTF_8);
    }

    /** The next features' bytes (the buffer's remaining bytes, as laid out in memory in the machine's byte order). */
    public RowsFingerprint features(ByteBuffer bytes) {
        check();
        hasher.putBytes(bytes.duplicate());
        return this;
    }

    /**
     * The next feature values, for rows of type {@link DataType#FLOAT}.
     *
     * @throws IllegalStateException when the rows are of another type
     */
    public RowsFingerprint features(float[] values) {
        if (dataType != DataType.FLOAT) {
            throw new IllegalStateException("the rows are of type " + dataType + ", not FLOAT; feed their bytes");
        }
        // A chunk at a time, so that a large part is not copied whole.
        ByteBuffer b = ByteBuffer.allocate(4 * Math.min(values.length, CHUNK)).order(ByteOrder.nativeOrder());
        for (int from = 0; from < values.length; from += CHUNK) {
            int n = Math.min(CHUNK, values.length - from);
            b.clear();
            b.asFloatBuffer().put(values, from, n);
            b.limit(4 * n);
            features(b);
        }
        return this;
    }

    /** Ends with the labels of every row, in row order: the fingerprint, as lower-case hex. */
    public String labels(int[] labels) {
        check();
        done = true;
        for (int y : labels) {
            hasher.putInt(y);
        }
        return hasher.hash().toString();
    }

    private void check() {
        if (done) {
            throw new IllegalStateException("this fingerprint is finished; start another");
        }
    }
}

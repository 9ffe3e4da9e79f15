package dev.attune;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finds the rows of one data set whose features equal, bit for bit, those of a row of another: each
 * row's bytes are hashed, and rows with equal hashes are compared byte by byte, so a hash collision
 * cannot make a match.
 */
final class ExactDuplicates {
    private static final HashFunction HASH = Hashing.murmur3_128();

    private ExactDuplicates() {
    }

    /**
     * What was found.
     *
     * @param count rows of the second data set that copy some row of the first
     * @param firstIndex the lowest row of the first data set copied by {@code secondIndex}, -1 when none
     * @param secondIndex the lowest row of the second data set that is a copy, -1 when none
     */
    record Found(int count, int firstIndex, int secondIndex) {
    }

    /** The rows of {@code second} that copy a row of {@code first}; both have the same example shape. */
    static Found between(LabeledData first, LabeledData second) {
        if (first.held() != null) {
            return found(first.held().copiesOf(second.featuresView()));
        }
        INDArray a = first.featuresView();
        INDArray b = second.featuresView();
        if (a.dataType() != b.dataType()) {
            // Widening a float to a double is exact, so equal values stay equal and different ones different.
            a = a.castTo(DataType.DOUBLE);
            b = b.castTo(DataType.DOUBLE);
        }
        int rowBytes = Math.toIntExact(a.length() / a.size(0) * a.dataType().width());
        ByteBuffer ab = bytes(a);
        ByteBuffer bb = bytes(b);
        Map<Long, List<Integer>> rowsByHash = new HashMap<>();
        for (int i = 0; i < first.size(); i++) {
            rowsByHash.computeIfAbsent(hash(ab, i, rowBytes), h -> new ArrayList<>(1)).add(i);
        }
        int count = 0;
        int firstIndex = -1;
        int secondIndex = -1;
        for (int j = 0; j < second.size(); j++) {
            List<Integer> candidates = rowsByHash.get(hash(bb, j, rowBytes));
            if (candidates == null) {
                continue;
            }
            ByteBuffer row = row(bb, j, rowBytes);
            for (int i : candidates) {
                if (row(ab, i, rowBytes).equals(row)) {
                    if (count == 0) {
                        firstIndex = i;
                        secondIndex = j;
                    }
                    count++;
                    break;
                }
            }
        }
        return new Found(count, firstIndex, secondIndex);
    }

    /** What the holder of rows held elsewhere found: for each row of the second, the first's lowest copy or -1. */
    private static Found found(int[] copies) {
        int count = 0;
        int secondIndex = -1;
        for (int j = 0; j < copies.length; j++) {
            if (copies[j] >= 0) {
                secondIndex = count++ == 0 ? j : secondIndex;
            }
        }
        return new Found(count, secondIndex < 0 ? -1 : copies[secondIndex], secondIndex);
    }

    private static ByteBuffer bytes(INDArray x) {
        INDArray c = x.isView() || x.ordering() != 'c' || x.data().length() != x.length() ? x.dup('c') : x;
        return c.data().asNio();
    }

    private static long hash(ByteBuffer all, int row, int rowBytes) {
        return HASH.hashBytes(row(all, row, rowBytes)).asLong();
    }

    private static ByteBuffer row(ByteBuffer all, int row, int rowBytes) {
        int from = row * rowBytes;
        return all.duplicate().limit(from + rowBytes).position(from).slice();
    }
}

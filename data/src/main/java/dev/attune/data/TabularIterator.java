package dev.attune.data;

import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J iterator over a table file that reads rows as batches are asked for. It holds the open
 * file, the one record read ahead to answer {@link #hasNext()}, and the batch being built: its
 * memory does not grow with the file.
 */
final class TabularIterator extends BatchIterator {
    private static final long serialVersionUID = 1L;

    private final transient Supplier<RecordReader> open;
    private final TabularTransform transform;
    private transient RecordReader reader;
    private transient TableEncoder encoder;
    private transient String[] ahead;
    private transient boolean ended;

    TabularIterator(Supplier<RecordReader> open, TabularTransform transform, int batchSize) {
        super(batchSize, "row", "the table");
        this.open = open;
        this.transform = transform;
    }

    @Override
    public boolean hasNext() {
        if (ahead != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        if (reader == null) {
            reader = open.get();
            try {
                encoder = new TableEncoder(transform, reader);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        try {
            ahead = reader.next();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (ahead == null) {
            close();
            ended = true;
        }
        return ahead != null;
    }

    @Override
    DataSet read(int num) {
        int width = encoder.width();
        int classes = transform.classNames().size();
        float[] x = new float[num * width];
        float[] y = new float[num * classes];
        int n = 0;
        try {
            while (n < num && hasNext()) {
                encoder.features(ahead, x, n * width);
                y[n * classes + encoder.label(ahead)] = 1f;
                encoder.groups(ahead);      // not in the DataSet, but checked as read(transform) checks them
                ahead = null;
                n++;
            }
        } catch (RuntimeException e) {
            close();
            ended = true;
            throw e;
        }
        return new DataSet(Nd4j.create(java.util.Arrays.copyOf(x, n * width), new long[] {n, width},
                DataType.FLOAT), Nd4j.create(java.util.Arrays.copyOf(y, n * classes), new long[] {n, classes},
                DataType.FLOAT));
    }

    @Override
    public int inputColumns() {
        return transform.featureNames().size();
    }

    @Override
    public void reset() {
        close();
        ended = false;
        ahead = null;
    }

    @Override
    java.util.List<String> classes() {
        return transform.classNames();
    }

    private void close() {
        if (reader != null) {
            RecordReader r = reader;
            reader = null;
            encoder = null;
            r.close();
        }
    }
}

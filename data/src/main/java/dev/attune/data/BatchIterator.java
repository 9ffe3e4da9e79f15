package dev.attune.data;

import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * What the streaming sources' DL4J iterators share: the batch size, the pre-processor, the class
 * names as labels, and the checks of {@link #next(int)}; a subclass reads one batch of at most
 * {@code num} examples in {@link #read(int)}.
 */
abstract class BatchIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final int batchSize;
    private final String unit;
    private final String source;
    private DataSetPreProcessor preProcessor;

    /**
     * @param unit what one example is, for messages ("row", "image")
     * @param source what runs out of examples, for messages ("the table", "the folder")
     */
    BatchIterator(int batchSize, String unit, String source) {
        this.batchSize = batchSize;
        this.unit = unit;
        this.source = source;
    }

    /** The next batch of at most {@code num} examples, features and one-hot labels; called only when {@link #hasNext()}. */
    abstract DataSet read(int num);

    /** The class names, by class index. */
    abstract List<String> classes();

    @Override
    public final DataSet next() {
        return next(batchSize);
    }

    @Override
    public final DataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("a batch needs at least 1 " + unit + ", got " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException(source + " has no more " + unit + "s; call reset() to read it again");
        }
        DataSet ds = read(num);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public int totalOutcomes() {
        return classes().size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return classes();
    }
}

package dev.attune.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J iterator over a folder of class folders that decodes each batch's images when the batch
 * is asked for (made by {@link ImageFolder#iterator(Path, int, int)}). It holds the file list, the
 * position and the batch being built: its memory does not grow with the number of images.
 * Batches follow the file order of {@link ImageFolder#read(Path, int)}; a bad file is refused when
 * its batch is read, with the message {@code read} gives.
 */
public final class ImageFolderIterator extends BatchIterator {
    private static final long serialVersionUID = 1L;

    private final transient ImageFolder.Listing listing;
    private final transient ImageFolder.Decoded size;
    private int next;
    private transient String fingerprint;

    ImageFolderIterator(ImageFolder.Listing listing, ImageFolder.Decoded size, int batchSize) {
        super(batchSize, "image", "the folder");
        this.listing = listing;
        this.size = size;
    }

    /** The class folders' names, by class index, as {@link ImageFolder.Images#classNames()}. */
    public List<String> classNames() {
        return listing.classNames();
    }

    /** Each example's file, in example order, as {@link ImageFolder.Images#files()}. */
    public List<Path> files() {
        return listing.files();
    }

    /** The shape of one example: {@code [channels, height, width]}, the first image's size. */
    public long[] exampleShape() {
        return new long[] {listing.channels(), size.height(), size.width()};
    }

    /**
     * The SHA-256 of the class names, file names and file contents, in order: the value
     * {@link ImageFolder.Images#fingerprint()} reports for the same folder. Computed on the first
     * call by reading every file once, 64 KiB at a time, and kept.
     *
     * @throws java.io.UncheckedIOException when a file cannot be read or changes while it is read
     */
    public String fingerprint() {
        if (fingerprint == null) {
            fingerprint = listing.fingerprint();
        }
        return fingerprint;
    }

    @Override
    public boolean hasNext() {
        return next < listing.files().size();
    }

    @Override
    DataSet read(int num) {
        int n = Math.min(num, listing.files().size() - next);
        int channels = listing.channels();
        int each = channels * size.height() * size.width();
        int classes = listing.classNames().size();
        float[] x = new float[n * each];
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            Path f = listing.files().get(next + i);
            size.pixels(ImageFolder.decode(ImageFolder.bytes(f), f, listing.root()), f, channels, x, i * each);
            y[i * classes + listing.labels()[next + i]] = 1f;
        }
        next += n;
        return new DataSet(Nd4j.create(x, new long[] {n, channels, size.height(), size.width()}, DataType.FLOAT),
                Nd4j.create(y, new long[] {n, classes}, DataType.FLOAT));
    }

    @Override
    public int inputColumns() {
        return listing.channels() * size.height() * size.width();
    }

    @Override
    public void reset() {
        next = 0;
    }

    @Override
    List<String> classes() {
        return listing.classNames();
    }

    @Override
    public String toString() {
        return "ImageFolderIterator[" + listing.root() + ", " + listing.files().size() + " images, classes "
                + listing.classNames() + ", shape " + Arrays.toString(exampleShape()) + ", batch " + batch() + "]";
    }
}

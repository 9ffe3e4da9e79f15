package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.DataSource;
import dev.attune.LabeledData;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads image classification data in the IDX format of MNIST and Fashion-MNIST: one file of images
 * and one of labels, each plain or gzip-compressed (recognised by its content, not its name).
 *
 * <p>Images file: big-endian magic {@code 0x00000803}, int32 count, int32 rows, int32 columns, then
 * {@code count * rows * columns} unsigned bytes, row-major. Labels file: magic {@code 0x00000801},
 * int32 count, then {@code count} unsigned bytes. The result's features are a {@code FLOAT} array of
 * shape {@code [count, rows * columns]} with each pixel scaled to {@code [0, 1]} (value / 255).
 *
 * <p>Errors always name the file. A file that is not IDX, is truncated, has trailing bytes or cannot
 * be read raises {@link AttuneException}; files that are each fine but do not fit together or do
 * not fit {@code numClasses} raise {@link IllegalArgumentException}.
 */
public final class Idx {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int IMAGES_HEADER_BYTES = 16;
    private static final int LABELS_HEADER_BYTES = 8;
    // Java arrays stop a little short of Integer.MAX_VALUE on common JVMs.
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int BUFFER = 1 << 16;

    private Idx() {
    }

    /**
     * Reads an images file and its labels file.
     *
     * @param images the IDX images file ({@code *-images-idx3-ubyte}, optionally {@code .gz})
     * @param labels the IDX labels file ({@code *-labels-idx1-ubyte}, optionally {@code .gz})
     * @param numClasses the number of classes of the task, at least 2 and above every label
     * @return the examples, features {@code [count, rows * columns]} in {@code [0, 1]}
     * @throws AttuneException when a file is missing, unreadable, not IDX, truncated or longer than its header says
     * @throws IllegalArgumentException when {@code numClasses < 2}, the two files hold different
     *     numbers of examples, a file holds no examples, or a label is {@code >= numClasses}
     */
    public static LabeledData read(Path images, Path labels, int numClasses) {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        checkNumClasses(numClasses);
        try (InputStream in = open(images, "images"); InputStream lab = open(labels, "labels")) {
            return read(in, images.toString(), lab, labels.toString(), numClasses);
        } catch (IOException e) {
            // Only close() can get here: every read is wrapped where it happens.
            throw new AttuneException("cannot close IDX file " + images + " or " + labels + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads images and labels from streams, for example class-path resources. The streams are read to
     * their end but not closed: the caller opened them and closes them.
     *
     * @param images the IDX images, plain or gzip-compressed
     * @param labels the IDX labels, plain or gzip-compressed
     * @param numClasses the number of classes of the task, at least 2 and above every label
     * @param name what the data is called in error messages, for example {@code "fashion-mnist/train"}
     * @return the examples, features {@code [count, rows * columns]} in {@code [0, 1]}
     * @throws AttuneException when a stream cannot be read, is not IDX, is truncated or longer than its header says
     * @throws IllegalArgumentException when {@code numClasses < 2}, the two streams hold different
     *     numbers of examples, a stream holds no examples, or a label is {@code >= numClasses}
     */
    public static LabeledData read(InputStream images, InputStream labels, int numClasses, String name) {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        requireNonNull(name, "name");
        checkNumClasses(numClasses);
        return read(images, name + " (images)", labels, name + " (labels)", numClasses);
    }

    /**
     * A data source that reads the two files on every {@link DataSource#load()}. Nothing is read here;
     * the arguments are checked at once.
     *
     * @param images the IDX images file, optionally gzip-compressed
     * @param labels the IDX labels file, optionally gzip-compressed
     * @param numClasses the number of classes of the task, at least 2 and above every label
     * @return a source whose {@code load()} throws what {@link #read(Path, Path, int)} throws
     * @throws IllegalArgumentException when {@code numClasses < 2}
     */
    public static DataSource source(Path images, Path labels, int numClasses) {
        requireNonNull(images, "images");
        requireNonNull(labels, "labels");
        checkNumClasses(numClasses);
        return new Source(images, labels, numClasses);
    }

    private record Source(Path images, Path labels, int numClasses) implements DataSource {
        @Override
        public LabeledData load() {
            return read(images, labels, numClasses);
        }

        @Override
        public String describe() {
            return "IDX images " + images + ", labels " + labels + ", " + numClasses + " classes";
        }
    }

    private static void checkNumClasses(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, got " + numClasses
                    + "; pass the number of classes of the task (10 for MNIST and Fashion-MNIST)");
        }
    }

    private static InputStream open(Path file, String what) {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new AttuneException("IDX " + what + " file " + file + " does not exist; check the path", e);
        } catch (IOException e) {
            throw new AttuneException("cannot open IDX " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    private static LabeledData read(InputStream imagesIn, String imagesName, InputStream labelsIn, String labelsName,
                                    int numClasses) {
        InputStream images = decompressed(imagesIn, imagesName);
        InputStream labels = decompressed(labelsIn, labelsName);

        // Both headers first, so that a mismatched pair is refused before megabytes of pixels are read.
        ByteBuffer ih = header(images, IMAGES_HEADER_BYTES, IMAGES_MAGIC, imagesName);
        int count = nonNegative(ih.getInt(), "image count", imagesName);
        int rows = positive(ih.getInt(), "row count", imagesName);
        int cols = positive(ih.getInt(), "column count", imagesName);

        ByteBuffer lh = header(labels, LABELS_HEADER_BYTES, LABELS_MAGIC, labelsName);
        int labelCount = nonNegative(lh.getInt(), "label count", labelsName);

        if (count != labelCount) {
            throw new IllegalArgumentException(imagesName + " holds " + count + " images but " + labelsName + " holds "
                    + labelCount + " labels; pass the labels file that belongs to these images");
        }
        if (count == 0) {
            throw new IllegalArgumentException(imagesName + " holds 0 images; a data set needs at least one example");
        }
        long pixelCount = (long) count * rows * cols;
        if (pixelCount > MAX_ARRAY) {
            throw new AttuneException(imagesName + " declares " + count + " images of " + rows + "x" + cols + " = "
                    + pixelCount + " pixels, more than one array can hold (" + MAX_ARRAY + "); split the file");
        }

        byte[] pixels = readExactly(images, (int) pixelCount,
                "pixel bytes (" + count + " images of " + rows + "x" + cols + ")", imagesName);
        checkAtEnd(images, pixelCount, imagesName);
        byte[] labelBytes = readExactly(labels, count, "label bytes", labelsName);
        checkAtEnd(labels, count, labelsName);

        int[] y = toLabels(labelBytes, numClasses, labelsName);
        INDArray x = Nd4j.create(toUnitFloats(pixels), new long[] {count, (long) rows * cols}, DataType.FLOAT);
        return LabeledData.of(x, y, numClasses);
    }

    private static InputStream decompressed(InputStream in, String name) {
        try {
            BufferedInputStream b = new BufferedInputStream(in, BUFFER);
            b.mark(2);
            int b0 = b.read();
            int b1 = b.read();
            b.reset();
            // The two-byte gzip magic cannot start an IDX file, whose first two bytes are always 0.
            return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(b, BUFFER) : b;
        } catch (IOException e) {
            throw new AttuneException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a header and checks its magic, positioned after the magic. The magic is checked as soon
     * as it is read, so that a short file of the wrong kind (a labels file passed as images) is
     * reported as the wrong kind rather than as truncated.
     */
    private static ByteBuffer header(InputStream in, int length, int expectedMagic, String name) {
        byte[] header = new byte[length];
        int got = readUpTo(in, header, 0, 4, length, "header bytes", name);
        if (got == 4) {
            checkMagic(ByteBuffer.wrap(header).getInt(), expectedMagic, name);
            got += readUpTo(in, header, 4, length - 4, length, "header bytes", name);
        }
        if (got < length) {
            throw truncated(name, length, got, "header bytes", null);
        }
        ByteBuffer b = ByteBuffer.wrap(header);
        b.getInt();
        return b;
    }

    /**
     * Reads exactly {@code n} bytes. A short read (the plain file ends, or the gzip data ends early)
     * becomes a truncation error that tells how many bytes did arrive.
     */
    private static byte[] readExactly(InputStream in, int n, String what, String name) {
        byte[] buf = new byte[n];
        int got = readUpTo(in, buf, 0, n, n, what, name);
        if (got < n) {
            throw truncated(name, n, got, what, null);
        }
        return buf;
    }

    /**
     * Reads up to {@code n} bytes into {@code buf} from {@code offset}, fewer only at the end of
     * the stream; returns how many arrived. {@code expected} and {@code what} word the truncation
     * error of a gzip stream that ends early.
     */
    private static int readUpTo(InputStream in, byte[] buf, int offset, int n, int expected, String what,
                                String name) {
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(buf, offset + got, n - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (EOFException e) {
            throw truncated(name, expected, offset + got, what, e);
        } catch (IOException e) {
            throw new AttuneException("cannot read " + name + ": " + e.getMessage() + "; the file is damaged", e);
        }
        return got;
    }

    private static AttuneException truncated(String name, int expected, int got, String what, Throwable cause) {
        return new AttuneException(name + " is truncated: expected " + expected + " " + what + ", got " + got
                + "; download or copy the file again", cause);
    }

    private static void checkAtEnd(InputStream in, long declared, String name) {
        try {
            if (in.read() >= 0) {
                throw new AttuneException(name + " holds more data than its header declares (" + declared
                        + " bytes after the header); the file is damaged or not a single IDX file");
            }
        } catch (IOException e) {
            throw new AttuneException("cannot read " + name + ": " + e.getMessage() + "; the file is damaged", e);
        }
    }

    private static void checkMagic(int found, int expected, String name) {
        if (found == expected) {
            return;
        }
        String hint = "";
        if (found == LABELS_MAGIC && expected == IMAGES_MAGIC) {
            hint = "; this is a labels file: were images and labels swapped?";
        } else if (found == IMAGES_MAGIC && expected == LABELS_MAGIC) {
            hint = "; this is an images file: were images and labels swapped?";
        }
        throw new AttuneException(name + " is not an IDX " + (expected == IMAGES_MAGIC ? "images" : "labels")
                + " file: expected magic " + hex(expected) + " (" + describeMagic(expected) + "), found " + hex(found)
                + " (" + describeMagic(found) + ")" + hint);
    }

    private static String hex(int magic) {
        return String.format(Locale.ROOT, "0x%08x", magic);
    }

    /** IDX magic: two zero bytes, a type code, the number of dimensions. */
    private static String describeMagic(int magic) {
        if ((magic >>> 16) != 0) {
            return "not IDX";
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        String typeName = switch (type) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0b -> "int16";
            case 0x0c -> "int32";
            case 0x0d -> "float32";
            case 0x0e -> "float64";
            default -> String.format(Locale.ROOT, "unknown type 0x%02x", type);
        };
        return typeName + ", " + dims + (dims == 1 ? " dimension" : " dimensions");
    }

    private static int nonNegative(int value, String what, String name) {
        if (value < 0) {
            throw new AttuneException(name + " declares " + what + " " + Integer.toUnsignedLong(value)
                    + ", above the largest supported " + Integer.MAX_VALUE + "; the header is damaged");
        }
        return value;
    }

    private static int positive(int value, String what, String name) {
        if (value <= 0) {
            throw new AttuneException(name + " declares a " + what + " of " + value
                    + "; expected at least 1; the header is damaged");
        }
        return value;
    }

    private static int[] toLabels(byte[] bytes, int numClasses, String name) {
        int[] y = new int[bytes.length];
        int firstBad = -1;
        int max = 0;
        for (int i = 0; i < bytes.length; i++) {
            y[i] = bytes[i] & 0xff;
            max = Math.max(max, y[i]);
            if (y[i] >= numClasses && firstBad < 0) {
                firstBad = i;
            }
        }
        if (firstBad >= 0) {
            throw new IllegalArgumentException("label " + y[firstBad] + " at example " + firstBad + " of " + name
                    + " is outside [0, " + numClasses + "); the largest label is " + max + ": pass numClasses = "
                    + (max + 1) + " or check that this is the right labels file");
        }
        return y;
    }

    private static float[] toUnitFloats(byte[] pixels) {
        float[] scale = new float[256];
        for (int v = 0; v < 256; v++) {
            scale[v] = v / 255f;
        }
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = scale[pixels[i] & 0xff];
        }
        return out;
    }
}

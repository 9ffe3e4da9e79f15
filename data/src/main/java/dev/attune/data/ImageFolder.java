package dev.attune.data;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.attune.LabeledData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images in a folder of class folders ({@code root/cat/1.png}, {@code root/dog/7.jpg}): one class
 * per sub-folder, classes in the order of the folder names, images in the order of their file
 * names. Each image is read with {@code javax.imageio} (PNG, JPEG, GIF, BMP) as {@code [channels,
 * height, width]} floats in {@code [0, 1]}: one channel is the luminance {@code (r + g + b) / 3},
 * three are red, green and blue. Every image must have the size of the first one read.
 *
 * <pre>{@code
 * ImageFolder.Images images = ImageFolder.read(Path.of("photos"), 3);
 * FineTuner.builder(base).replaceHead(images.classNames().size()).build().fit(images.data());
 *
 * DataSetIterator batches = ImageFolder.iterator(Path.of("photos"), 3, 32);   // decodes 32 images at a time
 * }</pre>
 */
public final class ImageFolder {
    private ImageFolder() {
    }

    /**
     * The images read, their classes and files, and a SHA-256 over every file's name and bytes.
     *
     * @param data the examples, features {@code [n, channels, height, width]}
     * @param classNames the class folders' names, by class index
     * @param files each example's file
     * @param fingerprint SHA-256 of the class names, file names and file contents, in order
     */
    public record Images(LabeledData data, List<String> classNames, List<Path> files, String fingerprint) {
        /** Copies the lists. */
        public Images {
            requireNonNull(data, "data");
            classNames = List.copyOf(classNames);
            files = List.copyOf(files);
            requireNonNull(fingerprint, "fingerprint");
        }
    }

    /**
     * Reads every image under {@code root}, one class per sub-folder.
     *
     * @param root the folder of class folders
     * @param channels 1 (grey) or 3 (red, green, blue)
     * @throws IllegalArgumentException when {@code root} is no folder, holds fewer than two class
     *     folders, a class folder holds no file, a file is no image that {@code javax.imageio} reads,
     *     or an image's size differs from the first one's (each message names the file and the fix)
     * @throws UncheckedIOException when a file cannot be read
     */
    public static Images read(Path root, int channels) {
        Listing listing = Listing.of(root, channels);
        List<Path> files = listing.files();
        Hasher hash = listing.hashClassNames();
        float[] pixels = null;
        Decoded first = null;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            byte[] bytes = bytes(f);
            hash.putUnencodedChars(root.relativize(f).toString()).putByte((byte) 0).putInt(bytes.length).putBytes(bytes);
            BufferedImage img = decode(bytes, f, root);
            if (first == null) {
                first = new Decoded(f, img.getHeight(), img.getWidth());
                pixels = new float[files.size() * channels * first.height() * first.width()];
            }
            first.pixels(img, f, channels, pixels, i * channels * first.height() * first.width());
        }
        LabeledData data = LabeledData.of(Nd4j.create(pixels, new long[] {files.size(), channels, first.height(),
                first.width()}, DataType.FLOAT), listing.labels(), listing.classNames().size());
        return new Images(data, listing.classNames(), files, hash.hash().toString());
    }

    /**
     * Streams the images under {@code root} in mini-batches for DL4J, decoding each batch's files
     * when it is asked for: the iterator holds the file list and one batch, never the whole folder.
     * Each {@link org.nd4j.linalg.dataset.DataSet} holds up to {@code batchSize} images as float
     * features {@code [n, channels, height, width]} and one-hot float labels {@code [n, classes]},
     * in the order, with the classes, pixels and fingerprint that {@link #read(Path, int)} gives.
     * The folder is listed and its first image decoded (for the size) at once; {@code reset()}
     * starts again from the first file.
     *
     * @param root the folder of class folders
     * @param channels 1 (grey) or 3 (red, green, blue)
     * @param batchSize the images per batch, at least 1
     * @throws IllegalArgumentException as {@link #read(Path, int)} refuses a folder, at once for the
     *     folders and the first image, and for a later file when its batch is read; when
     *     {@code batchSize < 1}
     * @throws UncheckedIOException when a file cannot be read
     */
    public static ImageFolderIterator iterator(Path root, int channels, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        Listing listing = Listing.of(root, channels);
        Path f = listing.files().get(0);
        BufferedImage img = decode(bytes(f), f, root);
        return new ImageFolderIterator(listing, new Decoded(f, img.getHeight(), img.getWidth()), batchSize);
    }

    /** The class folders and their files, checked: what both ways of reading a folder start from. */
    record Listing(Path root, int channels, List<String> classNames, List<Path> files, int[] labels) {
        static Listing of(Path root, int channels) {
            requireNonNull(root, "root");
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 (grey) or 3 (red, green, blue), got " + channels);
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException(root + " is not a folder; give a folder with one sub-folder per class");
            }
            List<Path> classDirs = list(root).stream().filter(Files::isDirectory).toList();
            if (classDirs.size() < 2) {
                throw new IllegalArgumentException(root + " holds " + classDirs.size() + " class folder"
                        + (classDirs.size() == 1 ? "" : "s") + "; give one sub-folder per class, at least two");
            }
            List<String> classNames = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int c = 0; c < classDirs.size(); c++) {
                Path dir = classDirs.get(c);
                List<Path> images = list(dir).stream().filter(Files::isRegularFile).toList();
                if (images.isEmpty()) {
                    throw new IllegalArgumentException("class folder " + dir + " holds no file; add its images or"
                            + " remove the folder");
                }
                classNames.add(dir.getFileName().toString());
                for (Path f : images) {
                    files.add(f);
                    labels.add(c);
                }
            }
            return new Listing(root, channels, List.copyOf(classNames), List.copyOf(files),
                    labels.stream().mapToInt(Integer::intValue).toArray());
        }

        /** A SHA-256 hasher that has taken the class names, as every fingerprint starts. */
        Hasher hashClassNames() {
            Hasher hash = Hashing.sha256().newHasher();
            classNames.forEach(n -> hash.putUnencodedChars(n).putByte((byte) 0));
            return hash;
        }

        /**
         * The fingerprint {@link #read(Path, int)} reports, from the files read in chunks of 64 KiB:
         * each file's relative name, its length and its bytes.
         */
        String fingerprint() {
            Hasher hash = hashClassNames();
            byte[] buffer = new byte[1 << 16];
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    long size = Files.size(f);
                    hash.putUnencodedChars(root.relativize(f).toString()).putByte((byte) 0).putInt((int) size);
                    long read = 0;
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        hash.putBytes(buffer, 0, n);
                        read += n;
                    }
                    if (read != size) {
                        throw new UncheckedIOException(new IOException(f + " changed while it was read (" + size
                                + " bytes, then " + read + "); read it again when nothing writes to it"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
            }
            return hash.hash().toString();
        }
    }

    /** The first image's size, which every image must have, and the decoding of one image into floats. */
    record Decoded(Path first, int height, int width) {
        /** Writes {@code img}'s pixels as {@code [channels, height, width]} into {@code out} from {@code base}. */
        void pixels(BufferedImage img, Path f, int channels, float[] out, int base) {
            if (img.getHeight() != height || img.getWidth() != width) {
                throw new IllegalArgumentException(f + " is " + img.getWidth() + "x" + img.getHeight() + " pixels but "
                        + first + ", the first image, is " + width + "x" + height + "; resize the images to one size");
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(x, y);
                    float r = ((rgb >> 16) & 0xff) / 255f;
                    float g = ((rgb >> 8) & 0xff) / 255f;
                    float b = (rgb & 0xff) / 255f;
                    int at = base + y * width + x;
                    if (channels == 1) {
                        out[at] = (r + g + b) / 3f;
                    } else {
                        out[at] = r;
                        out[at + height * width] = g;
                        out[at + 2 * height * width] = b;
                    }
                }
            }
        }
    }

    static byte[] bytes(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    static BufferedImage decode(byte[] bytes, Path f, Path root) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            img = null;
        }
        if (img == null) {
            throw new IllegalArgumentException(f + " is not an image javax.imageio reads (PNG, JPEG, GIF, BMP);"
                    + " convert it or move it out of " + root);
        }
        return img;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}

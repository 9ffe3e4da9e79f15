package dev.attune.data;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.attune.LabeledData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
                throw new IllegalArgumentException("class folder " + dir + " holds no file; add its images or remove"
                        + " the folder");
            }
            classNames.add(dir.getFileName().toString());
            for (Path f : images) {
                files.add(f);
                labels.add(c);
            }
        }
        Hasher hash = Hashing.sha256().newHasher();
        classNames.forEach(n -> hash.putUnencodedChars(n).putByte((byte) 0));
        float[] pixels = null;
        int height = 0;
        int width = 0;
        Path first = null;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            hash.putUnencodedChars(root.relativize(f).toString()).putByte((byte) 0).putInt(bytes.length).putBytes(bytes);
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
            if (pixels == null) {
                height = img.getHeight();
                width = img.getWidth();
                first = f;
                pixels = new float[files.size() * channels * height * width];
            } else if (img.getHeight() != height || img.getWidth() != width) {
                throw new IllegalArgumentException(f + " is " + img.getWidth() + "x" + img.getHeight() + " pixels but "
                        + first + ", the first image, is " + width + "x" + height + "; resize the images to one size");
            }
            int base = i * channels * height * width;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(x, y);
                    float r = ((rgb >> 16) & 0xff) / 255f;
                    float g = ((rgb >> 8) & 0xff) / 255f;
                    float b = (rgb & 0xff) / 255f;
                    int at = base + y * width + x;
                    if (channels == 1) {
                        pixels[at] = (r + g + b) / 3f;
                    } else {
                        pixels[at] = r;
                        pixels[at + height * width] = g;
                        pixels[at + 2 * height * width] = b;
                    }
                }
            }
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        LabeledData data = LabeledData.of(Nd4j.create(pixels, new long[] {files.size(), channels, height, width},
                DataType.FLOAT), y, classNames.size());
        return new Images(data, classNames, files, hash.hash().toString());
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}

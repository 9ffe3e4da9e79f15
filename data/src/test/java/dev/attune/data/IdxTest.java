package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.DataSource;
import dev.attune.LabeledData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class IdxTest {
    // Three 2x2 images, labels 0, 2, 1.
    private static final int[] PIXELS = {0, 255, 51, 102, 1, 2, 3, 4, 200, 100, 50, 25};
    private static final byte[] IMAGES = images(0x803, 3, 2, 2, PIXELS);
    private static final byte[] LABELS = labels(0x801, 3, 0, 2, 1);

    @TempDir
    Path dir;

    @Test
    void readsPixelsScaledToTheUnitIntervalAsFloatRows() {
        LabeledData data = read(IMAGES, LABELS, 3);

        assertThat(data.size()).isEqualTo(3);
        assertThat(data.numClasses()).isEqualTo(3);
        assertThat(data.labels()).containsExactly(0, 2, 1);
        assertThat(data.features().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(data.features().shape()).containsExactly(3, 4);
        float[] expected = new float[PIXELS.length];
        for (int i = 0; i < PIXELS.length; i++) {
            expected[i] = PIXELS[i] / 255f;
        }
        assertThat(data.features().data().asFloat()).containsExactly(expected);
        // image 0, pixel (0, 1) is 255: row-major, so it is column 1 of row 0
        assertThat(data.features().getFloat(0, 1)).isEqualTo(1f);
    }

    @Test
    void readsGzipCompressedFilesByTheirContent() {
        LabeledData plain = read(IMAGES, LABELS, 3);
        assertThat(read(gzip(IMAGES), gzip(LABELS), 3).fingerprint()).isEqualTo(plain.fingerprint());
        assertThat(read(gzip(IMAGES), LABELS, 3).fingerprint()).isEqualTo(plain.fingerprint());
    }

    @Test
    void readsFilesAndNamesThemInErrors() throws IOException {
        Path images = write("imgs.gz", gzip(IMAGES));
        Path labels = write("labs", LABELS);
        assertThat(Idx.read(images, labels, 3).labels()).containsExactly(0, 2, 1);

        Path bad = write("bad-labels", labels(0x801, 2, 0, 1));
        assertThatThrownBy(() -> Idx.read(images, bad, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(images + " holds 3 images but " + bad + " holds 2 labels;"
                        + " pass the labels file that belongs to these images");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope-images");
        assertThatThrownBy(() -> Idx.read(missing, write("labs", LABELS), 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("IDX images file " + missing + " does not exist; check the path");
    }

    @Test
    void sourceReadsOnLoadAndDescribesItsFiles() {
        Path images = dir.resolve("later-images");
        Path labels = dir.resolve("later-labels");
        DataSource source = Idx.source(images, labels, 3);
        assertThat(source.describe()).contains(images.toString(), labels.toString(), "3 classes");
        assertThatThrownBy(source::load).isInstanceOf(AttuneException.class).hasMessageContaining("does not exist");

        write("later-images", IMAGES);
        write("later-labels", gzip(LABELS));
        assertThat(source.load().labels()).containsExactly(0, 2, 1);
    }

    @Test
    void refusesSwappedFilesSayingWhichMagicWasExpected() {
        assertThatThrownBy(() -> read(LABELS, IMAGES, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("toy (images) is not an IDX images file: expected magic 0x00000803 (unsigned bytes,"
                        + " 3 dimensions), found 0x00000801 (unsigned bytes, 1 dimension); this is a labels file:"
                        + " were images and labels swapped?");
    }

    @Test
    void refusesAFileThatIsNotIdx() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        assertThatThrownBy(() -> read(IMAGES, png, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("toy (labels) is not an IDX labels file: expected magic 0x00000801 (unsigned bytes,"
                        + " 1 dimension), found 0x89504e47 (not IDX)");
        byte[] floats = images(0x0d03, 3, 2, 2, PIXELS);
        assertThatThrownBy(() -> read(floats, LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("found 0x00000d03 (float32, 3 dimensions)");
    }

    @Test
    void refusesATruncatedHeader() {
        assertThatThrownBy(() -> read(Arrays.copyOf(IMAGES, 7), LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("toy (images) is truncated: expected 16 header bytes, got 7;"
                        + " download or copy the file again");
        assertThatThrownBy(() -> read(IMAGES, new byte[0], 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("toy (labels) is truncated: expected 8 header bytes, got 0");
    }

    @Test
    void refusesTruncatedPixelsAndLabels() {
        assertThatThrownBy(() -> read(Arrays.copyOf(IMAGES, IMAGES.length - 2), LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("toy (images) is truncated: expected 12 pixel bytes (3 images of 2x2), got 10;"
                        + " download or copy the file again");
        assertThatThrownBy(() -> read(IMAGES, Arrays.copyOf(LABELS, LABELS.length - 1), 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("toy (labels) is truncated: expected 3 label bytes, got 2");
    }

    @Test
    void refusesATruncatedGzipStream() {
        int[] noise = new int[5000];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (i * 7919 + i / 3) % 256; // varied bytes, so the compressed data is long
        }
        byte[] big = images(0x803, 50, 10, 10, noise);
        byte[] zipped = gzip(big);
        byte[] cut = Arrays.copyOf(zipped, zipped.length / 2);
        byte[] fiftyLabels = labels(0x801, 50, new int[50]);
        assertThatThrownBy(() -> read(cut, fiftyLabels, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("toy (images) is truncated: expected 5000 pixel bytes (50 images of 10x10), got ");
    }

    @Test
    void refusesBytesBeyondWhatTheHeaderDeclares() {
        byte[] longer = Arrays.copyOf(IMAGES, IMAGES.length + 1);
        assertThatThrownBy(() -> read(longer, LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("toy (images) holds more data than its header declares (12 bytes after the header)");
    }

    @Test
    void refusesDifferentCounts() {
        assertThatThrownBy(() -> read(IMAGES, labels(0x801, 4, 0, 1, 2, 0), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("toy (images) holds 3 images but toy (labels) holds 4 labels;"
                        + " pass the labels file that belongs to these images");
    }

    @Test
    void refusesALabelOutsideTheClasses() {
        byte[] labels = labels(0x801, 3, 0, 7, 4);
        assertThatThrownBy(() -> read(IMAGES, labels, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label 7 at example 1 of toy (labels) is outside [0, 5); the largest label is 7:"
                        + " pass numClasses = 8 or check that this is the right labels file");
    }

    @Test
    void refusesBadHeaders() {
        assertThatThrownBy(() -> read(images(0x803, 0, 2, 2), labels(0x801, 0), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("toy (images) holds 0 images; a data set needs at least one example");
        assertThatThrownBy(() -> read(images(0x803, 3, 0, 2), LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessage("toy (images) declares a row count of 0; expected at least 1; the header is damaged");
        assertThatThrownBy(() -> read(images(0x803, -1, 2, 2), LABELS, 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("declares image count 4294967295, above the largest supported 2147483647");
        assertThatThrownBy(() -> read(images(0x803, 100_000, 200, 200), labels(0x801, 100_000), 3))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("more than one array can hold");
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> read(IMAGES, LABELS, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("numClasses must be at least 2, got 1");
        assertThatThrownBy(() -> Idx.source(dir, dir, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Idx.read((Path) null, dir, 3)).isInstanceOf(NullPointerException.class)
                .hasMessage("images");
        assertThatThrownBy(() -> Idx.read(stream(IMAGES), null, 3, "x")).isInstanceOf(NullPointerException.class)
                .hasMessage("labels");
        assertThatThrownBy(() -> Idx.read(stream(IMAGES), stream(LABELS), 3, null))
                .isInstanceOf(NullPointerException.class).hasMessage("name");
    }

    @Test
    void leavesCallerStreamsOpen() {
        boolean[] closed = new boolean[1];
        InputStream images = new ByteArrayInputStream(IMAGES) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        Idx.read(images, stream(LABELS), 3, "toy");
        assertThat(closed[0]).isFalse();
    }

    private static LabeledData read(byte[] images, byte[] labels, int numClasses) {
        return Idx.read(stream(images), stream(labels), numClasses, "toy");
    }

    private static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] images(int magic, int count, int rows, int cols, int... pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length).putInt(magic).putInt(count).putInt(rows).putInt(cols);
        for (int p : pixels) {
            b.put((byte) p);
        }
        return b.array();
    }

    static byte[] labels(int magic, int count, int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(count);
        for (int y : labels) {
            b.put((byte) y);
        }
        return b.array();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

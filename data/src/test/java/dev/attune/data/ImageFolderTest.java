package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path root;

    /** A width x height image whose pixel (x, y) is red x*10, green y*20, blue 200. */
    private static void png(Path file, int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 10) << 16 | (y * 20) << 8 | 200);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void classFoldersBecomeLabelsAndPixelsScaleToOne() throws IOException {
        png(root.resolve("cat/b.png"), 4, 3);
        png(root.resolve("cat/a.png"), 4, 3);
        png(root.resolve("dog/z.png"), 4, 3);
        Files.writeString(root.resolve("dog/.hidden"), "not an image, and skipped");

        ImageFolder.Images rgb = ImageFolder.read(root, 3);
        assertThat(rgb.classNames()).containsExactly("cat", "dog");
        assertThat(rgb.files()).containsExactly(root.resolve("cat/a.png"), root.resolve("cat/b.png"), root.resolve("dog/z.png"));
        assertThat(rgb.data().labels()).containsExactly(0, 0, 1);
        assertThat(rgb.data().exampleShape()).containsExactly(3, 3, 4);
        // Pixel (x=2, y=1) of the first image: red 20, green 20, blue 200, over 255.
        assertThat(rgb.data().features().getDouble(0, 0, 1, 2)).isCloseTo(20 / 255.0, within(1e-6));
        assertThat(rgb.data().features().getDouble(0, 1, 1, 2)).isCloseTo(20 / 255.0, within(1e-6));
        assertThat(rgb.data().features().getDouble(0, 2, 1, 2)).isCloseTo(200 / 255.0, within(1e-6));

        ImageFolder.Images grey = ImageFolder.read(root, 1);
        assertThat(grey.data().exampleShape()).containsExactly(1, 3, 4);
        assertThat(grey.data().features().getDouble(2, 0, 2, 3)).isCloseTo((30 + 40 + 200) / 3.0 / 255, within(1e-6));
        assertThat(grey.fingerprint()).isEqualTo(rgb.fingerprint()).hasSize(64);

        png(root.resolve("dog/z.png"), 4, 3);
        assertThat(ImageFolder.read(root, 3).fingerprint()).as("same bytes, same fingerprint").isEqualTo(rgb.fingerprint());
        Files.writeString(root.resolve("cat/c.txt"), "x");
        assertThatThrownBy(() -> ImageFolder.read(root, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c.txt is not an image");
    }

    @Test
    void badFoldersAndImagesAreRefusedWithTheFileAndTheFix() throws IOException {
        assertThatThrownBy(() -> ImageFolder.read(root.resolve("missing"), 1)).hasMessageContaining("is not a folder");
        png(root.resolve("cat/a.png"), 4, 3);
        assertThatThrownBy(() -> ImageFolder.read(root, 1)).hasMessageContaining("holds 1 class folder;");
        Files.createDirectories(root.resolve("dog"));
        assertThatThrownBy(() -> ImageFolder.read(root, 1)).hasMessageContaining("dog holds no file");
        png(root.resolve("dog/a.png"), 5, 3);
        assertThatThrownBy(() -> ImageFolder.read(root, 1)).hasMessageContaining("dog/a.png is 5x3 pixels")
                .hasMessageContaining("is 4x3; resize");
        assertThatThrownBy(() -> ImageFolder.read(root, 2)).hasMessageContaining("channels must be 1")
                .hasMessageContaining("got 2");
    }

    @Test
    void theIteratorStreamsTheBatchesThatReadGivesInOrderWithTheSameFingerprint() throws IOException {
        for (String name : new String[] {"ant/1.png", "ant/2.png", "bee/a.png", "bee/b.png", "bee/c.png", "cat/x.png",
                "cat/y.png"}) {
            png(root.resolve(name), 5, 4);
        }
        // Different pixels per file, so that order matters.
        BufferedImage odd = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        odd.setRGB(3, 2, 0x10ff40);
        ImageIO.write(odd, "png", root.resolve("bee/b.png").toFile());
        for (int channels : new int[] {1, 3}) {
            ImageFolder.Images all = ImageFolder.read(root, channels);
            ImageFolderIterator it = ImageFolder.iterator(root, channels, 3);
            assertThat(it.classNames()).isEqualTo(all.classNames());
            assertThat(it.getLabels()).isEqualTo(all.classNames());
            assertThat(it.files()).isEqualTo(all.files());
            assertThat(it.exampleShape()).containsExactly(channels, 4, 5);
            assertThat(it.inputColumns()).isEqualTo(channels * 20);
            assertThat(it.totalOutcomes()).isEqualTo(3);
            for (int pass = 0; pass < 2; pass++) {
                int row = 0;
                int batches = 0;
                while (it.hasNext()) {
                    DataSet ds = it.next();
                    int n = (int) ds.numExamples();
                    assertThat(n).isEqualTo(batches < 2 ? 3 : 1);
                    assertThat(ds.getFeatures().shape()).containsExactly(n, channels, 4, 5);
                    assertThat(ds.getFeatures()).isEqualTo(all.data().features().get(NDArrayIndex.interval(row, row + n),
                            NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
                    for (int i = 0; i < n; i++) {
                        assertThat(ds.getLabels().getRow(i).argMax().getInt(0)).isEqualTo(all.data().label(row + i));
                        assertThat(ds.getLabels().getRow(i).sumNumber().doubleValue()).isEqualTo(1.0);
                    }
                    row += n;
                    batches++;
                }
                assertThat(row).isEqualTo(7);
                assertThat(batches).isEqualTo(3);
                assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class).hasMessageContaining("reset()");
                it.reset();
            }
            assertThat(it.fingerprint()).isEqualTo(all.fingerprint());
        }
        ImageFolderIterator it = ImageFolder.iterator(root, 3, 7);
        String before = it.fingerprint();
        png(root.resolve("cat/y.png"), 5, 4);
        assertThat(ImageFolder.iterator(root, 3, 7).fingerprint()).as("same bytes").isEqualTo(before);
        ImageIO.write(odd, "png", root.resolve("cat/y.png").toFile());
        assertThat(ImageFolder.iterator(root, 3, 7).fingerprint()).as("other bytes")
                .isNotEqualTo(before).isEqualTo(ImageFolder.read(root, 3).fingerprint());
    }

    @Test
    void theIteratorRefusesBadFoldersAsReadDoes() throws IOException {
        assertThatThrownBy(() -> ImageFolder.iterator(root.resolve("missing"), 1, 2)).hasMessageContaining("is not a folder");
        png(root.resolve("cat/a.png"), 4, 3);
        assertThatThrownBy(() -> ImageFolder.iterator(root, 1, 2)).hasMessageContaining("holds 1 class folder;");
        Files.createDirectories(root.resolve("dog"));
        assertThatThrownBy(() -> ImageFolder.iterator(root, 1, 2)).hasMessageContaining("dog holds no file");
        assertThatThrownBy(() -> ImageFolder.iterator(root, 2, 2)).hasMessageContaining("channels must be 1");
        png(root.resolve("dog/a.png"), 4, 3);
        assertThatThrownBy(() -> ImageFolder.iterator(root, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize must be at least 1, got 0");

        png(root.resolve("dog/b.png"), 5, 3);
        Files.writeString(root.resolve("dog/c.txt"), "x");
        ImageFolderIterator it = ImageFolder.iterator(root, 1, 2);
        assertThat(it.next().numExamples()).as("the first batch is good").isEqualTo(2);
        assertThatThrownBy(it::next).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dog/b.png is 5x3 pixels").hasMessageContaining("is 4x3; resize");
        Files.delete(root.resolve("dog/b.png"));
        ImageFolderIterator text = ImageFolder.iterator(root, 1, 5);
        assertThatThrownBy(text::next).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c.txt is not an image");
        Files.writeString(root.resolve("cat/0.txt"), "x");
        assertThatThrownBy(() -> ImageFolder.iterator(root, 1, 5)).as("a bad first file is refused at once")
                .hasMessageContaining("0.txt is not an image");
    }
}

package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
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
}

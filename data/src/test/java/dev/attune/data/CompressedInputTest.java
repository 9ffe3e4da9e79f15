package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed bytes under a plain name are refused as compressed, with the way to read them, by
 * every reader (CSV, ARFF, text CSV) and never reported as an encoding problem; a name ending in
 * {@code .gz} is read through gzip by every reader.
 */
class CompressedInputTest {
    private static final String CSV = "age,colour,y\n1,red,yes\n2,blue,no\n3,red,yes\n";
    private static final String ARFF = "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2,q\n";
    private static final String TEXTS = "text,label\nrefund please,refund\nwhere is it,other\n";

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] zip(String entry, String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(text.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Tabular csvSchema(Path f) {
        return Tabular.csv(f).label("y").numeric("age").categorical("colour", Encoding.INDEX);
    }

    private static void refusedAsGzip(Path f, ThrowingSupplier<?> read) {
        assertThatThrownBy(read::get).isInstanceOf(AttuneException.class)
                .hasMessageContaining(f + " is gzip-compressed")
                .hasMessageContaining("gunzip -c '" + f + "' > ")
                .hasMessageContaining("name ending in .gz")
                .hasMessageNotContaining("UTF-8 (it looks like").hasMessageNotContaining("ISO-8859-1");
    }

    @Test
    void gzipBytesInAPlainlyNamedFileAreRefusedAsGzipByEveryReader() {
        Path csv = write("train.csv", gzip(CSV));
        refusedAsGzip(csv, () -> csvSchema(csv).read());
        refusedAsGzip(csv, () -> Tabular.csv(csv).fingerprint());
        Path arff = write("train.arff", gzip(ARFF));
        refusedAsGzip(arff, () -> Tabular.arff(arff).label("c").numeric("a").read());
        Path texts = write("texts.csv", gzip(TEXTS));
        refusedAsGzip(texts, () -> TextData.csv(texts, "text", "label", "refund", "other"));
    }

    @Test
    void aZipArchiveIsRefusedAsAZipArchive() {
        Path csv = write("train.csv", zip("train.csv", CSV));
        for (ThrowingSupplier<?> read : java.util.List.<ThrowingSupplier<?>>of(() -> csvSchema(csv).read(),
                () -> Tabular.arff(csv).fingerprint(), () -> TextData.csv(csv, "text", "label", "a", "b"))) {
            assertThatThrownBy(read::get).isInstanceOf(AttuneException.class)
                    .hasMessageContaining(csv + " is a zip archive").hasMessageContaining("unzip")
                    .hasMessageNotContaining("ISO-8859-1");
        }
    }

    @Test
    void otherCompressionAndUtf16AreNamedToo() {
        byte[] xz = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 0, 4, (byte) 0xE6, (byte) 0xD6};
        Path x = write("x.csv", xz);
        assertThatThrownBy(() -> Tabular.csv(x).fingerprint()).hasMessageContaining("xz-compressed")
                .hasMessageContaining("unxz");
        byte[] bz = "BZh91AY&SY\u0001\u0002".getBytes(StandardCharsets.ISO_8859_1);
        Path b = write("b.csv", bz);
        assertThatThrownBy(() -> Tabular.csv(b).fingerprint()).hasMessageContaining("bzip2-compressed")
                .hasMessageContaining("bunzip2");
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        Path z = write("z.csv", zstd);
        assertThatThrownBy(() -> Tabular.csv(z).fingerprint()).hasMessageContaining("zstd-compressed");
        byte[] utf16 = ("\uFEFF" + CSV).getBytes(StandardCharsets.UTF_16LE);
        Path u = write("u.csv", utf16);
        assertThatThrownBy(() -> Tabular.csv(u).fingerprint()).isInstanceOf(AttuneException.class)
                .hasMessageContaining("UTF-16").hasMessageContaining("save the file as UTF-8")
                .hasMessageNotContaining("ISO-8859-1");
        // a header that merely starts with "BZh" is text, not bzip2
        Path text = write("t.csv", "BZh,y\n1,a\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Tabular.csv(text).fingerprint()).hasSize(64);
    }

    @Test
    void aNameEndingInGzIsReadThroughGzipByEveryReader() {
        Path plain = write("train.csv", CSV.getBytes(StandardCharsets.UTF_8));
        Path gz = write("train.csv.gz", gzip(CSV));
        TabularData a = csvSchema(plain).read();
        TabularData b = csvSchema(gz).read();
        assertThat(b.data().features().toFloatMatrix()).isDeepEqualTo(a.data().features().toFloatMatrix());
        // the fingerprint is of the table's bytes, compressed or not
        assertThat(csvSchema(gz).fingerprint()).isEqualTo(csvSchema(plain).fingerprint());
        Path arff = write("t.arff.gz", gzip(ARFF));
        assertThat(Tabular.arff(arff).label("c").numeric("a").read().size()).isEqualTo(2);
        Path texts = write("t.csv.gz", gzip(TEXTS));
        assertThat(TextData.csv(texts, "text", "label", "refund", "other").size()).isEqualTo(2);
    }

    @Test
    void aNameEndingInGzWhoseBytesAreNotGzipSaysSo() {
        Path fake = write("train.csv.gz", CSV.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> csvSchema(fake).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(fake + " ends in .gz but is not gzip-compressed")
                .hasMessageContaining("rename it");
        assertThatThrownBy(() -> TextData.csv(fake, "age", "y", "yes", "no")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("ends in .gz but is not gzip-compressed");
    }
}

package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file is read to its last record whether its last line ends in LF, in CRLF or in nothing, and
 * its fingerprint is then the SHA-256 of exactly its bytes: for every reader built on
 * {@link LineReader} (CSV, ARFF, text CSV).
 */
class LastLineTest {
    /** How the last line of a file ends. */
    private static final List<String> ENDINGS = List.of("\n", "\r\n", "");

    @TempDir
    Path dir;

    private Path write(String name, String text) {
        try {
            return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCsvTableIsReadToItsLastRowWhateverItsLastLineEndsIn() {
        for (String end : ENDINGS) {
            Path f = write("t.csv", "age,colour,y\n1,red,yes\n2,blue,no\n3,\"green, light\",yes" + end);
            Tabular t = Tabular.csv(f).label("y").numeric("age").categorical("colour", Encoding.INDEX);
            TabularData data = t.read();
            assertThat(data.size()).as("ending %s", Arrays.toString(end.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(3);
            assertThat(data.transform().fitted().get(1).categories()).containsExactly("blue", "green, light", "red");
            assertThat(t.fingerprint()).isEqualTo(sha256(f));
            assertThat(Tabular.csv(f).read(data.transform()).size()).isEqualTo(3);
        }
    }

    @Test
    void aQuotedLastFieldWithoutALineEndIsClosedAndKept() {
        Path f = write("q.csv", "text,label\r\n\"first\",a\r\n\"multi\r\nline, \"\"quoted\"\"\",\"b\"");
        TextData d = TextData.csv(f, "text", "label", "a", "b");
        assertThat(d.texts()).containsExactly("first", "multi\nline, \"quoted\"");
        assertThat(d.labels()).containsExactly(0, 1);
        assertThat(d.sha256()).isEqualTo(sha256(f));
    }

    @Test
    void anArffFileIsReadToItsLastInstanceWhateverItsLastLineEndsIn() {
        for (String end : ENDINGS) {
            Path f = write("t.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2,q\n3,'p'"
                    + end);
            Tabular t = Tabular.arff(f).label("c").numeric("a");
            assertThat(t.read().data().labels()).containsExactly(0, 1, 0);
            assertThat(t.fingerprint()).isEqualTo(sha256(f));
        }
        // a comment as the last line, unterminated, is skipped like any other
        Path comment = write("c.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2,q\n% end");
        assertThat(Tabular.arff(comment).label("c").numeric("a").read().size()).isEqualTo(2);
    }

    @Test
    void aTextCsvIsReadToItsLastTextWhateverItsLastLineEndsIn() {
        for (String end : ENDINGS) {
            Path f = write("t.csv", "text,label\nrefund please,refund\nwhere is it,other" + end);
            TextData d = TextData.csv(f, "text", "label", "refund", "other");
            assertThat(d.texts()).containsExactly("refund please", "where is it");
            assertThat(d.labels()).containsExactly(0, 1);
            assertThat(d.sha256()).isEqualTo(sha256(f));
        }
    }

    @Test
    void aHeaderWithoutRowsAndWithoutALineEndIsAnEmptyTable() {
        Path f = write("h.csv", "text,label");
        assertThatThrownBy(() -> TextData.csv(f, "text", "label", "a", "b"))
                .hasMessageContaining("holds a header but no rows");
    }

    /** Fields with commas, quotes and line breaks, written as RFC 4180 says. */
    @Provide
    Arbitrary<List<List<String>>> tables() {
        Arbitrary<String> field = Arbitraries.strings().withChars("ab ,\"\n\u00e9\u20ac").ofMaxLength(6);
        return Arbitraries.integers().between(1, 4).flatMap(width -> field.list().ofSize(width).list()
                .ofMinSize(1).ofMaxSize(5));
    }

    @Property(tries = 300)
    void everyRecordIsReadBackWithAnyLineEndAndWithOrWithoutTheLastOne(@ForAll("tables") List<List<String>> rows,
            @ForAll boolean crlf, @ForAll boolean lastEnd) {
        int width = rows.get(0).size();
        List<String> header = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            header.add("c" + i);
        }
        List<List<String>> table = new ArrayList<>();
        for (List<String> r : rows) {
            if (r.size() == width && !(width == 1 && r.get(0).isEmpty())) {
                table.add(r);    // a single empty field is a blank line, which CSV readers skip
            }
        }
        String nl = crlf ? "\r\n" : "\n";
        StringBuilder csv = new StringBuilder(String.join(",", header));
        for (List<String> r : table) {
            csv.append(nl);
            for (int i = 0; i < r.size(); i++) {
                String v = r.get(i);
                boolean quote = v.contains(",") || v.contains("\"") || v.contains("\n");
                csv.append(i == 0 ? "" : ",").append(quote ? '"' + v.replace("\"", "\"\"").replace("\n", nl) + '"' : v);
            }
        }
        if (lastEnd) {
            csv.append(nl);
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        List<List<String>> read = new ArrayList<>();
        try (RecordReader r = RecordReader.Format.CSV.open(() -> new ByteArrayInputStream(bytes), "p.csv")) {
            assertThat(r.columns()).isEqualTo(header);
            for (String[] rec = r.next(); rec != null; rec = r.next()) {
                read.add(List.of(rec));
            }
            try {
                assertThat(r.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(bytes)));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(read).isEqualTo(table);
    }
}

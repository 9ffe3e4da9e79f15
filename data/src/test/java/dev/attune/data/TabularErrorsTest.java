package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.attune.AttuneException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Every bad input is refused with the file, the 1-based line, the column, the value and a fix. */
class TabularErrorsTest {
    private static final String HEADER = "age,colour,sex,y\n";
    private static final String TRAIN = HEADER + "1,red,f,yes\n2,blue,m,no\n3,red,m,yes\n";

    @TempDir
    Path dir;

    private Path write(String name, String text) {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tabular schema(Path file) {
        return Tabular.csv(file).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT).group("sex");
    }

    private TabularTransform trained() {
        return schema(write("train.csv", TRAIN)).fit();
    }

    @Test
    void aSchemaColumnMissingFromTheHeader() {
        Path f = write("m.csv", "age,sex,y\n1,f,yes\n2,m,no\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header")
                .hasMessageContaining("column 'colour'").hasMessageContaining("missing from the header")
                .hasMessageContaining("the header has: age, sex, y");
        // at inference too: the test file must have the transform's columns
        TabularTransform t = trained();
        assertThatThrownBy(() -> Tabular.csv(f).read(t)).hasMessageContaining("column 'colour'")
                .hasMessageContaining(f.toString());
    }

    @Test
    void aFileColumnMissingFromTheSchema() {
        Path f = write("x.csv", "age,colour,sex,y,note,id\n1,red,f,yes,a,1\n2,blue,m,no,b,2\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("columns 'note', 'id'")
                .hasMessageContaining("ignore(\"note\", \"id\")");
        assertThat(schema(f).ignore("note", "id").read().size()).isEqualTo(2);
        // reading with a transform, ignore(...) skips the test file's extra columns
        TabularTransform t = trained();
        assertThat(Tabular.csv(f).ignore("note", "id").read(t).size()).isEqualTo(2);
    }

    @Test
    void aRaggedRow() {
        Path shorter = write("short.csv", TRAIN + "4,red,f\n");
        assertThatThrownBy(() -> schema(shorter).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(shorter + ", line 5").hasMessageContaining("3 fields")
                .hasMessageContaining("4 columns").hasMessageContaining("missing column 'y'");
        Path longer = write("long.csv", HEADER + "1,red,f,yes\n2,blue,m,no,surplus\n");
        assertThatThrownBy(() -> schema(longer).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(longer + ", line 3").hasMessageContaining("extra field 5 with value 'surplus'");
    }

    @Test
    void anUnknownCategoryAtInference() {
        TabularTransform t = trained();
        Path f = write("test.csv", HEADER + "1,red,f,yes\n2,green,m,no\n");
        assertThatThrownBy(() -> Tabular.csv(f).read(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 3, column 'colour'").hasMessageContaining("category 'green'")
                .hasMessageContaining("categories: blue, red").hasMessageContaining("unknownCategoriesAsOther()");
        // the iterator refuses it too, when its batch is read
        DataSetIterator it = Tabular.csv(f).iterator(t, 1);
        it.next();
        assertThatThrownBy(it::next).hasMessageContaining("line 3, column 'colour'");
    }

    @Test
    void anUnknownClassAtInference() {
        TabularTransform t = trained();
        Path f = write("test.csv", HEADER + "1,red,f,maybe\n");
        assertThatThrownBy(() -> Tabular.csv(f).read(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 2, column 'y'").hasMessageContaining("class 'maybe'")
                .hasMessageContaining("(no, yes)");
    }

    @Test
    void aLabelColumnWithOneClass() {
        Path f = write("one.csv", HEADER + "1,red,f,yes\n2,blue,m,yes\n3,red,m,yes\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 2, column 'y'").hasMessageContaining("one class, 'yes'")
                .hasMessageContaining("all 3 rows (lines 2 to 4)").hasMessageContaining("two or more classes");
        // declaring two classes does not help when the data hold one
        assertThatThrownBy(() -> Tabular.csv(f).label("y", "yes", "no").numeric("age").ignore("colour", "sex")
                .read()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one class, 'yes'");
        assertThatThrownBy(() -> Tabular.csv(f).label("y", "yes", "yes")).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("distinct");
    }

    @Test
    void aClassOutsideTheDeclaredClasses() {
        Path f = write("d.csv", TRAIN);
        assertThatThrownBy(() -> Tabular.csv(f).label("y", "yes", "maybe").numeric("age").ignore("colour", "sex")
                .read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 3, column 'y'").hasMessageContaining("class 'no'");
    }

    @Test
    void anEmptyGroupValue() {
        Path f = write("g.csv", HEADER + "1,red,f,yes\n2,blue,,no\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 3, column 'sex'").hasMessageContaining("group value is empty");
        // also with imputeMissing: a group value is never imputed
        assertThatThrownBy(() -> schema(f).imputeMissing().read()).hasMessageContaining("line 3, column 'sex'");
    }

    @Test
    void nanInfinityOrTextInANumericColumn() {
        for (String bad : new String[] {"NaN", "Infinity", "-inf"}) {
            Path f = write("n.csv", HEADER + "1,red,f,yes\n" + bad + ",blue,m,no\n");
            assertThatThrownBy(() -> schema(f).read()).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(f + ", line 3, column 'age'").hasMessageContaining("value '" + bad + "'")
                    .hasMessageContaining("not a finite number");
        }
        Path f = write("t.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n3 years,red,m,yes\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 4, column 'age'").hasMessageContaining("value '3 years' is not a number")
                .hasMessageContaining("declare the column categorical");
        // at inference too
        TabularTransform t = trained();
        Path test = write("test.csv", HEADER + "0x1F,red,f,yes\n");
        assertThatThrownBy(() -> Tabular.csv(test).read(t)).hasMessageContaining("line 2, column 'age'")
                .hasMessageContaining("'0x1F'");
    }

    @Test
    void invisibleCharactersInARefusedValueAreShownAsEscapes() {
        // a byte-order mark inside the file (two files joined), a zero-width space, a no-break space
        Path bom = write("bom.csv", HEADER + "1,red,f,yes\n\uFEFF12,blue,m,no\n");
        assertThatThrownBy(() -> schema(bom).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bom + ", line 3, column 'age': value '\\uFEFF12' is not a number")
                .hasMessageContaining("U+FEFF ZERO WIDTH NO-BREAK SPACE");
        Path zwsp = write("zwsp.csv", HEADER + "1,red,f,yes\n12\u200B,blue,m,no\n");
        assertThatThrownBy(() -> schema(zwsp).read()).hasMessageContaining("value '12\\u200B' is not a number")
                .hasMessageContaining("U+200B ZERO WIDTH SPACE");
        TabularTransform t = trained();
        Path category = write("c.csv", HEADER + "1,red\u00A0,f,yes\n");
        assertThatThrownBy(() -> Tabular.csv(category).read(t)).hasMessageContaining("category 'red\\u00A0'")
                .hasMessageContaining("U+00A0 NO-BREAK SPACE");
        Path label = write("l.csv", HEADER + "1,red,f,yes\uFEFF\n");
        assertThatThrownBy(() -> Tabular.csv(label).read(t)).hasMessageContaining("class 'yes\\uFEFF'");
        Path declared = write("d.csv", HEADER + "1,red,f,yes\n2,red,f,no\u2060\n");
        assertThatThrownBy(() -> Tabular.csv(declared).label("y", "yes", "no").numeric("age").ignore("colour", "sex")
                .read()).hasMessageContaining("class 'no\\u2060'");
        Path ragged = write("r.csv", HEADER + "1,red,f,yes,\t\n");
        assertThatThrownBy(() -> schema(ragged).read()).hasMessageContaining("extra field 5 with value '\\t'");
        Path header = write("h.csv", "age\u00A0,colour,sex,y\n1,red,f,yes\n");
        assertThatThrownBy(() -> schema(header).read()).hasMessageContaining("the header has: age\\u00A0, colour");
        Path after = write("a.csv", HEADER + "1,\"red\"\uFEFF,f,yes\n");
        assertThatThrownBy(() -> schema(after).read()).hasMessageContaining("character '\\uFEFF' after the closing");
        Path arff = write("v.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2,q\uFEFF\n");
        assertThatThrownBy(() -> Tabular.arff(arff).label("c").numeric("a").read())
                .hasMessageContaining("value 'q\\uFEFF' is not among the values");
        Path texts = write("t.csv", "text,label\nhi,refund\u200B\n");
        assertThatThrownBy(() -> TextData.csv(texts, "text", "label", "refund", "other"))
                .hasMessageContaining("unknown label 'refund\\u200B'").hasMessageContaining("U+200B ZERO WIDTH SPACE");
    }

    @Test
    void aMissingNumericValueUnlessImputed() {
        Path f = write("e.csv", HEADER + "1,red,f,yes\n,blue,m,no\n3,red,m,yes\n");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 3, column 'age'").hasMessageContaining("missing")
                .hasMessageContaining("imputeMissing()");
        assertThat(schema(f).imputeMissing().read().data().features().getDouble(1, 0)).isZero();
    }

    @Test
    void aFileThatIsNotUtf8() {
        byte[] latin1 = (HEADER + "1,red,f,yes\n2,caf\u00e9,m,no\n").getBytes(StandardCharsets.ISO_8859_1);
        Path f = write("latin1.csv", latin1);
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(f + ", line 3, column 'colour'").hasMessageContaining("0xE9")
                .hasMessageContaining("after '2,caf'").hasMessageContaining("save the file as UTF-8");
        Path header = write("h.csv", "\u00e2ge,y\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Tabular.csv(header).fingerprint()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(header + ", line 1 (header)").hasMessageContaining("0xE2");
        Path arff = write("l.arff", "@relation r\n@attribute a {x, y}\n@attribute c {p, q}\n@data\nx,p\ny,\u00e9\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Tabular.arff(arff).label("c").categorical("a", Encoding.INDEX).read())
                .isInstanceOf(AttuneException.class).hasMessageContaining(arff + ", line 6, column 'c'")
                .hasMessageContaining("0xE9");
    }

    @Test
    void malformedQuoting() {
        Path open = write("open.csv", HEADER + "1,\"red,f,yes\n2,blue,m,no\n");
        assertThatThrownBy(() -> schema(open).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(open + ", line 2, column 'colour'").hasMessageContaining("never closed");
        Path after = write("after.csv", HEADER + "1,\"red\"x,f,yes\n");
        assertThatThrownBy(() -> schema(after).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(after + ", line 2, column 'colour'").hasMessageContaining("after the closing");
        Path inside = write("inside.csv", HEADER + "1,re\"d,f,yes\n");
        assertThatThrownBy(() -> schema(inside).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(inside + ", line 2, column 'colour'").hasMessageContaining("re\"d");
    }

    @Test
    void badArffFiles() {
        Path undeclared = write("u.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2,z\n");
        assertThatThrownBy(() -> Tabular.arff(undeclared).label("c").numeric("a").read())
                .isInstanceOf(AttuneException.class).hasMessageContaining(undeclared + ", line 6, column 'c'")
                .hasMessageContaining("value 'z'");
        Path sparse = write("s.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n{0 1, 1 p}\n");
        assertThatThrownBy(() -> Tabular.arff(sparse).label("c").numeric("a").read())
                .isInstanceOf(AttuneException.class).hasMessageContaining(sparse + ", line 5")
                .hasMessageContaining("sparse");
        Path nominal = write("n.arff", "@relation r\n@attribute a {x, y}\n@attribute c {p, q}\n@data\nx,p\ny,q\n");
        assertThatThrownBy(() -> Tabular.arff(nominal).label("c").numeric("a").read())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 'a'")
                .hasMessageContaining("declares it nominal").hasMessageContaining("declare it categorical");
        Path ragged = write("r.arff", "@relation r\n@attribute a numeric\n@attribute c {p, q}\n@data\n1,p\n2\n");
        assertThatThrownBy(() -> Tabular.arff(ragged).label("c").numeric("a").read())
                .isInstanceOf(AttuneException.class).hasMessageContaining(ragged + ", line 6")
                .hasMessageContaining("missing column 'c'");
        Path noData = write("d.arff", "@relation r\n@attribute a numeric\n");
        assertThatThrownBy(() -> Tabular.arff(noData).fingerprint()).isInstanceOf(AttuneException.class)
                .hasMessageContaining("@data");
    }

    @Test
    void everyBadTestFileIsRefusedByTheStreamingIteratorWithTheMessageOfRead() {
        TabularTransform t = trained();
        String[][] cases = {
            {"extra-column.csv", "age,colour,sex,y,note\n1,red,f,yes,a\n", "column 'note' is in the file but not in the schema"},
            {"missing-column.csv", "age,sex,y\n1,f,yes\n", "column 'colour' named in the schema is missing"},
            {"nan.csv", HEADER + "1,red,f,yes\n2,blue,m,no\nNaN,red,m,yes\n", "line 4, column 'age': value 'NaN' is not a finite number"},
            {"ragged.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n3,red,m\n", "line 4: the row has 3 fields but the header names 4"},
            {"empty-group.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n3,red,,yes\n", "line 4, column 'sex': the group value is empty"},
            {"unknown.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n3,green,m,yes\n", "line 4, column 'colour': category 'green'"},
            {"class.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n3,red,m,maybe\n", "line 4, column 'y': class 'maybe'"},
            {"empty-value.csv", HEADER + "1,red,f,yes\n2,blue,m,no\n,red,m,yes\n", "line 4, column 'age': the numeric value is missing"},
        };
        for (String[] c : cases) {
            Path f = write(c[0], c[1]);
            assertThatThrownBy(() -> Tabular.csv(f).read(t)).as(c[0]).hasMessageContaining(f + (c[2].startsWith("line")
                    ? ", " : ", header: ") + c[2]);
            DataSetIterator it = Tabular.csv(f).iterator(t, 2);
            String message = catchThrowable(() -> Tabular.csv(f).read(t)).getMessage();
            assertThatThrownBy(() -> {
                while (it.hasNext()) {
                    it.next();
                }
            }).as(c[0]).hasMessage(message);
        }
        byte[] latin1 = (HEADER + "1,red,f,yes\n2,blue,m,no\n3,caf\u00e9,m,yes\n").getBytes(StandardCharsets.ISO_8859_1);
        Path f = write("latin1.csv", latin1);
        DataSetIterator it = Tabular.csv(f).iterator(t, 2);
        assertThat(it.next().numExamples()).isEqualTo(2);
        assertThatThrownBy(it::next).isInstanceOf(AttuneException.class)
                .hasMessageContaining(f + ", line 4, column 'colour'").hasMessageContaining("0xE9");
    }

    @Test
    void anArffQuestionMarkIsAMissingValue() {
        Path f = write("q.arff", "@relation r\n@attribute age numeric\n@attribute colour {red, blue}\n"
                + "@attribute sex {f, m}\n@attribute y {yes, no}\n@data\n1,red,f,yes\n?,blue,m,no\n3,red,m,yes\n");
        Tabular arff = Tabular.arff(f).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT).group("sex");
        assertThatThrownBy(arff::read).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ", line 8, column 'age': the numeric value is missing")
                .hasMessageContaining("imputeMissing()");
        TabularData imputed = arff.imputeMissing().read();
        assertThat(imputed.missing().get("age")).containsExactly(false, true, false);
        assertThat(imputed.data().features().getDouble(1, 0)).isZero();
    }

    @Test
    void aMissingFile() {
        Path f = dir.resolve("nope.csv");
        assertThatThrownBy(() -> schema(f).read()).isInstanceOf(AttuneException.class)
                .hasMessageContaining(f + " does not exist");
    }

    @Test
    void schemaMistakesAreRefusedAtOnce() {
        Path f = write("s.csv", TRAIN);
        assertThatThrownBy(() -> Tabular.csv(f).numeric("age").read()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no label column");
        assertThatThrownBy(() -> Tabular.csv(f).label("y").read()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no feature column");
        assertThatThrownBy(() -> Tabular.csv(f).label("y").numeric("y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 'y' is already the label");
        assertThatThrownBy(() -> Tabular.csv(f).numeric("age").categorical("age", Encoding.INDEX))
                .hasMessageContaining("column 'age' is already numeric");
        assertThatThrownBy(() -> Tabular.csv(f).label("y").label("age")).hasMessageContaining("already 'y'");
        assertThatThrownBy(() -> Tabular.csv(f).label("y").group("y")).hasMessageContaining("already the label");
        assertThatThrownBy(() -> Tabular.csv(f).iterator(trained(), 0)).hasMessageContaining("batchSize");
        // reading with a transform under another schema
        assertThatThrownBy(() -> Tabular.csv(f).label("y").numeric("age").ignore("colour", "sex").read(trained()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differs from the transform's");
    }

    @Test
    void transformTextThatIsNotATransform() {
        assertThatThrownBy(() -> TabularTransform.parse("hello")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1").hasMessageContaining("toText()");
        String broken = trained().toText().replace("numeric\tage\t2.0", "numeric\tage\ttwo");
        assertThatThrownBy(() -> TabularTransform.parse(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3").hasMessageContaining("'numeric\\tage\\ttwo");
    }
}

package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

class TabularTest {
    static final String TRAIN = """
            age,colour,sex,y
            1,red,f,yes
            2,blue,m,no
            3,red,m,yes
            """;

    @TempDir
    Path dir;

    Path write(String name, String text) {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Tabular schema(Path file) {
        return Tabular.csv(file).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT).group("sex");
    }

    @Test
    void standardisesWithTheTrainingMeanAndStdAndOneHotEncodesInDeclarationOrder() {
        TabularData train = schema(write("train.csv", TRAIN)).read();

        double std = Math.sqrt(2.0 / 3);
        assertThat(train.featureNames()).containsExactly("age", "colour=blue", "colour=red");
        assertThat(train.classNames()).containsExactly("no", "yes");
        assertThat(train.data().labels()).containsExactly(1, 0, 1);
        assertThat(train.data().features().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(train.data().features().toDoubleMatrix()[0]).containsExactly(new double[] {-1 / std, 0, 1},
                within(1e-6));
        assertThat(train.data().features().toDoubleMatrix()[1]).containsExactly(new double[] {0, 1, 0},
                within(1e-6));
        assertThat(train.groups("sex")).containsExactly("f", "m", "m");
        assertThat(train.transform().mean("age")).isEqualTo(2.0);
        assertThat(train.transform().std("age")).isCloseTo(std, within(1e-15));

        // The test file is encoded with the training statistics, not its own.
        Path test = write("test.csv", "age,colour,sex,y\n5,blue,f,no\n");
        TabularData t = Tabular.csv(test).read(train.transform());
        assertThat(t.data().features().toDoubleMatrix()[0]).containsExactly(new double[] {3 / std, 1, 0},
                within(1e-6));
        assertThat(t.data().labels()).containsExactly(0);
        assertThat(t.groups("sex")).containsExactly("f");
    }

    @Test
    void csvTextInMemoryIsEncodedAsTheSameFileAndTheTransformNamesItsFeatureColumns() {
        TabularData train = schema(write("train.csv", TRAIN)).read();
        String rows = "age,colour,sex,y\n5,blue,f,no\n2,red,m,yes\n";
        TabularData fromFile = Tabular.csv(write("rows.csv", rows)).read(train.transform());
        TabularData fromText = Tabular.csvText("request", rows).read(train.transform());

        assertThat(fromText.data().features()).isEqualTo(fromFile.data().features());
        assertThat(fromText.data().labels()).containsExactly(fromFile.data().labels());
        assertThat(train.transform().featureColumns()).containsExactly("age", "colour");
        assertThatThrownBy(() -> Tabular.csvText("request", "age,colour,sex,y\nold,red,f,no\n").read(train.transform()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request").hasMessageContaining("old");
    }

    @Test
    void groupColumnsStayOutOfTheFeaturesUnlessAlsoDeclaredAsFeatures() {
        Path file = write("t.csv", TRAIN);
        assertThat(schema(file).read().featureNames()).doesNotContain("sex", "sex=f", "sex=m");

        TabularData both = Tabular.csv(file).label("y").numeric("age").ignore("colour")
                .categorical("sex", Encoding.INDEX).group("sex").read();
        assertThat(both.featureNames()).containsExactly("age", "sex");
        assertThat(both.data().features().getColumn(1).toDoubleVector()).containsExactly(0, 1, 1);
        assertThat(both.groups("sex")).containsExactly("f", "m", "m");
    }

    @Test
    void readsRfc4180QuotingAcrossLinesWithCrlfAndAByteOrderMark() {
        String csv = "\uFEFFage,colour,sex,y\r\n"
                + "1,\"red, dark\",f,yes\r\n"
                + "2,\"say \"\"hi\"\"\",m,no\r\n"
                + "\r\n"
                + "3,\"two\r\nlines\",m,yes\r\n"
                + "4,plain,f,no\r\n";
        TabularData d = schema(write("q.csv", csv)).read();

        assertThat(d.transform().categories("colour")).containsExactly("plain", "red, dark", "say \"hi\"",
                "two\nlines");
        assertThat(d.size()).isEqualTo(4);
        // 1-based lines: header 1; the blank line 4 is skipped; the quoted line break spans 5 and 6.
        assertThat(List.of(d.line(0), d.line(1), d.line(2), d.line(3))).containsExactly(2, 3, 5, 7);
    }

    @Test
    void indexEncodingAndUnknownCategoriesAsOther() {
        Path train = write("train.csv", TRAIN);
        Tabular spec = Tabular.csv(train).label("y").numeric("age").categorical("colour", Encoding.ONE_HOT)
                .group("sex").unknownCategoriesAsOther();
        TabularTransform t = spec.fit();
        assertThat(t.featureNames()).containsExactly("age", "colour=blue", "colour=red", "colour=" + TabularTransform.OTHER);

        TabularData test = Tabular.csv(write("test.csv", "age,colour,sex,y\n2,green,f,no\n2,red,m,no\n")).read(t);
        assertThat(test.data().features().toDoubleMatrix()[0]).containsExactly(0, 0, 0, 1);
        assertThat(test.data().features().toDoubleMatrix()[1]).containsExactly(0, 0, 1, 0);

        TabularTransform index = Tabular.csv(train).label("y").ignore("age")
                .categorical("colour", Encoding.INDEX).group("sex").unknownCategoriesAsOther().fit();
        TabularData indexed = Tabular.csv(write("test2.csv", "age,colour,sex,y\n2,green,f,no\n2,red,m,no\n"))
                .read(index);
        assertThat(indexed.data().features().getColumn(0).toDoubleVector()).containsExactly(2, 1);
    }

    @Test
    void fixedClassOrderAndConstantColumns() {
        Path file = write("c.csv", "x,k,y\n7,a,no\n7,a,yes\n7,a,no\n");
        TabularData d = Tabular.csv(file).label("y", "yes", "no").numeric("x").categorical("k", Encoding.ONE_HOT)
                .read();
        assertThat(d.classNames()).containsExactly("yes", "no");
        assertThat(d.data().labels()).containsExactly(1, 0, 1);
        // a constant column has std 0 and is divided by 1: all zeros, no NaN
        assertThat(d.transform().std("x")).isZero();
        assertThat(d.data().features().getColumn(0).toDoubleVector()).containsExactly(0, 0, 0);
    }

    @Test
    void theTransformRoundTripsThroughText() {
        Path file = write("r.csv", "v,\"we\tird\\name\",s,y\n0.1,a\tb,x,p\n1e-3,\"c\nd\",x,q\n");
        TabularTransform t = Tabular.csv(file).label("y").numeric("v")
                .categorical("we\tird\\name", Encoding.ONE_HOT).group("s").unknownCategoriesAsOther()
                .imputeMissing().fit();

        String text = t.toText();
        TabularTransform back = TabularTransform.parse(text);
        assertThat(back).isEqualTo(t);
        assertThat(back.toText()).isEqualTo(text);
        assertThat(back.mean("v")).isEqualTo(t.mean("v"));
        assertThat(back.categories("we\tird\\name")).containsExactly("a\tb", "c\nd");
        assertThat(text).startsWith("attune-tabular-transform\t1\n").contains("option\tunknown-categories-as-other");
        // and it encodes a file as the original does
        assertThat(Tabular.csv(file).read(back).data().fingerprint())
                .isEqualTo(Tabular.csv(file).read(t).data().fingerprint());
    }

    @Test
    void readsArffWithNominalOrderAndImputedMissingValues() {
        String arff = """
                % a comment
                @relation 'test relation'
                @attribute age numeric
                @attribute 'colour name' {red, 'dark blue', green}
                @attribute sex {f, m}
                @attribute class {good, bad}

                @data
                1,'dark blue',f,good
                ?,red,m,bad
                % between rows
                5, ? ,m,good
                3,red,f,bad
                """;
        TabularData d = Tabular.arff(write("t.arff", arff)).label("class").numeric("age")
                .categorical("colour name", Encoding.ONE_HOT).group("sex").imputeMissing().read();

        // classes and categories in the header's order; the missing category last, as '?'
        assertThat(d.classNames()).containsExactly("good", "bad");
        assertThat(d.transform().categories("colour name")).containsExactly("red", "dark blue", "?");
        assertThat(d.transform().mean("age")).isEqualTo(3.0);
        INDArray x = d.data().features();
        assertThat(x.getDouble(1, 0)).isZero();                       // imputed with the mean
        assertThat(x.getRow(2).toDoubleVector()).containsExactly(new double[] {2 / Math.sqrt(8.0 / 3), 0, 0, 1},
                within(1e-6));
        assertThat(d.data().labels()).containsExactly(0, 1, 0, 1);
        assertThat(List.of(d.line(0), d.line(1), d.line(2), d.line(3))).containsExactly(9, 10, 12, 13);
    }

    @Test
    void theIteratorStreamsTheSameExamplesInBatchesAndResets() {
        StringBuilder csv = new StringBuilder("age,colour,sex,y\n");
        for (int i = 0; i < 7; i++) {
            csv.append(i).append(',').append(i % 3 == 0 ? "red" : "blue").append(",f,").append(i % 2 == 0 ? "yes" : "no")
                    .append('\n');
        }
        Path file = write("it.csv", csv.toString());
        TabularData all = schema(file).read();
        DataSetIterator it = Tabular.csv(file).iterator(all.transform(), 3);

        assertThat(it.inputColumns()).isEqualTo(3);
        assertThat(it.totalOutcomes()).isEqualTo(2);
        assertThat(it.getLabels()).containsExactly("no", "yes");
        for (int pass = 0; pass < 2; pass++) {
            int row = 0;
            List<Integer> sizes = new java.util.ArrayList<>();
            while (it.hasNext()) {
                DataSet ds = it.next();
                sizes.add(ds.numExamples());
                for (int i = 0; i < ds.numExamples(); i++, row++) {
                    assertThat(ds.getFeatures().getRow(i).toFloatVector())
                            .containsExactly(all.data().features().getRow(row).toFloatVector());
                    assertThat(ds.getLabels().getRow(i).toDoubleVector()).containsExactly(
                            all.data().label(row) == 0 ? new double[] {1, 0} : new double[] {0, 1});
                }
            }
            assertThat(sizes).containsExactly(3, 3, 1);
            it.reset();
        }
    }

    @Test
    void fingerprintIsTheSha256OfTheFileBytes() throws NoSuchAlgorithmException {
        byte[] bytes = TRAIN.getBytes(StandardCharsets.UTF_8);
        Path file = write("f.csv", bytes);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

        assertThat(Tabular.csv(file).fingerprint()).isEqualTo(expected);
        assertThat(schema(file).read().sourceFingerprint()).isEqualTo(expected);
        assertThat(schema(write("g.csv", TRAIN.replace("3,red", "4,red"))).read().sourceFingerprint())
                .isNotEqualTo(expected);
    }
}

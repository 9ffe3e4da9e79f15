package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Compiles and runs the README's tables example, and checks that the README still shows this code. */
class ReadmeTabularExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        Files.writeString(dir.resolve("loans.csv"), """
                id,duration,credit_amount,purpose,sex,class
                1,6,1169,radio/tv,male,good
                2,48,5951,new car,female,bad
                3,12,2096,education,male,good
                """);
        Files.writeString(dir.resolve("loans-2025.csv"), """
                id,duration,credit_amount,purpose,sex,class
                4,42,7882,new car,male,good
                """);

        // README example: begin
        TabularData train = BundledTables.GERMAN_CREDIT.train();   // transform fitted on the 700 training rows
        TabularData test = BundledTables.GERMAN_CREDIT.test();     // encoded with that same transform
        List<String> sex = test.groups("sex");                     // per example, not a feature

        TabularData loans = Tabular.csv(dir.resolve("loans.csv"))
                .label("class")
                .numeric("duration", "credit_amount")
                .categorical("purpose", Encoding.ONE_HOT)
                .group("sex")
                .ignore("id")
                .read();
        Files.writeString(dir.resolve("loans.transform"), loans.transform().toText());   // keep it with the model
        DataSetIterator batches = Tabular.csv(dir.resolve("loans-2025.csv"))
                .iterator(TabularTransform.parse(Files.readString(dir.resolve("loans.transform"))), 256);
        // README example: end

        assertThat(train.size()).isEqualTo(700);
        assertThat(sex).hasSize(300);
        assertThat(loans.featureNames()).containsExactly("duration", "credit_amount", "purpose=education",
                "purpose=new car", "purpose=radio/tv");
        assertThat(batches.next().getFeatures().getDouble(0, 3)).isEqualTo(1);
        assertThat(batches.hasNext()).isFalse();

        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeTabularExampleTest.class);
    }

}

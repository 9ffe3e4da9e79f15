package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every Java example of the README shows its imports, and the check of those imports that each
 * README test runs finds what the compiler would refuse.
 */
class ReadmeImportsTest {
    private static final ClassLoader LOADER = ReadmeImportsTest.class.getClassLoader();

    @Test
    void everyJavaExampleOfTheReadmeBeginsWithItsImports() throws IOException {
        List<String> blocks = ReadmeExamples.javaBlocks(Files.readString(Path.of("../README.md")));
        assertThat(blocks).hasSizeGreaterThan(10);
        for (String block : blocks) {
            assertThat(block.strip()).as("a README example without its imports:%n%s", block).startsWith("import ");
        }
    }

    @Test
    void examplesThatNeedOnlyCoreHaveTheImportsTheyNeed() throws IOException {
        // The other modules' README tests check their examples; these ones core's class path sees whole.
        int checked = 0;
        for (String block : ReadmeExamples.javaBlocks(Files.readString(Path.of("../README.md")))) {
            boolean coreOnly = block.lines().filter(l -> l.startsWith("import "))
                    .allMatch(l -> l.matches("import (dev\\.attune\\.\\*|dev\\.attune\\.spi\\.\\*|java\\..*|org\\.nd4j\\..*|org\\.deeplearning4j\\..*);"));
            if (coreOnly) {
                assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty())).as(block).isEmpty();
                checked++;
            }
        }
        assertThat(checked).as("README examples that need only core").isPositive();
    }

    @Test
    void rightImportsPass() {
        String block = """
                import dev.attune.*;
                import java.nio.file.Path;
                import org.nd4j.linalg.api.ndarray.INDArray;

                Network base = Network.load(Path.of("a.zip"));   // Not a Type
                INDArray out = base.output(features);
                String name = "Some Text";
                """;
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty())).isEmpty();
    }

    @Test
    void aMissingImportIsFound() {
        String block = """
                import dev.attune.*;

                Network base = Network.load(Path.of("a.zip"));
                """;
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty()))
                .containsExactly("Path is named but no import gives it");
    }

    @Test
    void aBlockWithoutImportsIsFound() {
        assertThat(ReadmeExamples.importProblems("Object o = null;\n", LOADER, Optional.empty()))
                .containsExactly("the block shows no import");
    }

    @Test
    void unusedAndUnknownImportsAreFound() {
        String block = """
                import dev.attune.*;
                import java.util.List;
                import java.util.Nothing;
                import static dev.attune.Freeze.none;

                Network base = null;
                """;
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty())).containsExactly(
                "import java.util.List is not used", "import java.util.Nothing: no such class",
                "import static dev.attune.Freeze.none is not used");
    }

    @Test
    void anAmbiguousNameIsFound() {
        String block = """
                import java.util.*;
                import java.sql.*;

                Date when = null;
                """;
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty()))
                .containsExactly("Date is ambiguous: [java.util.Date, java.sql.Date]");
    }

    @Test
    void anotherClassThanTheTestsIsFound() {
        String block = """
                import java.sql.Date;

                Date when = null;
                """;
        ReadmeExamples.Imports test = ReadmeExamples.testContext("package x;\nimport java.util.Date;\n");
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.of(test)))
                .containsExactly("Date is java.sql.Date by the README's imports but java.util.Date in the test");
    }

    @Test
    void nestedClassesAndTypesDeclaredInTheBlockResolve() {
        String block = """
                import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

                public class Main {
                    LossFunction loss = LossFunction.MCXENT;
                }
                """;
        assertThat(ReadmeExamples.importProblems(block, LOADER, Optional.empty())).isEmpty();
    }
}

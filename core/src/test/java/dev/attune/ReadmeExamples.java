package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Keeps the README's code examples true: each is the code of a test that runs it. */
public final class ReadmeExamples {
    private ReadmeExamples() {
    }

    /**
     * Checks that the project's README shows, white space aside, the code between the markers
     * {@code // README example: begin} and {@code // README example: end} in the source of the given
     * test class (run from its module's folder, as the build runs tests).
     */
    public static void assertReadmeShowsExampleOf(Class<?> testClass) throws IOException {
        String source = Files.readString(Path.of("src/test/java", testClass.getName().replace('.', '/') + ".java"));
        int begin = source.indexOf("// README example: begin");
        int end = source.indexOf("// README example: end");
        assertThat(begin).as("README example markers in " + testClass.getSimpleName()).isNotNegative().isLessThan(end);
        String example = source.substring(begin + "// README example: begin".length(), end);
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(squash(readme)).as("the README shows the example of " + testClass.getSimpleName())
                .contains(squash(example));
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", "");
    }
}

package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.ReadmeExamples;
import dev.attune.deploy.ModelPackage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's example of registering a deployment package, and checks that the README shows it. */
class ReadmeRegistryPackageExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmePackageRegistrationExampleRuns() throws IOException {
        Path registryDir = tmp.resolve("registry");
        ModelPackage written = CreditPackages.write(tmp.resolve("german-credit.attune"), "german-credit", null);
        Path packageFile = written.path();
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // README example: begin
            try (ModelRegistry registry = ModelRegistry.sqlite(registryDir)) {
                ModelVersion v = registry.register(packageFile, Change.by("alice", "reweighed by foreign worker"));
                System.out.println(v.label() + " " + v.metrics().get("f1Macro"));   // german-credit:1, the manifest's macro F1
                registry.register(packageFile, Change.by("alice", "again"));         // the same file: the same version
                System.out.println(registry.verify().ok());                         // hashes and package seals hold
            }
            // README example: end
        } finally {
            System.setOut(console);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "german-credit:1 " + written.metrics().get("f1Macro"), "true");
        ReadmeExamples.assertReadmeShowsExampleOf(getClass());
    }
}

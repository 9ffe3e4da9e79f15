package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.ReadmeExamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's model registry example, and checks that the README still shows this code. */
class ReadmeRegistryExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmeRegistryExampleRuns() throws IOException {
        Path registryDir = tmp.resolve("registry");
        Path plainModel = Files.writeString(tmp.resolve("plain.zip"), "plain model bytes");
        Path reweighedModel = Files.writeString(tmp.resolve("reweighed.zip"), "reweighed model bytes");
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // README example: begin
            try (ModelRegistry registry = ModelRegistry.sqlite(registryDir)) {    // registry.db and artifacts/ in one folder
                ModelVersion plain = registry.register(plainModel, Registration.of("german-credit")
                        .withMetric("f1_macro", 0.71).withProvenance("seed", "42"), Change.by("alice", "plain fine-tune"));
                ModelVersion reweighed = registry.register(reweighedModel, Registration.of("german-credit")
                        .withMetric("f1_macro", 0.69).withMetric("parity_ratio", 0.91), Change.by("alice", "reweighed"));
                registry.promote("german-credit", plain.version(), Stage.PRODUCTION, Change.by("bob", "passed review"));
                registry.promote("german-credit", reweighed.version(), Stage.PRODUCTION, Change.by("bob", "fairer"));
                registry.rollback("german-credit", Stage.PRODUCTION, Change.by("carol", "fails the calibration check"));
                registry.prune(Retention.keepLast(5), Change.by("ops", "nightly"));   // archived versions only
                System.out.println(registry.verify().ok());                        // every artifact still hashes right
                registry.auditLog("german-credit").forEach(System.out::println);
            }
            // README example: end
        } finally {
            System.setOut(console);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).hasSize(6).first().isEqualTo("true");
        try (ModelRegistry registry = ModelRegistry.sqlite(registryDir)) {
            assertThat(registry.inStage("german-credit", Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
            assertThat(registry.version("german-credit", 2).stage()).contains(Stage.ARCHIVED);
            assertThat(registry.auditLog("german-credit")).extracting(AuditEntry::action).containsExactly(
                    AuditEntry.Action.REGISTER, AuditEntry.Action.REGISTER, AuditEntry.Action.PROMOTE,
                    AuditEntry.Action.PROMOTE, AuditEntry.Action.ROLLBACK);
        }
        ReadmeExamples.assertReadmeShowsExampleOf(getClass());
    }
}

package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input that is not a matter of one store: read-only and unreachable databases, bad names and values. */
class RegistryBadInputTest {
    @TempDir
    Path tmp;

    @Test
    void aReadOnlyDatabaseServesReadsAndRefusesChangesLeavingNothingBehind() throws IOException {
        Path dir = tmp.resolve("registry");
        Path artifact = Files.writeString(tmp.resolve("a.bin"), "one");
        try (ModelRegistry registry = ModelRegistry.sqlite(dir)) {
            registry.register(artifact, Registration.of("m"), Change.by("a", "v1"));
        }
        Path other = Files.writeString(tmp.resolve("b.bin"), "two");

        try (ModelRegistry readOnly = ModelRegistry.sqliteReadOnly(dir)) {
            assertThat(readOnly.versions("m")).hasSize(1);
            assertThat(readOnly.verify().ok()).isTrue();
            assertThatThrownBy(() -> readOnly.register(other, Registration.of("m"), Change.by("a", "v2")))
                    .isInstanceOf(AttuneException.class)
                    .hasMessageContaining("cannot register a version of 'm' in the registry database")
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> readOnly.promote("m", 1, Stage.PRODUCTION, Change.by("a", "ship")))
                    .isInstanceOf(AttuneException.class).hasMessageContaining("read-only");
        }
        try (ModelRegistry registry = ModelRegistry.sqlite(dir); Stream<Path> files = Files.list(dir.resolve("artifacts/m"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(ModelRegistry.sha256(artifact));
            assertThat(registry.versions("m")).singleElement().satisfies(v -> assertThat(v.stage()).isEmpty());
            assertThat(registry.auditLog("m")).hasSize(1);
        }
    }

    @Test
    void aReadOnlyRegistryMustExist() {
        assertThatThrownBy(() -> ModelRegistry.sqliteReadOnly(tmp.resolve("none")))
                .isInstanceOf(AttuneException.class).hasMessageContaining("no registry database at")
                .hasMessageContaining("read-write first");
        assertThat(tmp.resolve("none")).doesNotExist();
    }

    @Test
    void anUnreachableServerIsNamedWithWhatToCheck() {
        String url = "jdbc:postgresql://127.0.0.1:" + PostgresServer.freePort() + "/registry";
        Path artifacts = tmp.resolve("artifacts");

        assertThatThrownBy(() -> ModelRegistry.postgres(url, "attune", "", artifacts))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("cannot open the registry database " + url)
                .hasMessageContaining("check that the database server runs");
        assertThat(artifacts).doesNotExist();
        assertThatThrownBy(() -> ModelRegistry.postgres("jdbc:mysql://localhost/x", "a", "", artifacts))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql://host:port/database");
    }

    @Test
    void badNamesStagesAndValuesAreRefused() {
        assertThatThrownBy(() -> Stage.parse("prod")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown stage 'prod'; stages are: staging, production, archived");
        assertThat(Stage.parse(" Production")).isEqualTo(Stage.PRODUCTION);
        assertThatThrownBy(() -> Registration.of("../etc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got '../etc'");
        assertThatThrownBy(() -> Registration.of("m").withMetric("auc", Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metric 'auc' must be a finite number, got NaN");
        assertThatThrownBy(() -> Change.by(" ", "why")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Retention(java.util.OptionalInt.empty(), java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepLast(n) or olderThan(age)");
        assertThatThrownBy(() -> Retention.keepLast(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

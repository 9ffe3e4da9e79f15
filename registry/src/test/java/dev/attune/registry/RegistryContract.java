package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every registry store must do, run against SQLite and against a real PostgreSQL server:
 * versions by content, stages, rollback, retention, verification, refusals that change nothing, and
 * two processes at once, or one killed half-way, losing nothing.
 */
abstract class RegistryContract {
    @TempDir
    Path tmp;

    /** The registry under test; every call within one test opens the same one. */
    abstract ModelRegistry openRegistry();

    /** The arguments that make {@link RegistryChild} open the same registry. */
    abstract List<String> storeArguments();

    /** The database's name, for the figures a test prints. */
    abstract String database();

    Path file(String name, String content) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    static Change by(String why) {
        return Change.by("tester", why);
    }

    @Test
    void registersVersionsWithTheirMetricsProvenanceAndArtifact() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            ModelVersion v1 = registry.register(file("a.bin", "model one"), Registration.of("credit")
                    .withMetric("f1_macro", 0.71).withMetric("accuracy", 0.8).withProvenance("seed", "42"),
                    Change.by("alice", "first"));
            ModelVersion v2 = registry.register(file("b.bin", "model two"), Registration.of("credit"), by("second"));

            assertThat(v1.version()).isEqualTo(1);
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v1.sha256()).isEqualTo(ModelRegistry.sha256(tmp.resolve("a.bin")));
            assertThat(v1.sizeBytes()).isEqualTo(9);
            assertThat(v1.stage()).isEmpty();
            ModelVersion shown = registry.version("credit", 1);
            assertThat(shown.metrics()).containsExactly(java.util.Map.entry("f1_macro", 0.71), java.util.Map.entry("accuracy", 0.8));
            assertThat(shown.provenance()).containsExactly(java.util.Map.entry("seed", "42"));
            assertThat(shown.registeredBy()).isEqualTo("alice");
            assertThat(Files.readString(registry.artifact(shown))).isEqualTo("model one");
            assertThat(registry.versions("credit")).extracting(ModelVersion::version).containsExactly(1, 2);
            assertThat(registry.models()).containsExactly("credit");
            assertThat(registry.auditLog("credit")).extracting(AuditEntry::action, AuditEntry::who, AuditEntry::toVersion,
                    AuditEntry::why).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.REGISTER, "alice", OptionalInt.of(1), "first"),
                    org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.REGISTER, "tester", OptionalInt.of(2), "second"));
        }
        try (ModelRegistry reopened = openRegistry()) {
            assertThat(reopened.versions("credit")).hasSize(2);
            assertThat(reopened.verify().ok()).isTrue();
        }
    }

    @Test
    void theSameBytesTwiceAreOneVersion() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            ModelVersion first = registry.register(file("a.bin", "same"), Registration.of("m"), by("once"));
            ModelVersion again = registry.register(file("copy.bin", "same"), Registration.of("m").withMetric("x", 1),
                    by("twice"));

            assertThat(again).isEqualTo(first);
            assertThat(registry.versions("m")).hasSize(1);
            assertThat(registry.auditLog("m")).hasSize(1);
            try (Stream<Path> files = Files.list(registry.artifact(first).getParent())) {
                assertThat(files).containsExactly(registry.artifact(first));
            }
        }
    }

    @Test
    void promotingMovesVersionsBetweenStagesAndArchivesTheOneReplaced() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            registry.promote("m", 1, Stage.STAGING, by("try it"));
            registry.promote("m", 1, Stage.PRODUCTION, by("ship it"));
            assertThat(registry.inStage("m", Stage.STAGING)).isEmpty();
            registry.promote("m", 2, Stage.STAGING, by("try two"));
            ModelVersion two = registry.promote("m", 2, Stage.PRODUCTION, by("ship two"));

            assertThat(two.stage()).contains(Stage.PRODUCTION);
            assertThat(registry.version("m", 1).stage()).contains(Stage.ARCHIVED);
            assertThat(registry.version("m", 3).stage()).isEmpty();
            List<AuditEntry> production = registry.auditLog("m").stream()
                    .filter(e -> e.stage().equals(Optional.of(Stage.PRODUCTION))).toList();
            assertThat(production).extracting(AuditEntry::fromVersion, AuditEntry::toVersion).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(OptionalInt.empty(), OptionalInt.of(1)),
                    org.assertj.core.groups.Tuple.tuple(OptionalInt.of(1), OptionalInt.of(2)));
            assertThatThrownBy(() -> registry.promote("m", 2, Stage.PRODUCTION, by("again")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m:2 is in production already");
        }
    }

    @Test
    void rollbackRestoresThePreviousVersionAndWalksFurtherBack() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            registry.promote("m", 1, Stage.PRODUCTION, by("v1"));
            registry.promote("m", 2, Stage.PRODUCTION, by("v2"));
            registry.promote("m", 3, Stage.PRODUCTION, by("v3"));

            assertThat(registry.rollback("m", Stage.PRODUCTION, Change.by("bob", "v3 is unfair")).version()).isEqualTo(2);
            assertThat(registry.version("m", 3).stage()).contains(Stage.ARCHIVED);
            assertThat(registry.rollback("m", Stage.PRODUCTION, by("v2 too")).version()).isEqualTo(1);
            AuditEntry last = registry.auditLog("m").get(registry.auditLog("m").size() - 1);
            assertThat(last.action()).isEqualTo(AuditEntry.Action.ROLLBACK);
            assertThat(last.fromVersion()).hasValue(2);
            assertThat(last.toVersion()).hasValue(1);

            int entries = registry.auditLog("m").size();
            assertThatThrownBy(() -> registry.rollback("m", Stage.PRODUCTION, by("no more")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("m:1 is the only version production has held")
                    .hasMessageContaining("no previous version to roll back to");
            assertThat(registry.inStage("m", Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
            assertThat(registry.auditLog("m")).hasSize(entries);

            // A new promotion after rollbacks: rolling back returns to the version it replaced.
            registry.promote("m", 3, Stage.PRODUCTION, by("v3 fixed"));
            assertThat(registry.rollback("m", Stage.PRODUCTION, by("still not")).version()).isEqualTo(1);
        }
    }

    @Test
    void refusalsNameTheProblemAndChangeNothing() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            registry.promote("m", 1, Stage.PRODUCTION, by("v1"));
            int entries = registry.auditLog("m").size();

            assertThatThrownBy(() -> registry.promote("m", 7, Stage.PRODUCTION, by("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("model 'm' has no version 7; its versions are: 1, 2, 3");
            assertThatThrownBy(() -> registry.promote("nope", 1, Stage.STAGING, by("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("there is no model 'nope' in the registry; models are: m");
            assertThatThrownBy(() -> registry.rollback("m", Stage.STAGING, by("x")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no version of 'm' is in staging, so there is nothing to roll back");
            assertThatThrownBy(() -> registry.rollback("m", Stage.ARCHIVED, by("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rollback applies to staging or production, got archived");
            assertThatThrownBy(() -> registry.version("m", 9)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no version 9");
            assertThatThrownBy(() -> registry.register(tmp.resolve("absent.bin"), Registration.of("m"), by("x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such file");

            assertThat(registry.auditLog("m")).hasSize(entries);
            assertThat(registry.versions("m")).extracting(v -> v.stage().map(Stage::label).orElse("-"))
                    .containsExactly("production", "-", "-");
        }
    }

    @Test
    void pruneRemovesOnlyArchivedVersionsAndNeverReusesTheirNumbers() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            for (int i = 1; i <= 5; i++) {
                registry.register(file("v" + i, "version " + i), Registration.of("m"), by("v" + i));
                registry.promote("m", i, Stage.PRODUCTION, by("ship " + i));
            }
            registry.register(file("v6", "version 6"), Registration.of("m"), by("v6"));
            registry.promote("m", 6, Stage.STAGING, by("try 6"));
            registry.register(file("v7", "version 7"), Registration.of("m"), by("v7 never promoted"));
            Path artifactOf1 = registry.artifact(registry.version("m", 1));

            // Archived: 1 to 4. Keep the newest two of them.
            List<ModelVersion> pruned = registry.prune(Retention.keepLast(2), Change.by("ops", "nightly"));

            assertThat(pruned).extracting(ModelVersion::version).containsExactly(2, 1);
            assertThat(registry.versions("m")).extracting(ModelVersion::version).containsExactly(3, 4, 5, 6, 7);
            assertThat(artifactOf1).doesNotExist();
            assertThat(registry.verify().ok()).isTrue();
            assertThat(registry.auditLog("m").stream().filter(e -> e.action() == AuditEntry.Action.PRUNE))
                    .extracting(AuditEntry::fromVersion, AuditEntry::who)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(OptionalInt.of(2), "ops"),
                            org.assertj.core.groups.Tuple.tuple(OptionalInt.of(1), "ops"));

            assertThat(registry.prune(Retention.olderThan(Duration.ofDays(1)), by("none that old"))).isEmpty();
            assertThat(registry.prune(Retention.olderThan(Duration.ZERO), by("every archived one")))
                    .extracting(ModelVersion::version).containsExactly(4, 3);
            assertThat(registry.versions("m")).extracting(ModelVersion::version).containsExactly(5, 6, 7);
            assertThatThrownBy(() -> registry.rollback("m", Stage.STAGING, by("x")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("m:6 is the only version staging has held");
        }
        try (ModelRegistry registry = openRegistry()) {
            // Production's earlier versions were pruned: rollback passes over them and finds none.
            assertThatThrownBy(() -> registry.rollback("m", Stage.PRODUCTION, by("x")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("pruned versions");
            ModelVersion again = registry.register(file("v1-again", "version 1"), Registration.of("m"), by("back"));
            assertThat(again.version()).isEqualTo(8);
            assertThat(registry.verify().ok()).isTrue();
        }
    }

    @Test
    void verifyFindsAMissingAndACorruptedArtifact() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            Files.delete(registry.artifact(registry.version("m", 1)));
            Files.writeString(registry.artifact(registry.version("m", 3)), "tampered");

            Verification verification = registry.verify();

            assertThat(verification.ok()).isFalse();
            assertThat(verification.checked()).isEqualTo(3);
            assertThat(verification.problems()).extracting(p -> p.version().version(), Verification.Problem::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Verification.Kind.MISSING),
                            org.assertj.core.groups.Tuple.tuple(3, Verification.Kind.CORRUPTED));
            assertThat(verification.problems().get(1).message()).contains("m:3").contains("not to the registered");
        }
    }

    @Test
    void verifyReportsLeftoverFilesAndPruneRemovesOnlyTheProvablyUnusedOnes() throws IOException {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            Path folder = registry.artifact(registry.version("m", 1)).getParent();
            String orphanSha = ModelRegistry.sha256(file("orphan", "never committed"));
            Path orphan = Files.writeString(folder.resolve(orphanSha), "never committed");
            Path oldIncoming = Files.writeString(folder.resolve(".incoming-killed"), "half a cop");
            Path freshIncoming = Files.writeString(folder.resolve(".incoming-running"), "being copi");
            java.nio.file.attribute.FileTime twoHoursAgo = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(Duration.ofHours(2)));
            Files.setLastModifiedTime(oldIncoming, twoHoursAgo);
            // A model whose first registration was killed: a folder with no row behind it.
            Path ghost = Files.createDirectories(registry.artifactFolder().resolve("ghost"));
            Path oldGhost = Files.writeString(ghost.resolve(orphanSha), "never committed");
            Files.setLastModifiedTime(oldGhost, twoHoursAgo);
            Path freshGhost = Files.writeString(ghost.resolve(".incoming-new"), "first regi");
            Path notOurs = Files.writeString(folder.resolve("README"), "an operator's note");

            Verification verification = registry.verify();

            assertThat(verification.ok()).isTrue();
            assertThat(verification.checked()).isEqualTo(3);
            assertThat(verification.leftovers()).extracting(Verification.Leftover::model, l -> l.file().getFileName().toString(),
                    Verification.Leftover::kind).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("m", orphanSha, Verification.LeftoverKind.UNREFERENCED),
                    org.assertj.core.groups.Tuple.tuple("m", ".incoming-killed", Verification.LeftoverKind.INCOMING),
                    org.assertj.core.groups.Tuple.tuple("m", ".incoming-running", Verification.LeftoverKind.INCOMING),
                    org.assertj.core.groups.Tuple.tuple("ghost", orphanSha, Verification.LeftoverKind.UNREFERENCED),
                    org.assertj.core.groups.Tuple.tuple("ghost", ".incoming-new", Verification.LeftoverKind.INCOMING));
            assertThat(registry.verify("m").leftovers()).hasSize(3);

            ModelRegistry.Pruned pruned = registry.pruneWithLeftovers(Retention.keepLast(5), by("nightly"));

            assertThat(pruned.versions()).isEmpty();
            assertThat(pruned.leftovers()).extracting(Verification.Leftover::file)
                    .containsExactlyInAnyOrder(orphan, oldIncoming, oldGhost);
            assertThat(orphan).doesNotExist();
            assertThat(oldIncoming).doesNotExist();
            assertThat(oldGhost).doesNotExist();
            assertThat(freshIncoming).exists();
            assertThat(freshGhost).exists();
            assertThat(notOurs).exists();
            assertThat(registry.verify().leftovers()).extracting(Verification.Leftover::file)
                    .containsExactlyInAnyOrder(freshIncoming, freshGhost);
            for (int i = 1; i <= 3; i++) {
                assertThat(registry.artifact(registry.version("m", i))).exists();
            }
            assertThat(registry.verify().ok()).isTrue();
            // The same bytes as a removed orphan register as usual afterwards.
            assertThat(registry.register(file("orphan-again", "never committed"), Registration.of("m"), by("v4"))
                    .version()).isEqualTo(4);
        }
    }

    @Test
    void twoProcessesRegisteringAtOnceLoseNoVersion() throws Exception {
        try (ModelRegistry registry = openRegistry()) {
            registry.register(file("seed", "first"), Registration.of("shared"), by("create the model"));
        }
        Process a = child("register", "shared", "12", "a");
        Process b = child("register", "shared", "12", "b");
        int madeByA = done(a);
        int madeByB = done(b);

        try (ModelRegistry registry = openRegistry()) {
            List<ModelVersion> versions = registry.versions("shared");
            // 1 + 12 + 12 distinct artifacts, and the one both registered is one version.
            assertThat(versions).extracting(ModelVersion::version).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, 26).boxed().toList());
            assertThat(madeByA + madeByB).isEqualTo(25);
            assertThat(versions.stream().map(ModelVersion::sha256).collect(Collectors.toSet())).hasSize(26);
            assertThat(registry.auditLog("shared").stream().filter(e -> e.action() == AuditEntry.Action.REGISTER))
                    .hasSize(26);
            assertThat(registry.verify("shared").ok()).isTrue();
        }
    }

    @Test
    void twoProcessesPromotingAtOnceLoseNoUpdate() throws Exception {
        try (ModelRegistry registry = openRegistry()) {
            registerThree(registry);
            registry.register(file("four", "four"), Registration.of("m"), by("v4"));
        }
        Process a = child("promote", "m", "30", "1", "4");
        Process b = child("promote", "m", "30", "2", "4");
        int changes = done(a) + done(b);

        try (ModelRegistry registry = openRegistry()) {
            List<AuditEntry> production = registry.auditLog("m").stream()
                    .filter(e -> e.stage().equals(Optional.of(Stage.PRODUCTION))).toList();
            // Each change starts from the version the one before it left: none was lost or overwritten.
            assertThat(production).hasSize(changes);
            for (int i = 1; i < production.size(); i++) {
                assertThat(production.get(i).fromVersion()).as("entry %d", i).isEqualTo(production.get(i - 1).toVersion());
            }
            assertThat(production.stream().map(AuditEntry::who).collect(Collectors.toSet())).hasSize(2);
            List<ModelVersion> inProduction = registry.versions("m").stream()
                    .filter(v -> v.stage().equals(Optional.of(Stage.PRODUCTION))).toList();
            assertThat(inProduction).hasSize(1);
            assertThat(OptionalInt.of(inProduction.get(0).version()))
                    .isEqualTo(production.get(production.size() - 1).toVersion());
            assertThat(registry.verify().ok()).isTrue();
            System.out.printf("concurrent promotions (%s): %d changes by two processes, %d refused%n", database(),
                    changes, 60 - changes);
        }
    }

    @Test
    void aProcessKilledWhileRegisteringLeavesWholeVersionsOnly() throws Exception {
        try (ModelRegistry registry = openRegistry()) {
            registry.register(file("seed", "first"), Registration.of("killed"), by("create the model"));
            registry.promote("killed", 1, Stage.PRODUCTION, by("serve"));
        }
        Random random = new Random(7);
        int kills = 5;
        for (int i = 0; i < kills; i++) {
            Process child = child("register", "killed", "-1", "kill" + i);
            awaitReady(child);
            Thread.sleep(150 + random.nextInt(600));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        try (ModelRegistry registry = openRegistry()) {
            List<ModelVersion> versions = registry.versions("killed");
            assertThat(versions).extracting(ModelVersion::version)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, versions.size()).boxed().toList());
            Verification verification = registry.verify("killed");
            assertThat(verification.problems()).isEmpty();
            for (ModelVersion v : versions.subList(1, versions.size())) {
                assertThat(v.metrics()).containsKey("bytes");
                assertThat(v.provenance()).containsKey("made by");
            }
            assertThat(registry.auditLog("killed").stream().filter(e -> e.action() == AuditEntry.Action.REGISTER))
                    .hasSize(versions.size());
            assertThat(registry.inStage("killed", Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
            Set<String> referenced = versions.stream().map(ModelVersion::sha256).collect(Collectors.toSet());
            List<String> orphans = new ArrayList<>();
            List<String> incoming = new ArrayList<>();
            try (Stream<Path> files = Files.list(registry.artifact(versions.get(0)).getParent())) {
                files.map(p -> p.getFileName().toString()).filter(n -> !referenced.contains(n))
                        .forEach(n -> (n.startsWith(".incoming-") ? incoming : orphans).add(n));
            }
            System.out.printf("kill -9 during registration (%s): %d kills, %d whole versions, %d unreferenced"
                    + " artifact files, %d temporary files left, 0 broken versions%n", database(), kills,
                    versions.size() - 1, orphans.size(), incoming.size());
            assertThat(versions.size()).isGreaterThan(1 + kills);
            assertThat(verification.leftovers()).hasSize(orphans.size() + incoming.size());

            // Once the killed children's temporary copies are old enough, prune removes every leftover.
            try (Stream<Path> files = Files.list(registry.artifact(versions.get(0)).getParent())) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith(".incoming-")).toList()) {
                    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(
                            java.time.Instant.now().minus(ModelRegistry.LEFTOVER_AGE).minusSeconds(60)));
                }
            }
            registry.prune(Retention.keepLast(100), by("clean up"));
            assertThat(registry.verify("killed").leftovers()).isEmpty();
            assertThat(registry.verify("killed").ok()).isTrue();
            try (Stream<Path> files = Files.list(registry.artifact(versions.get(0)).getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(referenced);
            }
        }
    }

    void registerThree(ModelRegistry registry) throws IOException {
        for (int i = 1; i <= 3; i++) {
            registry.register(file("v" + i + ".bin", "version " + i), Registration.of("m"), by("v" + i));
        }
    }

    Process child(String... arguments) throws IOException {
        // The child's scratch files go to this test's folder: a killed child cannot clean up after itself.
        Path scratch = Files.createDirectories(tmp.resolve("child-tmp"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + scratch, "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                RegistryChild.class.getName()));
        command.addAll(List.of(arguments));
        command.addAll(storeArguments());
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static void awaitReady(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals("ready")) {
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child process ended before opening the registry:\n" + seen);
    }

    static int done(Process child) throws Exception {
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        String last = output.lines().filter(l -> l.startsWith("done ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'done' line from the child:\n" + output));
        return Integer.parseInt(last.substring(5).trim());
    }
}

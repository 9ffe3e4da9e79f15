package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.PackageKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Deployment packages in the registry: registered from their manifest, one version per file, refused
 * when tampered with, and checked against their seal again by verify; and the {@code register} command.
 */
class PackageRegistrationTest {
    @TempDir
    Path tmp;

    private ModelRegistry open() {
        return ModelRegistry.sqlite(tmp.resolve("registry"));
    }

    @Test
    void aPackageRegistersUnderItsNameWithTheMetricsAndProvenanceOfItsManifest() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        try (ModelRegistry registry = open()) {
            ModelVersion v = registry.register(pkg.path(), Change.by("alice", "first package"));

            assertThat(v.label()).isEqualTo("credit-risk:1");
            assertThat(v.sha256()).isEqualTo(pkg.fileSha256()).isEqualTo(ModelRegistry.sha256(pkg.path()));
            assertThat(v.metrics()).containsEntry("accuracy", CreditPackages.report().accuracy().estimate())
                    .containsEntry("f1Macro", CreditPackages.report().f1Macro().estimate())
                    .containsKey("fairness.foreign_worker.demographic_parity_difference")
                    .containsKey("fairness.foreign_worker.demographic_parity_difference.verdict");
            assertThat(v.metrics()).containsAllEntriesOf(pkg.metrics());
            assertThat(v.provenance()).containsAllEntriesOf(pkg.provenance().orElseThrow().asText())
                    .containsEntry(ModelRegistry.PACKAGE_SHA256, pkg.contentSha256())
                    .containsEntry("seed", "3")
                    .doesNotContainKey("package.signedBy");
            assertThat(registry.artifact(v)).hasSameBinaryContentAs(pkg.path());
            assertThat(ModelPackage.load(registry.artifact(v)).contentSha256()).isEqualTo(pkg.contentSha256());
            assertThat(registry.verify().ok()).isTrue();
        }
    }

    @Test
    void theSamePackageFileTwiceIsOneVersion() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        Path copy = Files.copy(pkg.path(), tmp.resolve("copy.attune"));
        try (ModelRegistry registry = open()) {
            ModelVersion first = registry.register(pkg.path(), Change.by("alice", "once"));
            ModelVersion again = registry.register(copy, Change.by("bob", "twice"));
            ModelVersion loaded = registry.register(ModelPackage.load(pkg.path()), Change.by("carol", "thrice"));

            assertThat(again).isEqualTo(first);
            assertThat(loaded).isEqualTo(first);
            assertThat(registry.versions("credit-risk")).hasSize(1);
            assertThat(registry.auditLog("credit-risk")).hasSize(1);
            // A second write of the same model is new bytes (DL4J's zip carries time stamps): a new version.
            ModelPackage rewritten = CreditPackages.write(tmp.resolve("rewritten.attune"), "credit-risk", null);
            if (!rewritten.fileSha256().equals(pkg.fileSha256())) {
                assertThat(registry.register(rewritten.path(), Change.by("alice", "rewritten")).version()).isEqualTo(2);
            }
        }
    }

    @Test
    void aTamperedPackageIsRefusedAtRegistrationAndLeavesNothing() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        Path tampered = CreditPackages.tampered(pkg.path(), tmp.resolve("tampered.attune"));
        try (ModelRegistry registry = open()) {
            assertThatThrownBy(() -> registry.register(tampered, Change.by("mallory", "looks fine")))
                    .isInstanceOf(AttuneException.class).hasMessageContaining("REPRODUCE.md")
                    .hasMessageContaining("does not match its SHA-256");

            assertThat(registry.models()).isEmpty();
            assertThat(registry.auditLog()).isEmpty();
            try (Stream<Path> files = Files.walk(registry.artifactFolder())) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
        }
    }

    @Test
    void verifyFindsAPackageTamperedWithInTheRegistryAndNamesTheEntry() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        try (ModelRegistry registry = open()) {
            ModelVersion v = registry.register(pkg.path(), Change.by("alice", "first"));
            Path stored = registry.artifact(v);
            CreditPackages.tampered(pkg.path(), tmp.resolve("tampered.attune"));
            Files.copy(tmp.resolve("tampered.attune"), stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            Verification verification = registry.verify();

            assertThat(verification.ok()).isFalse();
            assertThat(verification.problems()).singleElement().satisfies(p -> {
                assertThat(p.kind()).isEqualTo(Verification.Kind.CORRUPTED);
                assertThat(p.message()).contains("credit-risk:1").contains("not to the registered")
                        .contains("as a deployment package").contains("REPRODUCE.md");
            });
        }
    }

    @Test
    void verifyChecksThePackageSealEvenWhenTheFileHashesAsRegistered() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        Path tampered = CreditPackages.tampered(pkg.path(), tmp.resolve("tampered.attune"));
        try (ModelRegistry registry = open()) {
            // Registered as a plain file claiming to be the package: its bytes hash right, its seal does not hold.
            registry.register(tampered, Registration.of("credit-risk")
                    .withProvenance(ModelRegistry.PACKAGE_SHA256, pkg.contentSha256()), Change.by("alice", "by hand"));

            Verification verification = registry.verify("credit-risk");

            assertThat(verification.problems()).singleElement().satisfies(p -> assertThat(p.message())
                    .contains("credit-risk:1: its deployment package").contains("no longer verifies")
                    .contains("REPRODUCE.md"));
        }
    }

    @Test
    void aRegistryThatRequiresASignatureAcceptsOnlyTheKeysPackages() throws IOException {
        KeyPair keys = PackageKeys.generate();
        KeyPair other = PackageKeys.generate();
        ModelPackage signed = CreditPackages.write(tmp.resolve("signed.attune"), "credit-risk", keys.getPrivate());
        ModelPackage unsigned = CreditPackages.write(tmp.resolve("unsigned.attune"), "credit-risk", null);
        try (ModelRegistry registry = open()) {
            assertThatThrownBy(() -> registry.register(unsigned.path(), keys.getPublic(), Change.by("a", "x")))
                    .isInstanceOf(AttuneException.class).hasMessageContaining("is not signed");
            assertThatThrownBy(() -> registry.register(signed.path(), other.getPublic(), Change.by("a", "x")))
                    .isInstanceOf(AttuneException.class).hasMessageContaining(PackageKeys.keyId(keys.getPublic()));
            assertThat(registry.models()).isEmpty();

            ModelVersion v = registry.register(signed.path(), keys.getPublic(), Change.by("a", "signed"));
            assertThat(v.provenance()).containsEntry("package.signedBy", PackageKeys.keyId(keys.getPublic()));
        }
    }

    @Test
    void theRegisterCommandRegistersAPackageOnceAndRefusesATamperedOne() throws IOException {
        ModelPackage pkg = CreditPackages.write(tmp.resolve("credit.attune"), "credit-risk", null);
        Path tampered = CreditPackages.tampered(pkg.path(), tmp.resolve("tampered.attune"));
        String dir = tmp.resolve("cli-registry").toString();

        Result created = run("--registry", dir, "register", pkg.path().toString(), "--by", "alice", "--reason", "first");
        assertThat(created.code()).isZero();
        assertThat(created.out()).startsWith("registered " + pkg.path() + " as credit-risk:1 (sha256 "
                + pkg.fileSha256().substring(0, 12));

        Result again = run("--registry", dir, "register", pkg.path().toString(), "--reason", "again", "--json");
        assertThat(again.code()).isZero();
        assertThat(again.out()).startsWith("{\"model\":\"credit-risk\",\"version\":1,\"sha256\":\"" + pkg.fileSha256() + "\"")
                .contains("\"registeredBy\":\"alice\"").contains("\"f1Macro\":");

        Result refused = run("--registry", dir, "register", tampered.toString(), "--reason", "x");
        assertThat(refused.code()).isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(refused.err()).contains("refused to register").contains("REPRODUCE.md");
        assertThat(run("--registry", dir, "register", tmp.resolve("absent.attune").toString(), "--reason", "x").code())
                .isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(run("--registry", dir, "register", pkg.path().toString()).code()).isEqualTo(RegistryCommand.BAD_INPUT);

        Result audit = run("--registry", dir, "audit", "credit-risk");
        assertThat(audit.out().lines()).singleElement().asString().contains("register").contains("by alice: first");
        try (ModelRegistry read = ModelRegistry.sqliteReadOnly(tmp.resolve("cli-registry"))) {
            assertThat(read.versions("credit-risk")).hasSize(1);
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine line = RegistryCommand.commandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        line.setOut(new PrintWriter(o, true));
        line.setErr(new PrintWriter(e, true));
        int code = line.execute(args);
        return new Result(code, o.toString(), e.toString());
    }
}

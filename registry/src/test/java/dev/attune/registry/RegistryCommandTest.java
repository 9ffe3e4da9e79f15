package dev.attune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line, run in-process: output, JSON and exit codes. */
class RegistryCommandTest {
    @TempDir
    Path tmp;
    private Path dir;
    private String out;
    private String err;

    @BeforeEach
    void threeVersions() throws IOException {
        dir = tmp.resolve("registry");
        try (ModelRegistry registry = ModelRegistry.sqlite(dir)) {
            for (int i = 1; i <= 3; i++) {
                registry.register(Files.writeString(tmp.resolve("v" + i), "version " + i),
                        Registration.of("credit").withMetric("f1_macro", 0.7 + i / 100.0).withProvenance("seed", "4" + i),
                        Change.by("alice", "v" + i));
            }
        }
    }

    private int run(String... args) {
        CommandLine line = RegistryCommand.commandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        line.setOut(new PrintWriter(o, true));
        line.setErr(new PrintWriter(e, true));
        int code = line.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void listsShowsPromotesAndRollsBack() {
        assertThat(run("--registry", dir.toString(), "list")).isZero();
        assertThat(out).isEqualTo("credit  3 versions" + System.lineSeparator());
        assertThat(run("--registry", dir.toString(), "list", "credit", "--json")).isZero();
        assertThat(out).startsWith("[{\"model\":\"credit\",\"version\":1,").contains("\"metrics\":{\"f1_macro\":0.71}")
                .contains("\"provenance\":{\"seed\":\"41\"}");

        assertThat(run("--registry", dir.toString(), "promote", "credit", "1", "production", "--by", "bob", "--reason", "ok"))
                .isZero();
        assertThat(out).contains("credit:1 is now in production");
        assertThat(run("promote", "credit", "2", "production", "--registry", dir.toString(), "--reason", "better")).isZero();
        assertThat(run("--registry", dir.toString(), "show", "credit", "production")).isZero();
        assertThat(out).startsWith("credit:2").contains("stage:      production").contains("provenance  seed = 42");

        assertThat(run("--registry", dir.toString(), "rollback", "credit", "production", "--reason", "unfair", "--json"))
                .isZero();
        assertThat(out).contains("\"version\":1").contains("\"stage\":\"production\"");
        assertThat(run("--registry", dir.toString(), "audit", "credit", "--json")).isZero();
        assertThat(out).contains("{\"model\":\"credit\",\"sequence\":6,").contains("\"action\":\"rollback\"")
                .contains("\"fromVersion\":2,\"toVersion\":1,\"why\":\"unfair\"");
        assertThat(run("--registry", dir.toString(), "audit")).isZero();
        assertThat(out.lines()).hasSize(6);
    }

    @Test
    void verifyExitsWithOneWhenAnArtifactIsMissing() throws IOException {
        assertThat(run("--registry", dir.toString(), "verify")).isZero();
        assertThat(out).contains("3 versions checked, 0 problems");
        try (ModelRegistry registry = ModelRegistry.sqlite(dir)) {
            Files.delete(registry.artifact(registry.version("credit", 2)));
        }

        assertThat(run("--registry", dir.toString(), "verify", "--json")).isEqualTo(RegistryCommand.VERIFICATION_FAILED);
        assertThat(out).startsWith("{\"checked\":3,\"ok\":false,\"problems\":[{\"model\":\"credit\",\"version\":2,"
                + "\"kind\":\"missing\"");
    }

    @Test
    void prunesArchivedVersions() {
        run("--registry", dir.toString(), "promote", "credit", "1", "production", "--reason", "a");
        run("--registry", dir.toString(), "promote", "credit", "2", "production", "--reason", "b");
        run("--registry", dir.toString(), "promote", "credit", "3", "production", "--reason", "c");

        assertThat(run("--registry", dir.toString(), "prune", "--keep-last", "1", "--reason", "nightly")).isZero();
        assertThat(out).contains("pruned credit:1");
        assertThat(run("--registry", dir.toString(), "prune", "--older-than", "30d", "--reason", "nightly")).isZero();
        assertThat(out).contains("nothing to prune");
    }

    @Test
    void badUsageAndInputExitWithTwo() {
        assertThat(run("--registry", dir.toString(), "promote", "credit", "9", "production", "--reason", "x"))
                .isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("model 'credit' has no version 9; its versions are: 1, 2, 3");
        assertThat(run("--registry", dir.toString(), "promote", "credit", "1", "prod", "--reason", "x"))
                .isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("unknown stage 'prod'");
        assertThat(run("--registry", dir.toString(), "rollback", "credit", "production", "--reason", "x"))
                .isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("nothing to roll back");
        assertThat(run("--registry", dir.toString(), "promote", "credit", "1", "staging")).isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("--reason");
        assertThat(run("list")).isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("name one registry");
        assertThat(run("--registry", tmp.resolve("nowhere").toString(), "list")).isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(err).contains("no registry in");
        assertThat(run("--registry", dir.toString(), "prune", "--older-than", "soon", "--reason", "x"))
                .isEqualTo(RegistryCommand.BAD_INPUT);
        assertThat(run()).isEqualTo(RegistryCommand.BAD_INPUT);
    }

    @Test
    void anUnreachableDatabaseExitsWithThree() {
        int port = PostgresServer.freePort();
        assertThat(run("--url", "jdbc:postgresql://127.0.0.1:" + port + "/registry", "--artifacts",
                tmp.resolve("a").toString(), "list")).isEqualTo(RegistryCommand.UNAVAILABLE);
        assertThat(err).contains("cannot open the registry database").contains("check that the database server runs");
    }
}

package dev.attune.registry;

import dev.attune.AttuneException;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.PackageKeys;
import dev.attune.internal.io.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code attune-registry}: the operators' command line over a {@link ModelRegistry}. Subcommands
 * {@code register}, {@code list}, {@code show}, {@code promote}, {@code rollback}, {@code verify},
 * {@code prune} and {@code audit}; {@code --json} prints JSON instead of text. Exit codes: {@value #OK} done,
 * {@value #VERIFICATION_FAILED} verification found a missing or corrupted artifact,
 * {@value #BAD_INPUT} bad usage or input (an unknown model, version or stage, a refused change),
 * {@value #UNAVAILABLE} the registry cannot be read or written (database unreachable or read-only).
 */
@Command(name = "attune-registry", mixinStandardHelpOptions = true, version = "attune-registry 0.1.0-SNAPSHOT",
        description = "Registers, lists, shows, promotes, rolls back, verifies and prunes the versions of models in an"
                + " Attune model registry.",
        subcommands = {RegistryCommand.Register.class, RegistryCommand.ListVersions.class, RegistryCommand.Show.class, RegistryCommand.Promote.class,
                RegistryCommand.Rollback.class, RegistryCommand.Verify.class, RegistryCommand.Prune.class,
                RegistryCommand.Audit.class},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:verification found a missing or corrupted artifact",
                "2:bad usage or input", "3:the registry cannot be read or written"})
public final class RegistryCommand implements Callable<Integer> {
    /** Exit code: done. */
    public static final int OK = 0;
    /** Exit code: verification found a missing or corrupted artifact. */
    public static final int VERIFICATION_FAILED = 1;
    /** Exit code: bad usage or input. */
    public static final int BAD_INPUT = 2;
    /** Exit code: the registry cannot be read or written. */
    public static final int UNAVAILABLE = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--registry", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Folder of an embedded registry (registry.db and artifacts/).")
    Path registry;

    @Option(names = "--url", paramLabel = "JDBC_URL", scope = ScopeType.INHERIT,
            description = "PostgreSQL registry: jdbc:postgresql://host:port/database (with --artifacts).")
    String url;

    @Option(names = "--user", scope = ScopeType.INHERIT, description = "PostgreSQL user (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.name}")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", scope = ScopeType.INHERIT, defaultValue = "ATTUNE_REGISTRY_PASSWORD",
            description = "Environment variable holding the PostgreSQL password (default: ${DEFAULT-VALUE}).")
    String passwordVariable;

    @Option(names = "--artifacts", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Artifact folder of a PostgreSQL registry.")
    Path artifacts;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON instead of text.")
    boolean json;

    /** The command line, with its exit codes for refused input and unavailable registries. */
    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new RegistryCommand());
        line.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("attune-registry: " + e.getMessage());
            cl.getErr().flush();
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                return BAD_INPUT;
            }
            if (e instanceof AttuneException) {
                return UNAVAILABLE;
            }
            throw e;
        });
        return line;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: register, list, show, promote, rollback, verify, prune or audit");
    }

    ModelRegistry open(boolean change) {
        return open(change, false);
    }

    /** The registry named by the options; {@code create} makes a new embedded one where there is none. */
    ModelRegistry open(boolean change, boolean create) {
        if ((registry == null) == (url == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "name one registry: --registry DIR (embedded) or --url JDBC_URL with --artifacts DIR (PostgreSQL)");
        }
        if (registry != null) {
            if (!create && !Files.isRegularFile(registry.resolve(ModelRegistry.SQLITE_FILE))) {
                throw new IllegalArgumentException("no registry in " + registry + " (no " + ModelRegistry.SQLITE_FILE
                        + "); check --registry, or register a package first (register PACKAGE --reason WHY)");
            }
            return change ? ModelRegistry.sqlite(registry) : ModelRegistry.sqliteReadOnly(registry);
        }
        if (artifacts == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "a PostgreSQL registry needs --artifacts DIR");
        }
        String password = Optional.ofNullable(System.getenv(passwordVariable)).orElse("");
        return ModelRegistry.postgres(url, user, password, artifacts);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    static String text(ModelVersion v) {
        return String.format(Locale.ROOT, "%-4d %-10s %s  %10d B  %s  %s%s", v.version(),
                v.stage().map(Stage::label).orElse("-"), v.sha256().substring(0, 12), v.sizeBytes(), v.registeredAt(),
                v.registeredBy(), v.metrics().isEmpty() ? "" : "  " + v.metrics().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }

    static String text(AuditEntry e) {
        return String.format(Locale.ROOT, "%s  %s #%d  %-8s %-10s %s -> %s  by %s: %s", e.at(), e.model(), e.sequence(),
                e.action().name().toLowerCase(Locale.ROOT), e.stage().map(Stage::label).orElse("-"),
                e.fromVersion().isPresent() ? Integer.toString(e.fromVersion().getAsInt()) : "-",
                e.toVersion().isPresent() ? Integer.toString(e.toVersion().getAsInt()) : "-", e.who(), e.why());
    }

    static String text(Verification.Leftover l) {
        return "leftover " + l.kind().name().toLowerCase(Locale.ROOT) + " file " + l.file() + " (model " + l.model()
                + ", last written " + l.modified() + ")";
    }

    /** Common options of the commands that change the registry. */
    static final class Who {
        @Option(names = "--by", paramLabel = "WHO", defaultValue = "${sys:user.name}",
                description = "Who makes the change (default: ${DEFAULT-VALUE}).")
        String by;

        @Option(names = "--reason", paramLabel = "WHY", required = true, description = "Why, for the audit log.")
        String reason;

        Change change() {
            return Change.by(by, reason);
        }
    }

    @Command(name = "register", description = "Verifies a deployment package (*.attune) and registers it as the next"
            + " version of the model it names, with its metrics and provenance; the same file twice is one version."
            + " Creates an embedded registry where there is none.")
    static final class Register implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(index = "0", paramLabel = "PACKAGE", description = "The package file, written by ModelPackage.builder(...).write(path).")
        Path file;

        @Option(names = "--public-key", paramLabel = "PEM",
                description = "Accept only a package signed by this Ed25519 public key (X.509 PEM, as PackageKeys.writePublic writes it).")
        Path publicKey;

        @CommandLine.Mixin
        Who who;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("the package to register must be a file, got " + file
                        + (Files.exists(file) ? " (not a regular file)" : " (no such file)"));
            }
            ModelPackage pkg;
            try {
                pkg = publicKey == null ? ModelPackage.load(file) : ModelPackage.load(file, PackageKeys.readPublic(publicKey));
            } catch (AttuneException e) {
                // A refused package is bad input, not an unavailable registry.
                throw new IllegalArgumentException("refused to register " + file + ": " + e.getMessage(), e);
            }
            try (ModelRegistry r = parent.open(true, true)) {
                boolean known = r.versions(pkg.name()).stream().anyMatch(v -> v.sha256().equals(pkg.fileSha256()));
                ModelVersion v = r.register(pkg, who.change());
                parent.out().println(parent.json ? CommandJson.version(v) : known
                        ? file + " is already registered as " + v.label() + "; nothing changed"
                        : "registered " + file + " as " + v.label() + " (sha256 " + v.sha256().substring(0, 12) + ", "
                        + v.sizeBytes() + " B, " + v.metrics().size() + " metrics)");
            }
            return OK;
        }
    }

    @Command(name = "list", description = "Lists the models, or the versions of one model.")
    static final class ListVersions implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(arity = "0..1", paramLabel = "MODEL")
        String model;

        @Override
        public Integer call() {
            try (ModelRegistry r = parent.open(false)) {
                if (model == null) {
                    List<String> models = r.models();
                    if (parent.json) {
                        parent.out().println(models.stream().map(m -> "{\"model\":" + Json.quote(m) + ",\"versions\":"
                                + r.versions(m).size() + "}").collect(Collectors.joining(",", "[", "]")));
                    } else {
                        models.forEach(m -> parent.out().println(m + "  " + r.versions(m).size() + " versions"));
                    }
                } else {
                    List<ModelVersion> versions = r.versions(model);
                    if (versions.isEmpty() && !r.models().contains(model)) {
                        throw new IllegalArgumentException("there is no model '" + model + "' in the registry; models are: "
                                + String.join(", ", r.models()));
                    }
                    parent.out().println(parent.json ? versions.stream().map(CommandJson::version)
                            .collect(Collectors.joining(",", "[", "]"))
                            : versions.stream().map(RegistryCommand::text).collect(Collectors.joining("\n")));
                }
            }
            return OK;
        }
    }

    @Command(name = "show", description = "Shows one version, with its metrics and provenance.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION|STAGE", description = "A version number, or the stage that holds it.")
        String which;

        @Override
        public Integer call() {
            try (ModelRegistry r = parent.open(false)) {
                ModelVersion v;
                if (which.chars().allMatch(Character::isDigit)) {
                    v = r.version(model, Integer.parseInt(which));
                } else {
                    Stage stage = Stage.parse(which);
                    v = r.inStage(model, stage).orElseThrow(() -> new IllegalArgumentException(
                            "no version of '" + model + "' is in " + stage.label()));
                }
                if (parent.json) {
                    parent.out().println(CommandJson.version(v));
                } else {
                    parent.out().println(v.label() + "\n  stage:      " + v.stage().map(Stage::label).orElse("-")
                            + "\n  sha256:     " + v.sha256() + "\n  size:       " + v.sizeBytes() + " bytes"
                            + "\n  registered: " + v.registeredAt() + " by " + v.registeredBy()
                            + "\n  artifact:   " + r.artifact(v)
                            + v.metrics().entrySet().stream().map(e -> "\n  metric      " + e.getKey() + " = " + e.getValue())
                                    .collect(Collectors.joining())
                            + v.provenance().entrySet().stream().map(e -> "\n  provenance  " + e.getKey() + " = " + e.getValue())
                                    .collect(Collectors.joining()));
                }
            }
            return OK;
        }
    }

    @Command(name = "promote", description = "Moves a version into a stage (staging, production or archived).")
    static final class Promote implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION")
        int version;

        @Parameters(index = "2", paramLabel = "STAGE")
        String stage;

        @CommandLine.Mixin
        Who who;

        @Override
        public Integer call() {
            Stage target = Stage.parse(stage);
            try (ModelRegistry r = parent.open(true)) {
                ModelVersion v = r.promote(model, version, target, who.change());
                parent.out().println(parent.json ? CommandJson.version(v) : v.label() + " is now in " + target.label());
            }
            return OK;
        }
    }

    @Command(name = "rollback", description = "Puts back the version a stage held before its current one.")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "STAGE")
        String stage;

        @CommandLine.Mixin
        Who who;

        @Override
        public Integer call() {
            Stage target = Stage.parse(stage);
            try (ModelRegistry r = parent.open(true)) {
                ModelVersion v = r.rollback(model, target, who.change());
                parent.out().println(parent.json ? CommandJson.version(v) : target.label() + " of " + model + " is back at " + v.label());
            }
            return OK;
        }
    }

    @Command(name = "verify", description = "Checks that every artifact is present and hashes to its SHA-256 (and that each"
            + " deployment package passes its seal), and lists leftover files; exit code 1 when an artifact fails.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(arity = "0..1", paramLabel = "MODEL")
        String model;

        @Override
        public Integer call() {
            try (ModelRegistry r = parent.open(false)) {
                Verification v = model == null ? r.verify() : r.verify(model);
                if (parent.json) {
                    parent.out().println("{\"checked\":" + v.checked() + ",\"ok\":" + v.ok() + ",\"problems\":"
                            + v.problems().stream().map(CommandJson::problem).collect(Collectors.joining(",", "[", "]"))
                            + ",\"leftovers\":" + v.leftovers().stream().map(CommandJson::leftover)
                                    .collect(Collectors.joining(",", "[", "]")) + "}");
                } else {
                    v.problems().forEach(p -> parent.out().println(p.message()));
                    v.leftovers().forEach(l -> parent.out().println(text(l)));
                    parent.out().println(v.checked() + " versions checked, " + v.problems().size() + " problems, "
                            + v.leftovers().size() + " leftover files");
                }
                return v.ok() ? OK : VERIFICATION_FAILED;
            }
        }
    }

    @Command(name = "prune", description = "Removes archived versions beyond the newest N of each model, or archived longer than"
            + " an age, and the leftover files no version refers to once they are provably unused.")
    static final class Prune implements Callable<Integer> {
        private static final Pattern AGE = Pattern.compile("(\\d+)([dhm])");

        @ParentCommand
        RegistryCommand parent;

        @Option(names = "--keep-last", paramLabel = "N", description = "Archived versions to keep per model.")
        Integer keepLast;

        @Option(names = "--older-than", paramLabel = "AGE", description = "Archived for longer than AGE: 30d, 12h, 90m or ISO-8601 (P30D).")
        String olderThan;

        @CommandLine.Mixin
        Who who;

        @Override
        public Integer call() {
            Optional<Duration> age = Optional.ofNullable(olderThan).map(Prune::age);
            Retention retention = new Retention(keepLast == null ? java.util.OptionalInt.empty()
                    : java.util.OptionalInt.of(keepLast), age);
            try (ModelRegistry r = parent.open(true)) {
                ModelRegistry.Pruned done = r.pruneWithLeftovers(retention, who.change());
                List<ModelVersion> pruned = done.versions();
                if (parent.json) {
                    parent.out().println("{\"pruned\":" + pruned.stream().map(CommandJson::version).collect(Collectors.joining(",", "[", "]"))
                            + ",\"leftoversRemoved\":" + done.leftovers().stream().map(CommandJson::leftover)
                                    .collect(Collectors.joining(",", "[", "]")) + "}");
                } else {
                    parent.out().println(pruned.isEmpty() ? "nothing to prune"
                            : "pruned " + pruned.stream().map(ModelVersion::label).collect(Collectors.joining(", ")));
                    done.leftovers().forEach(l -> parent.out().println("removed " + text(l)));
                }
            }
            return OK;
        }

        static Duration age(String text) {
            Matcher m = AGE.matcher(text.trim());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofMinutes(n);
                };
            }
            try {
                return Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--older-than takes an age such as 30d, 12h, 90m or P30D, got '" + text + "'");
            }
        }
    }

    @Command(name = "audit", description = "Prints the audit log of one model, or of all.")
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        RegistryCommand parent;

        @Parameters(arity = "0..1", paramLabel = "MODEL")
        String model;

        @Override
        public Integer call() {
            try (ModelRegistry r = parent.open(false)) {
                List<AuditEntry> entries = model == null ? r.auditLog() : r.auditLog(model);
                parent.out().println(parent.json ? entries.stream().map(CommandJson::audit).collect(Collectors.joining(",", "[", "]"))
                        : entries.stream().map(RegistryCommand::text).collect(Collectors.joining("\n")));
            }
            return OK;
        }
    }
}

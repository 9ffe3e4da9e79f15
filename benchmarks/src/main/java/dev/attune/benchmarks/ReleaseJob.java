package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.data.Balancing;
import dev.attune.data.BundledTables;
import dev.attune.data.TabularData;
import dev.attune.deploy.ModelPackage;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.FairnessCheck;
import dev.attune.evaluation.FairnessMeasure;
import dev.attune.evaluation.Groups;
import dev.attune.evaluation.Metrics;
import dev.attune.registry.AuditEntry;
import dev.attune.registry.Change;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import dev.attune.registry.Verification;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The release job on German credit: fine-tunes the bias audit's pretrained network twice (plainly, and
 * reweighed by foreign worker), evaluates each with its fairness check by foreign worker, packages both
 * ({@code ModelPackage} with the tabular transform and the evaluation), registers them in a SQLite
 * registry, promotes v1 to production, promotes v2, compares v2's fairness check with v1's from the
 * metrics the registry took from the packages, rolls production back when v2 is worse, and prints
 * the audit log. The fairer model is v1, decided from the numbers of this run; the comparison after
 * the promotion reads the registry, not the training run. Results go to
 * {@code target/attune/release-job/results.json}, the registry to {@code target/attune/release-job/registry}.
 */
public final class ReleaseJob {
    static final String MODEL = "german-credit";
    static final String COLUMN = "foreign_worker";
    static final FairnessMeasure MEASURE = FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE;
    /** The manifest's (and so the registry's) metric of the fairness check the release is gated on. */
    static final String CHECK = "fairness." + COLUMN + "." + MEASURE.name().toLowerCase(Locale.ROOT);
    static final long SEED = 1;
    static final int GOOD = 0;
    static final String COMMAND = "mvn -B -DskipTests -Prelease-job verify";

    private ReleaseJob() {
    }

    /** A fine-tuned, evaluated and packaged model. */
    record Candidate(String fineTuning, ModelPackage pkg) {
        double check() {
            return metric(pkg.metrics(), CHECK, pkg.path().toString());
        }
    }

    /**
     * Whether to roll production back from v2 to v1, and why.
     *
     * @param rollBack whether v2 is worse on the fairness check than v1
     * @param reason   the comparison, in words, as the audit log records it
     */
    record Decision(boolean rollBack, String reason) {
    }

    /**
     * What one run did.
     *
     * @param candidates   v1 and v2, in order of registration
     * @param decision     the release gate's decision
     * @param versions     the registry's versions at the end
     * @param audit        the model's audit log
     * @param verification the registry's verification at the end
     */
    record Release(List<Candidate> candidates, Decision decision, List<ModelVersion> versions, List<AuditEntry> audit,
                   Verification verification) {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        run(Path.of("target/attune/release-job"), BiasAuditJob.EPOCHS, SEED, System.out);
    }

    /** Runs the job with {@code epochs} of fine-tuning into {@code out} (its registry is made afresh). */
    static Release run(Path out, int epochs, long seed, PrintStream console) throws IOException {
        TabularData train = BundledTables.GERMAN_CREDIT.train();
        TabularData test = BundledTables.GERMAN_CREDIT.test();
        GermanCreditRows rows = GermanCreditRows.of(train);
        console.println("release job: German credit, " + rows.fit().size() + " fine-tuning rows, " + test.size()
                + " test rows, seed " + seed + ", " + epochs + " epochs; " + BaseModels.threadSettings());
        Map<String, Groups> testColumns = new LinkedHashMap<>();
        BiasAuditJob.sensitive(test).forEach((column, g) -> testColumns.put(column, Groups.of(g.toArray(String[]::new))));
        deleteTree(out.resolve("registry"));
        deleteTree(out.resolve("packages"));
        Files.createDirectories(out.resolve("packages"));

        MultiLayerNetwork base = BiasAuditJob.pretrain(rows.unlabelled().features(), seed);
        Map<String, Candidate> made = new LinkedHashMap<>();
        for (String fineTuning : List.of("plain", "reweighed by " + COLUMN)) {
            FineTuner.Builder b = FineTuner.builder(base).replaceHead(2).optimizer(Optimizer.adam(1e-3))
                    .epochs(epochs).batchSize(32).seed(seed).metrics(Metrics.f1Macro());
            if (!fineTuning.equals("plain")) {
                b = b.balance(Balancing.reweigh(rows.fitGroups().get(COLUMN)));
            }
            FineTuneResult result = b.build().fit(rows.fit(), rows.validation());
            EvaluationReport.Builder report = EvaluationReport.builder(result, test.data()).classNames(test.classNames())
                    .positiveClass(GOOD);
            testColumns.forEach(report::groups);
            ModelPackage pkg = ModelPackage.builder(MODEL).from(result).tabular(train.transform())
                    .evaluation(report.build()).reproduceCommand(COMMAND)
                    .write(out.resolve("packages").resolve(fineTuning.equals("plain") ? "plain.attune" : "reweighed.attune"));
            Candidate c = new Candidate(fineTuning, pkg);
            made.put(fineTuning, c);
            console.printf(Locale.ROOT, "  %-27s accuracy %.3f  macro-F1 %.3f  %s %.3f (%s)  -> %s%n", fineTuning,
                    pkg.metrics().get("accuracy"), pkg.metrics().get("f1Macro"), CHECK, c.check(),
                    verdict(pkg.metrics().get(CHECK + ".verdict")), pkg.path().getFileName());
        }

        // v1 is the fairer model of this run, so that the story (a release that loses fairness and is rolled
        // back) is told with the run's own numbers, whichever way they fall.
        Candidate plain = made.get("plain");
        Candidate reweighed = made.get("reweighed by " + COLUMN);
        boolean reweighedFirst = !worse(plain.check(), reweighed.check());
        List<Candidate> order = reweighedFirst ? List.of(reweighed, plain) : List.of(plain, reweighed);
        console.printf(Locale.ROOT, "%s: reweighed %.3f, plain %.3f; v1 is the %s model, v2 the %s one%n", CHECK,
                reweighed.check(), plain.check(), order.get(0).fineTuning(), order.get(1).fineTuning());

        Decision decision;
        List<ModelVersion> versions;
        List<AuditEntry> audit;
        Verification verification;
        try (ModelRegistry registry = ModelRegistry.sqlite(out.resolve("registry"))) {
            ModelVersion v1 = registry.register(order.get(0).pkg().path(), Change.by("trainer", "v1: "
                    + (order.get(0) == plain ? "plain fine-tune" : "fine-tuned with reweighing by " + COLUMN)));
            ModelVersion v2 = registry.register(order.get(1).pkg().path(), Change.by("trainer", "v2: retrained "
                    + (order.get(1) == plain ? "without reweighing" : "with reweighing by " + COLUMN)));
            registry.promote(MODEL, v1.version(), Stage.PRODUCTION, Change.by("release-manager", "v1 passed review"));
            registry.promote(MODEL, v2.version(), Stage.PRODUCTION, Change.by("release-manager", "v2 replaces v1"));
            decision = decide(registry.version(MODEL, v1.version()), registry.version(MODEL, v2.version()));
            console.println("release gate: " + decision.reason());
            if (decision.rollBack()) {
                ModelVersion back = registry.rollback(MODEL, Stage.PRODUCTION, Change.by("release-gate", decision.reason()));
                console.println("rolled production back to " + back.label());
            }
            versions = registry.versions(MODEL);
            audit = registry.auditLog(MODEL);
            verification = registry.verify();
        }

        console.println();
        console.println("| version | fine-tuning | accuracy | macro-F1 | parity difference, foreign worker | verdict | stage |");
        console.println("|---|---|---:|---:|---:|---|---|");
        for (int i = 0; i < versions.size(); i++) {
            ModelVersion v = versions.get(i);
            console.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %s | %s |%n", v.label(), order.get(i).fineTuning(),
                    v.metrics().get("accuracy"), v.metrics().get("f1Macro"), v.metrics().get(CHECK),
                    verdict(v.metrics().get(CHECK + ".verdict")), v.stage().map(Stage::label).orElse("-"));
        }
        console.println();
        console.println("audit log of " + MODEL + ":");
        audit.forEach(e -> console.println("  " + text(e)));
        console.println("registry verification: " + verification.checked() + " versions checked, "
                + verification.problems().size() + " problems");

        Path results = out.resolve("results.json");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(results.toFile(),
                json(order, decision, versions, audit, verification, epochs, seed, out));
        console.println("wrote " + results + "; registry in " + out.resolve("registry"));
        return new Release(order, decision, versions, audit, verification);
    }

    /**
     * Whether the candidate is worse than the version it replaced on the fairness check, read from the
     * metrics each was registered with (its package's evaluation): a worse verdict, or the same verdict
     * and a value further from parity.
     *
     * @throws IllegalStateException when either version was registered without the fairness check
     */
    static Decision decide(ModelVersion previous, ModelVersion candidate) {
        double before = metric(previous.metrics(), CHECK, previous.label());
        double after = metric(candidate.metrics(), CHECK, candidate.label());
        double verdictBefore = metric(previous.metrics(), CHECK + ".verdict", previous.label());
        double verdictAfter = metric(candidate.metrics(), CHECK + ".verdict", candidate.label());
        boolean worse = verdictAfter > verdictBefore || (verdictAfter == verdictBefore && worse(before, after));
        String reason = String.format(Locale.ROOT, "%s's %s is %.3f (%s) against %.3f (%s) for %s: %s", candidate.label(),
                CHECK, after, verdict(verdictAfter), before, verdict(verdictBefore), previous.label(),
                worse ? "worse, roll production back" : "not worse, keep it in production");
        return new Decision(worse, reason);
    }

    /** Whether {@code after} is further from parity than {@code before} on the gate's measure. */
    static boolean worse(double before, double after) {
        return MEASURE.isRatio() ? after < before : after > before;
    }

    private static double metric(Map<String, Double> metrics, String name, String of) {
        Double value = metrics.get(name);
        if (value == null) {
            throw new IllegalStateException(of + " has no metric " + name + "; its package's evaluation needs the group"
                    + " column " + COLUMN + " (EvaluationReport.Builder.groups) on a binary task");
        }
        return value;
    }

    private static String verdict(double ordinal) {
        return FairnessCheck.Verdict.values()[(int) ordinal].name().toLowerCase(Locale.ROOT);
    }

    static String text(AuditEntry e) {
        return String.format(Locale.ROOT, "#%d %s %-8s %-10s %s -> %s  by %s: %s", e.sequence(), e.at(),
                e.action().name().toLowerCase(Locale.ROOT), e.stage().map(Stage::label).orElse("-"),
                e.fromVersion().isPresent() ? "v" + e.fromVersion().getAsInt() : "-",
                e.toVersion().isPresent() ? "v" + e.toVersion().getAsInt() : "-", e.who(), e.why());
    }

    private static Map<String, Object> json(List<Candidate> order, Decision decision, List<ModelVersion> versions,
            List<AuditEntry> audit, Verification verification, int epochs, long seed, Path out) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job", "release-job");
        json.put("command", COMMAND);
        json.put("environment", BaseModels.threadSettings());
        json.put("protocol", Map.of("data", "German credit (BundledTables.GERMAN_CREDIT), rows as in the bias audit",
                "seed", seed, "epochs", epochs, "optimizer", "Adam 1e-3, batch 32, last epoch",
                "gate", CHECK + " (verdict, then value)"));
        json.put("registry", out.resolve("registry").toString());
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            ModelVersion v = versions.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", v.version());
            m.put("fineTuning", order.get(i).fineTuning());
            m.put("package", order.get(i).pkg().path().toString());
            m.put("sha256", v.sha256());
            m.put("packageContentSha256", v.provenance().get(ModelRegistry.PACKAGE_SHA256));
            m.put("stage", v.stage().map(Stage::label).orElse(null));
            m.put("metrics", v.metrics());
            list.add(m);
        }
        json.put("versions", list);
        json.put("decision", Map.of("rollBack", decision.rollBack(), "reason", decision.reason()));
        List<Map<String, Object>> log = new ArrayList<>();
        for (AuditEntry e : audit) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sequence", e.sequence());
            m.put("at", e.at().toString());
            m.put("who", e.who());
            m.put("action", e.action().name().toLowerCase(Locale.ROOT));
            m.put("stage", e.stage().map(Stage::label).orElse(null));
            m.put("fromVersion", e.fromVersion().isPresent() ? e.fromVersion().getAsInt() : null);
            m.put("toVersion", e.toVersion().isPresent() ? e.toVersion().getAsInt() : null);
            m.put("why", e.why());
            log.add(m);
        }
        json.put("audit", log);
        json.put("verification", Map.of("checked", verification.checked(), "ok", verification.ok()));
        return json;
    }

    /** Deletes {@code dir} and all it holds; nothing when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.deploy.InputKind;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.PackageBuilder;
import dev.attune.evaluation.Bootstrap;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.evaluation.DriftReport;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.registry.Change;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Retrains the model a registry serves in production when the world moves, under a {@link RetrainPolicy}.
 *
 * <pre>{@code
 * Retrainer retrainer = Retrainer.builder(registry, "digits", policy)
 *         .fineTuning(serving -> FineTuner.builder(serving).epochs(3).seed(1).build())
 *         .packaging(p -> p.image(255f, 784))
 *         .workDir(Path.of("challengers"))
 *         .driftReference((network, recent) -> DriftReference.builder().features(names, rows(recent)).build())
 *         .monitor(monitor)                                       // rebased on each promotion and rollback
 *         .build();
 * retrainer.feedback(labelled);                                  // labelled live examples, as they come
 * List<RetrainEvent> events = retrainer.check(monitor.report()); // drift and feedback accuracy: retrain if crossed
 * }</pre>
 *
 * <p>The serving model is the version the registry holds in {@link Stage#PRODUCTION}, a deployment
 * package of a whole model. {@link #feedback} scores it on labelled live examples (the accuracy the
 * policy's trigger and rollback watch read) and keeps the most recent ones to train on.
 * {@link #check} looks at the triggers; when one is crossed (and no cool-down or promotion watch
 * holds it back) it runs one retraining:
 * <ol>
 *   <li>fine-tunes a challenger from the serving version's network on the recent labelled examples
 *       (less those held out, when no fixed held-out set was given);</li>
 *   <li>compares it with the serving version on the held-out examples: accuracy of both, a paired
 *       bootstrap of the difference ({@link Bootstrap#compare}) and McNemar's exact test;</li>
 *   <li>packages it ({@link ModelPackage#builder}: the serving package's class names, the
 *       preprocessing, an evaluation on the held-out examples) and registers it; the audit entry's
 *       reason holds the trigger, the training and the comparison with their figures;</li>
 *   <li>promotes it to production when its accuracy is higher by at least the policy's margin (and
 *       significantly so when the policy asks), else archives it; either way the audit entry says why,
 *       with the figures.</li>
 * </ol>
 * After a promotion, with a rollback watch in the policy, the next labelled examples are the watch:
 * once there are enough, production is rolled back ({@link ModelRegistry#rollback}) if their accuracy
 * is below the policy's threshold.
 *
 * <p>Drift is measured against the world the serving version was trained for. With
 * {@link Builder#driftReference}, each challenger's package carries a drift reference
 * ({@link PackageBuilder#driftReference}) built from the most recent labelled examples
 * ({@link RetrainPolicy#referenceExamples()}, the world it is trained for now, not the older examples it is
 * also trained on), so the registered version itself says what its traffic should look like. On a
 * promotion, and on a rollback (back to the restored version's own reference), the {@link Builder#monitor}
 * given to the builder is {@linkplain DriftMonitor#rebase rebased}: its window is emptied and it
 * compares with the serving version's reference from then on, keeping its thresholds, so whoever holds it
 * (a metrics exporter, the caller's {@code check(monitor)}) goes on using the same object. The reference
 * is also in the {@link RetrainEvent.Promoted} and {@link RetrainEvent.RolledBack} events and in
 * {@link #driftReference()}, for a caller who keeps its monitors itself. The version serving when the
 * retrainer is built, when its package carries no reference, has the monitor's reference of that time.
 *
 * <p>Each decision comes back as a {@link RetrainEvent} from the call that took it, and goes to the
 * listeners. Not thread-safe: call it from one thread (or synchronise).
 */
public final class Retrainer {
    private final ModelRegistry registry;
    private final String model;
    private final RetrainPolicy policy;
    private final Function<Network, FineTuner> fineTuning;
    private final LabeledData heldOut;
    private final UnaryOperator<PackageBuilder> packaging;
    private final Path workDir;
    private final List<Consumer<? super RetrainEvent>> listeners;
    private final BiFunction<Network, LabeledData, DriftReference> referenceOf;
    private final DriftMonitor monitor;
    private final int firstVersion;
    private final DriftReference firstReference;

    private ModelVersion serving;
    private ModelPackage servingPackage;
    private Network servingNetwork;
    private DriftReference servingReference;
    private final RecentExamples recent;
    private final ArrayDeque<Boolean> window = new ArrayDeque<>();
    private long sinceRetraining = -1;
    private ModelVersion watched;
    private int watchCount;
    private int watchRight;
    private LabeledData lastTraining;

    private Retrainer(Builder b) {
        this.registry = b.registry;
        this.model = b.model;
        this.policy = b.policy;
        this.fineTuning = b.fineTuning;
        this.heldOut = b.heldOut;
        this.packaging = b.packaging;
        this.workDir = b.workDir;
        this.listeners = List.copyOf(b.listeners);
        this.referenceOf = b.referenceOf;
        this.monitor = b.monitor;
        ModelVersion first = registry.inStage(model, Stage.PRODUCTION).orElseThrow(() -> new IllegalStateException(
                "model '" + model + "' has no version in production, so there is nothing to retrain; register its"
                        + " package and promote it to production first"));
        this.firstVersion = first.version();
        this.firstReference = monitor == null ? null : monitor.reference();
        loadServing(first);
        if (monitor != null && !monitor.reference().sameSchema(servingReference)) {
            throw new IllegalArgumentException("the monitor compares rows of " + monitor.reference() + " "
                    + monitor.reference().featureNames() + " but the package of " + serving.label() + " carries "
                    + servingReference + " " + servingReference.featureNames() + "; give a monitor of the serving"
                    + " package's reference (DriftMonitor.builder(package.driftReference().orElseThrow()))");
        }
        this.recent = new RecentExamples(policy.recentExamples(), servingNetwork.numOutputs());
        if (heldOut != null) {
            requireModelClasses("the held-out set", heldOut.numClasses());
            servingNetwork.predict(heldOut); // refuses features the model cannot take, naming the expected shape
        }
    }

    /**
     * A builder of a retrainer of the model {@code model} of {@code registry}, under {@code policy}.
     * It needs {@link Builder#fineTuning} (or {@link Builder#fineTuner}) and {@link Builder#workDir}.
     */
    public static Builder builder(ModelRegistry registry, String model, RetrainPolicy policy) {
        return new Builder(registry, model, policy);
    }

    /** The policy. */
    public RetrainPolicy policy() {
        return policy;
    }

    /** The version in production now. */
    public ModelVersion serving() {
        return serving;
    }

    /** The network of the version in production now, as its package holds it. */
    public Network servingNetwork() {
        return servingNetwork;
    }

    /** The serving model's accuracy on the feedback window, once the window is full (empty without the accuracy trigger). */
    public OptionalDouble feedbackAccuracy() {
        if (policy.accuracyWindow() == 0 || window.size() < policy.accuracyWindow()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(window.stream().filter(b -> b).count() / (double) window.size());
    }

    /** The labelled live examples kept to train on. */
    public int recentExamples() {
        return recent.size();
    }

    /** The version whose promotion is being watched, if any. */
    public Optional<ModelVersion> watching() {
        return Optional.ofNullable(watched);
    }

    /**
     * The drift reference of the version in production now: the one its package carries (for the version
     * serving when the retrainer was built and whose package carries none, the monitor's reference of
     * that time); empty when there is none.
     */
    public Optional<DriftReference> driftReference() {
        return Optional.ofNullable(servingReference);
    }

    /** The monitor the retrainer rebases on each promotion and rollback ({@link Builder#monitor}), if any. */
    public Optional<DriftMonitor> monitor() {
        return Optional.ofNullable(monitor);
    }

    /**
     * The examples the last challenger was trained on (its drift reference is built from the most recent
     * ones only: see {@link #driftReference()}).
     */
    public Optional<LabeledData> lastTrainingData() {
        return Optional.ofNullable(lastTraining);
    }

    /**
     * Labelled live examples: scored by the serving model (the feedback accuracy, and the watch of a
     * promotion, which may roll it back here), and kept for training.
     *
     * @return the decisions taken: a {@link RetrainEvent.RolledBack} or {@link RetrainEvent.WatchPassed}
     *     when this feedback completes a promotion's watch; otherwise none
     * @throws IllegalArgumentException when the examples are of another number of classes than the
     *     model's, or of a shape it cannot take
     */
    public List<RetrainEvent> feedback(LabeledData labelled) {
        requireNonNull(labelled, "labelled");
        requireModelClasses("the feedback", labelled.numClasses());
        Predictions p = servingNetwork.predict(labelled);
        recent.add(labelled);
        List<RetrainEvent> events = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            boolean right = p.predicted(i) == p.actual(i);
            if (policy.accuracyWindow() > 0) {
                window.addLast(right);
                while (window.size() > policy.accuracyWindow()) {
                    window.removeFirst();
                }
            }
            if (sinceRetraining >= 0) {
                sinceRetraining++;
            }
            if (watched != null) {
                watchCount++;
                watchRight += right ? 1 : 0;
                if (watchCount == policy.watchExamples()) {
                    emit(events, endWatch());
                    if (events.get(events.size() - 1) instanceof RetrainEvent.RolledBack) {
                        break; // the rest of the batch was answered by the version rolled back
                    }
                }
            }
        }
        return events;
    }

    /**
     * Labelled live examples as features ({@code [n, ...]}, examples along dimension 0) and class
     * indices; see {@link #feedback(LabeledData)}.
     *
     * @throws IllegalArgumentException for no examples, as many labels as rows, or a label outside the
     *     model's classes
     */
    public List<RetrainEvent> feedback(INDArray features, int[] labels) {
        requireNonNull(features, "features");
        requireNonNull(labels, "labels");
        if (labels.length == 0 || features.rank() == 0 || features.size(0) == 0) {
            throw new IllegalArgumentException("the feedback holds no examples (" + labels.length + " labels, features of"
                    + " shape " + java.util.Arrays.toString(features.shape()) + "); pass at least one labelled example");
        }
        return feedback(LabeledData.of(features, labels, servingNetwork.numOutputs()));
    }

    /**
     * Checks the feedback-accuracy trigger alone (for a policy without drift, or when no drift was measured).
     *
     * @return the decisions taken, in order; empty when nothing triggered
     * @throws RuntimeException what the fine-tuning, the packaging or the registry throws (for example an
     *     {@code IllegalArgumentException} from {@code FineTuner.fit}); the decisions taken before it have been
     *     given to the listeners, and nothing after it is registered or promoted
     */
    public List<RetrainEvent> check() {
        return run(null);
    }

    /**
     * Checks the triggers: the drift report (at the policy's level or worse) and the feedback accuracy.
     *
     * @return the decisions taken, in order; empty when nothing triggered
     * @throws RuntimeException what the fine-tuning, the packaging or the registry throws (for example an
     *     {@code IllegalArgumentException} from {@code FineTuner.fit}); the decisions taken before it have been
     *     given to the listeners, and nothing after it is registered or promoted
     */
    public List<RetrainEvent> check(DriftReport drift) {
        return run(requireNonNull(drift, "drift"));
    }

    /**
     * Checks the triggers on the monitor's current report (none while its window is empty) and the feedback accuracy.
     *
     * @return the decisions taken, in order; empty when nothing triggered
     * @throws RuntimeException what the fine-tuning, the packaging or the registry throws (for example an
     *     {@code IllegalArgumentException} from {@code FineTuner.fit}); the decisions taken before it have been
     *     given to the listeners, and nothing after it is registered or promoted
     */
    public List<RetrainEvent> check(DriftMonitor monitor) {
        requireNonNull(monitor, "monitor");
        return run(monitor.size() == 0 ? null : monitor.report());
    }

    private List<RetrainEvent> run(DriftReport drift) {
        List<RetrainEvent> events = new ArrayList<>();
        if (watched != null || (sinceRetraining >= 0 && sinceRetraining < policy.cooldown())) {
            return events;
        }
        List<String> reasons = new ArrayList<>();
        if (drift != null && policy.driftLevel().isPresent() && drift.level().compareTo(policy.driftLevel().get()) >= 0) {
            String crossed = drift.crossings().stream().limit(3).map(Object::toString)
                    .reduce((a, c) -> a + ", " + c).orElse("");
            reasons.add(String.format(Locale.ROOT, "drift at %s (policy: %s or worse) over %d rows%s", drift.level(),
                    policy.driftLevel().get(), drift.rows(), crossed.isEmpty() ? "" : ": " + crossed));
        }
        OptionalDouble accuracy = feedbackAccuracy();
        if (accuracy.isPresent() && accuracy.getAsDouble() < policy.accuracyThreshold().orElseThrow()) {
            reasons.add(String.format(Locale.ROOT, "feedback accuracy %.4f over the last %d labelled examples is below"
                    + " %.4f", accuracy.getAsDouble(), policy.accuracyWindow(), policy.accuracyThreshold().orElseThrow()));
        }
        if (reasons.isEmpty()) {
            return events;
        }
        String reason = String.join("; ", reasons);
        if (recent.size() < policy.minTrainingExamples()) {
            emit(events, new RetrainEvent.Deferred(reason, recent.size(), policy.minTrainingExamples()));
            return events;
        }
        RetrainEvent.Triggered triggered = new RetrainEvent.Triggered(reason, Optional.ofNullable(drift), accuracy);
        emit(events, triggered);
        retrain(triggered, events);
        sinceRetraining = 0;
        return events;
    }

    private void retrain(RetrainEvent.Triggered triggered, List<RetrainEvent> events) {
        LabeledData train;
        LabeledData test;
        if (heldOut != null) {
            train = recent.all();
            test = heldOut;
        } else {
            LabeledData[] parts = recent.split(policy.holdOutShare(), policy.seed());
            train = parts[0];
            test = parts[1];
        }
        ModelVersion from = serving;
        FineTuner tuner = requireNonNull(fineTuning.apply(servingNetwork), "the fine-tuning function returned null");
        FineTuneResult result = tuner.fit(train);
        lastTraining = train;
        RetrainEvent.Trained trained = new RetrainEvent.Trained(from.version(), train.size(), result.history().size(),
                result.wallTime());
        emit(events, trained);

        RetrainEvent.Compared compared = ChallengerComparison.compare(test.size(), result.model().predict(test),
                servingNetwork.predict(test), policy);
        emit(events, compared);

        DriftReference reference = null;
        if (referenceOf != null) {
            LabeledData now = recent.latest(policy.referenceExamples());
            reference = requireNonNull(referenceOf.apply(result.model(), now),
                    "the drift reference function returned null");
            if (monitor != null && !monitor.reference().sameSchema(reference)) {
                throw new IllegalStateException("the drift reference built for the challenger, " + reference + " "
                        + reference.featureNames() + ", does not fit the monitor, which compares rows of "
                        + monitor.reference() + " " + monitor.reference().featureNames() + "; build it of the"
                        + " monitor's features, embeddings and predictions");
            }
        }
        ModelPackage pkg = write(result, test, reference);
        ModelVersion registered = registry.register(pkg, Change.by(policy.actor(), "retrained challenger of "
                + from.label() + ": " + triggered.summary() + "; " + trained.summary() + "; " + compared.summary()));
        emit(events, new RetrainEvent.Registered(registered));

        Optional<String> refusal = ChallengerComparison.refusal(compared, policy);
        if (refusal.isPresent()) {
            String why = refusal.get();
            ModelVersion archived = registry.promote(model, registered.version(), Stage.ARCHIVED,
                    Change.by(policy.actor(), "rejected: " + why));
            emit(events, new RetrainEvent.Rejected(archived, why));
            return;
        }
        String why = ChallengerComparison.acceptance(compared, policy);
        ModelVersion promoted = registry.promote(model, registered.version(), Stage.PRODUCTION,
                Change.by(policy.actor(), "promoted over " + from.label() + ": " + why));
        switchTo(promoted);
        if (policy.watchExamples() > 0) {
            watched = promoted;
            watchCount = 0;
            watchRight = 0;
        }
        emit(events, new RetrainEvent.Promoted(promoted, from.version(), why, driftReference()));
    }

    private RetrainEvent endWatch() {
        ModelVersion version = watched;
        double accuracy = watchRight / (double) watchCount;
        int examples = watchCount;
        watched = null;
        double threshold = policy.rollbackThreshold().orElseThrow();
        if (accuracy >= threshold) {
            return new RetrainEvent.WatchPassed(version, accuracy, examples);
        }
        String why = String.format(Locale.ROOT, "live accuracy %.4f on the %d labelled examples after the promotion of %s"
                + " is below the rollback threshold %.4f", accuracy, examples, version.label(), threshold);
        ModelVersion restored = registry.rollback(model, Stage.PRODUCTION, Change.by(policy.actor(), "rolled back: " + why));
        switchTo(restored);
        return new RetrainEvent.RolledBack(restored, version.version(), accuracy, examples, why, driftReference());
    }

    /** Serves the version now in production: loads it, starts a fresh feedback window and rebases the monitor. */
    private void switchTo(ModelVersion version) {
        loadServing(version);
        window.clear();
        rebaseMonitor();
    }

    /** Points the monitor at the serving version's reference; left as it is when that version has none. */
    private void rebaseMonitor() {
        if (monitor != null && servingReference != null) {
            monitor.rebase(servingReference);
        }
    }

    private ModelPackage write(FineTuneResult result, LabeledData test, DriftReference reference) {
        List<String> classes = servingPackage.classNames();
        EvaluationReport evaluation = EvaluationReport.builder(result, test).classNames(classes)
                .resamples(policy.resamples()).build();
        PackageBuilder b = ModelPackage.builder(model).from(result).classNames(classes).evaluation(evaluation);
        if (reference != null) {
            b = b.driftReference(reference);
        }
        if (packaging != null) {
            b = requireNonNull(packaging.apply(b), "the packaging function returned null");
        } else if (servingPackage.input().kind() == InputKind.TABULAR) {
            b = b.tabular(servingPackage.tabularTransform().orElseThrow());
        } else {
            throw new IllegalStateException("the serving package of " + serving.label() + " takes "
                    + servingPackage.input().kind() + " input, whose preprocessing is not copied; give the retrainer"
                    + " packaging(p -> p.image(255f, 784)) or packaging(p -> p.text(tokenizerJson, maxLength))");
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new AttuneException("cannot create the retrainer's folder " + workDir + ": " + e.getMessage(), e);
        }
        return b.write(workDir.resolve(model + "-challenger-" + UUID.randomUUID() + ".attune"));
    }

    private void loadServing(ModelVersion version) {
        ModelPackage pkg;
        try {
            pkg = ModelPackage.load(registry.artifact(version));
        } catch (AttuneException e) {
            throw new AttuneException(version.label() + " in production is not a readable deployment package ("
                    + e.getMessage() + "); the retrainer serves registered packages (ModelRegistry.register(packageFile,"
                    + " change))", e);
        }
        if (pkg.isAdapter()) {
            throw new IllegalStateException(version.label() + " is an adapter package; the retrainer fine-tunes whole"
                    + " models: package the merged model (ModelPackage.builder(name).from(result))");
        }
        this.servingPackage = pkg;
        this.servingNetwork = pkg.network();
        this.serving = version;
        this.servingReference = pkg.driftReference()
                .orElse(version.version() == firstVersion ? firstReference : null);
    }

    private void requireModelClasses(String what, int classes) {
        int outputs = servingNetwork.numOutputs();
        if (classes != outputs) {
            throw new IllegalArgumentException(what + " has " + classes + " classes but the serving model "
                    + serving.label() + " has " + outputs + " (" + String.join(", ", servingPackage.classNames())
                    + "); give examples labelled with the model's " + outputs + " classes");
        }
    }

    private void emit(List<RetrainEvent> events, RetrainEvent event) {
        events.add(event);
        listeners.forEach(l -> l.accept(event));
    }

    /** Builds a {@link Retrainer}. */
    public static final class Builder {
        private final ModelRegistry registry;
        private final String model;
        private final RetrainPolicy policy;
        private Function<Network, FineTuner> fineTuning;
        private LabeledData heldOut;
        private UnaryOperator<PackageBuilder> packaging;
        private Path workDir;
        private final List<Consumer<? super RetrainEvent>> listeners = new ArrayList<>();
        private BiFunction<Network, LabeledData, DriftReference> referenceOf;
        private DriftMonitor monitor;

        private Builder(ModelRegistry registry, String model, RetrainPolicy policy) {
            this.registry = requireNonNull(registry, "registry");
            this.model = requireNonNull(model, "model");
            this.policy = requireNonNull(policy, "policy");
        }

        /**
         * How a challenger is fine-tuned: a function of the serving version's network (the one in
         * production at the time) to the fine-tuner that starts from it.
         */
        public Builder fineTuning(Function<Network, FineTuner> fromServing) {
            this.fineTuning = requireNonNull(fromServing, "fromServing");
            return this;
        }

        /**
         * One fixed fine-tuner for every challenger, starting from its own base network each time;
         * prefer {@link #fineTuning}, which starts from whatever version serves.
         */
        public Builder fineTuner(FineTuner tuner) {
            requireNonNull(tuner, "tuner");
            this.fineTuning = serving -> tuner;
            return this;
        }

        /**
         * A fixed held-out set for every comparison, labelled with the model's classes; without it
         * the policy's held-out share of the recent examples is used.
         */
        public Builder heldOut(LabeledData examples) {
            this.heldOut = requireNonNull(examples, "examples");
            return this;
        }

        /**
         * The preprocessing (and anything else) of a challenger's package, such as
         * {@code p -> p.image(255f, 784)}; a tabular serving package's transform is copied without it.
         */
        public Builder packaging(UnaryOperator<PackageBuilder> options) {
            this.packaging = requireNonNull(options, "options");
            return this;
        }

        /** The folder challengers' package files are written to (created when missing). */
        public Builder workDir(Path folder) {
            this.workDir = requireNonNull(folder, "folder");
            return this;
        }

        /**
         * How a challenger's drift reference is built: a function of its network (for
         * {@code DriftReference.Builder.predictions}) and the most recent labelled examples
         * ({@link RetrainPolicy#referenceExamples()} of them) to the reference, such as
         * {@code (network, recent) -> DriftReference.builder().features(names, rows(recent)).build()}. The
         * challenger's package carries it; once promoted, the {@link #monitor} compares with it. Without it
         * packages carry no reference and no monitor is rebased.
         */
        public Builder driftReference(BiFunction<Network, LabeledData, DriftReference> fromRecent) {
            this.referenceOf = requireNonNull(fromRecent, "fromRecent");
            return this;
        }

        /**
         * The drift monitor of the served traffic, which the retrainer {@linkplain DriftMonitor#rebase rebases}
         * on each promotion (onto the promoted package's reference) and rollback (onto the restored version's
         * own); pass it to {@link Retrainer#check(DriftMonitor)} too. Needs {@link #driftReference}.
         */
        public Builder monitor(DriftMonitor driftMonitor) {
            this.monitor = requireNonNull(driftMonitor, "driftMonitor");
            return this;
        }

        /** Called with each decision as it is taken. */
        public Builder listener(Consumer<? super RetrainEvent> listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The retrainer, serving the registry's production version of the model.
         *
         * @throws IllegalStateException    when no fine-tuning or work folder is given, a monitor is given without
         *                                  a drift reference function, or the model has no version in production
         * @throws IllegalArgumentException when the held-out set has other classes than the model or a
         *                                  shape it cannot take, or the monitor's reference is of another schema
         *                                  than the one the serving package carries
         */
        public Retrainer build() {
            if (fineTuning == null) {
                throw new IllegalStateException("the retrainer needs to know how to fine-tune a challenger; call"
                        + " fineTuning(serving -> FineTuner.builder(serving).epochs(3).build())");
            }
            if (workDir == null) {
                throw new IllegalStateException("the retrainer needs a folder for challengers' packages; call"
                        + " workDir(Path.of(\"challengers\"))");
            }
            if (monitor != null && referenceOf == null) {
                throw new IllegalStateException("a monitor to rebase after a promotion needs the challenger's drift"
                        + " reference; call driftReference((network, recent) -> DriftReference.builder()"
                        + ".features(names, rows(recent)).build())");
            }
            return new Retrainer(this);
        }
    }
}

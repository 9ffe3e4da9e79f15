package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.AdapterMethod;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fine-tunes a pretrained network: the entry point of Attune.
 *
 * <pre>{@code
 * FineTuneResult result = FineTuner.builder(Network.load(baseZip))
 *         .replaceHead(10)
 *         .freeze(Freeze.allExcept("head"))
 *         .optimizer(Optimizer.adamW(1e-3))
 *         .epochs(20).batchSize(64).seed(42)
 *         .metrics(Metrics.accuracy(), Metrics.f1Macro())
 *         .earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(3))
 *         .listener(Progress.console())
 *         .build()
 *         .fit(train, validation);
 * }</pre>
 *
 * A {@code FineTuner} is immutable and may fit several times; every {@link #fit} starts from the
 * base model's weights (or, with {@link Builder#resumeFrom}, from the run checkpoint it continues) and
 * never changes the base model.
 */
public final class FineTuner {
    private final Network base;
    private final int headClasses;
    private final String headName;
    private final FreezePolicy freeze;
    private final Optimizer optimizer;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final EarlyStopping earlyStopping;
    private final List<Metric> metrics;
    private final CheckpointStore checkpoints;
    private final boolean resume;
    private final List<TrainingListener> listeners;
    private final AdapterMethod adapter;
    private final Balancer balancer;
    private final TrainingDataCheck audit;
    private final LeakagePolicy leakage;
    private final TrainingControls controls;
    private final List<StopCondition> stopConditions;

    private FineTuner(Builder b) {
        this.base = b.base;
        this.headClasses = b.headClasses == null ? 0 : b.headClasses;
        this.headName = b.headName;
        this.adapter = b.adapter;
        this.balancer = b.balancer;
        this.audit = b.audit;
        this.freeze = b.freeze != null ? b.freeze
                : adapter == null ? Freeze.none()
                : headClasses > 0 ? Freeze.all().andUnfreeze(headName) : Freeze.all();
        this.optimizer = b.optimizer == null ? Optimizer.adam(1e-3) : b.optimizer;
        this.epochs = b.epochs == null ? 10 : b.epochs;
        this.batchSize = b.batchSize == null ? 32 : b.batchSize;
        this.seed = b.seed == null ? 42 : b.seed;
        this.earlyStopping = b.earlyStopping;
        List<Metric> m = new ArrayList<>(b.metrics);
        if (earlyStopping != null) {
            for (Metric x : earlyStopping.metrics()) {
                if (m.stream().noneMatch(y -> y.name().equals(x.name()))) {
                    m.add(x);
                }
            }
        }
        this.metrics = List.copyOf(m);
        this.checkpoints = b.checkpoints;
        this.resume = b.resume;
        this.listeners = List.copyOf(b.listeners);
        this.leakage = b.leakage == null ? LeakagePolicy.REFUSE : b.leakage;
        this.controls = b.controls();
        this.stopConditions = List.copyOf(b.stopConditions);
    }

    /** Starts a fine-tuning set-up from a base network. */
    public static Builder builder(Network base) {
        return new Builder(requireNonNull(base, "base"));
    }

    /** Starts a fine-tuning set-up from a multi-layer network; the network is never modified. */
    public static Builder builder(MultiLayerNetwork base) {
        return builder(Network.of(base));
    }

    /** Starts a fine-tuning set-up from a computation graph; the graph is never modified. */
    public static Builder builder(ComputationGraph base) {
        return builder(Network.of(base));
    }

    /**
     * Fine-tunes without a validation set.
     *
     * @throws IllegalArgumentException when early stopping is configured (it needs validation data)
     */
    public FineTuneResult fit(LabeledData train) {
        return fit(train, null);
    }

    /**
     * Fine-tunes on {@code train}, measuring the loss and the metrics on {@code validation} after
     * every epoch. Starts from the base model's weights every time.
     *
     * <p>Validation examples whose features equal a training example's bit for bit are looked for
     * first (labels are not compared): by default ({@link LeakagePolicy#REFUSE}) they stop the fit;
     * see {@link Builder#leakage}.
     *
     * @param train the training examples; at least two classes
     * @param validation the validation examples, or {@code null}
     * @throws IllegalArgumentException when the data does not fit the model or the set-up, or, under
     *     {@link LeakagePolicy#REFUSE}, when validation examples are exact copies of training examples
     * @throws IllegalStateException when the training data fails the {@link Builder#audit} check
     */
    public FineTuneResult fit(LabeledData train, LabeledData validation) {
        requireNonNull(train, "train");
        checkData(train, validation);
        List<TrainingListener.Warning> warnings = leakageWarnings(train, validation);
        if (audit != null) {
            audit.check(train);
        }
        return new Trainer(this).run(train, validation, warnings);
    }

    /**
     * {@link #fit(LabeledData, LabeledData)} with each step's gradients computed where {@code exchange}
     * says (data-parallel training, as {@code attune-spark} runs it): the run is the same (balancing, early
     * stopping, metrics, checkpoints, provenance) and takes the optimizer's step here, under the controlled
     * update.
     *
     * @param exchange where the gradients are computed
     * @throws IllegalArgumentException as {@link #fit(LabeledData, LabeledData)}
     */
    public FineTuneResult fit(LabeledData train, LabeledData validation, dev.attune.spi.GradientExchange exchange) {
        requireNonNull(train, "train");
        requireNonNull(exchange, "exchange");
        checkData(train, validation);
        List<TrainingListener.Warning> warnings = leakageWarnings(train, validation);
        if (audit != null) {
            audit.check(train);
        }
        return new Trainer(this, exchange).run(train, validation, warnings);
    }

    /**
     * {@link #fit(LabeledData, LabeledData, dev.attune.spi.GradientExchange)} on training rows whose features
     * are held elsewhere (on Spark's executors, as {@code attune-spark} runs it) and never come here: the
     * checks use what the holder computed where the rows are (NaN or infinite values, exact copies of
     * validation rows, the fingerprint), the balancer and the {@link Builder#audit} see the rows' labels only
     * (weights work; a balancer or audit that reads features is refused, naming the fix), and every
     * mini-batch carries labels, loss weights and row numbers: {@code exchange}'s model must take row
     * numbers ({@link dev.attune.spi.BatchRows}) and compute the gradients where the rows are.
     *
     * @param train the training rows, held elsewhere
     * @param validation the validation examples (held here), or {@code null}
     * @param exchange where the gradients are computed
     * @throws IllegalArgumentException as {@link #fit(LabeledData, LabeledData)}, or when {@code exchange}'s
     *     model does not take row numbers
     * @throws IllegalStateException when the balancer or the audit reads the training features
     */
    public FineTuneResult fit(dev.attune.spi.HeldRows train, LabeledData validation,
                              dev.attune.spi.GradientExchange exchange) {
        requireNonNull(train, "train");
        return fit(HeldData.of(train), validation, exchange);
    }

    private List<TrainingListener.Warning> leakageWarnings(LabeledData train, LabeledData validation) {
        if (validation == null || leakage == LeakagePolicy.IGNORE) {
            return List.of();
        }
        ExactDuplicates.Found found = ExactDuplicates.between(train, validation);
        if (found.count() == 0) {
            return List.of();
        }
        String what = found.count() + " of the " + validation.size() + " validation examples "
                + (found.count() == 1 ? "is an exact copy" : "are exact copies")
                + " of training examples (features equal bit for bit, labels not compared), for example validation"
                + " example " + found.secondIndex() + " and training example " + found.firstIndex()
                + "; validation scores on them overstate how the model does on new data";
        if (leakage == LeakagePolicy.REFUSE) {
            throw new IllegalArgumentException(what + ": remove them from the validation data (a group split keeps"
                    + " related examples on one side), or call leakage(LeakagePolicy.WARN) to train anyway with a"
                    + " warning recorded in the provenance");
        }
        return List.of(new TrainingListener.Warning("leakage", what));
    }

    private void checkData(LabeledData train, LabeledData validation) {
        int classes = headClasses > 0 ? headClasses : base.numOutputs();
        if (train.numClasses() != classes) {
            throw new IllegalArgumentException("the training data has " + train.numClasses() + " classes but the model's "
                    + (headClasses > 0 ? "new head has " : "output layer has ") + classes
                    + "; call replaceHead(" + train.numClasses() + ") or fix the data's class count");
        }
        int[] counts = train.classCounts();
        int present = (int) Arrays.stream(counts).filter(c -> c > 0).count();
        if (present < 2) {
            throw new IllegalArgumentException("the training data holds a single class (" + train.size()
                    + " examples of class " + indexOfMax(counts) + "); give examples of at least two classes");
        }
        if (validation == null && earlyStopping != null) {
            throw new IllegalArgumentException("early stopping on " + earlyStopping.monitored()
                    + " needs a validation set; call fit(train, validation) or remove earlyStopping(...)");
        }
        if (validation != null) {
            if (validation.numClasses() != train.numClasses()) {
                throw new IllegalArgumentException("validation data has " + validation.numClasses()
                        + " classes but training data has " + train.numClasses() + "; use the same class count");
            }
            if (!Arrays.equals(validation.exampleShape(), train.exampleShape())) {
                throw new IllegalArgumentException("validation examples have shape " + Arrays.toString(validation.exampleShape())
                        + " but training examples have shape " + Arrays.toString(train.exampleShape()) + "; use the same shape");
            }
        }
        try {
            INDArray first = train.firstExample();
            base.handle().checkInput(first);
            base.handle().output(first);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("examples of shape " + Arrays.toString(train.exampleShape())
                    + " do not fit the model's input (first layer '" + base.layers().get(0).name() + "', a "
                    + base.layers().get(0).type() + "): " + e.getMessage()
                    + "; reshape the features to what the base model was trained on", e);
        }
    }

    private static int indexOfMax(int[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    Network base() {
        return base;
    }

    TrainingPlan plan() {
        return new TrainingPlan(headClasses, headName, freeze, optimizer, seed, adapter);
    }

    int epochs() {
        return epochs;
    }

    int batchSize() {
        return batchSize;
    }

    long seed() {
        return seed;
    }

    EarlyStopping earlyStopping() {
        return earlyStopping;
    }

    List<Metric> metrics() {
        return metrics;
    }

    CheckpointStore checkpoints() {
        return checkpoints;
    }

    /** Whether {@code fit} continues from the checkpoint directory's newest run checkpoint. */
    boolean resumes() {
        return resume;
    }

    Balancer balancer() {
        return balancer;
    }

    List<TrainingListener> listeners() {
        return listeners;
    }

    TrainingControls controls() {
        return controls;
    }

    List<StopCondition> stopConditions() {
        return stopConditions;
    }

    /**
     * An upper estimate of the memory one {@link #fit} holds for the model, in bytes: the working copy
     * of the base model's parameters, the result's copy, the best epoch's copy (with early stopping),
     * and for every parameter, as if all trained, a gradient and the optimizer's state (Adam 2 values,
     * SGD with momentum 1, plain SGD 0), all in the parameters' data type. Adapter tensors, activations
     * and the data's arrays are not counted.
     */
    public long estimatedMemoryBytes() {
        long params = base.numParams();
        long width = base.handle().params().dataType().width();
        int state = optimizer.kind() == Optimizer.Kind.ADAM ? 2 : optimizer.momentum() > 0 ? 1 : 0;
        // working copy, result copy, gradient, optimizer state, and the best epoch's copy under early stopping
        int copies = 3 + state + (earlyStopping == null ? 0 : 1);
        return params * width * copies;
    }

    /**
     * Every option as text, in a stable order: the run's configuration in its provenance. Listeners and
     * stop conditions are not options of the result and are not listed.
     */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("replaceHead", headClasses > 0 ? headClasses + " classes as '" + headName + "'" : "no");
        c.put("freeze", freeze.toString());
        c.put("adapter", adapter == null ? "none" : adapter.name() + adapter.config());
        c.put("optimizer", optimizer.toString());
        c.put("epochs", String.valueOf(epochs));
        c.put("batchSize", String.valueOf(batchSize));
        c.put("seed", String.valueOf(seed));
        c.put("earlyStopping", earlyStopping == null ? "none" : earlyStopping.toString());
        c.put("metrics", metrics.stream().map(Metric::name).toList().toString());
        c.put("checkpoints", checkpoints == null ? "none" : checkpoints + (resume ? ", resumed" : ""));
        c.put("balance", balancer == null ? "none" : balancer.describe());
        c.put("audit", audit == null ? "none" : audit.getClass().getSimpleName());
        c.put("leakage", leakage.name());
        controls.describe(c);
        return c;
    }

    @Override
    public String toString() {
        return "FineTuner" + config();
    }

    /**
     * Collects the options of a {@link FineTuner}. Each option may be set once; each setter
     * validates its value at once. Defaults: keep the head, {@link Freeze#none()},
     * {@link Optimizer#adam adam(1e-3)}, 10 epochs, batch size 32, seed 42, no early stopping,
     * no metrics, no checkpoints, no balancing, no listeners, {@link LeakagePolicy#REFUSE}, and no
     * training controls (no schedule, layer groups, clipping, accumulation or label smoothing;
     * {@link Divergence#stop()}).
     */
    public static final class Builder {
        private final Network base;
        private Integer headClasses;
        private String headName = "head";
        private FreezePolicy freeze;
        private Optimizer optimizer;
        private Integer epochs;
        private Integer batchSize;
        private Long seed;
        private EarlyStopping earlyStopping;
        private final List<Metric> metrics = new ArrayList<>();
        private boolean metricsSet;
        private CheckpointStore checkpoints;
        private boolean resume;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private AdapterMethod adapter;
        private Balancer balancer;
        private TrainingDataCheck audit;
        private LeakagePolicy leakage;
        private Schedule schedule;
        private Double discriminativeFactor;
        private List<String> layerGroups;
        private Integer unfreezeEvery;
        private Double clipNorm;
        private Integer accumulate;
        private Double labelSmoothing;
        private Divergence divergence;
        private final List<StopCondition> stopConditions = new ArrayList<>();

        private Builder(Network base) {
            this.base = base;
        }

        /**
         * Replaces the output layer with a new softmax layer named {@code "head"} for the given
         * number of classes, initialised from the seed.
         *
         * @throws IllegalArgumentException when {@code classes} is below 2
         */
        public Builder replaceHead(int classes) {
            return replaceHead(classes, "head");
        }

        /**
         * Replaces the output layer with a new softmax layer of the given name.
         *
         * @throws IllegalArgumentException when {@code classes} is below 2 or the name is blank
         */
        public Builder replaceHead(int classes, String name) {
            once(headClasses, "replaceHead");
            requireNonNull(name, "name");
            if (classes < 2) {
                throw new IllegalArgumentException("a head needs at least 2 classes, got " + classes
                        + "; pass the number of target classes, e.g. replaceHead(10)");
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("the head's name is blank; give a name such as \"head\"");
            }
            headClasses = classes;
            headName = name;
            return this;
        }

        /** Which layers keep their pretrained weights (default: none, full fine-tuning). */
        public Builder freeze(FreezePolicy policy) {
            once(freeze, "freeze");
            freeze = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Trains a parameter-efficient adapter on the target layers it names, instead of their
         * weights: {@code .adapter(Lora.rank(8).alpha(16).targets("dense*"))}. The adapted layers'
         * base weights stay frozen. Unless {@link #freeze} says otherwise, every other layer is frozen
         * too except a new head ({@code Freeze.all().andUnfreeze("head")}); the method may still train
         * a part of a frozen layer (LoRA's {@code Bias.ALL} trains its bias). The result then holds the
         * trained adapter ({@link FineTuneResult#adapters()}) and the model with the adapter merged (an
         * adapter that cannot be merged is exported as stock DL4J layers in a {@code ComputationGraph}).
         * On a BERT encoder ({@link Network#of(BertEncoder)}) only LoRA is available, on its projections
         * ({@code targets("*.attention.self.query", "*.attention.self.value")}); its other layers must stay
         * frozen, and options it cannot honour (DoRA, dropout, trained biases) are refused when the
         * fine-tuner is built.
         */
        public Builder adapter(AdapterMethod method) {
            once(adapter, "adapter");
            adapter = requireNonNull(method, "method");
            return this;
        }

        /** The optimizer (default Adam with learning rate 1e-3). */
        public Builder optimizer(Optimizer value) {
            once(optimizer, "optimizer");
            optimizer = requireNonNull(value, "optimizer");
            return this;
        }

        /**
         * The maximum number of epochs (default 10).
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder epochs(int value) {
            once(epochs, "epochs");
            if (value < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + value);
            }
            epochs = value;
            return this;
        }

        /**
         * Examples per optimizer step (default 32).
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder batchSize(int value) {
            once(batchSize, "batchSize");
            if (value < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + value);
            }
            batchSize = value;
            return this;
        }

        /** The seed of every random choice: head initialisation, shuffling, dropout (default 42). */
        public Builder seed(long value) {
            once(seed, "seed");
            seed = value;
            return this;
        }

        /** Stops when a validation measure stops improving and restores the best epoch's weights. */
        public Builder earlyStopping(EarlyStopping value) {
            once(earlyStopping, "earlyStopping");
            earlyStopping = requireNonNull(value, "earlyStopping");
            return this;
        }

        /**
         * Validation metrics recorded after every epoch.
         *
         * @throws IllegalArgumentException when two metrics share a name
         */
        public Builder metrics(Metric... values) {
            if (metricsSet) {
                throw new IllegalStateException("metrics(...) was already set; pass every metric in one call");
            }
            requireNonNull(values, "metrics");
            for (Metric m : values) {
                requireNonNull(m, "metric");
                if (metrics.stream().anyMatch(x -> x.name().equals(m.name()))) {
                    throw new IllegalArgumentException("metric '" + m.name() + "' is given twice; give each metric once");
                }
                if (EarlyStopping.VALIDATION_LOSS.equals(m.name())) {
                    throw new IllegalArgumentException("'" + m.name() + "' is reserved for the validation loss, which is always recorded");
                }
                metrics.add(m);
            }
            metricsSet = true;
            return this;
        }

        /**
         * Where to write a checkpoint after every epoch (default: nowhere). A {@link CheckpointDirectory}
         * also holds the run checkpoints that {@link #resumeFrom} continues from.
         */
        public Builder checkpoints(CheckpointStore store) {
            once(checkpoints, "checkpoints");
            checkpoints = requireNonNull(store, "store");
            return this;
        }

        /**
         * Checkpoints into {@code store} as {@link #checkpoints} does, and makes {@code fit} continue the
         * run from the newest run checkpoint there when it holds one: mid-epoch, with the weights, the
         * optimizer's state, the step counter, the random state, the data order and position, early
         * stopping's bookkeeping and the epochs so far as they were, so that the result is bit for bit
         * that of a run never stopped (on the same backend and thread count). An empty directory starts
         * the run afresh. A newest checkpoint that does not read whole (truncated, corrupted) is set
         * aside with a warning in favour of the one before it.
         *
         * <pre>{@code .resumeFrom(CheckpointStore.directory(dir).everySteps(50).keepLast(3))}</pre>
         *
         * {@code fit} refuses a checkpoint of another run, naming the difference: another base model,
         * other training or validation data, another configuration (any option but the checkpoints'),
         * or a newer checkpoint format.
         */
        public Builder resumeFrom(CheckpointDirectory store) {
            checkpoints(store);
            resume = true;
            return this;
        }

        /**
         * Rebalances the training data before training, once per fit, from the run's seed:
         * {@code .balance(Balancing.oversample())} (default: the data as given). Validation data is
         * never passed to the balancer. The provenance keeps the fingerprint of the training data as
         * given and names the balancer in its configuration.
         */
        public Builder balance(Balancer value) {
            once(balancer, "balance");
            balancer = requireNonNull(value, "balancer");
            return this;
        }

        /**
         * A check of the training data that {@code fit} runs first (default: none), before anything
         * trains: {@code .audit(DataAudit.of(train).group("sex", sex))} stops the fit with an
         * {@link IllegalStateException} when the audit fails. The configuration names the check.
         */
        public Builder audit(TrainingDataCheck check) {
            once(audit, "audit");
            audit = requireNonNull(check, "check");
            return this;
        }

        /**
         * What {@code fit(train, validation)} does when validation examples are exact copies of
         * training examples (default {@link LeakagePolicy#REFUSE}: it throws, naming how many and one
         * pair). {@link LeakagePolicy#WARN} trains, warns every listener and records the warning in
         * the provenance; {@link LeakagePolicy#IGNORE} does not look. The policy is in the provenance's
         * configuration as {@code leakage}.
         */
        public Builder leakage(LeakagePolicy policy) {
            once(leakage, "leakage");
            leakage = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The learning rate's schedule over the run's optimizer steps (default: the optimizer's rate at
         * every step): {@code .schedule(Schedule.cosine().withWarmup(100))}. The rate of each step is in
         * {@link TrainingListener.BatchEnd#learningRate()} and that of each epoch's last step in
         * {@link EpochRecord#learningRate()}. A warm-up longer than the run is refused when {@code fit} starts.
         */
        public Builder schedule(Schedule value) {
            once(schedule, "schedule");
            schedule = requireNonNull(value, "schedule");
            return this;
        }

        /**
         * Discriminative learning rates (ULMFiT): the top layer group learns at the optimizer's rate and each
         * group below at the rate of the group above divided by {@code factorPerGroup} (2.6 in ULMFiT). Groups
         * are one per trained layer from the top unless {@link #layerGroups} says otherwise; frozen layers
         * are in none.
         *
         * @throws IllegalArgumentException when the factor is not a finite number above 0
         */
        public Builder discriminativeLearningRates(double factorPerGroup) {
            once(discriminativeFactor, "discriminativeLearningRates");
            if (!(factorPerGroup > 0 && Double.isFinite(factorPerGroup))) {
                throw new IllegalArgumentException("the discriminative learning-rate factor must be a finite number above 0,"
                        + " got " + factorPerGroup + "; pass the divisor from one layer group to the next one down,"
                        + " e.g. 2.6");
            }
            discriminativeFactor = factorPerGroup;
            return this;
        }

        /**
         * The layer groups of {@link #discriminativeLearningRates} and {@link #gradualUnfreezing}, one layer
         * name or glob per group, top first: {@code .layerGroups("head", "dense2", "dense*")}. A layer is in
         * the first group that matches it; every trained layer must be in a group (checked when {@code fit}
         * starts). Default: one group per trained layer.
         *
         * @throws IllegalArgumentException when no glob or a blank one is given
         */
        public Builder layerGroups(String... globsTopFirst) {
            once(layerGroups, "layerGroups");
            requireNonNull(globsTopFirst, "globsTopFirst");
            if (globsTopFirst.length == 0) {
                throw new IllegalArgumentException("layerGroups() got no group; give one layer name or glob per group,"
                        + " top first, e.g. layerGroups(\"head\", \"dense*\")");
            }
            for (String g : globsTopFirst) {
                if (requireNonNull(g, "layer group").isBlank()) {
                    throw new IllegalArgumentException("a layer group is blank in " + Arrays.toString(globsTopFirst)
                            + "; give a layer name or glob such as \"dense*\"");
                }
            }
            layerGroups = List.of(globsTopFirst);
            return this;
        }

        /**
         * Gradual unfreezing (ULMFiT): at first only the top layer group trains, and one more group thaws
         * every {@code everyEpochs} epochs. A group that waits gets no update, no weight decay and no
         * optimizer state; from its thaw on it has state of its own, and Adam's bias correction counts its
         * steps from there. Layers the freeze policy freezes never thaw (and stay in the cached frozen bottom);
         * with an adapter the adapted layers' adapter tensors are what thaw. Needs at least two groups
         * (checked when {@code fit} starts).
         *
         * @throws IllegalArgumentException when {@code everyEpochs} is below 1
         */
        public Builder gradualUnfreezing(int everyEpochs) {
            once(unfreezeEvery, "gradualUnfreezing");
            if (everyEpochs < 1) {
                throw new IllegalArgumentException("gradual unfreezing needs at least 1 epoch between thaws, got "
                        + everyEpochs + "; pass e.g. gradualUnfreezing(1) to thaw one more layer group every epoch");
            }
            unfreezeEvery = everyEpochs;
            return this;
        }

        /**
         * Clips the gradient by its global norm over every trained tensor (after the division by the
         * mini-batch's rows, before the optimizer): a gradient whose norm is above {@code maxNorm} is scaled
         * down to it.
         *
         * @throws IllegalArgumentException when {@code maxNorm} is not a finite number above 0
         */
        public Builder clipGradientNorm(double maxNorm) {
            once(clipNorm, "clipGradientNorm");
            if (!(maxNorm > 0 && Double.isFinite(maxNorm))) {
                throw new IllegalArgumentException("the gradient clipping norm must be a finite number above 0, got "
                        + maxNorm + "; 1.0 is a common choice");
            }
            clipNorm = maxNorm;
            return this;
        }

        /**
         * Accumulates the gradients of {@code k} mini-batches into one optimizer step: the step equals that of
         * one mini-batch {@code k} times larger (the last step of an epoch takes the mini-batches left).
         *
         * @throws IllegalArgumentException when {@code k} is below 1
         */
        public Builder accumulateGradients(int k) {
            once(accumulate, "accumulateGradients");
            if (k < 1) {
                throw new IllegalArgumentException("gradient accumulation needs at least 1 mini-batch per step, got " + k
                        + "; pass e.g. accumulateGradients(4), or 1 for none");
            }
            accumulate = k;
            return this;
        }

        /**
         * Label smoothing: the training targets are {@code 1 - epsilon} on the class plus {@code epsilon / K}
         * on each of the {@code K} classes; the training loss reported is the cross-entropy against them.
         *
         * @throws IllegalArgumentException when {@code epsilon} is not in [0, 1)
         */
        public Builder labelSmoothing(double epsilon) {
            once(labelSmoothing, "labelSmoothing");
            if (!(epsilon >= 0 && epsilon < 1)) {
                throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + epsilon
                        + "; 0.1 is a common choice, 0 for none");
            }
            labelSmoothing = epsilon;
            return this;
        }

        /**
         * What a NaN or infinite training loss does (default {@link Divergence#stop()}: the fit throws):
         * {@code .onDivergence(Divergence.rollback(0.5, 3))} rolls back to the start of the epoch with half
         * the learning rate, warning the listeners and noting it in the provenance.
         */
        public Builder onDivergence(Divergence policy) {
            once(divergence, "onDivergence");
            divergence = requireNonNull(policy, "policy");
            return this;
        }

        private TrainingControls controls() {
            return new TrainingControls(schedule, discriminativeFactor == null ? 0 : discriminativeFactor,
                    layerGroups == null ? List.of() : layerGroups, unfreezeEvery == null ? 0 : unfreezeEvery,
                    clipNorm == null ? 0 : clipNorm, accumulate == null ? 1 : accumulate,
                    labelSmoothing == null ? 0 : labelSmoothing, divergence == null ? Divergence.stop() : divergence);
        }

        /**
         * Adds a condition asked after every epoch whether to stop training; may be called several times
         * (training stops when any says so). A stop before the last epoch ends the run as early stopping
         * does: {@link FineTuneResult#stoppedEarly()} is true and, when early stopping is configured, the
         * best epoch's weights are restored. Like listeners, conditions are not in the configuration.
         */
        public Builder stopWhen(StopCondition condition) {
            stopConditions.add(requireNonNull(condition, "condition"));
            return this;
        }

        /** Adds a listener; may be called several times. */
        public Builder listener(TrainingListener listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Checks the combination of options and returns the immutable fine-tuner.
         *
         * @throws IllegalArgumentException when the options do not fit the base model (an unknown
         *     layer in the freeze policy, every layer frozen, a head of the wrong kind)
         */
        public FineTuner build() {
            if (layerGroups != null && discriminativeFactor == null && unfreezeEvery == null) {
                throw new IllegalArgumentException("layerGroups" + layerGroups + " has no use without"
                        + " discriminativeLearningRates(...) or gradualUnfreezing(...); set one of them or drop layerGroups");
            }
            if (resume && divergence != null && divergence.maxRollbacks() > 0
                    && checkpoints instanceof CheckpointDirectory d && d.stepInterval() > 0) {
                throw new IllegalArgumentException("onDivergence(" + divergence + ") rolls back to the start of an epoch,"
                        + " which a run checkpoint taken every " + d.stepInterval() + " steps does not hold, so a resumed run"
                        + " could roll back elsewhere than a run never stopped; resume from checkpoints taken per epoch"
                        + " (drop everySteps(...)) or stop on divergence");
            }
            FineTuner tuner = new FineTuner(this);
            // Resolving the plan now surfaces unknown layer names and impossible freezes at build time.
            tuner.base.handle().check(tuner.plan());
            return tuner;
        }

        private static void once(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + "(...) was already set; set each option once");
            }
        }
    }

    /**
     * Fits again the run a provenance records and checks that the result holds the same weights. The
     * provenance keeps the configuration as text and the base model and data as fingerprints, and
     * options such as metrics and balancers are objects of the caller's code, so the caller builds this
     * fine-tuner with the same code and base model and gives the same data:
     * {@code FineTuner.builder(base)...build().reproduce(result.provenance(), train, validation)}.
     *
     * <p>Before training it compares, and refuses with every difference named (both values): each
     * option of the configuration (except {@code checkpoints}, which never changes the weights), the
     * base model's fingerprint, the training and validation data's fingerprints, and the Attune and
     * Deeplearning4j versions. After training it compares the result's fingerprints
     * ({@link Provenance#resultModel()}, and {@link Provenance#resultAdapter()} for an adapter) with the
     * recorded ones. A CPU run with the same thread count is bit-reproducible.
     *
     * @param provenance what {@link FineTuneResult#provenance()} recorded, or the same read back
     *     ({@link Provenance#fromText}, {@link Provenance#parse}, a deployment package's provenance)
     * @param train the training examples of the run
     * @param validation the validation examples of the run, or {@code null} when it had none
     * @return the new result, whose model equals the recorded one
     * @throws IllegalArgumentException when the configuration, base model, data or library version differs
     *     from the provenance's, or the provenance records no result fingerprint
     * @throws IllegalStateException when the new result's fingerprints differ from the recorded ones
     */
    public FineTuneResult reproduce(Provenance provenance, LabeledData train, LabeledData validation) {
        return Reproduction.run(this, provenance, train, validation);
    }

    /** {@link #reproduce(Provenance, LabeledData, LabeledData)} of a run without validation data. */
    public FineTuneResult reproduce(Provenance provenance, LabeledData train) {
        return reproduce(provenance, train, null);
    }
}

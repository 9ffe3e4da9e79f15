package dev.attune.internal.bert;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.layers.LayerNames;
import dev.attune.internal.math.LowRankMath;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.LowRankSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LoRA on the linear projections of a {@link BertGraph}: each targeted module computes
 * {@code x W + b + s (x A^T) B^T} with its base weight {@code W} ({@code [in, out]}) and bias frozen,
 * {@code A} ({@code [r, in]}, Kaiming-uniform in {@code ±1/sqrt(in)} as PEFT draws it, from the
 * seed) and {@code B} ({@code [out, r]}, zero, so a fresh adapter leaves the encoder's outputs as
 * they were) trained, and {@code s = alpha / r} ({@code alpha / sqrt(r)} with rsLoRA). The adapter
 * weights are SameDiff VARIABLEs named as PEFT names them, {@code <module>.lora_A} and
 * {@code <module>.lora_B}, e.g. {@code encoder.0.attention.self.query.lora_A}.
 *
 * <p>Targets are module names or globs ({@code *} any characters, {@code ?} one) matched against the
 * whole names of the linear modules ({@link #linearModules}): per layer N
 * {@code encoder.N.attention.self.query}, {@code .key}, {@code .value},
 * {@code encoder.N.attention.output.dense}, {@code encoder.N.intermediate.dense} and
 * {@code encoder.N.output.dense}. Defaults: query and value of every layer (PEFT's default for
 * BERT), alpha equal to the rank (scaling 1), no rsLoRA, seed 0. No dropout on the adapter path.
 * Immutable: every option returns a new value, validated at once.
 *
 * <pre>{@code
 * BertGraph adapted = encoder.graph().withLora(BertLora.rank(8).alpha(16));   // query and value
 * BertGraph all = graph.withLora(BertLora.rank(4).targets("*"));               // every projection
 * }</pre>
 */
final class BertLora {
    /** PEFT's default targets for BERT: the query and value projections of every layer. */
    static final List<String> QUERY_VALUE = List.of("*.attention.self.query", "*.attention.self.value");

    private final int rank;
    private final double alpha;
    private final boolean rsLora;
    private final List<String> targets;
    private final long seed;
    private final boolean gaussian;

    private BertLora(int rank, double alpha, boolean rsLora, List<String> targets, long seed, boolean gaussian) {
        this.rank = rank;
        this.alpha = alpha;
        this.rsLora = rsLora;
        this.targets = targets;
        this.seed = seed;
        this.gaussian = gaussian;
    }

    /**
     * LoRA of the given rank on the query and value projections, alpha equal to the rank.
     *
     * @throws IllegalArgumentException when the rank is below 1 (a rank above a module's width is
     *     refused when the graph is built)
     */
    static BertLora rank(int rank) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank + "; 4 to 16 is typical");
        }
        return new BertLora(rank, rank, false, QUERY_VALUE, 0, false);
    }

    /**
     * The scaling numerator: the adapter's output is multiplied by {@code alpha / r}
     * ({@code alpha / sqrt(r)} with {@link #rsLora}).
     *
     * @throws IllegalArgumentException when alpha is not a finite number above 0
     */
    BertLora alpha(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("LoRA alpha must be a finite number above 0, got " + value
                    + "; alpha = rank (scaling 1) or 2 x rank are common");
        }
        return new BertLora(rank, value, rsLora, targets, seed, gaussian);
    }

    /** Rank-stabilised LoRA: scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}. */
    BertLora rsLora(boolean value) {
        return new BertLora(rank, alpha, value, targets, seed, gaussian);
    }

    /**
     * The modules to adapt, by name or glob; each must match at least one linear module when the
     * graph is built. {@code "*"} takes all six projections of every layer.
     *
     * @throws IllegalArgumentException when no pattern, or a blank one, is given
     */
    BertLora targets(String... namesOrGlobs) {
        requireNonNull(namesOrGlobs, "namesOrGlobs");
        if (namesOrGlobs.length == 0) {
            throw new IllegalArgumentException("give at least one LoRA target, for example targets(\"*.attention.self.query\")");
        }
        for (String p : namesOrGlobs) {
            if (requireNonNull(p, "target").isBlank()) {
                throw new IllegalArgumentException("a LoRA target is blank; give a module name or a glob such as"
                        + " \"*.attention.self.value\"");
            }
        }
        return new BertLora(rank, alpha, rsLora, List.of(namesOrGlobs), seed, gaussian);
    }

    /** The seed of {@code A}'s initialisation; the same seed gives the same adapter. */
    BertLora seed(long value) {
        return new BertLora(rank, alpha, rsLora, targets, value, gaussian);
    }

    /**
     * How {@code A} starts: normal with standard deviation {@code 1/r} (PEFT's {@code "gaussian"}) when
     * true, Kaiming-uniform in {@code ±1/sqrt(in)} (the default) when false.
     */
    BertLora gaussian(boolean value) {
        return new BertLora(rank, alpha, rsLora, targets, seed, value);
    }

    boolean gaussian() {
        return gaussian;
    }

    /**
     * The LoRA an {@link AdapterMethod} describes (the adapters module's {@code Lora}), read from its
     * typed options ({@link AdapterMethod#lowRank()}): rank, alpha, rsLoRA, targets (none given: query
     * and value, PEFT's default for BERT), {@code A}'s initialisation, with the given seed for {@code A}.
     *
     * @throws IllegalArgumentException for a method that is no low-rank adapter, DoRA, dropout above 0,
     *     a bias option other than {@code NONE}, or attention projections other than all four (DL4J
     *     attention layers only); each message names the option and the fix
     */
    static BertLora of(AdapterMethod method, long seed) {
        requireNonNull(method, "method");
        LowRankSpec spec = requireNonNull(method.lowRank(), "lowRank").orElseThrow(() -> new IllegalArgumentException(
                "the adapter method '" + method.name() + "' is not available on the BERT encoder; use LoRA"
                        + " (Lora.rank(8).targets(\"*.attention.self.query\", \"*.attention.self.value\"))"));
        if (spec.dora()) {
            throw new IllegalArgumentException("DoRA is not available on the BERT encoder (its weight-normalised"
                    + " projections are not in the encoder's graph); use plain LoRA: Lora.rank(r) without .dora()");
        }
        if (spec.dropout() != 0) {
            throw new IllegalArgumentException("LoRA dropout " + spec.dropout() + " is not available on the BERT encoder"
                    + " (its graph has no dropout); use dropout(0), the default");
        }
        if (spec.bias() != LowRankSpec.Bias.NONE) {
            throw new IllegalArgumentException("LoRA bias " + spec.bias() + " is not available on the BERT encoder (its"
                    + " biases stay frozen); use bias(Bias.NONE), the default");
        }
        if (!spec.projections().equals(List.of(LowRankSpec.Projection.values()))) {
            throw new IllegalArgumentException("LoRA projections " + spec.projections() + " choose projections of DL4J"
                    + " attention layers; on the BERT encoder name its projection modules with targets(...) instead,"
                    + " for example targets(\"*.attention.self.query\", \"*.attention.self.value\")");
        }
        boolean gaussian = switch (spec.init()) {
            case KAIMING_UNIFORM -> false;
            case GAUSSIAN -> true;
        };
        BertLora lora = rank(spec.rank()).alpha(spec.alpha()).rsLora(spec.rsLora()).gaussian(gaussian).seed(seed);
        return spec.targets().isEmpty() ? lora : lora.targets(spec.targets().toArray(String[]::new));
    }

    int rank() {
        return rank;
    }

    double alpha() {
        return alpha;
    }

    boolean rsLora() {
        return rsLora;
    }

    List<String> targets() {
        return targets;
    }

    long seed() {
        return seed;
    }

    /** The factor of the adapter's output: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** An adapter as a weight update: {@code s (B A)^T = s A^T B^T}, {@code [in, out]}, for {@code A [r, in]}, {@code B [out, r]}. */
    INDArray delta(INDArray a, INDArray b) {
        return LowRankMath.ND4J.update(a, b, scale(), Nd4j.createUninitialized(a.dataType(), a.size(1), b.size(0)), 0.0);
    }

    /** The names of the linear modules of an encoder of this configuration, in forward order. */
    static List<String> linearModules(BertConfig config) {
        List<String> out = new ArrayList<>();
        for (int n = 0; n < config.numLayers(); n++) {
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "intermediate.dense", "output.dense")) {
                out.add("encoder." + n + "." + m);
            }
        }
        return out;
    }

    /**
     * The modules the targets take in an encoder of this configuration, in forward order.
     *
     * @throws IllegalArgumentException when a target matches no linear module (the message lists
     *     them) or the rank exceeds the width of a module it takes
     */
    List<String> modules(BertConfig config) {
        List<String> all = linearModules(config);
        Set<String> hit = new LinkedHashSet<>();
        for (String pattern : targets) {
            Pattern regex = LayerNames.glob(pattern);
            List<String> matched = all.stream().filter(m -> regex.matcher(m).matches()).toList();
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("the LoRA target '" + pattern + "' matches no linear module; modules are: "
                        + String.join(", ", all));
            }
            hit.addAll(matched);
        }
        List<String> out = all.stream().filter(hit::contains).toList();
        for (String m : out) {
            long[] shape = BertGraph.parameterShapes(config).get(m + ".weight");
            if (rank > Math.min(shape[0], shape[1])) {
                throw new IllegalArgumentException("LoRA rank " + rank + " is larger than module '" + m + "' (" + shape[0]
                        + " inputs, " + shape[1] + " outputs); use a rank of at most " + Math.min(shape[0], shape[1]));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "BertLora[rank=" + rank + ", alpha=" + alpha + ", rsLora=" + rsLora + ", targets=" + targets + ", seed="
                + seed + (gaussian ? ", gaussian" : "") + "]";
    }
}

package dev.attune.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * A low-rank adapter (LoRA and its kin) as typed options: what an {@link AdapterMethod} of that kind
 * offers through {@link AdapterMethod#lowRank()} and what every model family reads to build the
 * adapter in its own layers. Each adapted weight {@code W} ({@code [in, out]}) is used as
 * {@code W + s (B A)^T} with {@code A} ({@code [r, in]}) and {@code B} ({@code [out, r]}) trained and
 * {@code s} the {@link #scaling()}. A family that cannot honour an option (say DoRA, or dropout on
 * the adapter's input) refuses it by name; it never reads the options as text.
 *
 * <pre>{@code
 * LowRankSpec spec = LowRankSpec.of(8, List.of("dense*"));   // alpha 8, Kaiming-uniform A, no bias
 * double s = spec.scaling();                                  // 1.0
 * }</pre>
 *
 * @param rank the rank {@code r}, at least 1
 * @param alpha the scaling numerator, a finite number above 0
 * @param rsLora rank-stabilised LoRA: scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}
 * @param init how {@code A} starts ({@code B} starts at zero)
 * @param targets names or globs of the layers or modules to adapt; empty for the family's default
 * @param dora whether the weight is decomposed into a trained magnitude and the adapted direction (DoRA)
 * @param bias which biases train along with the adapter
 * @param dropout dropout probability on the adapter's input in training, in {@code [0, 1)}
 * @param projections which projections of attention layers among the targets to adapt, in the order
 *     {@link Projection} declares them, each once
 */
public record LowRankSpec(int rank, double alpha, boolean rsLora, Init init, List<String> targets, boolean dora,
                          Bias bias, double dropout, List<Projection> projections) {

    /** How {@code A} starts. */
    public enum Init {
        /** Uniform in {@code ±1/sqrt(in)}: PyTorch's Kaiming-uniform with {@code a = sqrt(5)}, as PEFT does. */
        KAIMING_UNIFORM,
        /** Normal with standard deviation {@code 1/r}, PEFT's {@code "gaussian"}. */
        GAUSSIAN
    }

    /** Which biases train along with the adapter. */
    public enum Bias {
        /** No bias trains (PEFT's {@code "none"}). */
        NONE,
        /** The biases of the adapted layers train (PEFT's {@code "lora_only"}). */
        ADAPTED,
        /** Every bias trains (PEFT's {@code "all"}), the weights of layers that are no targets frozen. */
        ALL
    }

    /** A projection of an attention layer (DL4J's {@code Wq}, {@code Wk}, {@code Wv}, {@code Wo}). */
    public enum Projection {
        /** The query projection, {@code Wq}. */
        QUERY,
        /** The key projection, {@code Wk}. */
        KEY,
        /** The value projection, {@code Wv}. */
        VALUE,
        /** The output projection, {@code Wo}. */
        OUTPUT
    }

    /**
     * Validates every option and copies the lists.
     *
     * @throws IllegalArgumentException for a rank below 1, an alpha that is not a finite number above
     *     0, a dropout outside {@code [0, 1)}, a blank target, or no or a repeated projection
     */
    public LowRankSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank + "; 4 to 16 is typical");
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a finite number above 0, got " + alpha
                    + "; alpha = rank (scaling 1) or 2 x rank are common");
        }
        requireNonNull(init, "init");
        requireNonNull(bias, "bias");
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout + "; 0.05 to 0.1 is common");
        }
        for (String t : requireNonNull(targets, "targets")) {
            if (requireNonNull(t, "target").isBlank()) {
                throw new IllegalArgumentException("a LoRA target is blank; give a layer name or glob such as \"dense*\"");
            }
        }
        targets = List.copyOf(targets);
        requireNonNull(projections, "projections");
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("give at least one attention projection of "
                    + List.of(Projection.values()) + ", for example [QUERY, VALUE]");
        }
        List<Projection> seen = new ArrayList<>();
        for (Projection p : projections) {
            if (seen.contains(requireNonNull(p, "projection"))) {
                throw new IllegalArgumentException("attention projection " + p + " is given twice; give each once");
            }
            seen.add(p);
        }
        // In declaration order, whatever the order given: equal choices give equal specs.
        projections = List.of(Projection.values()).stream().filter(seen::contains).toList();
    }

    /**
     * LoRA of the given rank on the given targets with every other option at its default: alpha equal
     * to the rank (scaling 1), no rsLoRA, Kaiming-uniform {@code A}, no DoRA, no bias, no dropout, all
     * four attention projections.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static LowRankSpec of(int rank, List<String> targets) {
        return new LowRankSpec(rank, rank, false, Init.KAIMING_UNIFORM, targets, false, Bias.NONE, 0,
                List.of(Projection.values()));
    }

    /** The factor of the adapter's output: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }
}

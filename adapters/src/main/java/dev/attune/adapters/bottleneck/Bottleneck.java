package dev.attune.adapters.bottleneck;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.AdapterMethod;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * Bottleneck adapters (Houlsby et al., 2019): after a frozen hidden layer with output {@code h}, a
 * small residual network {@code h + s f(h D^T + d) U^T + u}, where {@code D} ({@code [m, out]})
 * projects down to the bottleneck size {@code m}, {@code f} is a nonlinearity, {@code U}
 * ({@code [out, m]}) projects back up and {@code s} scales the adapter's output. Only {@code D},
 * {@code d}, {@code U} and {@code u} train. Immutable: every option returns a new value, validated at
 * once.
 *
 * <pre>{@code
 * FineTuner.builder(base).adapter(Bottleneck.after("dense*").size(16))
 * }</pre>
 *
 * Defaults: size 8, ReLU, scaling 1, {@code D} Kaiming-uniform ({@link Init#KAIMING_UNIFORM}),
 * {@code U}, {@code d} and {@code u} zero, so that a new adapter leaves the network's outputs
 * unchanged. Adapts DL4J dense layers (not output layers). Being nonlinear, the adapter cannot be
 * folded into the base weights: {@code merge()} is refused, and the exported network (the fine-tuning
 * result's model, {@code AdaptedNetwork.toNetwork()}) is a DL4J {@code ComputationGraph} of stock
 * layers: the base layer, a dense layer {@code <layer>_adapter_down} with activation {@code f}, a dense
 * layer {@code <layer>_adapter_up} with the identity and weights {@code s U^T}, and an element-wise sum
 * {@code <layer>_adapted} of the base layer and the up-projection that feeds the layers above.
 *
 * <p>Adapter files name the tensors as PyTorch's linear layers do (AdapterHub's layout):
 * {@code <layer>.adapter_down.weight} ({@code D}, {@code [m, out]}), {@code <layer>.adapter_down.bias}
 * ({@code d}, {@code [m]}), {@code <layer>.adapter_up.weight} ({@code U}, {@code [out, m]}) and
 * {@code <layer>.adapter_up.bias} ({@code u}, {@code [out]}).
 */
public final class Bottleneck implements AdapterMethod, Serializable {
    private static final long serialVersionUID = 1L;
    /** The default bottleneck size. */
    public static final int DEFAULT_SIZE = 8;
    /** The nonlinearities accepted between the projections. */
    public static final Set<Activation> NONLINEARITIES = Set.of(Activation.RELU, Activation.GELU, Activation.TANH,
            Activation.SIGMOID);

    /** How the down-projection {@code D} starts ({@code U} and both biases always start at zero). */
    public enum Init {
        /** Uniform in {@code ±1/sqrt(out)}: PyTorch's Kaiming-uniform with {@code a = sqrt(5)}, as LoRA's {@code A}. */
        KAIMING_UNIFORM,
        /** Normal with standard deviation 0.01, Houlsby et al.'s near-identity initialisation. */
        GAUSSIAN
    }

    private final List<String> targets;
    private final int size;
    private final Activation nonlinearity;
    private final double scaling;
    private final Init init;

    private Bottleneck(List<String> targets, int size, Activation nonlinearity, double scaling, Init init) {
        this.targets = targets;
        this.size = size;
        this.nonlinearity = nonlinearity;
        this.scaling = scaling;
        this.init = init;
    }

    /**
     * Bottleneck adapters after the named hidden layers, by name or glob ({@code "dense*"}), with the
     * default options. A glob takes the dense layers it matches (not output layers); each pattern must
     * take at least one layer.
     *
     * @throws IllegalArgumentException when no pattern, or a blank one, is given
     */
    public static Bottleneck after(String... namesOrGlobs) {
        requireNonNull(namesOrGlobs, "namesOrGlobs");
        if (namesOrGlobs.length == 0) {
            throw new IllegalArgumentException("give at least one layer to put a bottleneck adapter after, for example"
                    + " Bottleneck.after(\"dense*\")");
        }
        List<String> list = new ArrayList<>();
        for (String p : namesOrGlobs) {
            if (requireNonNull(p, "target").isBlank()) {
                throw new IllegalArgumentException("a bottleneck target is blank; give a layer name or glob such as \"dense*\"");
            }
            list.add(p);
        }
        return new Bottleneck(List.copyOf(list), DEFAULT_SIZE, Activation.RELU, 1, Init.KAIMING_UNIFORM);
    }

    /**
     * The bottleneck size {@code m} (default {@value #DEFAULT_SIZE}): the width of the adapter's hidden
     * layer. Each adapted layer must be at least this wide; {@code FineTuner.Builder.build()} checks it.
     *
     * @throws IllegalArgumentException when below 1
     */
    public Bottleneck size(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("bottleneck size must be at least 1 (and at most the adapted layer's width),"
                    + " got " + value + "; 8 to 64 is typical");
        }
        return new Bottleneck(targets, value, nonlinearity, scaling, init);
    }

    /**
     * The nonlinearity {@code f} between the projections (default {@link Activation#RELU}).
     *
     * @throws IllegalArgumentException when not one of {@link #NONLINEARITIES}
     */
    public Bottleneck nonlinearity(Activation value) {
        requireNonNull(value, "nonlinearity");
        if (!NONLINEARITIES.contains(value)) {
            throw new IllegalArgumentException("bottleneck nonlinearity must be one of RELU, GELU, TANH, SIGMOID, got "
                    + value + "; ReLU is the usual choice");
        }
        return new Bottleneck(targets, size, value, scaling, init);
    }

    /**
     * The factor {@code s} of the adapter's output (default 1).
     *
     * @throws IllegalArgumentException when not a finite number above 0
     */
    public Bottleneck scaling(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("bottleneck scaling must be a finite number above 0, got " + value
                    + "; 1 (the default) adds the adapter's output as it is");
        }
        return new Bottleneck(targets, size, nonlinearity, value, init);
    }

    /** How {@code D} is initialised (default {@link Init#KAIMING_UNIFORM}). */
    public Bottleneck init(Init value) {
        return new Bottleneck(targets, size, nonlinearity, scaling, requireNonNull(value, "init"));
    }

    /** The bottleneck size {@code m}. */
    public int size() {
        return size;
    }

    /** The nonlinearity {@code f}. */
    public Activation nonlinearity() {
        return nonlinearity;
    }

    /** The factor {@code s} of the adapter's output. */
    public double scaling() {
        return scaling;
    }

    Init initialisation() {
        return init;
    }

    @Override
    public String name() {
        return "bottleneck";
    }

    @Override
    public List<String> targets() {
        return targets;
    }

    @Override
    public boolean supports(Layer layer) {
        return layer.getClass() == DenseLayer.class && !((DenseLayer) layer).hasLayerNorm();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for an output layer (target a hidden layer), a layer that is not a
     *     dense layer without layer norm, or one narrower than the bottleneck size
     */
    @Override
    public Layer adapt(Layer target) {
        requireNonNull(target, "target");
        if (target instanceof OutputLayer) {
            throw new IllegalArgumentException("a bottleneck adapter cannot follow the output layer '"
                    + target.getLayerName() + "': target a hidden layer, e.g. Bottleneck.after(\"dense*\"), and train a"
                    + " new head with replaceHead(classes) if the outputs must change");
        }
        if (!supports(target)) {
            throw new IllegalArgumentException("a bottleneck adapter cannot follow layer '" + target.getLayerName()
                    + "', a " + target.getClass().getSimpleName() + "; it follows DenseLayer (without layer norm)");
        }
        DenseLayer dense = (DenseLayer) target;
        if (size > dense.getNOut()) {
            throw new IllegalArgumentException("bottleneck size " + size + " is larger than layer '" + target.getLayerName()
                    + "' (" + dense.getNOut() + " outputs); use a size of at most " + dense.getNOut());
        }
        return new BottleneckDense(dense, new BottleneckSpec(size, nonlinearity, scaling, init));
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("size", String.valueOf(size));
        c.put("nonlinearity", nonlinearity.name());
        c.put("scaling", String.valueOf(scaling));
        c.put("targets", String.join(",", targets));
        c.put("init", init.name());
        return c;
    }

    /**
     * The bottleneck adapter described by a {@link #config()} map, as read from an adapter file.
     *
     * @throws IllegalArgumentException when a value is missing or invalid
     */
    public static Bottleneck fromConfig(Map<String, String> config) {
        requireNonNull(config, "config");
        try {
            return after(value(config, "targets").split(","))
                    .size(Integer.parseInt(value(config, "size")))
                    .nonlinearity(Activation.valueOf(value(config, "nonlinearity")))
                    .scaling(Double.parseDouble(value(config, "scaling")))
                    .init(Init.valueOf(value(config, "init")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid bottleneck configuration " + config + ": " + e.getMessage(), e);
        }
    }

    private static String value(Map<String, String> config, String key) {
        String v = config.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bottleneck b && config().equals(b.config());
    }

    @Override
    public int hashCode() {
        return config().hashCode();
    }

    @Override
    public String toString() {
        return "Bottleneck" + config();
    }
}

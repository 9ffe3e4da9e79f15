package dev.attune.adapters.lora;

import dev.attune.spi.AdaptedLayer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 2-D convolution with a LoRA adapter, as PEFT does for {@code Conv2d}: {@code A} a convolution
 * to r channels with the layer's kernel, {@code B} a 1x1 convolution to its outputs, so the kernel
 * is {@code V = W + s B A} (flattened to {@code [out, in kH kW]}); with DoRA it is {@code m V / ||V||},
 * norms per output channel over {@code in x kH x kW}, as PEFT's {@code use_dora} on {@code Conv2d}.
 * DL4J's own convolution (every padding mode, stride, dilation, data format) runs with that kernel;
 * the backward pass hands the kernel's gradient to {@link LoraMath#backwardFromWeights}, which turns
 * it into the adapter's, the kernel viewed as the {@code [in kH kW, out]} matrix of a dense layer. The
 * frozen kernel is no DL4J parameter: no optimizer state, no update. A bias-only layer
 * ({@link Lora.Bias#ALL} on a layer that is no target) runs the frozen kernel and trains its bias.
 */
final class LoraConvLayer extends ConvolutionLayer implements AdaptedLayer {
    private static final long serialVersionUID = 1L;
    private static final String W = ConvolutionParamInitializer.WEIGHT_KEY;
    private static final String BIAS = ConvolutionParamInitializer.BIAS_KEY;

    private final LoraSpec spec;
    private final String name;
    private final LoraMath math;
    /** The frozen kernel {@code [out, in, kH, kW]}; {@link #math} holds it as the matrix view {@code [in kH kW, out]}. */
    private INDArray w;
    private INDArray bias;
    private transient INDArray kernelGradient;
    /** The training forward pass's kernel, which its backward pass uses twice more. */
    private transient INDArray stepKernel;
    private transient boolean inBackprop;
    private transient INDArray biasGradient;

    LoraConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.spec = ((LoraConv) conf.getLayer()).spec();
        this.name = conf.getLayer().getLayerName();
        this.math = new LoraMath(name, spec);
    }

    /** A kernel-shaped array {@code [out, in, kH, kW]} as the {@code [in kH kW, out]} matrix of a dense layer: a view. */
    private static INDArray matrix(INDArray kernel) {
        return kernel.reshape('c', kernel.size(0), kernel.length() / kernel.size(0)).transpose();
    }

    /** A {@code [in kH kW, out]} matrix as a {@code 'c'} kernel of the frozen kernel's shape. */
    private INDArray kernel(INDArray matrix) {
        return matrix.transpose().reshape('c', w.shape());
    }

    /** The adapter's tensors (or their gradients) as {@link LoraMath} takes them: A {@code [r, in kH kW]}, B {@code [out, r]}, m {@code [out]}. */
    private static Map<String, INDArray> asMatrices(Map<String, INDArray> tensors) {
        Map<String, INDArray> m = new HashMap<>();
        tensors.forEach((k, v) -> m.put(k, switch (k) {
            case LoraParams.A, LoraParams.B -> v.reshape('c', v.size(0), v.length() / v.size(0));
            default -> v.reshape('c', new long[] {v.length()});
        }));
        return m;
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr mgr) {
        if (W.equals(param)) {
            if (w == null) {
                throw new IllegalStateException("the LoRA layer '" + name + "' has no base weights bound yet");
            }
            if (math.isMerged() || !spec.hasUpdate()) {
                return w;
            }
            if (inBackprop && stepKernel != null) {
                return stepKernel;
            }
            INDArray k = kernel(math.runWeights(asMatrices(params), training && !inBackprop, mgr));
            if (training && !inBackprop) {
                // Kept with the layer's activations, which live until the backward pass.
                stepKernel = mgr.dup(ArrayType.ACTIVATIONS, k);
                return stepKernel;
            }
            return k;
        }
        if (BIAS.equals(param)) {
            return params.getOrDefault(LoraParams.BIAS, bias);
        }
        return super.getParamWithNoise(param, training, mgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (math.isMerged()) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name
                    + "' is merged into its base weights; unmerge() it before training");
        }
        // DL4J's convolution writes the kernel's (and bias's) gradient into these arrays; a bias-only
        // layer discards the kernel's, which DL4J's convolution always computes.
        Map<String, INDArray> adapterViews = gradientViews;
        INDArray biasView = adapterViews.get(LoraParams.BIAS);
        if (kernelGradient == null) {
            // Kept across steps: allocated outside the step's workspaces.
            try (var ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                kernelGradient = Nd4j.create(w.dataType(), w.shape(), 'c');
                biasGradient = bias == null ? null : Nd4j.create(w.dataType(), bias.shape(), 'c');
            }
        }
        if (biasView == null) {
            biasView = biasGradient;
        }
        Map<String, INDArray> convViews = new HashMap<>();
        convViews.put(W, kernelGradient);
        if (biasView != null) {
            convViews.put(BIAS, biasView);
        }
        gradientViews = convViews;
        inBackprop = true;
        Pair<Gradient, INDArray> p;
        try {
            p = super.backpropGradient(epsilon, mgr);
        } finally {
            gradientViews = adapterViews;
            inBackprop = false;
            stepKernel = null;
        }
        math.backwardFromWeights(matrix(kernelGradient), asMatrices(params), asMatrices(adapterViews));
        Gradient gradient = new DefaultGradient();
        adapterViews.forEach(gradient::setGradientFor);
        return new Pair<>(gradient, p.getSecond());
    }

    @Override
    public void clear() {
        super.clear();
        stepKernel = null;
        math.clearCache();
    }

    @Override
    public void bindBase(Map<String, INDArray> base) {
        INDArray weights = base.get(W);
        long out = ((LoraConv) conf.getLayer()).getNOut();
        long in = ((LoraConv) conf.getLayer()).getNIn();
        if (weights == null || weights.rank() != 4 || weights.size(0) != out || weights.size(1) != in) {
            throw new IllegalArgumentException("layer '" + name + "': base kernel " + (weights == null ? "missing"
                    : java.util.Arrays.toString(weights.shape())) + " does not fit the adapter ([" + out + ", " + in
                    + ", kH, kW] expected)");
        }
        this.w = weights;
        this.bias = base.get(BIAS);
        math.bindWeights(matrix(weights), bias, asMatrices(params));
    }

    @Override
    public Map<String, INDArray> adapterTensors() {
        return LoraParams.named(params);
    }

    @Override
    public Map<String, INDArray> mergedParams() {
        Map<String, INDArray> merged = math.merged(asMatrices(params));
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(W, kernel(merged.get("W")));
        if (merged.containsKey("b")) {
            m.put(BIAS, merged.get("b"));
        }
        return m;
    }

    @Override
    public void inputGradientNeeded(boolean needed) {
        // DL4J's convolution always computes the input gradient.
    }

    @Override
    public void merge() {
        math.merge(asMatrices(params));
    }

    @Override
    public void unmerge() {
        math.unmerge(asMatrices(params));
    }

    @Override
    public boolean isMerged() {
        return math.isMerged();
    }
}

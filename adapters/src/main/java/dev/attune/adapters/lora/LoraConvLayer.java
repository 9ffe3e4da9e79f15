package dev.attune.adapters.lora;

import dev.attune.AdaptedLayer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 2-D convolution with a LoRA adapter, as PEFT does for {@code Conv2d}: {@code A} a convolution
 * to r channels with the layer's kernel, {@code B} a 1x1 convolution to its outputs, so the kernel
 * is {@code W + s B A} (flattened to {@code [out, in kH kW]}). DL4J's own convolution (every padding
 * mode, stride, dilation, data format) runs with that kernel; the backward pass turns the kernel's
 * gradient {@code G} into the adapter's, {@code dA = s B^T G} and {@code dB = s G A^T}. The frozen
 * kernel is no DL4J parameter: no optimizer state, no update.
 */
final class LoraConvLayer extends ConvolutionLayer implements AdaptedLayer {
    private static final long serialVersionUID = 1L;
    private static final String W = ConvolutionParamInitializer.WEIGHT_KEY;
    private static final String BIAS = ConvolutionParamInitializer.BIAS_KEY;

    private final LoraSpec spec;
    private final String name;
    private INDArray w;
    private INDArray bias;
    private boolean merged;
    private transient INDArray kernelGradient;
    /** The training forward pass's kernel {@code W + s B A}, which its backward pass uses twice more. */
    private transient INDArray stepKernel;
    private transient boolean inBackprop;
    private transient INDArray biasGradient;

    LoraConvLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.spec = ((LoraConv) conf.getLayer()).spec();
        this.name = conf.getLayer().getLayerName();
    }

    private INDArray a2d() {
        INDArray a = params.get(LoraParams.A);
        return a.reshape('c', a.size(0), a.length() / a.size(0));
    }

    private INDArray b2d() {
        INDArray b = params.get(LoraParams.B);
        return b.reshape('c', b.size(0), b.size(1));
    }

    /** {@code s B A} in the kernel's shape. */
    private INDArray delta() {
        INDArray d = Nd4j.createUninitialized(w.dataType(), new long[] {w.size(0), w.length() / w.size(0)}, 'c');
        Nd4j.gemm(b2d(), a2d(), d, false, false, spec.scaling(), 0.0);
        return d.reshape('c', w.shape());
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr mgr) {
        if (W.equals(param)) {
            if (w == null) {
                throw new IllegalStateException("the LoRA layer '" + name + "' has no base weights bound yet");
            }
            if (merged) {
                return w;
            }
            if (inBackprop && stepKernel != null) {
                return stepKernel;
            }
            INDArray kernel = w.add(delta());
            if (training && !inBackprop) {
                // Kept with the layer's activations, which live until the backward pass.
                stepKernel = mgr.dup(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATIONS, kernel);
                return stepKernel;
            }
            return kernel;
        }
        if (BIAS.equals(param)) {
            return params.getOrDefault(LoraParams.BIAS, bias);
        }
        return super.getParamWithNoise(param, training, mgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name
                    + "' is merged into its base weights; unmerge() it before training");
        }
        // DL4J's convolution writes the kernel's (and bias's) gradient into these arrays.
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
        INDArray g2d = kernelGradient.reshape('c', w.size(0), w.length() / w.size(0));
        INDArray gA = adapterViews.get(LoraParams.A);
        INDArray gB = adapterViews.get(LoraParams.B);
        Nd4j.gemm(b2d(), g2d, gA.reshape('c', gA.size(0), gA.length() / gA.size(0)), true, false, spec.scaling(), 0.0);
        Nd4j.gemm(g2d, a2d(), gB.reshape('c', gB.size(0), gB.size(1)), false, true, spec.scaling(), 0.0);
        Gradient gradient = new DefaultGradient();
        if (adapterViews.containsKey(LoraParams.BIAS)) {
            gradient.setGradientFor(LoraParams.BIAS, adapterViews.get(LoraParams.BIAS));
        }
        gradient.setGradientFor(LoraParams.A, gA);
        gradient.setGradientFor(LoraParams.B, gB);
        return new Pair<>(gradient, p.getSecond());
    }

    @Override
    public void clear() {
        super.clear();
        stepKernel = null;
    }

    @Override
    public void bindBase(Map<String, INDArray> base) {
        INDArray weights = base.get(W);
        INDArray a = params.get(LoraParams.A);
        INDArray b = params.get(LoraParams.B);
        if (weights == null || weights.rank() != 4 || weights.size(0) != b.size(0) || weights.size(1) != a.size(1)) {
            throw new IllegalArgumentException("layer '" + name + "': base kernel " + (weights == null ? "missing"
                    : java.util.Arrays.toString(weights.shape())) + " does not fit the adapter");
        }
        this.w = weights;
        this.bias = base.get(BIAS);
        if (params.containsKey(LoraParams.BIAS)) {
            params.get(LoraParams.BIAS).assign(bias);
        }
    }

    @Override
    public Map<String, INDArray> adapterTensors() {
        return LoraParams.named(params);
    }

    @Override
    public Map<String, INDArray> mergedParams() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(W, merged ? w.dup('c') : w.add(delta()));
        INDArray b = params.getOrDefault(LoraParams.BIAS, bias);
        if (b != null) {
            m.put(BIAS, b.dup());
        }
        return m;
    }

    @Override
    public void inputGradientNeeded(boolean needed) {
        // DL4J's convolution always computes the input gradient.
    }

    @Override
    public void merge() {
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name + "' is already merged; merge once, or"
                    + " unmerge() first");
        }
        INDArray result = w.add(delta());
        LoraMath.requireFinite(result, name);
        w.assign(result);
        merged = true;
    }

    @Override
    public void unmerge() {
        if (!merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name + "' is not merged; nothing to unmerge");
        }
        w.subi(delta());
        merged = false;
    }

    @Override
    public boolean isMerged() {
        return merged;
    }
}

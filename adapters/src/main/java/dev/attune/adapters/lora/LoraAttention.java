package dev.attune.adapters.lora;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The configuration of a DL4J {@link SelfAttentionLayer} or {@link LearnedSelfAttentionLayer} (with
 * {@code projectInput}) with LoRA on its projection matrices. Its DL4J parameters are the adapter's
 * alone, {@code <P>A} ({@code [r, in]}) and {@code <P>B} ({@code [out, r]}) for each adapted projection
 * {@code P} of {@code Wq, Wk, Wv, Wo}; the base weights (and the learned queries {@code Q}) enter the
 * layer's SameDiff graph as constants, so they get no gradient and no optimizer state. The graph is
 * DL4J's own ({@code defineLayer} of the base configuration) run on the weights
 * {@code W + s (B A)} (query, key and value projections, whose DL4J shape {@code [heads, headSize, in]}
 * is PyTorch's {@code [out, in]} reshaped) and {@code W + s (B A)^T} (the output projection, stored
 * {@code [in, out]} as a dense layer's weights).
 */
final class LoraAttention extends SameDiffLayer {
    private static final long serialVersionUID = 1L;
    /** The projection matrices, in DL4J's parameter order. */
    static final List<String> PROJECTIONS = List.of("Wq", "Wk", "Wv", "Wo");
    /** The learned queries of a {@link LearnedSelfAttentionLayer}: frozen, never adapted. */
    static final String QUERIES = "Q";

    private final SameDiffLayer base;
    private final LoraSpec spec;
    private final List<String> projections;

    LoraAttention(SameDiffLayer base, Lora lora) {
        this.base = base;
        // Neither attention layer has a bias: Lora.Bias has nothing to train here.
        this.spec = LoraSpec.of(lora, false);
        this.projections = List.copyOf(lora.projectionNames());
        setLayerName(base.getLayerName());
        setIDropout(base.getIDropout());
        setUpdater(base.getUpdater());
        setBiasUpdater(base.getBiasUpdater());
        setRegularization(base.getRegularization());
        setRegularizationBias(base.getRegularizationBias());
        setGradientNormalization(base.getGradientNormalization());
        setGradientNormalizationThreshold(base.getGradientNormalizationThreshold());
        setWeightInit(base.getWeightInit());
    }

    /** Whether the configuration is one of the attention layers this class adapts. */
    static boolean isAttention(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return layer.getClass() == SelfAttentionLayer.class || layer.getClass() == LearnedSelfAttentionLayer.class;
    }

    /** Whether an attention layer projects its input, and so has weights to adapt. */
    static boolean projects(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return layer instanceof SelfAttentionLayer s ? s.isProjectInput() : ((LearnedSelfAttentionLayer) layer).isProjectInput();
    }

    /** {@code {in, out}} of a projection of an attention layer, as a linear map. */
    static long[] inOut(org.deeplearning4j.nn.conf.layers.Layer layer, String projection) {
        long nIn;
        long nOut;
        long inner;
        if (layer instanceof SelfAttentionLayer s) {
            nIn = s.getNIn();
            nOut = s.getNOut();
            inner = s.getNHeads() * s.getHeadSize();
        } else {
            LearnedSelfAttentionLayer l = (LearnedSelfAttentionLayer) layer;
            nIn = l.getNIn();
            nOut = l.getNOut();
            inner = l.getNHeads() * l.getHeadSize();
        }
        return "Wo".equals(projection) ? new long[] {inner, nOut} : new long[] {nIn, inner};
    }

    SameDiffLayer base() {
        return base;
    }

    LoraSpec spec() {
        return spec;
    }

    List<String> projections() {
        return projections;
    }

    /** The base layer's parameter keys: the four projections, and first the queries of a learned attention layer. */
    List<String> baseKeys() {
        List<String> keys = new ArrayList<>();
        if (base instanceof LearnedSelfAttentionLayer) {
            keys.add(QUERIES);
        }
        keys.addAll(PROJECTIONS);
        return keys;
    }

    /** The shape of a base parameter, as DL4J defines it. */
    long[] baseShape(String key) {
        return base.getLayerParams().getParamShapes().get(key);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        for (String p : projections) {
            long[] io = inOut(base, p);
            params.addWeightParam(p + LoraParams.A, spec.rank(), io[0]);
            params.addWeightParam(p + LoraParams.B, io[1], spec.rank());
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (String p : projections) {
                LoraParams.initA(params.get(p + LoraParams.A), spec, inOut(base, p)[0]);
                params.get(p + LoraParams.B).assign(0);
            }
        }
    }

    /**
     * DL4J's attention graph on the adapted weights. {@code paramTable} holds the base weights by DL4J
     * key ({@code Wq}, ..., {@code Q}) and, unless the adapter is merged into them, the adapter's
     * tensors ({@code WqA}, {@code WqB}, ...).
     */
    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable, SDVariable mask) {
        Map<String, SDVariable> weights = new LinkedHashMap<>();
        for (String key : baseKeys()) {
            SDVariable w = paramTable.get(key);
            SDVariable a = paramTable.get(key + LoraParams.A);
            if (a != null) {
                SDVariable b = paramTable.get(key + LoraParams.B);
                SDVariable update = "Wo".equals(key)
                        ? sd.mmul(a, b, true, true, false)
                        : sd.mmul(b, a).reshape(baseShape(key));
                w = w.add(update.mul(spec.scaling()));
            }
            weights.put(key, w);
        }
        if (base instanceof LearnedSelfAttentionLayer) {
            // DL4J's own graph tiles the queries over the batch with a scatter_update that DL4J 1.0.0-M2.1 refuses
            // to run; the repeat vector [batch, 1, 1] is built by concatenation instead. The rest is DL4J's.
            SDVariable reps = sd.concat(0, layerInput.shape().get(SDIndex.interval(0, 1)),
                    sd.constant(Nd4j.createFromArray(1L, 1L)));
            SDVariable queries = sd.tile(weights.get(QUERIES), reps);
            return sd.nn.multiHeadDotProductAttention(getLayerName(), queries, layerInput, layerInput, weights.get("Wq"),
                    weights.get("Wk"), weights.get("Wv"), weights.get("Wo"), mask, true);
        }
        return base.defineLayer(sd, layerInput, weights, mask);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LoraAttentionLayer layer = new LoraAttentionLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return base.getOutputType(layerIndex, inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        base.setNIn(inputType, override);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return base.getPreProcessorForInputType(inputType);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        return base.feedForwardMaskArray(maskArray, currentMaskState, minibatchSize);
    }

    @Override
    public void validateInput(INDArray input) {
        base.validateInput(input);
    }
}

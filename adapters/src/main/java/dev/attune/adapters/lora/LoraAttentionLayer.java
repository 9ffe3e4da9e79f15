package dev.attune.adapters.lora;

import dev.attune.spi.AdaptedLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.DL4JSameDiffMemoryMgr;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A self-attention or learned self-attention layer with LoRA on its projections (see
 * {@link LoraAttention}). Its SameDiff graph is built, as DL4J's is, at the first forward pass, with the
 * bound base weights as constants, and built again after {@link #merge()}, {@link #unmerge()} or
 * {@link #bindBase}: a merged layer's graph has no adapter path. SameDiff computes the gradient of the
 * adapter's tensors and of the input, never of the frozen weights.
 */
final class LoraAttentionLayer extends SameDiffLayer implements AdaptedLayer {
    private static final long serialVersionUID = 1L;

    /** The placeholder of {@code dL/d output} in the backward pass. */
    private static final String EPSILON_KEY = "epsilon";

    private final String name;
    private Map<String, INDArray> base;
    private boolean merged;

    LoraAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.name = conf.getLayer().getLayerName();
    }

    private LoraAttention attention() {
        return (LoraAttention) layerConf();
    }

    private void checkBound() {
        if (base == null) {
            throw new IllegalStateException("the LoRA layer '" + name + "' has no base weights bound yet");
        }
    }

    /** Drops the graph: the next pass builds it again from the current state. */
    private void invalidate() {
        sameDiff = null;
        outputVar = null;
        fn = null;
        outputKey = null;
    }

    @Override
    protected void doInit() {
        checkBound();
        LoraAttention conf = attention();
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            sameDiff = SameDiff.create();
            // As DL4J's SameDiff layer: single-threaded holders, which take the parameter views as they are.
            sameDiff.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            long[] inputShape = input.shape().clone();
            inputShape[0] = -1;
            if (inputShape.length == 3) {
                // Any sequence length, not only the first batch's.
                inputShape[2] = -1;
            }
            SDVariable in = sameDiff.placeHolder(INPUT_KEY, dataType, inputShape);
            Map<String, SDVariable> table = new LinkedHashMap<>();
            // Constants hold the bound arrays (SameDiff copies a view); merge, unmerge and bindBase rebuild the graph.
            base.forEach((k, v) -> table.put(k, sameDiff.constant(k, v)));
            if (!merged) {
                conf.getLayerParams().getParamShapes().forEach((k, shape) -> table.put(k, sameDiff.var(k, dataType, shape)));
            }
            long[] maskShape = new long[inputShape.length];
            Arrays.fill(maskShape, -1);
            SDVariable mask = sameDiff.placeHolder(MASK_KEY, dataType, maskShape);
            outputVar = conf.defineLayer(sameDiff, in, table, mask);
            if (!merged) {
                paramTable.forEach((k, v) -> sameDiff.associateArrayWithVariable(v, sameDiff.getVariable(k)));
            }
            // The backward pass differentiates sum(output * epsilon): with DL4J's external-errors function instead, the
            // gradients of DL4J 1.0.0-M2.1's own attention layers come out twice as large as the finite differences.
            long[] outShape = new long[inputShape.length];
            Arrays.fill(outShape, -1);
            SDVariable eps = sameDiff.placeHolder(EPSILON_KEY, dataType, outShape);
            SDVariable loss = outputVar.mul(eps).sum();
            sameDiff.setLossVariables(loss);
            outputKey = outputVar.name();
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name
                    + "' is merged into its base weights; unmerge() it before training");
        }
        assertInputSet(true);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
            if (!sameDiff.hasGradientFunction()) {
                sameDiff.createGradFunction(INPUT_KEY);
            }
        }
        // DL4J's workspaces for the gradient function's arrays, as DL4J's SameDiff layer sets them.
        Map<Long, InferenceSession> sessions = sameDiff.getFunction("grad").getSessions();
        sessions.computeIfAbsent(Thread.currentThread().getId(),
                id -> SameDiff.getInferenceFactory().create(sameDiff.getFunction("grad")));
        sessions.get(Thread.currentThread().getId()).setMmgr(new DL4JSameDiffMemoryMgr(
                workspaceMgr.getWorkspaceName(ArrayType.BP_WORKING_MEM), workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD),
                workspaceMgr.getConfiguration(ArrayType.BP_WORKING_MEM), workspaceMgr.getConfiguration(ArrayType.ACTIVATION_GRAD)));
        Map<String, INDArray> placeholders = new HashMap<>();
        placeholders.put(INPUT_KEY, input);
        placeholders.put(EPSILON_KEY, epsilon);
        placeholders.put(MASK_KEY, maskArray != null ? maskArray : layerConf().onesMaskForInput(input));
        List<String> wanted = new ArrayList<>(paramTable.keySet());
        wanted.add(INPUT_KEY);
        Map<String, INDArray> grads = sameDiff.calculateGradients(placeholders, wanted);
        Gradient g = new DefaultGradient();
        for (String k : paramTable.keySet()) {
            INDArray view = gradTable.get(k);
            view.assign(grads.get(k));
            g.gradientForVariable().put(k, view);
        }
        INDArray dLdIn = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, grads.get(INPUT_KEY));
        sameDiff.clearPlaceholders(true);
        sameDiff.clearOpInputs();
        return new Pair<>(g, dLdIn);
    }

    @Override
    public void bindBase(Map<String, INDArray> weights) {
        LoraAttention conf = attention();
        Map<String, INDArray> bound = new LinkedHashMap<>();
        for (String key : conf.baseKeys()) {
            INDArray w = weights.get(key);
            long[] expected = conf.baseShape(key);
            if (w == null || !Arrays.equals(w.shape(), expected)) {
                throw new IllegalArgumentException("layer '" + name + "': base weight '" + key + "' is "
                        + (w == null ? "missing (it holds " + weights.keySet() + ")" : "of shape " + Arrays.toString(w.shape()))
                        + "; the adapter expects shape " + Arrays.toString(expected));
            }
            bound.put(key, w);
        }
        this.base = bound;
        invalidate();
    }

    @Override
    public Map<String, INDArray> adapterTensors() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String p : attention().projections()) {
            m.put(p + ".lora_A", paramTable.get(p + LoraParams.A));
            m.put(p + ".lora_B", paramTable.get(p + LoraParams.B));
        }
        return m;
    }

    /**
     * The update of one projection in its DL4J shape: {@code s (B A)} reshaped to
     * {@code [heads, headSize, in]} for the query, key and value projections, {@code s (B A)^T} for
     * the output projection.
     */
    private INDArray delta(String projection) {
        INDArray a = paramTable.get(projection + LoraParams.A);
        INDArray b = paramTable.get(projection + LoraParams.B);
        double s = attention().spec().scaling();
        if ("Wo".equals(projection)) {
            INDArray d = Nd4j.createUninitialized(a.dataType(), new long[] {a.size(1), b.size(0)}, 'c');
            Nd4j.gemm(a, b, d, true, true, s, 0.0);
            return d;
        }
        INDArray d = Nd4j.createUninitialized(a.dataType(), new long[] {b.size(0), a.size(1)}, 'c');
        Nd4j.gemm(b, a, d, false, false, s, 0.0);
        return d.reshape('c', base.get(projection).shape());
    }

    @Override
    public Map<String, INDArray> mergedParams() {
        checkBound();
        Map<String, INDArray> m = new LinkedHashMap<>();
        base.forEach((k, w) -> m.put(k, !merged && attention().projections().contains(k) ? w.add(delta(k)) : w.dup()));
        return m;
    }

    @Override
    public void inputGradientNeeded(boolean needed) {
        // DL4J's SameDiff layer always computes the input gradient with the others, in one pass.
    }

    @Override
    public void merge() {
        checkBound();
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name + "' is already merged; merge once, or"
                    + " unmerge() first");
        }
        Map<String, INDArray> folded = new LinkedHashMap<>();
        for (String p : attention().projections()) {
            INDArray w = base.get(p).add(delta(p));
            LoraMath.requireFinite(w, name);
            folded.put(p, w);
        }
        folded.forEach((p, w) -> base.get(p).assign(w));
        merged = true;
        invalidate();
    }

    @Override
    public void unmerge() {
        checkBound();
        if (!merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + name + "' is not merged; nothing to unmerge");
        }
        for (String p : attention().projections()) {
            base.get(p).subi(delta(p));
        }
        merged = false;
        invalidate();
    }

    @Override
    public boolean isMerged() {
        return merged;
    }
}

package dev.attune.internal.dl4j;

import dev.attune.internal.math.StepWorkspace;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The optimizer's step on the whole gradient array of a network being trained (its trainable top),
 * where DL4J's backward pass and the fused dense step both write. When DL4J's only updater block
 * spans every parameter and no layer asks for gradient normalization, the block is applied directly
 * (with the division by the batch size and the subtraction as ops made once per batch size);
 * otherwise DL4J's updater runs.
 */
final class TopUpdate {
    private final MultiLayerNetwork top;
    private final org.deeplearning4j.nn.updater.MultiLayerUpdater updater;
    /**
     * DL4J's only updater block when it spans every parameter of the top and the layers ask for no
     * gradient normalization, applied directly; null otherwise (DL4J's updater runs).
     */
    private final UpdaterBlock block;
    /**
     * Flat views of the top's gradient array (where DL4J's backward pass and the fused step both write)
     * and of the block's, made once: a view costs a step as much as a small op.
     */
    private final INDArray flatGradient;
    private final INDArray blockFlat;
    /** The gradient divided by the batch size, and the update subtracted, as ops made once per batch size. */
    private Op divide;
    private int divideRows;
    private CustomOp subtract;
    private INDArray subtractFrom;

    /**
     * @param top the network being trained
     * @param updater its updater (held by the caller: the network drops its own reference when cleared)
     * @param flatGradient a flat view of the network's whole gradient array
     */
    TopUpdate(MultiLayerNetwork top, org.deeplearning4j.nn.updater.MultiLayerUpdater updater, INDArray flatGradient) {
        this.top = top;
        this.updater = updater;
        List<UpdaterBlock> blocks = updater.getUpdaterBlocks();
        boolean normalized = false;
        for (var layer : top.getLayers()) {
            normalized |= Optimizers.normalizesGradients(layer.conf().getLayer());
        }
        this.block = blocks.size() == 1 && blocks.get(0).getParamOffsetStart() == 0
                && blocks.get(0).getParamOffsetEnd() == top.numParams() && !normalized && top.conf().isMiniBatch()
                ? blocks.get(0) : null;
        this.flatGradient = flatGradient;
        this.blockFlat = block == null ? null : block.getGradientView().reshape(block.getGradientView().length());
    }

    /**
     * The optimizer's step on the top's whole gradient array (sums over the rows), as DL4J's updater
     * takes it; DL4J's own gradient, like the fused step's, lies in that array ({@code flatGradient}).
     */
    void apply(org.deeplearning4j.nn.gradient.Gradient gradient, int rows, int iteration, int epoch) {
        if (block != null) {
            if (divide == null || divideRows != rows) {
                divide = new ScalarDivision(flatGradient, rows);
                divideRows = rows;
            }
            Nd4j.exec(divide);
            applyBlock(block, blockFlat, iteration, epoch);
        } else {
            updater.update(top, gradient, iteration, epoch, rows, StepWorkspace.UPDATER);
        }
        if (subtractFrom != top.params()) {
            subtractFrom = top.params();
            subtract = new SubOp(subtractFrom, flatGradient, subtractFrom);
        }
        Nd4j.exec(subtract);
        top.setIterationCount(iteration + 1);
        top.setEpochCount(epoch);
    }

    /**
     * What DL4J's updater block does in its update, given the gradient divided by the batch size, without
     * the updater's per-step bookkeeping (splitting the gradient by layer, working memory): regularization
     * before the updater, the updater over the block's whole gradient, regularization after it (decoupled
     * weight decay).
     */
    private static void applyBlock(UpdaterBlock block, INDArray flatGradient, int iteration, int epoch) {
        var updater = block.getGradientUpdater();
        double lr = updater.getConfig().hasLearningRate() ? updater.getConfig().getLearningRate(iteration, epoch) : 1.0;
        regularize(block, Regularization.ApplyStep.BEFORE_UPDATER, lr, iteration, epoch);
        updater.applyUpdater(flatGradient, iteration, epoch);
        regularize(block, Regularization.ApplyStep.POST_UPDATER, lr, iteration, epoch);
    }

    private static void regularize(UpdaterBlock block, Regularization.ApplyStep when, double lr, int iteration,
                                   int epoch) {
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            List<Regularization> rs = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            for (Regularization r : rs == null ? List.<Regularization>of() : rs) {
                if (r.applyStep() == when) {
                    r.apply(p.getParamView(), p.getGradView(), lr, iteration, epoch);
                }
            }
        }
    }
}

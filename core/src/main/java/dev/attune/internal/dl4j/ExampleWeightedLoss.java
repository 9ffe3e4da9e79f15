package dev.attune.internal.dl4j;

import java.util.function.DoubleSupplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The output layer's own loss with each example's term (and its gradient) multiplied by a weight.
 *
 * <p>DL4J's per-example label mask is no loss weight: the output layer also multiplies its
 * pre-activations by the mask, which for a weight other than 0 or 1 changes the prediction itself.
 * So for one training step the output layer's loss function is wrapped, and then put back; the
 * trained network never holds this class, and a saved model needs no Attune class to load.
 */
final class ExampleWeightedLoss implements ILossFunction {
    private final ILossFunction loss;
    private final INDArray weights;

    private ExampleWeightedLoss(ILossFunction loss, INDArray weights) {
        this.loss = loss;
        this.weights = weights;
    }

    /**
     * Runs {@code step} with the output layer's loss weighted by {@code weights} ({@code [rows, 1]});
     * without weights, runs it as it is.
     *
     * @throws IllegalArgumentException when the output layer has no loss function of its own to weight
     */
    static double during(Layer outputLayer, INDArray weights, DoubleSupplier step) {
        if (weights == null) {
            return step.getAsDouble();
        }
        if (!(outputLayer.conf().getLayer() instanceof BaseOutputLayer conf)) {
            throw new IllegalArgumentException("per-example loss weights need an output layer with a loss function, but '"
                    + outputLayer.conf().getLayer().getLayerName() + "' is a "
                    + outputLayer.conf().getLayer().getClass().getSimpleName()
                    + "; use replaceHead(...) or a resampling balancer");
        }
        ILossFunction original = conf.getLossFn();
        conf.setLossFn(new ExampleWeightedLoss(original, weights));
        try {
            return step.getAsDouble();
        } finally {
            conf.setLossFn(original);
        }
    }

    private INDArray weightsFor(INDArray like) {
        return weights.castTo(like.dataType());
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray scores = loss.computeScoreArray(labels, preOutput, activationFn, mask);
        return scores.muliColumnVector(weightsFor(scores));
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray gradient = loss.computeGradient(labels, preOutput, activationFn, mask);
        return gradient.muliColumnVector(weightsFor(gradient));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "weighted " + loss.name();
    }

    @Override
    public String toString() {
        return name();
    }
}

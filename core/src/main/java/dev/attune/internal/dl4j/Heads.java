package dev.attune.internal.dl4j;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** New classification heads. */
final class Heads {
    private Heads() {
    }

    /** A softmax output layer with cross-entropy loss and Xavier-initialised weights (drawn from the run's seed). */
    static OutputLayer softmax(String name, long nIn, int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .name(name)
                .nIn(nIn)
                .nOut(classes)
                .activation(Activation.SOFTMAX)
                .weightInit(WeightInit.XAVIER)
                // A layer built outside a network builder inherits no defaults: set them all.
                .biasInit(0)
                .gradientNormalization(GradientNormalization.None)
                .gradientNormalizationThreshold(1.0)
                .build();
    }
}

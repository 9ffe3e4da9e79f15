package dev.attune.spi;

import java.util.List;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * The optimizer of a fine-tuning run: Adam, AdamW (decoupled weight decay) or SGD with optional
 * momentum. Immutable. Weight decay applies to weights, not to biases, and is decoupled from the
 * gradient step (as in AdamW, Loshchilov and Hutter 2019) for every kind.
 *
 * @param kind the algorithm
 * @param learningRate the step size, in (0, 10]
 * @param momentum Nesterov momentum for SGD in [0, 1); 0 for Adam
 * @param weightDecay decoupled weight decay per step (scaled by the learning rate), at least 0
 */
public record Optimizer(Kind kind, double learningRate, double momentum, double weightDecay) {
    /** The optimizer algorithms. */
    public enum Kind {
        /** Adam (Kingma and Ba 2015) with beta1 0.9, beta2 0.999, epsilon 1e-8. */
        ADAM,
        /** Plain stochastic gradient descent, with Nesterov momentum when momentum is above 0. */
        SGD
    }

    /** Validates. */
    public Optimizer {
        java.util.Objects.requireNonNull(kind, "kind");
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException("learning rate must be in (0, 10], got " + learningRate
                    + "; typical values are 1e-4 to 1e-2 for Adam and 1e-3 to 1e-1 for SGD");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum + "; 0.9 is a common choice");
        }
        if (kind == Kind.ADAM && momentum != 0) {
            throw new IllegalArgumentException("momentum applies to SGD only, got " + momentum + " for Adam");
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("weight decay must be in [0, 1), got " + weightDecay + "; 0.01 is common for AdamW");
        }
    }

    /** Adam without weight decay. */
    public static Optimizer adam(double learningRate) {
        return new Optimizer(Kind.ADAM, learningRate, 0, 0);
    }

    /** AdamW: Adam with decoupled weight decay of 0.01. */
    public static Optimizer adamW(double learningRate) {
        return adamW(learningRate, 0.01);
    }

    /** AdamW: Adam with the given decoupled weight decay. */
    public static Optimizer adamW(double learningRate, double weightDecay) {
        return new Optimizer(Kind.ADAM, learningRate, 0, weightDecay);
    }

    /** Plain SGD. */
    public static Optimizer sgd(double learningRate) {
        return new Optimizer(Kind.SGD, learningRate, 0, 0);
    }

    /** SGD with Nesterov momentum. */
    public static Optimizer sgd(double learningRate, double momentum) {
        return new Optimizer(Kind.SGD, learningRate, momentum, 0);
    }

    /** This optimizer with the given decoupled weight decay. */
    public Optimizer withWeightDecay(double decay) {
        return new Optimizer(kind, learningRate, momentum, decay);
    }

    public IUpdater updater() {
        return switch (kind) {
            case ADAM -> new Adam(learningRate);
            case SGD -> momentum > 0 ? new Nesterovs(learningRate, momentum) : new Sgd(learningRate);
        };
    }

    public List<Regularization> weightRegularization() {
        return weightDecay > 0 ? List.of(new WeightDecay(weightDecay, true)) : List.of();
    }

    @Override
    public String toString() {
        String name = kind == Kind.ADAM ? (weightDecay > 0 ? "adamW" : "adam") : "sgd";
        return name + "(lr=" + learningRate + (momentum > 0 ? ", momentum=" + momentum : "")
                + (weightDecay > 0 ? ", weightDecay=" + weightDecay : "") + ")";
    }
}

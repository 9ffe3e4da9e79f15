package dev.attune.evaluation;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A change of a test set's features at several strengths, for a {@link Robustness} suite: Gaussian
 * noise, brightness, occlusion. The built-in ones come from {@link Perturbations}; implement it for
 * a perturbation of your own.
 */
public interface Perturbation {
    /** A short stable name, the key in a {@link RobustnessReport}, for example {@code "gaussian_noise"}. */
    String name();

    /** The strengths to run, in the order given. */
    List<Double> strengths();

    /**
     * The perturbed features. Must not change {@code features}, and must give the same result for the
     * same features, strength and seed.
     *
     * @param features examples along dimension 0; images as {@code [n, channels, height, width]}
     * @param strength one of {@link #strengths()}
     * @param seed the seed of any random draw
     * @return a new array of the same shape and data type
     */
    INDArray apply(INDArray features, double strength, long seed);
}

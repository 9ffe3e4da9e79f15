package dev.attune;

/**
 * What {@link FineTuner#fit} does when the training loss becomes NaN or infinite. Immutable.
 *
 * <ul>
 *   <li>{@link #stop()} (the default): the fit throws an {@link IllegalStateException} naming the epoch
 *       and the step;</li>
 *   <li>{@link #rollback(double, int) rollback(f, n)}: the weights and the optimizer state go back to
 *       where they were at the start of the epoch (kept in memory), the learning rate is multiplied by
 *       {@code f} for the rest of the run and the epoch runs again; listeners hear a
 *       {@link TrainingListener.Warning} (topic {@code "divergence"}) and the provenance keeps it. After
 *       {@code n} rollbacks the next divergence stops the fit as {@code stop()} does.</li>
 * </ul>
 */
public final class Divergence {
    private final double lrFactor;
    private final int maxRollbacks;

    private Divergence(double lrFactor, int maxRollbacks) {
        this.lrFactor = lrFactor;
        this.maxRollbacks = maxRollbacks;
    }

    /** A NaN or infinite loss stops the fit. */
    public static Divergence stop() {
        return new Divergence(1, 0);
    }

    /**
     * A NaN or infinite loss rolls the run back to the start of its epoch and goes on with the learning
     * rate multiplied by {@code lrFactor}, at most {@code maxRollbacks} times.
     *
     * @throws IllegalArgumentException when {@code lrFactor} is not in (0, 1) or {@code maxRollbacks} is below 1
     */
    public static Divergence rollback(double lrFactor, int maxRollbacks) {
        if (!(lrFactor > 0 && lrFactor < 1)) {
            throw new IllegalArgumentException("the rollback's learning-rate factor must be in (0, 1), got " + lrFactor
                    + "; pass the multiplier of the learning rate after a divergence, e.g. rollback(0.5, 3)");
        }
        if (maxRollbacks < 1) {
            throw new IllegalArgumentException("a rollback guard needs at least 1 rollback, got " + maxRollbacks
                    + "; pass how many times to roll back, e.g. rollback(0.5, 3), or use Divergence.stop()");
        }
        return new Divergence(lrFactor, maxRollbacks);
    }

    /** The multiplier of the learning rate after each rollback (1 for {@link #stop()}). */
    public double lrFactor() {
        return lrFactor;
    }

    /** How many rollbacks are allowed (0 for {@link #stop()}). */
    public int maxRollbacks() {
        return maxRollbacks;
    }

    @Override
    public String toString() {
        return maxRollbacks == 0 ? "stop()" : "rollback(" + lrFactor + ", " + maxRollbacks + ")";
    }
}

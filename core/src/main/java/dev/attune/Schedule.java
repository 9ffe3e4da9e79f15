package dev.attune;

/**
 * A learning-rate schedule: the multiplier of the optimizer's learning rate at each optimizer step.
 * Immutable; a pure function of the step {@code t} (from 0) and the run's total steps {@code T}
 * (epochs times optimizer steps per epoch, known when {@code fit} starts).
 *
 * <pre>{@code
 * .schedule(Schedule.cosine().withWarmup(100))   // 0 -> 1 over 100 steps, then a half cosine to 0
 * }</pre>
 *
 * <p>With a warm-up of {@code W} steps, step {@code t < W} has the multiplier {@code t / W} (the
 * first step's is 0, as in Hugging Face's schedules); the schedule itself then runs over the steps
 * from {@code W} to {@code T - 1}, with progress {@code p = (t - W) / (T - 1 - W)} from 0 to 1 (0 when
 * a single step follows the warm-up):
 * <ul>
 *   <li>{@link #constant()}: 1;</li>
 *   <li>{@link #linear()}: {@code 1 - p}, 0 at the last step;</li>
 *   <li>{@link #cosine()}: {@code (1 + cos(pi p)) / 2}, 0 at the last step;</li>
 *   <li>{@link #cosineWithRestarts(int) cosineWithRestarts(c)}: {@code (1 + cos(pi ((c p) mod 1))) / 2},
 *       {@code c} cycles each falling from 1 towards 0, and 0 at the last step;</li>
 *   <li>{@link #stepDecay(int, double) stepDecay(n, f)}: {@code f^floor((t - W) / n)}.</li>
 * </ul>
 * A warm-up longer than the run is refused when {@code fit} starts.
 */
public final class Schedule {
    private enum Kind { CONSTANT, LINEAR, COSINE, COSINE_RESTARTS, STEP }

    private final Kind kind;
    private final int cycles;
    private final int everySteps;
    private final double factor;
    private final int warmup;

    private Schedule(Kind kind, int cycles, int everySteps, double factor, int warmup) {
        this.kind = kind;
        this.cycles = cycles;
        this.everySteps = everySteps;
        this.factor = factor;
        this.warmup = warmup;
    }

    /** The optimizer's learning rate at every step. */
    public static Schedule constant() {
        return new Schedule(Kind.CONSTANT, 0, 0, 0, 0);
    }

    /** Falls linearly from the full rate to 0 at the last step. */
    public static Schedule linear() {
        return new Schedule(Kind.LINEAR, 0, 0, 0, 0);
    }

    /** Half a cosine from the full rate to 0 at the last step (Loshchilov and Hutter's SGDR without restarts). */
    public static Schedule cosine() {
        return new Schedule(Kind.COSINE, 0, 0, 0, 0);
    }

    /**
     * {@code cycles} cosine cycles of equal length, each starting again at the full rate (hard restarts).
     *
     * @throws IllegalArgumentException when {@code cycles} is below 1
     */
    public static Schedule cosineWithRestarts(int cycles) {
        if (cycles < 1) {
            throw new IllegalArgumentException("cosineWithRestarts needs at least 1 cycle, got " + cycles
                    + "; pass the number of cosine cycles over the run, e.g. cosineWithRestarts(3)");
        }
        return new Schedule(Kind.COSINE_RESTARTS, cycles, 0, 0, 0);
    }

    /**
     * The rate multiplied by {@code factor} every {@code everySteps} optimizer steps.
     *
     * @throws IllegalArgumentException when {@code everySteps} is below 1 or {@code factor} is not in (0, 1]
     */
    public static Schedule stepDecay(int everySteps, double factor) {
        if (everySteps < 1) {
            throw new IllegalArgumentException("stepDecay's everySteps must be at least 1, got " + everySteps
                    + "; pass the number of optimizer steps between two decays, e.g. stepDecay(100, 0.5)");
        }
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("stepDecay's factor must be in (0, 1], got " + factor
                    + "; pass the multiplier applied every everySteps steps, e.g. 0.5");
        }
        return new Schedule(Kind.STEP, 0, everySteps, factor, 0);
    }

    /**
     * This schedule after a linear warm-up from 0 over the first {@code steps} optimizer steps.
     *
     * @throws IllegalArgumentException when {@code steps} is negative
     */
    public Schedule withWarmup(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("a warm-up cannot have " + steps
                    + " steps; pass 0 for none or the number of optimizer steps to warm up over, e.g. withWarmup(100)");
        }
        return new Schedule(kind, cycles, everySteps, factor, steps);
    }

    /** The warm-up's length in optimizer steps (0 for none). */
    public int warmupSteps() {
        return warmup;
    }

    /**
     * The multiplier of the learning rate at optimizer step {@code step} (from 0) of a run of
     * {@code totalSteps} steps.
     *
     * @throws IllegalArgumentException when the step is outside {@code [0, totalSteps)} or the warm-up
     *     is longer than the run
     */
    public double multiplier(int step, int totalSteps) {
        checkFits(totalSteps);
        if (step < 0 || step >= totalSteps) {
            throw new IllegalArgumentException("step " + step + " is outside the run's " + totalSteps
                    + " steps; pass a step in [0, " + totalSteps + ")");
        }
        if (step < warmup) {
            return (double) step / warmup;
        }
        int span = totalSteps - 1 - warmup;
        double p = span <= 0 ? 0 : (double) (step - warmup) / span;
        return switch (kind) {
            case CONSTANT -> 1;
            case LINEAR -> 1 - p;
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * p));
            case COSINE_RESTARTS -> p >= 1 ? 0 : 0.5 * (1 + Math.cos(Math.PI * ((cycles * p) % 1.0)));
            case STEP -> Math.pow(factor, (step - warmup) / everySteps);
        };
    }

    /**
     * Checks that the schedule fits a run of {@code totalSteps} optimizer steps.
     *
     * @throws IllegalArgumentException when the warm-up is longer than the run
     */
    public void checkFits(int totalSteps) {
        if (warmup > totalSteps) {
            throw new IllegalArgumentException("the warm-up of " + warmup + " steps is longer than the run's "
                    + totalSteps + " optimizer steps; shorten the warm-up to at most " + totalSteps
                    + " or train for more epochs");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && s.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** The schedule as the code that makes it, e.g. {@code cosine().withWarmup(100)}. */
    @Override
    public String toString() {
        String base = switch (kind) {
            case CONSTANT -> "constant()";
            case LINEAR -> "linear()";
            case COSINE -> "cosine()";
            case COSINE_RESTARTS -> "cosineWithRestarts(" + cycles + ")";
            case STEP -> "stepDecay(" + everySteps + ", " + factor + ")";
        };
        return warmup > 0 ? base + ".withWarmup(" + warmup + ")" : base;
    }
}

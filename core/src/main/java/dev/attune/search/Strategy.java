package dev.attune.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a {@link Search} chooses its trials and when it stops weak ones. Immutable.
 *
 * <ul>
 *   <li>{@link #grid()}: every combination of the parameters' values, each trial to its end;</li>
 *   <li>{@link #random(int) random(n)}: n points drawn from the search's seed;</li>
 *   <li>{@link #halving(int, int) halving(minEpochs, eta)} on either: asynchronous successive halving.
 *       At the rung epochs {@code r, r*eta, r*eta^2, ...} (below the trial's last epoch) a trial whose
 *       objective is not in the top {@code 1/eta} (rounded up) of the trials that reached that rung stops.
 *       A trial is compared with the lower-numbered trials of its bracket, waiting for those still on their
 *       way, so the decisions, and the result, are those of a serial run whatever the parallelism;</li>
 *   <li>{@link #hyperband(int, int) hyperband(maxEpochs, eta)}: brackets of random trials under successive
 *       halving from rung {@code maxEpochs / eta^s} ({@code s} from the largest, where rungs start at 1 epoch,
 *       down to 0, where trials run to the end), with {@code ceil((sMax + 1) / (s + 1) * eta^s)} trials each.</li>
 * </ul>
 */
public final class Strategy {
    private enum Kind { GRID, RANDOM, HYPERBAND }

    private final Kind kind;
    private final int count;
    private final int minEpochs;
    private final int eta;

    private Strategy(Kind kind, int count, int minEpochs, int eta) {
        this.kind = kind;
        this.count = count;
        this.minEpochs = minEpochs;
        this.eta = eta;
    }

    /**
     * Every combination of the parameters' values: each choice and each integer of an integer range. Ranges
     * of doubles need {@link #grid(int)}.
     */
    public static Strategy grid() {
        return new Strategy(Kind.GRID, 0, 0, 0);
    }

    /**
     * Every combination, with {@code steps} evenly spaced values of each range (log-spaced for a
     * log-uniform one, rounded for an integer range; both ends included).
     *
     * @throws IllegalArgumentException when {@code steps} is below 1
     */
    public static Strategy grid(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("grid(" + steps + "): give at least 1 value per range, for example grid(3)");
        }
        return new Strategy(Kind.GRID, steps, 0, 0);
    }

    /**
     * {@code trials} points drawn independently from the search's seed.
     *
     * @throws IllegalArgumentException when {@code trials} is below 1
     */
    public static Strategy random(int trials) {
        if (trials < 1) {
            throw new IllegalArgumentException("random(" + trials + "): give at least 1 trial, for example random(20)");
        }
        return new Strategy(Kind.RANDOM, trials, 0, 0);
    }

    /**
     * Hyperband over random points: brackets of successive halving that start at different rungs, every
     * trial training up to {@code maxEpochs} (the mapping's {@code epochs(...)} must say the same).
     *
     * @throws IllegalArgumentException when {@code eta} is below 2 or {@code maxEpochs} below {@code eta}
     */
    public static Strategy hyperband(int maxEpochs, int eta) {
        checkEta(eta);
        if (maxEpochs < eta) {
            throw new IllegalArgumentException("hyperband(" + maxEpochs + ", " + eta + "): maxEpochs must be at least eta,"
                    + " or there is a single bracket without rungs; use random(trials) instead, or train longer");
        }
        return new Strategy(Kind.HYPERBAND, maxEpochs, 1, eta);
    }

    /**
     * This grid or random strategy with asynchronous successive halving: rungs at {@code minEpochs * eta^k}.
     *
     * @throws IllegalArgumentException when {@code minEpochs} is below 1 or {@code eta} below 2
     * @throws IllegalStateException on a hyperband strategy, or when halving was set already
     */
    public Strategy halving(int minEpochs, int eta) {
        if (kind == Kind.HYPERBAND || this.eta > 0) {
            throw new IllegalStateException(this + " halves already; set halving(minEpochs, eta) once, on grid or random");
        }
        if (minEpochs < 1) {
            throw new IllegalArgumentException("halving(" + minEpochs + ", " + eta + "): the first rung must be at least"
                    + " epoch 1");
        }
        checkEta(eta);
        return new Strategy(kind, count, minEpochs, eta);
    }

    private static void checkEta(int eta) {
        if (eta < 2) {
            throw new IllegalArgumentException("eta " + eta + ": each rung keeps the top 1/eta, so eta must be at least 2;"
                    + " 3 is usual");
        }
    }

    /** Whether weak trials stop early at rungs. */
    public boolean halves() {
        return eta > 0;
    }

    /** A trial as planned: its number, its bracket, its point, and its first rung (0: no rungs). */
    record Planned(int index, int bracket, Point point, int firstRung, int eta, int maxEpochs) {
        /** The rung epochs below {@code lastEpoch}. */
        boolean isRung(int epoch, int lastEpoch) {
            if (firstRung == 0 || epoch >= lastEpoch || epoch < firstRung) {
                return false;
            }
            long r = firstRung;
            while (r < epoch) {
                r *= eta;
            }
            return r == epoch;
        }
    }

    /**
     * The points of this strategy's trials over {@code space}, in trial order, drawn from the search's seed
     * as {@link Search} draws them: for a runner that spreads trials over machines, each sharing nothing.
     *
     * @throws IllegalArgumentException for successive halving or Hyperband, whose trials wait for one another
     */
    public List<Point> points(SearchSpace space, long seed) {
        if (minEpochs > 0 || kind == Kind.HYPERBAND) {
            throw new IllegalArgumentException(this + " compares trials at its rungs, so its trials share results; spread"
                    + " grid or random trials alone (Strategy.grid() or Strategy.random(n)), or run it with Search");
        }
        return plan(space, seed).stream().map(Planned::point).toList();
    }

    /** The trials of this strategy over {@code space}, numbered from 0, from the search's seed. */
    List<Planned> plan(SearchSpace space, long seed) {
        List<Planned> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        switch (kind) {
            case GRID -> {
                List<List<Object>> axes = space.gridAxes(count);
                List<String> names = space.names();
                int[] at = new int[axes.size()];
                while (true) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (int p = 0; p < at.length; p++) {
                        values.put(names.get(p), axes.get(p).get(at[p]));
                    }
                    int i = out.size();
                    out.add(new Planned(i, 0, space.point(values, trialSeed(seed, i)), minEpochs, eta, 0));
                    int p = at.length - 1;
                    while (p >= 0 && ++at[p] == axes.get(p).size()) {
                        at[p--] = 0;
                    }
                    if (p < 0) {
                        break;
                    }
                }
            }
            case RANDOM -> {
                for (int i = 0; i < count; i++) {
                    out.add(new Planned(i, 0, space.sample(rng, trialSeed(seed, i)), minEpochs, eta, 0));
                }
            }
            case HYPERBAND -> {
                return plan(space, seed, count);
            }
            default -> throw new AssertionError(kind);
        }
        return out;
    }

    /** Hyperband's trials: bracket by bracket, from the one with the most rungs. */
    private List<Planned> plan(SearchSpace space, long seed, int maxEpochs) {
        List<Planned> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        int sMax = 0;
        long power = eta;
        while (power <= maxEpochs) {
            sMax++;
            power *= eta;
        }
        for (int s = sMax, bracket = 0; s >= 0; s--, bracket++) {
            long etaS = (long) Math.pow(eta, s);
            int n = (int) Math.ceil((sMax + 1) * (double) etaS / (s + 1));
            int firstRung = (int) Math.max(1, maxEpochs / etaS);
            for (int k = 0; k < n; k++) {
                int i = out.size();
                out.add(new Planned(i, bracket, space.sample(rng, trialSeed(seed, i)), s == 0 ? 0 : firstRung, eta,
                        maxEpochs));
            }
        }
        return out;
    }

    /** Hyperband's maximum epochs for every trial; 0 for the other strategies. */
    int maxEpochs() {
        return kind == Kind.HYPERBAND ? count : 0;
    }

    /** Trial {@code i}'s seed, drawn from the search's seed: small and positive, to read in a provenance. */
    static long trialSeed(long searchSeed, int i) {
        return Math.floorMod(new SplittableRandom(searchSeed ^ (0x9E3779B97F4A7C15L * (i + 1))).nextLong(), 1_000_000_000L);
    }

    /** The strategy as text, for example {@code random(20).halving(1, 3)}. */
    @Override
    public String toString() {
        String base = switch (kind) {
            case GRID -> count == 0 ? "grid()" : "grid(" + count + ")";
            case RANDOM -> "random(" + count + ")";
            case HYPERBAND -> "hyperband(" + count + ", " + eta + ")";
        };
        return kind != Kind.HYPERBAND && eta > 0 ? base + ".halving(" + minEpochs + ", " + eta + ")" : base;
    }
}

package dev.attune.internal.bert;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Row work of the written-out encoder passes ({@link BertForward}, {@link BertStep}) split over the
 * calling thread and one shared helper thread, a daemon that only ever runs work its caller waits for.
 * The matrix products between the row passes are threaded by OpenBLAS; while a row pass runs, BLAS is
 * idle, so the second core would otherwise sit unused.
 */
final class RowThreads {
    /**
     * Whether large row work is split over two threads. On by default; a switch for measurements (see
     * {@link BertForward} for the figures).
     */
    static volatile boolean twoThreads = true;
    /** The second thread, on a machine with more than one core; {@code null} on one core. */
    private static final ExecutorService HELPER = Runtime.getRuntime().availableProcessors() < 2 ? null
            : Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "attune-bert-rows");
                t.setDaemon(true);
                return t;
            });

    private RowThreads() {
    }

    /** Work on items {@code [from, to)} with a thread's scratch space. */
    @FunctionalInterface
    interface Task {
        void run(int from, int to, Scratch scratch);
    }

    /** Rows of scratch space of one thread. */
    static final class Scratch {
        final double[] a;
        final double[] b;
        final double[] c;
        final float[] f;
        final float[] g;
        final float[] h;
        final float[] u;
        final float[] v;
        /** Column sums a row pass accumulates (a layer norm's gain gradient, a bias gradient). */
        final double[] sumA;
        final double[] sumB;

        Scratch(int width) {
            a = new double[width];
            b = new double[width];
            c = new double[width];
            f = new float[width];
            g = new float[width];
            h = new float[width];
            u = new float[width];
            v = new float[width];
            sumA = new double[width];
            sumB = new double[width];
        }

        /** A pair of scratch spaces, one for each thread. */
        static Scratch[] pair(int width) {
            return new Scratch[] {new Scratch(width), new Scratch(width)};
        }
    }

    /**
     * Runs {@code task} over items {@code [0, n)} of {@code size} elements each: split in two halves over
     * this thread ({@code s[0]}) and the helper ({@code s[1]}) when there are at least
     * {@code minElements} elements in all, else on this thread.
     */
    static void split(int n, long size, long minElements, Scratch[] s, Task task) {
        if (HELPER == null || !twoThreads || (long) n * size < minElements || n < 2) {
            task.run(0, n, s[0]);
            return;
        }
        int mid = n / 2;
        both(() -> task.run(mid, n, s[1]), () -> task.run(0, mid, s[0]));
    }

    /**
     * Runs {@code helper} on the helper thread and {@code here} on this one, and waits for both: for the
     * helper even when interrupted (the flag is set again after), as it works on the caller's arrays.
     */
    private static void both(Runnable helper, Runnable here) {
        Future<?> other = HELPER.submit(helper);
        try {
            here.run();
        } finally {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        other.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IllegalStateException(e.getCause());
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

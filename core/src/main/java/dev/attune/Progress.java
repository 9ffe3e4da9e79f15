package dev.attune;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Progress listeners. {@link #console()} prints one line per epoch (losses, validation metrics,
 * time, ETA), during epochs longer than a few seconds a line every five seconds, and a line per
 * warning.
 */
public final class Progress {
    private Progress() {
    }

    /** Progress on standard output. */
    public static TrainingListener console() {
        return console(System.out);
    }

    /** Progress on the given stream. */
    public static TrainingListener console(PrintStream out) {
        return new Console(requireNonNull(out, "out"));
    }

    private static final class Console implements TrainingListener {
        private static final long REPORT_EVERY_NANOS = 5_000_000_000L;
        private final PrintStream out;
        private int epochs;
        private long lastReport;

        Console(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onFitStart(FitStart e) {
            epochs = e.epochs();
            lastReport = System.nanoTime();
            out.printf(Locale.ROOT, "training %,d examples, %d steps/epoch, up to %d epochs; %,d trainable and %,d frozen parameters%s%n",
                    e.trainExamples(), e.batchesPerEpoch(), e.epochs(), e.trainableParams(), e.frozenParams(),
                    e.cachedFrozenFeatures() ? "; frozen layers' outputs computed once" : "");
        }

        @Override
        public void onWarning(Warning e) {
            out.println("warning (" + e.topic() + "): " + e.message());
        }

        @Override
        public void onBatchEnd(BatchEnd e) {
            long now = System.nanoTime();
            if (now - lastReport >= REPORT_EVERY_NANOS && e.batch() < e.batchesPerEpoch()) {
                lastReport = now;
                out.printf(Locale.ROOT, "  epoch %d/%d  step %d/%d  loss %.4f  %s%n", e.epoch(), epochs, e.batch(),
                        e.batchesPerEpoch(), e.loss(), format(e.sinceStart()));
            }
        }

        @Override
        public void onEpochEnd(EpochEnd e) {
            lastReport = System.nanoTime();
            EpochRecord r = e.record();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", r.epoch(),
                    e.epochs(), r.trainLoss()));
            if (!Double.isNaN(r.validationLoss())) {
                line.append(String.format(Locale.ROOT, "  val_loss %.4f", r.validationLoss()));
            }
            for (Map.Entry<String, Double> m : new java.util.TreeMap<>(r.metrics()).entrySet()) {
                line.append(String.format(Locale.ROOT, "  %s %.4f", m.getKey(), m.getValue()));
            }
            Duration elapsed = e.sinceStart();
            Duration eta = elapsed.dividedBy(r.epoch()).multipliedBy(e.epochs() - r.epoch());
            line.append("  ").append(format(r.time())).append("  ETA ").append(format(eta));
            if (e.improved()) {
                line.append("  *");
            }
            out.println(line);
        }

        @Override
        public void onFitEnd(FitEnd e) {
            out.printf(Locale.ROOT, "done: %d epochs in %s, best epoch %d%s%n", e.epochsRun(), format(e.wallTime()),
                    e.bestEpoch(), e.stoppedEarly() ? " (stopped early)" : "");
        }

        static String format(Duration d) {
            long s = d.toSeconds();
            if (s >= 60) {
                return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
            }
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
    }
}

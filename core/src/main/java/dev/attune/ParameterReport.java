package dev.attune;

import java.util.Locale;

/**
 * What a fine-tuning run trained and what it cost in optimizer memory, against full fine-tuning of
 * the same network with the same optimizer.
 *
 * @param trainable parameters trained (adapter tensors, trained layers)
 * @param frozen parameters of the network held frozen
 * @param optimizerStateBytes bytes of optimizer state held during training
 * @param fullFineTuningStateBytes bytes the same optimizer would hold to train every parameter of the network
 */
public record ParameterReport(long trainable, long frozen, long optimizerStateBytes, long fullFineTuningStateBytes) {
    /** The share of trained parameters among all the run's parameters (trained and frozen). */
    public double trainableShare() {
        long all = trainable + frozen;
        return all == 0 ? 0 : (double) trainable / all;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d trainable parameters of %,d (%.2f%%); optimizer state %s against %s for"
                + " full fine-tuning", trainable, trainable + frozen, 100 * trainableShare(), bytes(optimizerStateBytes),
                bytes(fullFineTuningStateBytes));
    }

    private static String bytes(long b) {
        return b < 10_000 ? b + " B" : b < 10_000_000 ? String.format(Locale.ROOT, "%.1f kB", b / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }
}

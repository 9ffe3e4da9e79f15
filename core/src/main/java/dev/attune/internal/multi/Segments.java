package dev.attune.internal.multi;

import java.util.Arrays;

/**
 * The rows of a batch ordered so that rows of one adapter lie together: the permutation and the
 * segments of equal slot, in the order of their sort keys (rows of equal key keep their order).
 */
public final class Segments {
    private final int[] order;
    private final int[] starts;
    private final int[] slots;

    private Segments(int[] order, int[] starts, int[] slots) {
        this.order = order;
        this.starts = starts;
        this.slots = slots;
    }

    /**
     * Orders rows by {@code keys[slot + 1]} then slot ({@code keys[0]} for rows of no adapter).
     *
     * @param slots each row's slot, negative for none
     * @param keys the sort key of each slot, shifted by one
     */
    public static Segments of(int[] slots, int[] keys) {
        int n = slots.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int sa = Math.max(slots[a], -1);
            int sb = Math.max(slots[b], -1);
            int c = Integer.compare(keys[sa + 1], keys[sb + 1]);
            return c != 0 ? c : Integer.compare(sa, sb);
        });
        int[] order = new int[n];
        int[] starts = new int[n + 1];
        int[] segSlots = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            order[i] = idx[i];
            int s = Math.max(slots[idx[i]], -1);
            if (count == 0 || segSlots[count - 1] != s) {
                starts[count] = i;
                segSlots[count++] = s;
            }
        }
        starts[count] = n;
        return new Segments(order, Arrays.copyOf(starts, count + 1), Arrays.copyOf(segSlots, count));
    }

    /** The number of segments. */
    public int count() {
        return slots.length;
    }

    /** The first sorted row of segment {@code s}. */
    public int start(int s) {
        return starts[s];
    }

    /** One past the last sorted row of segment {@code s}. */
    public int end(int s) {
        return starts[s + 1];
    }

    /** The slot of segment {@code s}, -1 for rows of no adapter. */
    public int slot(int s) {
        return slots[s];
    }

    /** Sorted row {@code i}'s row in the batch. */
    public int[] order() {
        return order.clone();
    }

    /** Whether the order is the batch's own. */
    public boolean identity() {
        for (int i = 0; i < order.length; i++) {
            if (order[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** For each row of the batch, its sorted position. */
    public int[] inverse() {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inv[order[i]] = i;
        }
        return inv;
    }
}

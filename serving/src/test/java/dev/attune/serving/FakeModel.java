package dev.attune.serving;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A batch function whose timing the test controls: a batch holding {@link #BLOCK} waits (after saying
 * so through {@link #entered}) until {@link #release} opens; a batch holding {@link #BOOM} throws.
 * Every other input {@code i} is answered {@code "answer-" + i}. It records every batch it is given.
 */
final class FakeModel implements BatchFunction<Integer, String> {
    static final int BLOCK = -1;
    static final int BOOM = -2;
    final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public List<String> apply(List<Integer> inputs) throws InterruptedException {
        batches.add(List.copyOf(inputs));
        if (inputs.contains(BLOCK)) {
            entered.countDown();
            if (!release.await(1, TimeUnit.MINUTES)) {     // a failed test never hangs on it
                throw new IllegalStateException("the test never released the blocked batch " + inputs);
            }
        }
        if (inputs.contains(BOOM)) {
            throw new IllegalStateException("the model broke on " + inputs);
        }
        List<String> out = new ArrayList<>();
        inputs.forEach(i -> out.add("answer-" + i));
        return out;
    }

    /** Every input the model was given, in order. */
    List<Integer> seen() {
        synchronized (batches) {
            List<Integer> all = new ArrayList<>();
            batches.forEach(all::addAll);
            return all;
        }
    }

    List<Integer> sizes() {
        synchronized (batches) {
            return batches.stream().map(List::size).toList();
        }
    }
}

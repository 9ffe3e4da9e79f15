package dev.attune.monitoring;

import dev.attune.serving.BatchFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A batch function the test controls. Inputs are {@code "adapter/name"}: a batch holding a name
 * {@code block} waits (after saying so through {@link #entered}) until {@link #release} opens; one holding
 * {@code boom} throws; every other input is answered with itself.
 */
final class GatedModel implements BatchFunction<String, String> {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    static String adapterOf(String input) {
        return input.substring(0, input.indexOf('/'));
    }

    @Override
    public List<String> apply(List<String> inputs) throws InterruptedException {
        if (inputs.stream().anyMatch(i -> i.endsWith("/block"))) {
            entered.countDown();
            if (!release.await(1, TimeUnit.MINUTES)) {      // a failed test never hangs on it
                throw new IllegalStateException("the test never released the blocked batch " + inputs);
            }
        }
        if (inputs.stream().anyMatch(i -> i.endsWith("/boom"))) {
            throw new IllegalStateException("the model broke on " + inputs);
        }
        return new ArrayList<>(inputs);
    }
}

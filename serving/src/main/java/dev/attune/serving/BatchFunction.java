package dev.attune.serving;

import java.util.List;

/**
 * One batched call of a model: many inputs in, one output per input out, in the same order. A
 * {@link PredictorService} calls it from its worker threads, never with an empty list and never with
 * more than its {@code maxBatch} inputs. With more than one worker it is called concurrently, so it
 * must then be thread-safe ({@code Network.output} is).
 *
 * @param <I> one request's input (a feature row, a text, an image's pixels)
 * @param <O> one request's answer
 */
@FunctionalInterface
public interface BatchFunction<I, O> {
    /**
     * Runs the model on a batch.
     *
     * @param inputs the batch, one input per request, in the order they were taken from the queue
     * @return exactly one output per input, in the same order
     * @throws Exception when the batch cannot be answered; the service fails that batch's requests
     *     alone, with a {@link BatchFailedException} whose cause is this exception
     */
    List<O> apply(List<I> inputs) throws Exception;
}

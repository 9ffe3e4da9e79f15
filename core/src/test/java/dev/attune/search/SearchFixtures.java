package dev.attune.search;

import dev.attune.Fixtures;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.TrainingListener;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.function.Function;

/** A small search on Gaussian blobs and the fixtures' MLP, for the search's tests and the child JVM that is killed. */
final class SearchFixtures {
    static final LabeledData TRAIN = Fixtures.blobs(96, 8, 3, 1);
    static final LabeledData VALIDATION = Fixtures.blobs(48, 8, 3, 2);
    static final Network BASE = Network.of(Fixtures.mlp(3, 5));

    private SearchFixtures() {
    }

    /** Learning rate and batch size. */
    static SearchSpace space() {
        return SearchSpace.of(Param.logUniform("lr", 1e-5, 5e-2), Param.choice("batch", 8, 32));
    }

    /** A trial: the point's learning rate and batch size, accuracy recorded, {@code epochs} epochs, the point's seed. */
    static Function<Point, FineTuner.Builder> mapping(int epochs) {
        return point -> FineTuner.builder(BASE)
                .optimizer(Optimizer.adam(point.getDouble("lr")))
                .batchSize(point.getInt("batch"))
                .metrics(Fixtures.ACCURACY)
                .epochs(epochs)
                .seed(point.seed());
    }

    /** The search the kill test runs in a child JVM and resumes in the test's own. */
    static Search killable(Path journal, Function<Point, FineTuner.Builder> mapping) {
        return Search.over(space()).trials(mapping).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.grid(3)).seed(11).journal(journal);
    }

    /**
     * The child JVM of the kill test: runs {@link #killable} with trials slowed by a listener that sleeps
     * after every epoch (sleeping changes no weight), printing a line as each trial ends, until it is killed.
     */
    public static void main(String[] args) {
        Function<Point, FineTuner.Builder> slow = point -> mapping(4).apply(point).listener(new TrainingListener() {
            @Override
            public void onEpochEnd(EpochEnd event) {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        killable(Path.of(args[0]), slow).listener((trial, result) -> System.out.println("trial " + trial.index()
                + " ended")).run(TRAIN, VALIDATION);
        System.out.println("search ended");
    }
}

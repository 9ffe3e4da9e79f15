package dev.attune.evaluation;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.search.Param;
import dev.attune.search.Search;
import dev.attune.search.SearchResult;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import dev.attune.spi.Optimizer;

/** A small search with successive halving (some trials stopped at a rung), run once, for the report's tests. */
final class SearchFixture {
    private static SearchResult result;

    private SearchFixture() {
    }

    /** Nine random trials over a log-uniform learning rate and a batch-size choice of strings, 6 epochs, halving at 1 and 3. */
    static synchronized SearchResult result() {
        if (result == null) {
            LabeledData train = dev.attune.Fixtures.blobs(96, 8, 3, 1);
            LabeledData validation = dev.attune.Fixtures.blobs(48, 8, 3, 2);
            Network base = Network.of(dev.attune.Fixtures.mlp(3, 5));
            result = Search.over(SearchSpace.of(Param.logUniform("lr", 1e-5, 5e-2), Param.choice("batch", "small <8>", "large")))
                    .trials(point -> FineTuner.builder(base)
                            .optimizer(Optimizer.adam(point.getDouble("lr")))
                            .batchSize(point.getString("batch").equals("large") ? 32 : 8)
                            .metrics(Metrics.accuracy())
                            .epochs(6).seed(point.seed()))
                    .maximize(Metrics.accuracy())
                    .strategy(Strategy.random(9).halving(1, 3)).seed(5)
                    .run(train, validation);
        }
        return result;
    }
}

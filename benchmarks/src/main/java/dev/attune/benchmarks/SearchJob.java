package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.Metrics;
import dev.attune.search.Compute;
import dev.attune.search.Param;
import dev.attune.search.Point;
import dev.attune.search.Search;
import dev.attune.search.SearchResult;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import dev.attune.search.TrialRecord;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The search job: LoRA's rank, alpha and learning rate searched on the quickstart's task (the quickstart's
 * Fashion-MNIST CNN, a new head and LoRA on {@code dense0}, MNIST digits with 200 labels per class),
 * a 3 x 3 x 3 grid under successive halving, two trials at a time. Prints the leaderboard and the epochs
 * saved against the full grid run to the end, tests the best trial's model, makes it again from its
 * record, and writes {@code search.json} (the search's journal and result) and the evaluation report of the
 * best model with the search's section ({@code report/evaluation.json}, {@code report/evaluation.html}).
 */
public final class SearchJob {
    static final int K = 200;
    static final int VALIDATION_PER_CLASS = 20;
    static final long DATA_SEED = 1;
    static final int EPOCHS = 15;
    static final int BATCH = 32;
    static final long SEARCH_SEED = 7;

    private SearchJob() {
    }

    /** The search space: rank, alpha and learning rate. */
    static SearchSpace space() {
        return SearchSpace.of(
                Param.choice("rank", 4, 8, 16),
                Param.choice("alpha", 4, 16, 64),
                Param.logUniform("lr", 1e-3, 1e-2));
    }

    /** A trial: LoRA on dense0 with the point's rank and alpha, a new head, Adam at the point's learning rate. */
    static Function<Point, FineTuner.Builder> mapping(Network base) {
        return point -> FineTuner.builder(base)
                .replaceHead(10)
                .adapter(Lora.rank(point.getInt("rank")).alpha(point.getInt("alpha")).targets("dense0"))
                .optimizer(Optimizer.adam(point.getDouble("lr")))
                .metrics(Metrics.accuracy(), Metrics.f1Macro())
                .epochs(EPOCHS).batchSize(BATCH).seed(point.seed());
    }

    /** The search: the grid with 3 values per range, halving at epochs 1, 3 and 9, two trials at a time. */
    static Search search(Network base, Path journal) {
        return Search.over(space())
                .trials(mapping(base))
                .maximize(Metrics.f1Macro())
                .strategy(Strategy.grid(3).halving(1, 3))
                .parallelism(2)
                .memoryBudget(64L << 20)
                .seed(SEARCH_SEED)
                .journal(journal);
    }

    /** A trial's point as the leaderboard shows it: {@code rank=8 alpha=16 lr=0.004642}. */
    static String text(TrialRecord t) {
        StringBuilder b = new StringBuilder();
        space().names().forEach(n -> b.append(b.length() == 0 ? "" : " ").append(n).append('=').append(t.point().format(n)));
        return b.toString();
    }

    /** Runs the job; the optional argument is the output directory. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/attune/search-job");
        Files.createDirectories(out);
        PrintStream console = System.out;
        console.println("Attune search job: LoRA rank, alpha and learning rate on MNIST digits, " + BaseModels.threadSettings());
        Network base = Quickstart.pretrainedBase(Path.of("target/attune/quickstart/base-fashion-cnn.zip"), console);
        Split labelled = Splits.kPerClass(BundledData.MNIST.train(), K, DATA_SEED);
        LabeledData train = labelled.train();
        LabeledData validation = Splits.kPerClass(labelled.validation(), VALIDATION_PER_CLASS, DATA_SEED).train();
        LabeledData test = BundledData.MNIST.test();
        console.printf(Locale.ROOT, "%d training digits (%d per class), %d validation, %d test; space %s%n",
                train.size(), K, validation.size(), test.size(), space().describe());

        Path journal = out.resolve("search.json");
        // Each run of the job is a fresh search; a run killed mid-way resumes from the journal when rerun with --resume.
        if (!Arrays.asList(args).contains("--resume")) {
            Files.deleteIfExists(journal);
        }
        Search search = search(base, journal).listener((trial, result) -> console.printf(Locale.ROOT,
                "  trial %2d %-30s f1_macro %.4f  %-22s %5.1fs%n", trial.index(), text(trial), trial.score(),
                trial.describeStatus(), trial.wallTime().toMillis() / 1000.0));
        long t0 = System.nanoTime();
        SearchResult result = search.run(train, validation);
        double seconds = (System.nanoTime() - t0) / 1e9;
        console.println();
        console.println(result.leaderboard());
        Compute c = result.compute();
        console.printf(Locale.ROOT, "search took %.0f s; successive halving ran %d of the full grid's %d epochs"
                + " (%.1f%% saved, %d of %d trials stopped at a rung)%n", seconds, c.epochsRun(), c.epochsToTheEnd(),
                100 * c.savedFraction(), c.trialsStopped(), result.trials().size());

        TrialRecord best = result.best();
        FineTuneResult bestFit = result.bestResult().orElseGet(() -> search.rerun(best, train, validation));
        FineTuneResult again = search.rerun(best, train, validation);
        boolean same = Arrays.equals(bestFit.model().handle().params().data().asFloat(),
                again.model().handle().params().data().asFloat());
        console.printf(Locale.ROOT, "best trial %d %s: validation f1_macro %.4f, test accuracy %.4f, test macro-F1 %.4f;"
                + " made again from its record: %s%n", best.index(), text(best), best.score(),
                bestFit.evaluate(test, Metrics.accuracy()), bestFit.evaluate(test, Metrics.f1Macro()),
                same ? "the same weights bit for bit" : "DIFFERENT weights");

        EvaluationReport report = EvaluationReport.builder(bestFit, test)
                .classNames(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
                .search(result)
                .build();
        Path reportDir = Files.createDirectories(out.resolve("report"));
        Files.writeString(reportDir.resolve("evaluation.json"), report.toJson());
        Files.writeString(reportDir.resolve("evaluation.html"), report.toHtml());
        console.println("wrote " + journal + ", " + reportDir.resolve("evaluation.json") + " and "
                + reportDir.resolve("evaluation.html"));
        if (!same) {
            throw new IllegalStateException("the best trial made again from its record gave other weights");
        }
    }
}

package dev.attune.search;

import static dev.attune.search.SearchFixtures.TRAIN;
import static dev.attune.search.SearchFixtures.VALIDATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.TrainingListener;
import dev.attune.internal.io.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SearchTest {
    @Test
    void aGridTriesEveryCombinationAndKeepsEachTrialsPointConfigurationHistoryAndProvenance() {
        SearchResult r = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(3))
                .maximize(Fixtures.ACCURACY).strategy(Strategy.grid(2)).run(TRAIN, VALIDATION);

        assertThat(r.trials()).extracting(t -> t.point().labels().toString()).containsExactly(
                "{lr=1.0E-5, batch=8}", "{lr=1.0E-5, batch=32}", "{lr=0.05, batch=8}", "{lr=0.05, batch=32}");
        for (TrialRecord t : r.trials()) {
            assertThat(t.status()).isEqualTo(TrialRecord.Status.COMPLETED);
            assertThat(t.history()).hasSize(3);
            assertThat(t.config()).containsEntry("batchSize", t.point().labels().get("batch"))
                    .containsEntry("seed", String.valueOf(t.seed()));
            assertThat(t.config().get("optimizer")).contains(t.point().labels().get("lr"));
            assertThat(t.provenance()).containsEntry("seed", String.valueOf(t.seed()));
            assertThat(t.score()).isEqualTo(t.history().get(2).metric("accuracy"));
        }
        assertThat(r.trials()).extracting(TrialRecord::seed).doesNotHaveDuplicates();
        TrialRecord best = r.best();
        assertThat(r.trials()).allMatch(t -> t.score() <= best.score());
        assertThat(r.ranked().get(0)).isEqualTo(best);
        assertThat(r.compute()).isEqualTo(new Compute(12, 12, 0));
        assertThat(r.bestResult()).isPresent();

        String board = r.leaderboard();
        assertThat(board).startsWith("| place | trial | lr | batch | accuracy | best epoch | epochs | status |\n")
                .contains("| 1 | " + best.index() + " |").contains("12 epochs run of 12");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.toJson(), 16);
        assertThat(json.get("schema")).isEqualTo("attune-search/1");
        assertThat(json.get("complete")).isEqualTo(true);
        assertThat(json.get("best")).isEqualTo((double) best.index());
        assertThat((List<?>) json.get("trials")).hasSize(4);
    }

    @Test
    void aTrialGivesTheSameWeightsAloneAndInAParallelSearchAndItsListenersHearOnlyIt() {
        Map<Long, List<EpochRecord>> heard = new ConcurrentHashMap<>();
        Map<Long, Integer> starts = new ConcurrentHashMap<>();
        Function<Point, FineTuner.Builder> mapping = point -> SearchFixtures.mapping(4).apply(point)
                .listener(new TrainingListener() {
                    @Override
                    public void onFitStart(FitStart event) {
                        starts.merge(point.seed(), 1, Integer::sum);
                    }

                    @Override
                    public void onEpochEnd(EpochEnd event) {
                        heard.computeIfAbsent(point.seed(), s -> Collections.synchronizedList(new ArrayList<>()))
                                .add(event.record());
                    }
                });
        Map<Integer, FineTuneResult> results = new ConcurrentHashMap<>();
        SearchResult r = Search.over(SearchFixtures.space()).trials(mapping).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.random(4)).parallelism(2).seed(3)
                .listener((trial, result) -> results.put(trial.index(), result.orElseThrow()))
                .run(TRAIN, VALIDATION);

        assertThat(results).hasSize(4);
        for (TrialRecord t : r.trials()) {
            assertThat(starts.get(t.seed())).as("fit starts heard by trial %d's listener", t.index()).isEqualTo(1);
            assertThat(heard.get(t.seed())).as("epochs heard by trial %d's listener", t.index())
                    .isEqualTo(t.history());
            FineTuneResult alone = SearchFixtures.mapping(4).apply(t.point()).build().fit(TRAIN, VALIDATION);
            assertThat(alone.model().handle().params().data().asFloat())
                    .as("trial %d alone and in the parallel search", t.index())
                    .isEqualTo(results.get(t.index()).model().handle().params().data().asFloat());
        }
    }

    @Test
    void successiveHalvingStopsTrialsOutsideTheTopThirdOfTheirRungAndDecidesAsASerialRunWould() {
        SearchResult serial = halving(1);
        SearchResult parallel = halving(2);

        assertThat(serial.trials()).hasSize(9);
        assertThat(serial.trials()).anyMatch(t -> t.status() == TrialRecord.Status.STOPPED);
        for (TrialRecord t : serial.trials()) {
            if (t.status() == TrialRecord.Status.STOPPED) {
                assertThat(t.epochsRun()).isIn(1, 3);
                assertThat(t.stoppedEarly()).isTrue();
            }
            // The rule, from the records: at each rung it passed, the trial was in the top ceil(k/3) of the k
            // lower-numbered trials (itself included) that reached it; where it stopped, it was not.
            for (int rung : new int[] {1, 3}) {
                if (t.epochsRun() < rung) {
                    continue;
                }
                double mine = t.history().get(rung - 1).metric("accuracy");
                int reached = 0;
                int ahead = 0;
                for (TrialRecord q : serial.trials().subList(0, t.index() + 1)) {
                    if (q.epochsRun() >= rung) {
                        reached++;
                        double v = q.history().get(rung - 1).metric("accuracy");
                        if (q.index() != t.index() && (v > mine || (v == mine && q.index() < t.index()))) {
                            ahead++;
                        }
                    }
                }
                boolean inTop = ahead < (reached + 2) / 3;
                boolean stoppedHere = t.status() == TrialRecord.Status.STOPPED && t.epochsRun() == rung;
                assertThat(inTop).as("trial %d at rung %d", t.index(), rung).isEqualTo(!stoppedHere);
            }
        }
        Compute c = serial.compute();
        assertThat(c.epochsToTheEnd()).isEqualTo(9 * 9);
        assertThat(c.epochsRun()).isEqualTo(serial.trials().stream().mapToLong(TrialRecord::epochsRun).sum())
                .isLessThan(c.epochsToTheEnd());
        assertThat(c.savedFraction()).isPositive();
        assertThat(serial.leaderboard()).contains("stopped at rung");

        assertThat(parallel.trials()).extracting(TrialRecord::status, TrialRecord::epochsRun, TrialRecord::score)
                .isEqualTo(serial.trials().stream()
                        .map(t -> org.assertj.core.groups.Tuple.tuple(t.status(), t.epochsRun(), t.score())).toList());
    }

    private static SearchResult halving(int parallelism) {
        return Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(9)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.random(9).halving(1, 3)).parallelism(parallelism).seed(5).run(TRAIN, VALIDATION);
    }

    @Test
    void theBestTrialAndAStoppedOneAreMadeAgainFromTheirRecordsBitForBit() {
        Map<Integer, FineTuneResult> results = new ConcurrentHashMap<>();
        Search search = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(9)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.random(9).halving(1, 3)).parallelism(2).seed(5)
                .listener((trial, result) -> results.put(trial.index(), result.orElseThrow()));
        SearchResult r = search.run(TRAIN, VALIDATION);

        TrialRecord best = r.best();
        FineTuneResult again = search.rerun(best, TRAIN, VALIDATION);
        assertThat(again.model().handle().params().data().asFloat())
                .isEqualTo(r.bestResult().orElseThrow().model().handle().params().data().asFloat());
        assertThat(again.history()).extracting(EpochRecord::trainLoss)
                .isEqualTo(best.history().stream().map(EpochRecord::trainLoss).toList());

        TrialRecord stopped = r.trials().stream().filter(t -> t.status() == TrialRecord.Status.STOPPED).findFirst()
                .orElseThrow();
        FineTuneResult stoppedAgain = search.rerun(stopped, TRAIN, VALIDATION);
        assertThat(stoppedAgain.history()).hasSize(stopped.epochsRun());
        assertThat(stoppedAgain.model().handle().params().data().asFloat())
                .isEqualTo(results.get(stopped.index()).model().handle().params().data().asFloat());
    }

    @Test
    void hyperbandPlansBracketsThatStartAtDifferentRungsAndTrainsEveryTrialUpToItsMaximum() {
        List<Strategy.Planned> plan = Strategy.hyperband(9, 3).plan(SearchFixtures.space(), 1);
        assertThat(plan).hasSize(9 + 5 + 3);
        assertThat(plan).extracting(Strategy.Planned::bracket, Strategy.Planned::firstRung).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(0, 1),
                org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(0, 1),
                org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(0, 1),
                org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(0, 1),
                org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(1, 3),
                org.assertj.core.groups.Tuple.tuple(1, 3), org.assertj.core.groups.Tuple.tuple(1, 3),
                org.assertj.core.groups.Tuple.tuple(1, 3), org.assertj.core.groups.Tuple.tuple(1, 3),
                org.assertj.core.groups.Tuple.tuple(2, 0), org.assertj.core.groups.Tuple.tuple(2, 0),
                org.assertj.core.groups.Tuple.tuple(2, 0));
        assertThat(plan.get(0).isRung(1, 9)).isTrue();
        assertThat(plan.get(0).isRung(3, 9)).isTrue();
        assertThat(plan.get(0).isRung(9, 9)).isFalse();
        assertThat(plan.get(9).isRung(1, 9)).isFalse();

        SearchResult r = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(9)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.hyperband(9, 3)).parallelism(2).run(TRAIN, VALIDATION);
        assertThat(r.trials()).hasSize(17);
        assertThat(r.trials().subList(14, 17)).allMatch(t -> t.status() == TrialRecord.Status.COMPLETED
                && t.epochsRun() == 9);
        assertThat(r.trials().subList(9, 14)).allMatch(t -> t.status() == TrialRecord.Status.COMPLETED
                ? t.epochsRun() == 9 : t.epochsRun() == 3);
        assertThat(r.compute().epochsToTheEnd()).isEqualTo(17 * 9);
        assertThat(r.compute().trialsStopped()).isPositive();
    }
}

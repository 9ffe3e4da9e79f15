package dev.attune.search;

import static dev.attune.search.SearchFixtures.TRAIN;
import static dev.attune.search.SearchFixtures.VALIDATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Fixtures;
import dev.attune.internal.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchJournalTest {
    @TempDir
    Path dir;

    @Test
    void aSearchKilledInAChildJvmResumesWithoutRunningItsJournaledTrialsAgain() throws Exception {
        Path journal = dir.resolve("search.json");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SearchFixtures.class.getName(), journal.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child was killed
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (lines.stream().filter(l -> l.endsWith(" ended") && l.startsWith("trial ")).count() < 2) {
                assertThat(child.isAlive()).as("the child is running; it printed %s", lines).isTrue();
                assertThat(System.nanoTime()).as("the child journals two trials in 3 minutes").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(lines).doesNotContain("search ended");
        List<Integer> journaled = trialsIn(journal);
        assertThat(journaled).hasSizeBetween(2, 5);

        List<Integer> ranNow = new CopyOnWriteArrayList<>();
        SearchResult resumed = SearchFixtures.killable(journal, SearchFixtures.mapping(4))
                .listener((trial, result) -> ranNow.add(trial.index())).run(TRAIN, VALIDATION);

        assertThat(ranNow).hasSize(6 - journaled.size()).doesNotContainAnyElementsOf(journaled);
        SearchResult fresh = SearchFixtures.killable(dir.resolve("fresh.json"), SearchFixtures.mapping(4))
                .run(TRAIN, VALIDATION);
        assertThat(resumed.trials()).extracting(t -> t.point().labels(), TrialRecord::seed, TrialRecord::score,
                TrialRecord::epochsRun).isEqualTo(fresh.trials().stream().map(t -> org.assertj.core.groups.Tuple.tuple(
                t.point().labels(), t.seed(), t.score(), t.epochsRun())).toList());
        assertThat(trialsIn(journal)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(resumed.toJson()).contains("\"complete\": true");
    }

    @Test
    void aTruncatedJournalResumesInProcessWithTheSameResults() throws IOException {
        Path journal = dir.resolve("s.json");
        SearchResult first = SearchFixtures.killable(journal, SearchFixtures.mapping(3)).run(TRAIN, VALIDATION);
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = new LinkedHashMap<>((Map<String, Object>) Json.parse(Files.readString(journal), 16,
                Json.Numbers.LONGS_WHEN_INTEGRAL));
        List<Object> kept = new ArrayList<>(((List<?>) doc.get("trials")).subList(0, 2));
        doc.put("trials", kept);
        doc.put("complete", false);
        Files.writeString(journal, Json.write(doc));

        List<Integer> ran = new CopyOnWriteArrayList<>();
        SearchResult again = SearchFixtures.killable(journal, SearchFixtures.mapping(3))
                .listener((trial, result) -> ran.add(trial.index())).run(TRAIN, VALIDATION);
        List<Integer> dropped = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        kept.forEach(t -> dropped.remove((Integer) ((Number) ((Map<?, ?>) t).get("index")).intValue()));
        assertThat(ran).containsExactlyInAnyOrderElementsOf(dropped);
        // Every value the same; only the epochs' wall times differ for the trials that ran again.
        assertThat(again.trials()).extracting(TrialRecord::score, t -> losses(t), TrialRecord::config)
                .isEqualTo(first.trials().stream().map(t -> org.assertj.core.groups.Tuple.tuple(t.score(),
                        losses(t), t.config())).toList());
        assertThat(again.best().index()).isEqualTo(first.best().index());
    }

    @Test
    void aJournalOfAnotherSearchIsRefused() {
        Path journal = dir.resolve("other.json");
        SearchFixtures.killable(journal, SearchFixtures.mapping(1)).run(TRAIN, VALIDATION);
        Search other = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(1)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.grid(3)).seed(12).journal(journal);
        assertThatThrownBy(() -> other.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the search journal " + journal + " was written by another search")
                .hasMessageContaining("\"seed\": 11").hasMessageContaining("\"seed\": 12")
                .hasMessageContaining("delete the file to start afresh");
    }

    private static List<Object> losses(TrialRecord t) {
        return t.history().stream().map(e -> (Object) List.of(e.trainLoss(), e.validationLoss(), e.metrics())).toList();
    }

    private static List<Integer> trialsIn(Path journal) throws IOException {
        Map<?, ?> doc = (Map<?, ?>) Json.parse(Files.readString(journal), 16);
        return ((List<?>) doc.get("trials")).stream().map(t -> ((Number) ((Map<?, ?>) t).get("index")).intValue())
                .sorted().toList();
    }
}

package dev.attune.evaluation;

import static dev.attune.evaluation.EvaluationReportTest.chart;
import static dev.attune.evaluation.EvaluationReportTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.internal.io.Json;
import dev.attune.search.SearchResult;
import dev.attune.search.TrialRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationReportSearchTest {
    private static EvaluationReport report(SearchResult search) {
        return EvaluationReport.builder(ReportFixtures.result(), ReportFixtures.predictions()).resamples(50)
                .search(search).build();
    }

    @Test
    void theHtmlPlotsTheObjectiveAgainstEachParameterAndTheTrialsAsTheyFinished() {
        SearchResult search = SearchFixture.result();
        String html = report(search).toHtml();
        long scored = search.trials().stream().filter(TrialRecord::scored).count();
        long stopped = search.trials().stream().filter(t -> t.status() == TrialRecord.Status.STOPPED).count();
        assertThat(stopped).isPositive();

        assertThat(html).contains("<h2>Hyperparameter search</h2>").contains("<p id=\"search-summary\">9 trials, strategy"
                + " <code>random(9).halving(1, 3)</code>, maximize accuracy on the validation set. "
                + search.compute().epochsRun() + " epochs run of 54 with every trial run to its end");
        String lr = chart(html, "search-param-1");
        assertThat(count(lr, "<circle class=\"s")).isEqualTo(scored);
        assertThat(count(lr, "<circle class=\"s4\"")).isEqualTo(stopped);
        assertThat(lr).contains(">lr (log scale)</text>");
        String batch = chart(html, "search-param-2");
        assertThat(count(batch, "<circle class=\"s")).isEqualTo(scored);
        // A choice of strings: one tick per value, escaped.
        assertThat(batch).contains(">small &lt;8&gt;</text>").contains(">large</text>");
        String progress = chart(html, "search-progress");
        assertThat(count(progress, "<circle class=\"s")).isEqualTo(scored);
        assertThat(count(progress, "<polyline class=\"series s1\"")).isEqualTo(1);
        assertThat(progress).contains(">epochs spent</text>");
        String board = html.substring(html.indexOf("<table id=\"search-leaderboard\">"));
        board = board.substring(0, board.indexOf("</table>"));
        assertThat(count(board, "<tr><td")).isEqualTo(9);
        TrialRecord best = search.best();
        assertThat(board).contains("<tr><td class=\"n\">1</td><td class=\"n\">" + best.index() + "</td>");
        assertThat(html.indexOf("Hyperparameter search")).isLessThan(html.indexOf("<h2>Provenance</h2>"));
    }

    @Test
    void theJsonHoldsTheSearchsOwnJson() {
        SearchResult search = SearchFixture.result();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(report(search).toJson(), 64);
        assertThat(json.get("schema")).isEqualTo("attune-evaluation/4");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) json.get("search");
        assertThat(s).isEqualTo(Json.parse(search.toJson(), 64));
        assertThat((List<?>) s.get("trials")).hasSize(9);
        Map<?, ?> without = (Map<?, ?>) Json.parse(EvaluationReport.of(ReportFixtures.result(),
                ReportFixtures.predictions()).toJson(), 64);
        assertThat(without.containsKey("search")).isTrue();
        assertThat(without.get("search")).isNull();
        assertThat(EvaluationReport.of(ReportFixtures.result(), ReportFixtures.predictions()).toHtml())
                .doesNotContain("Hyperparameter search");
    }

    @Test
    void theSearchIsGivenOnce() {
        EvaluationReport.Builder b = EvaluationReport.builder(ReportFixtures.result(), ReportFixtures.predictions())
                .search(SearchFixture.result());
        assertThatThrownBy(() -> b.search(SearchFixture.result())).isInstanceOf(IllegalStateException.class)
                .hasMessage("search(...) was already set; set each option once");
    }
}

package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.data.Encoding;
import dev.attune.data.Tabular;
import dev.attune.data.TabularData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming job's logic on small files; no figure of a run is asserted. */
class StreamingCsvJobTest {
    @TempDir
    Path dir;

    @Test
    void theGeneratorIsSeededAndStopsAtTheFirstWholeRowPastTheSize() throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        long rows = StreamingCsvJob.write(a, 50_000);
        assertThat(StreamingCsvJob.write(b, 50_000)).isEqualTo(rows);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        List<String> lines = Files.readAllLines(a);
        assertThat(lines).hasSize((int) rows + 1);
        assertThat(lines.get(0)).isEqualTo("age,income,balance,duration,score,rate,region,product,channel,default");
        long size = Files.size(a);
        assertThat(size).isGreaterThanOrEqualTo(50_000).isLessThan(50_000 + lines.get(lines.size() - 1).length() + 1);
        assertThat(size - lines.get(lines.size() - 1).length() - 1).isLessThan(50_000);
        assertThat(lines.stream().skip(1).map(l -> l.substring(l.lastIndexOf(',') + 1)).distinct())
                .containsExactlyInAnyOrder("yes", "no");
    }

    @Test
    void theStreamedPassReadsEveryRowAsReadDoes() throws IOException {
        Path f = dir.resolve("loans.csv");
        long rows = StreamingCsvJob.write(f, 200_000);
        StreamingCsvJob.Result r = StreamingCsvJob.stream(f);
        assertThat(r.rows()).isEqualTo(rows);
        assertThat(r.bytes()).isEqualTo(Files.size(f));
        assertThat(r.features()).isEqualTo(6 + 12 + 5 + 3);
        TabularData all = Tabular.csv(f).label("default").numeric("age", "income", "balance", "duration", "score", "rate")
                .categorical(Encoding.ONE_HOT, "region", "product", "channel").read();
        assertThat(r.checksum()).isCloseTo(all.data().features().sumNumber().doubleValue(), within(1e-3 * rows));
        assertThat(r.peakHeapBytes()).isPositive().isLessThanOrEqualTo(r.maxHeapBytes() * 3);
    }

    @Test
    void theJobRunsTheChildWithTheSmallHeapAndDeletesTheFile() throws Exception {
        StreamingCsvJob.Result r = StreamingCsvJob.run(dir, 100_000, "-Xmx96m");
        assertThat(r.rows()).isPositive();
        assertThat(r.bytes()).isGreaterThanOrEqualTo(100_000);
        assertThat(r.maxHeapBytes()).as("the child's -Xmx").isLessThanOrEqualTo(96L << 20);
        assertThat(r.peakHeapBytes()).isPositive();
        assertThat(Files.exists(dir.resolve("loans.csv"))).as("deleted").isFalse();
        StreamingCsvJob.Result back = StreamingCsvJob.Result.parse(r.json());
        assertThat(back.rows()).isEqualTo(r.rows());
        assertThat(back.bytes()).isEqualTo(r.bytes());
        assertThat(back.peakHeapBytes()).isEqualTo(r.peakHeapBytes());
        assertThat(back.heap()).isEqualTo(r.heap());
        assertThat(r.markdown()).contains("| " + String.format(java.util.Locale.ROOT, "%,d", r.rows()) + " |");
    }
}

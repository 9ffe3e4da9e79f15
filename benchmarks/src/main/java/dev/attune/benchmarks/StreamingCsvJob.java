package dev.attune.benchmarks;

import dev.attune.data.Encoding;
import dev.attune.data.Tabular;
import dev.attune.data.TabularTransform;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Streams a 1 GB CSV through {@link Tabular}'s streaming path in a child JVM with a small heap, and
 * reports the child's peak heap and the rows per second.
 *
 * <p>The file: {@code benchmarks/target/streaming-csv/loans.csv}, written by a seeded generator
 * ({@link SplittableRandom}, seed 42) row by row until it reaches {@value #GIGABYTE} bytes, so its
 * rows and exact size are the same on every run. Columns: six numeric ({@code age}, {@code income},
 * {@code balance}, {@code duration}, {@code score}, {@code rate}), three categorical ({@code region}
 * 12 categories, {@code product} 5, {@code channel} 3, one-hot) and the label {@code default}
 * ({@code yes}/{@code no}, from a noisy rule on the others).
 *
 * <p>The child ({@code java -Xmx256m}) first fits the transform with {@link Tabular#fit()}, which
 * streams the file once (it keeps counts, running means and variances and the sets of categories,
 * never the rows), then reads every row through {@link Tabular#iterator(TabularTransform, int)} in
 * batches of 1,024, summing the features so that each batch is used. It reports the sum over the
 * heap memory pools of each pool's peak used bytes ({@link MemoryPoolMXBean#getPeakUsage()}, peaks
 * reset after start-up; the pools peak at different moments, so the sum is an upper bound of the
 * heap's peak), the garbage collections, and the time and rows/s of each pass. ND4J's arrays live
 * off the heap; JavaCPP caps them at the heap size by default. The parent prints a table and one
 * line of JSON, and deletes the file, also when the child fails.
 */
public final class StreamingCsvJob {
    static final long GIGABYTE = 1_000_000_000L;
    static final String HEAP = "-Xmx256m";
    static final int BATCH = 1024;
    private static final String[] REGIONS = {"north", "north-east", "east", "south-east", "south", "south-west",
        "west", "north-west", "centre", "capital", "coast", "islands"};
    private static final String[] PRODUCTS = {"mortgage", "car", "personal", "student", "business"};
    private static final String[] CHANNELS = {"branch", "online", "phone"};

    private StreamingCsvJob() {
    }

    /** {@code main()}: the whole job; {@code main("--stream", file)}: the child's part. */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals("--stream")) {
            System.out.println(STREAMED + stream(Path.of(args[1])).json());
            return;
        }
        Path dir = Path.of("benchmarks", "target", "streaming-csv");
        Result r = run(dir, GIGABYTE, HEAP);
        System.out.println("Streaming a 1 GB CSV: " + r.rows() + " rows, " + r.bytes() + " bytes, child JVM " + HEAP
                + ", batches of " + BATCH);
        System.out.println();
        System.out.print(r.markdown());
        System.out.println();
        System.out.println(r.json());
    }

    /** What the child measured, with the file's size. */
    record Result(long bytes, long rows, String heap, long maxHeapBytes, long peakHeapBytes, long gcCount,
                  long gcMillis, double fitSeconds, double iterateSeconds, long features, double checksum) {
        double fitRowsPerSecond() {
            return rows / fitSeconds;
        }

        double iterateRowsPerSecond() {
            return rows / iterateSeconds;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"bytes\": %d, \"rows\": %d, \"heap\": \"%s\", \"maxHeapBytes\": %d,"
                    + " \"peakHeapBytes\": %d, \"gcCount\": %d, \"gcMillis\": %d, \"fitSeconds\": %.3f,"
                    + " \"fitRowsPerSecond\": %.0f, \"iterateSeconds\": %.3f, \"iterateRowsPerSecond\": %.0f,"
                    + " \"features\": %d, \"checksum\": %.6e}", bytes, rows, heap, maxHeapBytes, peakHeapBytes, gcCount,
                    gcMillis, fitSeconds, fitRowsPerSecond(), iterateSeconds, iterateRowsPerSecond(), features, checksum);
        }

        String markdown() {
            return String.format(Locale.ROOT, """
                    | file | rows | child heap (-Xmx) | peak heap used | GCs (time) | fit: s (rows/s) | iterate: s (rows/s) |
                    |---|---:|---:|---:|---:|---:|---:|
                    | %,d bytes | %,d | %,d MiB | %.1f MiB | %,d (%.1f s) | %.1f (%,.0f) | %.1f (%,.0f) |
                    """, bytes, rows, maxHeapBytes >> 20, peakHeapBytes / 1048576.0, gcCount, gcMillis / 1000.0,
                    fitSeconds, fitRowsPerSecond(), iterateSeconds, iterateRowsPerSecond());
        }

        private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (?:\"([^\"]*)\"|([^,}\\s]+))");

        static Result parse(String json) {
            Map<String, String> f = new LinkedHashMap<>();
            Matcher m = FIELD.matcher(json);
            while (m.find()) {
                f.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
            }
            return new Result(Long.parseLong(f.get("bytes")), Long.parseLong(f.get("rows")), f.get("heap"),
                    Long.parseLong(f.get("maxHeapBytes")), Long.parseLong(f.get("peakHeapBytes")),
                    Long.parseLong(f.get("gcCount")), Long.parseLong(f.get("gcMillis")),
                    Double.parseDouble(f.get("fitSeconds")), Double.parseDouble(f.get("iterateSeconds")),
                    Long.parseLong(f.get("features")), Double.parseDouble(f.get("checksum")));
        }
    }

    private static final String STREAMED = "streamed: ";

    /**
     * Writes the file of {@code targetBytes} into {@code dir}, streams it in a child JVM with
     * {@code heap}, deletes it, and returns what the child measured.
     *
     * @throws IllegalStateException when the child fails (its output is in the message)
     */
    static Result run(Path dir, long targetBytes, String heap) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path file = dir.resolve("loans.csv");
        try {
            long rows = write(file, targetBytes);
            long bytes = Files.size(file);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, heap, "-classpath", System.getProperty("java.class.path"),
                    StreamingCsvJob.class.getName(), "--stream", file.toString()).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int code = p.waitFor();
            String line = out.lines().filter(l -> l.startsWith(STREAMED)).findFirst().orElse(null);
            if (code != 0 || line == null) {
                throw new IllegalStateException("the child JVM (" + heap + ") exited with " + code + ":\n" + out);
            }
            Result child = Result.parse(line.substring(STREAMED.length()));
            if (child.rows() != rows || child.bytes() != bytes) {
                throw new IllegalStateException("the child read " + child.rows() + " rows of " + child.bytes()
                        + " bytes, but " + rows + " rows of " + bytes + " bytes were written");
            }
            return child;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Writes the seeded table into {@code file}, whole rows until it holds at least {@code targetBytes}
     * bytes; returns the number of rows.
     */
    static long write(Path file, long targetBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        long rows = 0;
        long bytes;
        StringBuilder row = new StringBuilder(128);
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file),
                StandardCharsets.UTF_8), 1 << 20)) {
            String header = "age,income,balance,duration,score,rate,region,product,channel,default\n";
            w.write(header);
            bytes = header.length();
            while (bytes < targetBytes) {
                int age = 18 + random.nextInt(73);
                double income = Math.round(random.nextDouble(8_000, 250_000) * 100) / 100.0;
                double balance = Math.round(random.nextDouble(-20_000, 120_000) * 100) / 100.0;
                int duration = 6 + random.nextInt(355);
                double score = Math.round(random.nextDouble() * 10_000) / 10_000.0;
                double rate = Math.round(random.nextDouble(0.5, 19.5) * 1000) / 1000.0;
                String region = REGIONS[random.nextInt(REGIONS.length)];
                String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
                String channel = CHANNELS[random.nextInt(CHANNELS.length)];
                double risk = rate / 20 + (1 - score) * 0.6 - income / 500_000 + (balance < 0 ? 0.2 : 0)
                        + random.nextDouble(-0.3, 0.3);
                row.setLength(0);
                row.append(age).append(',').append(income).append(',').append(balance).append(',').append(duration)
                        .append(',').append(score).append(',').append(rate).append(',').append(region).append(',')
                        .append(product).append(',').append(channel).append(',').append(risk > 0.55 ? "yes" : "no")
                        .append('\n');
                w.append(row);
                bytes += row.length();      // ASCII only: one byte per character
                rows++;
            }
        }
        return rows;
    }

    /** The child's part: fit, then iterate, with the heap pools' peaks reset before. */
    static Result stream(Path file) {
        List<MemoryPoolMXBean> heapPools = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool);
                pool.resetPeakUsage();
            }
        }
        Tabular table = Tabular.csv(file).label("default")
                .numeric("age", "income", "balance", "duration", "score", "rate")
                .categorical(Encoding.ONE_HOT, "region", "product", "channel");
        long start = System.nanoTime();
        TabularTransform transform = table.fit();
        double fitSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        DataSetIterator batches = table.iterator(transform, BATCH);
        long rows = 0;
        double checksum = 0;
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            rows += ds.numExamples();
            checksum += ds.getFeatures().sumNumber().doubleValue();
        }
        double iterateSeconds = (System.nanoTime() - start) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            peak += pool.getPeakUsage().getUsed();
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long max = Runtime.getRuntime().maxMemory();
        return new Result(bytes, rows, (max >> 20) + "m", max, peak, gcCount, gcMillis, fitSeconds, iterateSeconds,
                transform.featureNames().size(), checksum);
    }
}

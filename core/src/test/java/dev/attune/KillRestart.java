package dev.attune;

import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.io.CheckpointFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Trains runs in a child JVM that checkpoints after every step, kills it with SIGKILL
 * ({@link Process#destroyForcibly()} on Linux) at seeded random moments, and starts it again until
 * every run has finished. Each start resumes from the run checkpoints; {@link #main} is the child.
 */
public final class KillRestart {
    private static final String STEP = "step ";

    private KillRestart() {
    }

    /**
     * The child: fits each run (a {@link ResumableRun} class name) that has no result yet, resuming from
     * and checkpointing into {@code <work>/<name>} after every step, then writes the result's
     * {@link ResumableRun#summary} to {@code <work>/<name>.result}. Prints a line after every step.
     *
     * @param args the work directory, then the run classes
     */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            ResumableRun run = (ResumableRun) Class.forName(args[i]).getDeclaredConstructor().newInstance();
            Path result = work.resolve(run.name() + ".result");
            if (Files.exists(result)) {
                continue;
            }
            FineTuneResult r = run.fit(CheckpointStore.directory(work.resolve(run.name())).everySteps(1).keepLast(2),
                    new TrainingListener() {
                        @Override
                        public void onBatchEnd(BatchEnd event) {
                            System.out.println(STEP + run.name() + " " + event.epoch() + "." + event.batch());
                            System.out.flush();
                        }
                    });
            AtomicFiles.write(result, tmp -> Files.writeString(tmp, ResumableRun.summary(r)));
        }
    }

    /**
     * What the kills did.
     *
     * @param summaries each run's result summary by name
     * @param kills how many times the child was killed
     * @param starts how many times it was started
     * @param deadWrites temporary files of writes (run checkpoints, epoch models, results) that a kill cut short
     */
    public record Outcome(Map<String, String> summaries, int kills, int starts, int deadWrites) {
    }

    /**
     * Runs the child until every run has finished, killing it up to {@code kills} times (fewer when it
     * finishes first): each time after it reports its first step since it started, at once the first
     * time, after a further random delay of up to {@code maxDelayMillis} the others.
     * After each kill, every run checkpoint left must read whole.
     *
     * @throws AssertionError when the child fails, or a checkpoint left by a kill does not read
     */
    public static Outcome run(Path work, long seed, int kills, int maxDelayMillis, List<Class<? extends ResumableRun>> runs)
            throws IOException, InterruptedException {
        Random random = new Random(seed);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), KillRestart.class.getName(), work.toString()));
        runs.forEach(c -> command.add(c.getName()));
        Path log = work.resolve("child.log");
        Files.createDirectories(work);
        int killed = 0;
        int starts = 0;
        while (true) {
            starts++;
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            CountDownLatch stepped = new CountDownLatch(1);
            Thread drain = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith(STEP)) {
                            stepped.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the child was killed
                }
            });
            drain.start();
            if (killed < kills) {
                boolean stepSeen = false;
                while (!stepSeen && child.isAlive()) {
                    stepSeen = stepped.await(100, TimeUnit.MILLISECONDS);
                }
                if (child.isAlive()) {
                    // The first kill comes right after a step; the others after a random delay, every other one
                    // within a few milliseconds (inside the next step or its checkpoint's write).
                    Thread.sleep(killed == 0 ? 0 : random.nextInt(killed % 2 == 1 ? 4 : maxDelayMillis + 1));
                    child.destroyForcibly();
                    child.waitFor();
                    drain.join();
                    killed++;
                    checkEveryCheckpointReads(work);
                    continue;
                }
            }
            if (!child.waitFor(10, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new AssertionError("the child did not finish; its log: " + log);
            }
            drain.join();
            if (child.exitValue() != 0) {
                throw new AssertionError("the child failed with exit code " + child.exitValue() + ":\n" + Files.readString(log));
            }
            break;
        }
        Map<String, String> summaries = new LinkedHashMap<>();
        for (Class<? extends ResumableRun> c : runs) {
            try {
                String name = c.getDeclaredConstructor().newInstance().name();
                summaries.put(name, Files.readString(work.resolve(name + ".result")));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Outcome(summaries, killed, starts, deadWrites(work));
    }

    /** Every run checkpoint in the work directory's run directories reads whole. */
    private static void checkEveryCheckpointReads(Path work) throws IOException {
        try (Stream<Path> dirs = Files.list(work)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                for (Path checkpoint : CheckpointStore.directory(d).runCheckpoints()) {
                    try {
                        CheckpointFile.read(checkpoint);
                    } catch (IOException e) {
                        throw new AssertionError("a kill left a checkpoint that does not read: " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** The temporary files of writes that a kill cut short. */
    private static int deadWrites(Path work) throws IOException {
        try (Stream<Path> all = Files.walk(work)) {
            return (int) all.filter(p -> p.getFileName().toString().matches("\\..+\\.[0-9a-f-]{36}\\.tmp")).count();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

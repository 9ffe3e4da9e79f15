package dev.attune.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.internal.train.RunState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A process killed with SIGKILL while it writes a run checkpoint leaves no truncated checkpoint: the
 * new file is either absent (its temporary file left behind) or whole, and the one before it reads.
 * A checkpoint of 64 MB takes long enough to write for the kill to land mid-write.
 */
class CheckpointWriteKillTest {
    private static final long BIG = 16L << 20;

    @TempDir
    Path dir;

    /** The child: writes a small checkpoint, says so, then writes a big one after it. */
    public static void main(String[] args) throws IOException {
        Path d = Path.of(args[0]);
        CheckpointFile.write(d.resolve("checkpoint-00000001.zip"), identity(), state(Nd4j.rand(DataType.FLOAT, 1, 100)));
        INDArray big = Nd4j.rand(DataType.FLOAT, 1, BIG);
        System.out.println("ready");
        System.out.flush();
        CheckpointFile.write(d.resolve("checkpoint-00000002.zip"), identity(), state(big));
        System.out.println("written");
    }

    static CheckpointFile.Identity identity() {
        return new CheckpointFile.Identity("base", "train", "", Map.of("seed", "1"));
    }

    static RunState state(INDArray params) {
        return new RunState(1, 1, 1, 0.5, 1, 2, new RunState.Stopping(Double.NaN, 0, 0, null), List.of(), params,
                Map.of("updater", params));
    }

    @Test
    void aKillMidWriteLeavesTheNewCheckpointAbsentOrWholeAndTheOldOneReadable() throws Exception {
        Random random = new Random(5);
        int cutShort = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Path d = Files.createDirectories(dir.resolve("run" + attempt));
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-cp", System.getProperty("java.class.path"), CheckpointWriteKillTest.class.getName(), d.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isEqualTo("ready");
                Thread.sleep(random.nextInt(100));
                child.destroyForcibly();
                child.waitFor();
            }
            assertThat(CheckpointFile.read(d.resolve("checkpoint-00000001.zip")).state().params().length()).isEqualTo(100);
            Path big = d.resolve("checkpoint-00000002.zip");
            if (Files.exists(big)) {
                assertThat(CheckpointFile.read(big).state().params().length()).isEqualTo(BIG);
            } else {
                try (Stream<Path> files = Files.list(d)) {
                    assertThat(files.map(p -> p.getFileName().toString()))
                            .anyMatch(n -> n.startsWith(".checkpoint-00000002.zip.") && n.endsWith(".tmp"));
                }
                cutShort++;
            }
        }
        System.out.println(cutShort + " of 3 kills landed mid-write");
    }
}

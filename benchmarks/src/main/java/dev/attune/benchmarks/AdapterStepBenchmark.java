package dev.attune.benchmarks;

import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One training step (forward, backward, Adam update) of the MLP 784-1024-1024-10 at batch 128:
 * fully trained, LoRA-adapted (rank 8 on all three layers), and with a frozen base (only the last
 * layer trains, on the frozen layers' cached output). It lives in core's package because a single
 * step is internal: the public API trains whole runs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AdapterStepBenchmark {
    @Param({"full", "lora", "frozen-base"})
    public String mode;

    private TrainableModel model;
    private INDArray x;
    private INDArray y;
    private int iteration;

    @Setup(Level.Trial)
    public void setUp() {
        MultiLayerNetwork base = dev.attune.benchmarks.PeerBenchmark.mlp(3);
        Nd4j.getRandom().setSeed(1);
        TrainingPlan plan = switch (mode) {
            case "full" -> new TrainingPlan(0, "head", Freeze.none(), Optimizer.adam(1e-3), 1);
            case "lora" -> new TrainingPlan(0, "head", Freeze.all(), Optimizer.adam(1e-3), 1,
                    Lora.rank(8).alpha(16).targets("dense0", "dense1", "out"));
            default -> new TrainingPlan(0, "head", Freeze.upTo("dense1"), Optimizer.adam(1e-3), 1);
        };
        model = Network.of(base).handle().prepare(plan);
        x = model.encode(Nd4j.rand(DataType.FLOAT, 128, 784));
        y = Nd4j.zeros(DataType.FLOAT, 128, 10);
        for (int i = 0; i < 128; i++) {
            y.putScalar(i, i % 10, 1f);
        }
    }

    @Benchmark
    public double step() {
        return model.step(x, y, iteration++, 0);
    }
}

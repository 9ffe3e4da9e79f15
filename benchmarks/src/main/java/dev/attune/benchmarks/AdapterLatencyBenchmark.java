package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Inference latency of the MLP 784-1024-1024-10: the base model, the same with a rank-8 LoRA
 * adapter on every layer live (unmerged), and with the adapter merged into the weights, at batch 1
 * and 128.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdapterLatencyBenchmark {
    @Param({"base", "unmerged", "merged"})
    public String variant;

    @Param({"1", "128"})
    public int batch;

    private Network network;
    private AdaptedNetwork adapted;
    private INDArray x;

    @Setup(Level.Trial)
    public void setUp() {
        Network base = Network.of(PeerBenchmark.mlp(3));
        AdaptedNetwork net = AdaptedNetwork.of(base).add("new", Lora.rank(8).alpha(16).targets("dense0", "dense1", "out"), 1);
        // A trained-looking adapter: random A and B, so that the adapter path does real work.
        AdapterWeights fresh = net.adapter("new");
        Nd4j.getRandom().setSeed(2);
        Map<String, INDArray> t = new LinkedHashMap<>();
        fresh.tensors().forEach((k, v) -> t.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5).muli(0.01)));
        net.add("trained", new AdapterWeights(fresh.method(), null, t, fresh.baseFingerprint(), Map.of())).activate("trained");
        x = Nd4j.rand(DataType.FLOAT, batch, 784);
        switch (variant) {
            case "base" -> network = base;
            case "merged" -> network = net.toNetwork();
            default -> adapted = net;
        }
    }

    @Benchmark
    public INDArray output() {
        return adapted != null ? adapted.output(x) : network.output(x);
    }
}

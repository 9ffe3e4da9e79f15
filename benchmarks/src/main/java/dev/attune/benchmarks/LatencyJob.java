package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.evaluation.Latency;
import dev.attune.evaluation.LatencyReport;
import dev.attune.spi.AdapterWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference latency of the peer benchmark's MLP 784-1024-1024-10: the base model, the same with a
 * rank-8 LoRA adapter on every layer live (unmerged), and with the adapter merged ({@code
 * toNetwork()}, a plain DL4J network), called in turn on Fashion-MNIST images at batch sizes 1, 8,
 * 64 and 128. Prints a Markdown table and the merged / base and unmerged / base ratios.
 */
public final class LatencyJob {
    private LatencyJob() {
    }

    /** Runs the measurement and prints the table. */
    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Network base = Network.of(PeerBenchmark.mlp(3));
        AdaptedNetwork adapted = AdaptedNetwork.of(base)
                .add("new", Lora.rank(8).alpha(16).targets("dense0", "dense1", "out"), 1);
        // A trained-looking adapter: random A and B, so that the adapter path does real work.
        AdapterWeights fresh = adapted.adapter("new");
        Nd4j.getRandom().setSeed(2);
        Map<String, INDArray> t = new LinkedHashMap<>();
        fresh.tensors().forEach((k, v) -> t.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5).muli(0.01)));
        adapted.add("trained", new AdapterWeights(fresh.method(), null, t, fresh.baseFingerprint(), Map.of()))
                .activate("trained");
        Network merged = adapted.toNetwork();

        Map<String, UnaryOperator<INDArray>> models = new LinkedHashMap<>();
        models.put("base", base::output);
        models.put("unmerged", adapted::output);
        models.put("merged", merged::output);
        INDArray images = BundledData.FASHION_MNIST.test().features();
        INDArray examples = images.reshape('c', images.size(0), images.length() / images.size(0));
        LatencyReport r = Latency.calls(calls).warmup(100).batchSizes(1, 8, 64, 128).measure(models, examples);
        System.out.println("latency: MLP 784-1024-1024-10, LoRA r=8 on every layer; " + r.conditions());
        System.out.println();
        System.out.print(r.toMarkdown());
        System.out.println();
        for (int b : new int[] {1, 8, 64, 128}) {
            System.out.printf(java.util.Locale.ROOT, "batch %d: merged / base %.3f, unmerged / base %.3f%n", b,
                    r.ratio("merged", "base", b), r.ratio("unmerged", "base", b));
        }
    }
}

package dev.attune.benchmarks;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the adapter JMH benchmarks (one training step; inference latency) in one process run and
 * prints them side by side as ratios: LoRA and frozen-base steps against the full step, unmerged
 * and merged latency against the base model's.
 */
public final class AdapterJmh {
    private AdapterJmh() {
    }

    /** Runs both benchmarks and prints the tables. */
    public static void main(String[] args) throws RunnerException {
        System.out.println("adapter JMH benchmarks: MLP 784-1024-1024-10, LoRA r=8 alpha=16 on all layers, Adam; "
                + BaseModels.threadSettings());
        Options options = new OptionsBuilder()
                .include("dev\\.attune\\.AdapterStepBenchmark|dev\\.attune\\.benchmarks\\.AdapterLatencyBenchmark")
                .forks(1).warmupIterations(3).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .measurementIterations(10).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .jvmArgsAppend("-Xmx4g")
                .result("target/attune/jmh.json").resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> score = new LinkedHashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String key = p.getBenchmark().endsWith("step") ? "step:" + p.getParam("mode")
                    : "latency:" + p.getParam("variant") + ":" + p.getParam("batch");
            score.put(key, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        System.out.println();
        System.out.println("| training step (batch 128) | ms per step | relative to full fine-tuning |");
        System.out.println("|---|---:|---:|");
        double full = score.get("step:full")[0];
        for (String mode : new String[] {"full", "lora", "frozen-base"}) {
            double[] s = score.get("step:" + mode);
            System.out.printf(Locale.ROOT, "| %s | %.2f ± %.2f | %.2f |%n", mode, s[0], s[1], s[0] / full);
        }
        System.out.println();
        System.out.println("| inference | batch 1 (µs) | batch 128 (µs) | batch 1 relative to base | batch 128 relative to base |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String v : new String[] {"base", "unmerged", "merged"}) {
            double[] b1 = score.get("latency:" + v + ":1");
            double[] b128 = score.get("latency:" + v + ":128");
            System.out.printf(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f ± %.1f | %.3f | %.3f |%n", v, b1[0], b1[1], b128[0],
                    b128[1], b1[0] / score.get("latency:base:1")[0], b128[0] / score.get("latency:base:128")[0]);
        }
    }
}

package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.internal.bert.BertGraph;
import dev.attune.internal.bert.BertHandle;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.LowRankSpec;
import dev.attune.spi.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA on the tiny random BERT through {@link FineTuner#builder}'s {@code adapter(...)}: what trains,
 * what stays, the merged result, the adapter's tensors, serving it with {@link AdaptedNetwork}, and
 * the options the encoder refuses. The method offers its options as a {@link LowRankSpec}, as the
 * adapters module's {@code Lora} does, which is all the encoder reads.
 */
public class BertLoraFineTuningTest {
    private static final LabeledData ALL = BertFineTuningTest.sequences(330, 1);
    private static final LabeledData TRAIN = ALL.select(IntStream.range(0, 240).toArray());
    private static final LabeledData VALIDATION = ALL.select(IntStream.range(240, 330).toArray());
    /** r = 4 on query and value of 2 layers of width 16: 2 x 2 x (4 x 16 + 16 x 4). */
    private static final long LORA_PARAMS = 2 * 2 * (4 * 16 + 16 * 4);
    private static final List<String> QUERY_VALUE = List.of("*.attention.self.query", "*.attention.self.value");

    /** All four attention projections: the spec's default, which the encoder requires. */
    private static final List<LowRankSpec.Projection> ALL_PROJECTIONS = List.of(LowRankSpec.Projection.values());

    /**
     * An adapter method that offers {@code spec} (none: a method that is no low-rank adapter) as the
     * adapters module's {@code Lora} does. Its text options are a placeholder that names none of the
     * spec's options: the encoder must read the typed spec alone.
     */
    public static AdapterMethod method(String name, List<String> targets, LowRankSpec spec) {
        return method(name, targets, spec, Map.of("described", "by lowRank()"));
    }

    /** As {@link #method(String, List, LowRankSpec)}, with the given text options. */
    static AdapterMethod method(String name, List<String> targets, LowRankSpec spec, Map<String, String> config) {
        return new AdapterMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> targets() {
                return targets;
            }

            @Override
            public boolean supports(Layer layer) {
                return false;
            }

            @Override
            public Layer adapt(Layer target) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<LowRankSpec> lowRank() {
                return Optional.ofNullable(spec);
            }

            @Override
            public Map<String, String> config() {
                return config;
            }
        };
    }

    /** LoRA of rank r with alpha 8 on the given targets, every other option at its default. */
    public static LowRankSpec spec(int rank, List<String> targets) {
        return new LowRankSpec(rank, 8.0, false, LowRankSpec.Init.KAIMING_UNIFORM, targets, false,
                LowRankSpec.Bias.NONE, 0, ALL_PROJECTIONS);
    }

    /** A LoRA method as the adapters module's {@code Lora} makes it: its name and its spec's targets. */
    public static AdapterMethod method(LowRankSpec spec) {
        return method(spec.dora() ? "dora" : "lora", spec.targets(), spec);
    }

    private static AdapterMethod lora() {
        return method(spec(4, QUERY_VALUE));
    }

    private static FineTuner.Builder tuner(Network base, AdapterMethod method) {
        return FineTuner.builder(base).replaceHead(BertFineTuningTest.CLASSES).adapter(method)
                .optimizer(Optimizer.adam(5e-2)).batchSize(32).metrics(BertFineTuningTest.ACCURACY);
    }

    @Test
    void loraTrainsOnlyTheAdaptersAndTheHeadAndMergesIntoAPlainEncoder() {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        INDArray baseParams = base.handle().params().dup();
        FineTuneResult r = tuner(base, lora()).epochs(12).build().fit(TRAIN, VALIDATION);

        assertThat(r.trainableParams()).isEqualTo(LORA_PARAMS + BertFineTuningTest.HEAD_PARAMS);
        assertThat(r.frozenParams()).isEqualTo(base.numParams());
        assertThat(r.optimizerStateSize()).isEqualTo(2 * (LORA_PARAMS + BertFineTuningTest.HEAD_PARAMS));
        assertThat(r.frozenLayers()).containsExactly("embeddings");
        List<EpochRecord> h = r.history();
        assertThat(h.get(h.size() - 1).trainLoss()).isLessThan(0.4 * h.get(0).trainLoss());
        assertThat(r.evaluate(VALIDATION, BertFineTuningTest.ACCURACY)).isGreaterThan(0.8);
        assertThat(base.handle().params()).isEqualTo(baseParams);

        // The adapter: PEFT's names and shapes, then the head; sealed to the base.
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.method().name()).isEqualTo("lora");
        assertThat(w.head()).isEqualTo(new AdapterWeights.Head("head", BertFineTuningTest.CLASSES));
        assertThat(w.baseFingerprint()).isEqualTo(base.fingerprint());
        assertThat(w.tensors().keySet()).containsExactly(
                "encoder.0.attention.self.query.lora_A", "encoder.0.attention.self.query.lora_B",
                "encoder.0.attention.self.value.lora_A", "encoder.0.attention.self.value.lora_B",
                "encoder.1.attention.self.query.lora_A", "encoder.1.attention.self.query.lora_B",
                "encoder.1.attention.self.value.lora_A", "encoder.1.attention.self.value.lora_B",
                "head.W", "head.b");
        assertThat(w.tensor("encoder.1.attention.self.value.lora_A").shape()).containsExactly(4, 16);
        assertThat(w.tensor("encoder.1.attention.self.value.lora_B").shape()).containsExactly(16, 4);
        assertThat(w.parameterCount()).isEqualTo(r.trainableParams());
        assertThat(w.tensor("encoder.0.attention.self.query.lora_B").amaxNumber().doubleValue()).isPositive();

        // The merged model is a plain encoder: every untargeted weight bit-identical to the base's, each
        // targeted one W + (alpha / r) (B A)^T.
        BertHandle merged = (BertHandle) r.model().handle();
        assertThat(merged.lora()).isNull();
        assertThat(merged.layers()).extracting(LayerInfo::name).containsExactly("embeddings", "encoder.0", "encoder.1", "head");
        Map<String, INDArray> original = ((BertHandle) base.handle()).tensors();
        original.forEach((name, v) -> {
            if (name.matches("encoder\\.\\d\\.attention\\.self\\.(query|value)\\.weight")) {
                String m = name.substring(0, name.length() - ".weight".length());
                INDArray expected = v.add(w.tensor(m + ".lora_A").transpose().mmul(w.tensor(m + ".lora_B").transpose()).mul(2.0));
                assertThat(merged.tensors().get(name).equalsWithEps(expected, 1e-6)).as(name).isTrue();
                assertThat(merged.tensors().get(name)).as(name).isNotEqualTo(v);
            } else {
                assertThat(merged.tensors().get(name)).as(name).isEqualTo(v);
            }
        });
        assertThat(merged.tensors().get("head.W")).isEqualTo(w.tensor("head.W"));

        // Served unmerged on the base, the adapter computes what the merged model computes.
        AdaptedNetwork served = AdaptedNetwork.of(base).add("tuned", w);
        INDArray x = VALIDATION.features();
        INDArray expected = r.model().output(x);
        assertThat(served.isMerged()).isFalse();
        assertThat(served.output(x).equalsWithEps(expected, 1e-5)).isTrue();
        served.merge();
        assertThat(served.isMerged()).isTrue();
        assertThat(served.output(x).equalsWithEps(expected, 1e-5)).isTrue();
        assertThat(served.toNetwork().handle().params().equalsWithEps(r.model().handle().params(), 1e-6)).isTrue();
        served.unmerge();
        assertThat(served.output(x).equalsWithEps(expected, 1e-5)).isTrue();
        assertThat(base.handle().params()).isEqualTo(baseParams);
    }

    @Test
    void theSameSeedGivesBitIdenticalAdaptersAndAnotherSeedOthers() {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        FineTuneResult a = tuner(base, lora()).epochs(2).build().fit(TRAIN, null);
        FineTuneResult b = tuner(base, lora()).epochs(2).build().fit(TRAIN, null);
        FineTuneResult c = tuner(base, lora()).epochs(2).seed(6).build().fit(TRAIN, null);
        assertThat(b.model().handle().params()).isEqualTo(a.model().handle().params());
        assertThat(b.adapters().orElseThrow().tensors()).isEqualTo(a.adapters().orElseThrow().tensors());
        assertThat(c.adapters().orElseThrow().tensor("encoder.0.attention.self.query.lora_A"))
                .isNotEqualTo(a.adapters().orElseThrow().tensor("encoder.0.attention.self.query.lora_A"));
    }

    @Test
    void optionsReachTheEncoder() {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        // Every projection, gaussian A (std 1/r), no targets given: PEFT's query and value.
        FineTuneResult all = tuner(base, method(new LowRankSpec(2, 8.0, true,
                LowRankSpec.Init.GAUSSIAN, List.of("*"), false, LowRankSpec.Bias.NONE, 0, ALL_PROJECTIONS)))
                .epochs(1).build().fit(TRAIN, null);
        assertThat(all.trainableParams()).isEqualTo(2 * 4 * (2 * 16 + 16 * 2) + 2 * 2 * (2 * 16 + 32 * 2)
                + BertFineTuningTest.HEAD_PARAMS);
        FineTuneResult defaults = tuner(base, method(spec(4, List.of()))).epochs(1).build().fit(TRAIN, null);
        assertThat(defaults.adapters().orElseThrow().tensors()).hasSize(10);
        // Without a new head, the encoder's own head stays frozen: only the adapters train.
        FineTuneResult noHead = FineTuner.builder(all.model()).adapter(lora()).epochs(1).seed(5).build().fit(TRAIN, null);
        assertThat(noHead.trainableParams()).isEqualTo(LORA_PARAMS);
        assertThat(noHead.adapters().orElseThrow().head()).isNull();
        // The initial adapter leaves the outputs as they were (B = 0).
        AdaptedNetwork fresh = AdaptedNetwork.of(all.model()).add("fresh", lora(), 3);
        INDArray x = VALIDATION.features();
        assertThat(fresh.output(x).equalsWithEps(all.model().output(x), 1e-6)).isTrue();
    }

    @Test
    void theEncoderReadsTheTypedSpecAndNeverTheTextOptions() {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        // Text options under names the encoder does not know, and others that contradict the spec:
        // provenance only, so a renamed option in an adapter method cannot change what trains.
        Map<String, String> text = Map.of("r", "4", "rank", "8", "targets", "*.attention.self.query", "dora", "true");
        LowRankSpec spec = spec(2, List.of("*"));
        FineTuneResult r = tuner(base, method("lora", spec.targets(), spec, text)).epochs(1).build().fit(TRAIN, null);
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.tensors()).hasSize(2 * 6 * 2 + 2);
        assertThat(w.tensor("encoder.1.intermediate.dense.lora_A").shape()).containsExactly(2, 16);
        assertThat(w.method().config()).isEqualTo(text);
    }

    @Test
    void optionsTheEncoderCannotHonourAreRefusedByName() {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        assertThatThrownBy(() -> tuner(base, method(new LowRankSpec(4, 8.0, false, LowRankSpec.Init.KAIMING_UNIFORM,
                QUERY_VALUE, true, LowRankSpec.Bias.NONE, 0, ALL_PROJECTIONS))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DoRA").hasMessageContaining("without .dora()");
        assertThatThrownBy(() -> tuner(base, method(new LowRankSpec(4, 8.0, false, LowRankSpec.Init.KAIMING_UNIFORM,
                QUERY_VALUE, false, LowRankSpec.Bias.NONE, 0.1, ALL_PROJECTIONS))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dropout 0.1").hasMessageContaining("dropout(0)");
        assertThatThrownBy(() -> tuner(base, method(new LowRankSpec(4, 8.0, false, LowRankSpec.Init.KAIMING_UNIFORM,
                QUERY_VALUE, false, LowRankSpec.Bias.ALL, 0, ALL_PROJECTIONS))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias ALL").hasMessageContaining("Bias.NONE");
        assertThatThrownBy(() -> tuner(base, method(new LowRankSpec(4, 8.0, false, LowRankSpec.Init.KAIMING_UNIFORM,
                QUERY_VALUE, false, LowRankSpec.Bias.NONE, 0,
                List.of(LowRankSpec.Projection.QUERY, LowRankSpec.Projection.VALUE)))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projections [QUERY, VALUE]")
                .hasMessageContaining("targets(");
        assertThatThrownBy(() -> tuner(base, method("bottleneck", List.of("encoder.0"), null)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bottleneck'")
                .hasMessageContaining("use LoRA");
        assertThatThrownBy(() -> tuner(base, method(spec(4, List.of("dense*")))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'dense*' matches no linear module")
                .hasMessageContaining("encoder.0.attention.self.query, encoder.0.attention.self.key");
        assertThatThrownBy(() -> tuner(base, method(spec(17, QUERY_VALUE))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 17");
        assertThatThrownBy(() -> tuner(base, lora()).freeze(Freeze.none()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[embeddings] trainable")
                .hasMessageContaining("Freeze.all().andUnfreeze(\"head\")");
        assertThatThrownBy(() -> tuner(base, method(spec(4, List.of("encoder.1.attention.self.query"))))
                .freeze(Freeze.allExcept("head", "encoder.0")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[encoder.0] trainable");
    }

    @Test
    void anAdapterOfAnotherBaseIsRefused() {
        FineTuneResult r = tuner(Network.of(BertFineTuningTest.tiny(DataType.FLOAT)), lora()).epochs(1).build()
                .fit(TRAIN, null);
        Network other = Network.of(BertEncoder.of(BertGraph.random(BertFineTuningTest.TINY, 8, DataType.FLOAT,
                BertGraph.Lookup.GATHER)));
        assertThatThrownBy(() -> AdaptedNetwork.of(other).add("x", r.adapters().orElseThrow()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.fingerprint());
    }
}

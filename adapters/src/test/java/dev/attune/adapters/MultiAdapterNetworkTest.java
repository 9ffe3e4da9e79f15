package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.bottleneck.Bottleneck;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.dl4j.DenseRows;
import dev.attune.internal.multi.Gather;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Many LoRA adapters on one dense base in one pass: each row through its own adapter. */
// A guard against a hang of a broken soak, not a timing assertion.
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class MultiAdapterNetworkTest {
    private static final double TOLERANCE = 1e-6;
    private final MultiLayerNetwork mln = Fixtures.mlp(3, 5);
    private final Network base = Network.of(mln);
    private final INDArray x = Fixtures.blobs(40, 8, 3, 9).features();

    /** An adapter of the method with random, non-zero tensors (an untrained LoRA adapter changes nothing). */
    private AdapterWeights random(AdapterMethod method, long seed) {
        AdapterWeights template = AdaptedNetwork.of(base).add("t", method, seed).adapter("t");
        return randomised(template, seed);
    }

    private static AdapterWeights randomised(AdapterWeights template, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        template.tensors().forEach((k, v) -> tensors.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5).muli(0.6)));
        return new AdapterWeights(template.method(), template.head(), tensors, template.baseFingerprint(), Map.of());
    }

    /** A LoRA adapter trained with a new head of its own. */
    private AdapterWeights withHead(long seed) {
        LabeledData train = Fixtures.blobs(120, 8, 3, 1);
        return FineTuner.builder(mln).adapter(Lora.rank(2).alpha(4).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(2).seed(seed).build().fit(train).adapters().orElseThrow();
    }

    private Map<String, AdapterWeights> adapters() {
        Map<String, AdapterWeights> out = new LinkedHashMap<>();
        out.put("r2", random(Lora.rank(2).targets("dense*"), 1));
        out.put("r4-out", random(Lora.rank(3).alpha(6).targets("dense1", "out"), 2));
        out.put("bias", random(Lora.rank(3).targets("dense0").bias(Lora.Bias.ADAPTED), 3));
        out.put("all-bias", random(Lora.rank(2).rsLora(true).targets("out").bias(Lora.Bias.ALL), 4));
        out.put("head", withHead(5));
        return out;
    }

    /** Each row's expected answer: its adapter's own batch through AdaptedNetwork (the base for null). */
    private INDArray expected(Map<String, AdapterWeights> adapters, INDArray features, List<String> perRow) {
        AdaptedNetwork one = AdaptedNetwork.of(base);
        adapters.forEach(one::add);
        INDArray out = null;
        for (String name : new java.util.LinkedHashSet<>(perRow)) {
            int[] rows = java.util.stream.IntStream.range(0, perRow.size())
                    .filter(i -> java.util.Objects.equals(perRow.get(i), name)).toArray();
            INDArray own = Nd4j.pullRows(features, 1, rows);
            INDArray y = name == null ? base.output(own) : one.activate(name).output(own);
            if (out == null) {
                out = Nd4j.create(y.dataType(), features.size(0), y.size(1));
            }
            for (int i = 0; i < rows.length; i++) {
                out.getRow(rows[i]).assign(y.getRow(i));
            }
        }
        return out;
    }

    private static List<String> mix(List<String> names, int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(names.size() + 1);
            out.add(k == names.size() ? null : names.get(k));
        }
        return out;
    }

    @Test
    void aMixedBatchEqualsEachAdaptersOwnBatch() {
        Map<String, AdapterWeights> adapters = adapters();
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        adapters.forEach(net::put);
        List<String> names = new ArrayList<>(adapters.keySet());
        // Every adapter but the one with its own head: the head's rows come in their own batch below.
        List<String> perRow = mix(names.subList(0, 4), (int) x.size(0), 11);
        assertThat(new java.util.HashSet<>(perRow)).hasSize(5);
        INDArray got = net.output(x, perRow);
        INDArray want = expected(adapters, x, perRow);
        assertThat(got.sub(want).amaxNumber().doubleValue()).isLessThan(TOLERANCE);
        // The base rows are the base's answers, and differ from an adapter's.
        INDArray baseOut = base.output(x);
        for (int i = 0; i < perRow.size(); i++) {
            if (perRow.get(i) == null) {
                assertThat(got.getRow(i).sub(baseOut.getRow(i)).amaxNumber().doubleValue()).isLessThan(TOLERANCE);
            } else {
                assertThat(got.getRow(i).sub(baseOut.getRow(i)).amaxNumber().doubleValue()).isGreaterThan(1e-3);
            }
        }
        // Rows of an adapter with its own head beside rows of the base head (both 3 classes).
        List<String> withHead = mix(List.of("head", "r2"), (int) x.size(0), 12);
        assertThat(net.output(x, withHead).sub(expected(adapters, x, withHead)).amaxNumber().doubleValue())
                .isLessThan(TOLERANCE);
        assertThat(net.output(x, "head").sub(expected(adapters, x, java.util.Collections.nCopies(40, "head")))
                .amaxNumber().doubleValue()).isLessThan(TOLERANCE);
        // A and B^T once, for the products and the per-row products alike.
        assertThat(net.bytes("r2")).isEqualTo(4L * (2 * 8 + 16 * 2 + 2 * 16 + 16 * 2));
        assertThat(net.names()).containsExactlyElementsOf(names);
    }

    private static RowsBank bank(MultiLayerNetwork net, Gather gather, Map<String, AdapterWeights> adapters) {
        DenseRows model = DenseRows.of(net, gather);
        List<RowsAdapter> prepared = new ArrayList<>();
        adapters.forEach((n, w) -> prepared.add(model.prepare(n, w, w.method().lowRank().orElseThrow())));
        return model.bank(prepared);
    }

    private static int[] slots(Map<String, AdapterWeights> adapters, List<String> perRow) {
        List<String> names = new ArrayList<>(adapters.keySet());
        return perRow.stream().mapToInt(n -> n == null ? -1 : names.indexOf(n)).toArray();
    }

    @Test
    void everyWayOfComputingTheUpdatesGivesEachAdaptersOwnAnswer() {
        Map<String, AdapterWeights> adapters = adapters();
        List<String> names = new ArrayList<>(adapters.keySet());
        List<String> mixed = mix(names.subList(0, 4), (int) x.size(0), 3);
        List<String> withHead = mix(List.of("head", "r2"), (int) x.size(0), 4);
        INDArray wantMixed = expected(adapters, x, mixed);
        INDArray wantHead = expected(adapters, x, withHead);
        for (Gather g : Gather.values()) {
            RowsBank bank = bank(mln, g, adapters);
            assertThat(bank.output(x, slots(adapters, mixed)).sub(wantMixed).amaxNumber().doubleValue()).as("%s", g)
                    .isLessThan(TOLERANCE);
            assertThat(bank.output(x, slots(adapters, withHead)).sub(wantHead).amaxNumber().doubleValue()).as("%s", g)
                    .isLessThan(TOLERANCE);
        }
    }

    @Test
    void mixedRunsEveryGroupPerRowOnTheCpu() {
        Map<String, AdapterWeights> adapters = adapters();
        RowsBank perRow = bank(mln, Gather.ROW_PRODUCTS, adapters);
        RowsBank segments = bank(mln, Gather.SEGMENTS, adapters);
        RowsBank mixed = bank(mln, Gather.MIXED, adapters);
        // 40 rows in turn over the 5 adapters and the base, 40 rows of one adapter, and rows with a head.
        int[] small = java.util.stream.IntStream.range(0, (int) x.size(0)).map(i -> i % 6 - 1).toArray();
        int[] large = new int[(int) x.size(0)];
        int[] head = slots(adapters, mix(List.of("head", "r2"), (int) x.size(0), 4));
        for (int[] s : new int[][] {small, large, head}) {
            // The two ways round differently, so each answer shows which way MIXED took.
            assertThat(maxDiff(perRow.output(x, s), segments.output(x, s))).isGreaterThan(0);
            assertThat(maxDiff(mixed.output(x, s), perRow.output(x, s))).isZero();
        }
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aDoubleNetworkComputesTheUpdatesInDouble() {
        MultiLayerNetwork dmln = mln.convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        Network dbase = Network.of(dmln);
        INDArray dx = x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        adapters.put("r2", randomised(AdaptedNetwork.of(dbase).add("t", Lora.rank(2).targets("dense*"), 1).adapter("t"), 1));
        adapters.put("r5", randomised(AdaptedNetwork.of(dbase).add("t", Lora.rank(5).alpha(3).targets("dense*"), 2)
                .adapter("t"), 2));
        List<String> perRow = mix(new ArrayList<>(adapters.keySet()), (int) dx.size(0), 8);
        AdaptedNetwork one = AdaptedNetwork.of(dbase);
        adapters.forEach(one::add);
        int[] slots = slots(adapters, perRow);
        for (Gather g : new Gather[] {Gather.ROW_PRODUCTS, Gather.MIXED}) {
            INDArray got = bank(dmln, g, adapters).output(dx, slots);
            assertThat(got.dataType()).isEqualTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            for (int i = 0; i < perRow.size(); i++) {
                INDArray row = dx.getRow(i, true);
                INDArray want = perRow.get(i) == null ? dbase.output(row) : one.activate(perRow.get(i)).output(row);
                // Far below float rounding: the per-row products ran in double.
                assertThat(got.getRow(i, true).sub(want).amaxNumber().doubleValue()).as("%s row %d", g, i).isLessThan(1e-12);
            }
        }
    }

    @Test
    void refusesWhatItCannotServe() {
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        Network other = Network.of(Fixtures.mlp(3, 6));
        AdapterWeights foreign = AdaptedNetwork.of(other).add("t", Lora.rank(2).targets("dense*"), 1).adapter("t");
        assertThatThrownBy(() -> net.put("x", foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(foreign.baseFingerprint()).hasMessageContaining(base.fingerprint());
        AdapterWeights bottleneck = AdaptedNetwork.of(base).add("t", Bottleneck.after("dense1").size(3), 1).adapter("t");
        assertThatThrownBy(() -> net.put("b", bottleneck)).hasMessageContaining("is a bottleneck adapter")
                .hasMessageContaining("AdaptedNetwork");
        AdapterWeights dora = AdaptedNetwork.of(base).add("t", Lora.rank(2).targets("dense*").dora(), 1).adapter("t");
        assertThatThrownBy(() -> net.put("d", dora)).hasMessageContaining("DoRA").hasMessageContaining("AdaptedNetwork");
        net.put("a", random(Lora.rank(2).targets("dense*"), 1));
        assertThatThrownBy(() -> net.output(x, Arrays.asList(new String[40]).stream().map(s -> "nope").toList()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no adapter named 'nope'; adapters are: [a]");
        assertThatThrownBy(() -> net.output(x, List.of("a"))).hasMessageContaining("40 rows but 1 adapter names");
        assertThatThrownBy(() -> net.remove("nope")).hasMessageContaining("no adapter named 'nope'");
        assertThatThrownBy(() -> net.bytes("nope")).hasMessageContaining("no adapter named 'nope'");
        assertThatThrownBy(() -> MultiAdapterNetwork.of(Network.of(Fixtures.cnn(3, 1))))
                .hasMessageContaining("'conv0' is a ConvolutionLayer").hasMessageContaining("AdaptedNetwork");

        // Heads of different classes cannot share one batch's output.
        AdapterWeights five = randomised(FineTuner.builder(mln).adapter(Lora.rank(2).targets("dense*")).replaceHead(5)
                .epochs(1).seed(1).build().fit(Fixtures.blobs(60, 8, 5, 1)).adapters().orElseThrow(), 2);
        net.put("five", five);
        assertThat(net.output(x, "five").shape()).containsExactly(40, 5);
        List<String> mixed = new ArrayList<>(java.util.Collections.nCopies(40, "a"));
        mixed.set(7, "five");
        assertThatThrownBy(() -> net.output(x, mixed)).hasMessageContaining("differ in width (3 and 5");
    }

    @Test
    void putAndRemoveUnderConcurrentOutputs() throws Exception {
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            adapters.put("a" + i, random(Lora.rank(1 + i % 3).targets(i % 2 == 0 ? "dense*" : "out"), 100 + i));
        }
        // Version 2 of a0: the same name, other weights.
        AdapterWeights a0v2 = random(Lora.rank(2).targets("dense*"), 999);
        Map<String, INDArray> alone = new LinkedHashMap<>();
        adapters.forEach((n, w) -> alone.put(n, AdaptedNetwork.of(base).add(n, w).output(x)));
        INDArray a0v2Alone = AdaptedNetwork.of(base).add("a0", a0v2).output(x);
        INDArray baseAlone = base.output(x);

        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        net.put("a0", adapters.get("a0")).put("a1", adapters.get("a1"));
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            Future<?> writer = pool.submit(() -> {
                Random r = new Random(1);
                for (int k = 0; k < 200; k++) {
                    String n = "a" + (2 + r.nextInt(4));
                    if (net.names().contains(n)) {
                        net.remove(n);
                    } else {
                        net.put(n, adapters.get(n));
                    }
                    net.put("a0", k % 2 == 0 ? a0v2 : adapters.get("a0"));
                }
                done.set(true);
                return null;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                readers.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    int checked = 0;
                    while (!done.get() || checked < 20) {
                        List<String> known = net.names();
                        List<String> perRow = new ArrayList<>();
                        for (int i = 0; i < x.size(0); i++) {
                            int k = r.nextInt(known.size() + 1);
                            perRow.add(k == known.size() ? null : known.get(k));
                        }
                        INDArray got;
                        try {
                            got = net.output(x, perRow);
                        } catch (IllegalArgumentException e) {
                            // An adapter removed between names() and output(): refused whole, named.
                            assertThat(e.getMessage()).startsWith("no adapter named 'a");
                            continue;
                        }
                        for (int i = 0; i < perRow.size(); i++) {
                            String n = perRow.get(i);
                            INDArray row = got.getRow(i);
                            if (n == null) {
                                assertThat(row.sub(baseAlone.getRow(i)).amaxNumber().doubleValue()).isLessThan(TOLERANCE);
                            } else if (n.equals("a0")) {
                                double v1 = row.sub(alone.get("a0").getRow(i)).amaxNumber().doubleValue();
                                double v2 = row.sub(a0v2Alone.getRow(i)).amaxNumber().doubleValue();
                                assertThat(Math.min(v1, v2)).as("a0, old or new version").isLessThan(TOLERANCE);
                            } else {
                                assertThat(row.sub(alone.get(n).getRow(i)).amaxNumber().doubleValue()).as(n)
                                        .isLessThan(TOLERANCE);
                            }
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            writer.get();
            for (Future<Integer> f : readers) {
                assertThat(f.get()).isGreaterThanOrEqualTo(20);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameRowsInAnyOrderGiveTheSameAnswers() {
        Map<String, AdapterWeights> adapters = adapters();
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        adapters.forEach(net::put);
        List<String> perRow = mix(List.of("r2", "bias", "r4-out"), 40, 5);
        INDArray all = net.output(x, perRow);
        INDArray firstTen = net.output(x.get(NDArrayIndex.interval(0, 10), NDArrayIndex.all()), perRow.subList(0, 10));
        assertThat(firstTen.sub(all.get(NDArrayIndex.interval(0, 10), NDArrayIndex.all())).amaxNumber().doubleValue())
                .isLessThan(TOLERANCE);
    }
}

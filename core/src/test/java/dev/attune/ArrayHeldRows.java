package dev.attune;

import dev.attune.internal.math.Rows;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.BatchRows;
import dev.attune.spi.GradientExchange;
import dev.attune.spi.HeldRows;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.RowsFingerprint;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows "held elsewhere" for tests: an array in parts, each part checked and fingerprinted on its own as a
 * holder on other machines would, and an exchange whose model reads the rows by their numbers. Counts the
 * times anything reads all features at once through it ({@link #wholeReads}), which must stay 0.
 */
final class ArrayHeldRows implements HeldRows {
    private final INDArray x;
    private final int[] y;
    private final int classes;
    private final int parts;
    final AtomicInteger wholeReads = new AtomicInteger();
    /** The times the fingerprint, a pass over every feature, was computed. */
    final AtomicInteger fingerprints = new AtomicInteger();

    /** {@code x} ({@code [n, ...]}, c order, any float type, NaN allowed) and labels, in {@code parts} parts. */
    ArrayHeldRows(INDArray x, int[] y, int classes, int parts) {
        this.x = x.dup('c');
        this.y = y.clone();
        this.classes = classes;
        this.parts = parts;
    }

    static ArrayHeldRows of(LabeledData data, int parts) {
        return new ArrayHeldRows(data.features(), data.labels(), data.numClasses(), parts);
    }

    private long from(int part) {
        return (long) part * y.length / parts;
    }

    private INDArray part(int p) {
        return x.get(Rows.range(x.rank(), from(p), from(p + 1))).dup('c');
    }

    @Override
    public int size() {
        return y.length;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public long[] exampleShape() {
        long[] s = x.shape();
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    @Override
    public DataType dataType() {
        return x.dataType();
    }

    @Override
    public int[] labels() {
        return y.clone();
    }

    @Override
    public String fingerprint() {
        fingerprints.incrementAndGet();
        RowsFingerprint f = new RowsFingerprint(classes, y.length, exampleShape(), x.dataType());
        for (int p = 0; p < parts; p++) {
            if (from(p + 1) > from(p)) {
                f.features(part(p).data().asNio().order(ByteOrder.nativeOrder()));
            }
        }
        return f.labels(y);
    }

    @Override
    public INDArray firstExample() {
        return x.get(Rows.range(x.rank(), 0, 1)).dup();
    }

    @Override
    public FeatureCheck featureCheck() {
        long bad = 0;
        long first = -1;
        String where = "";
        for (int p = 0; p < parts; p++) {
            for (long r = from(p); r < from(p + 1); r++) {
                INDArray row = x.get(Rows.range(x.rank(), r, r + 1));
                long n = row.isNaN().castTo(DataType.INT32).sumNumber().longValue()
                        + row.isInfinite().castTo(DataType.INT32).sumNumber().longValue();
                if (n > 0 && first < 0) {
                    first = r;
                    where = "row " + (r - from(p)) + " of part " + p;
                }
                bad += n;
            }
        }
        return new FeatureCheck(bad, first, where);
    }

    @Override
    public int[] copiesOf(INDArray validation) {
        INDArray a = x;
        INDArray b = validation.dup('c');
        if (a.dataType() != b.dataType()) {
            a = a.castTo(DataType.DOUBLE);
            b = b.castTo(DataType.DOUBLE);
        }
        int[] out = new int[(int) b.size(0)];
        for (int j = 0; j < out.length; j++) {
            out[j] = -1;
            ByteBuffer v = b.get(Rows.range(b.rank(), j, j + 1)).dup('c').data().asNio();
            for (int i = 0; i < y.length && out[j] < 0; i++) {
                if (a.get(Rows.range(a.rank(), i, i + 1)).dup('c').data().asNio().equals(v)) {
                    out[j] = i;
                }
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return "the test's rows in " + parts + " parts";
    }

    /** An exchange whose model computes each mini-batch's gradients from these rows, by their numbers. */
    GradientExchange exchange() {
        return (prepared, base, plan) -> new RowsModel(prepared);
    }

    /** The model of {@link #exchange()}: the prepared model, fed the rows it is told the numbers of. */
    private final class RowsModel implements TrainableModel, BatchRows {
        private final TrainableModel local;
        private int[] next;

        RowsModel(TrainableModel local) {
            this.local = local;
        }

        @Override
        public void nextBatchRows(int[] rows, int trainingRows) {
            next = rows;
        }

        @Override
        public double computeGradients(INDArray features, INDArray labels, INDArray weights) {
            if (features != null) {
                wholeReads.incrementAndGet(); // the trainer gathered features it should not hold
            }
            INDArray rows = LabeledData.rows(x, next);
            return local.computeGradients(local.hasFrozenBottom() ? local.encode(rows) : rows, labels, weights);
        }

        @Override
        public List<TrainedTensor> gradientTensors() {
            return local.gradientTensors();
        }

        @Override
        public boolean hasFrozenBottom() {
            return false;
        }

        @Override
        public INDArray encode(INDArray features) {
            return features;
        }

        @Override
        public double step(INDArray f, INDArray l, INDArray w, int iteration, int epoch) {
            throw new UnsupportedOperationException("steps through the controlled update");
        }

        @Override
        public INDArray predictEncoded(INDArray features) {
            return local.predictEncoded(local.hasFrozenBottom() ? local.encode(features) : features);
        }

        @Override
        public INDArray params() {
            return local.params();
        }

        @Override
        public long trainableParams() {
            return local.trainableParams();
        }

        @Override
        public long frozenParams() {
            return local.frozenParams();
        }

        @Override
        public Set<String> frozenLayers() {
            return local.frozenLayers();
        }

        @Override
        public long optimizerStateSize() {
            return local.optimizerStateSize();
        }

        @Override
        public Map<String, INDArray> trainedTensors() {
            return local.trainedTensors();
        }

        @Override
        public ModelHandle live() {
            return local.live();
        }

        @Override
        public List<AdaptedLayer> adaptedLayers() {
            return local.adaptedLayers();
        }

        @Override
        public ModelHandle snapshot() {
            return local.snapshot();
        }

        @Override
        public Map<String, INDArray> optimizerState() {
            return local.optimizerState();
        }
    }
}

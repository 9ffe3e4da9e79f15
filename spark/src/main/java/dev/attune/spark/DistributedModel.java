package dev.attune.spark;

import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The driver's model of a run on Spark: the trainer's controlled update steps its trained tensors, and
 * {@link #computeGradients} runs one Spark job per step whose tasks compute the gradients of their
 * share of the mini-batch, summed here in task order (so that a run is repeatable bit for bit whatever
 * order the tasks finish in). The frozen bottom runs on the executors too: to the trainer this model
 * has none.
 */
final class DistributedModel implements TrainableModel {
    private final TrainableModel local;
    private final List<TrainedTensor> tensors;
    private final JavaSparkContext spark;
    private final int tasks;
    private final String runKey;
    private final Broadcast<byte[]> base;
    private final PlanSpec spec;
    private final StepMeter meter;

    DistributedModel(TrainableModel local, JavaSparkContext spark, int tasks, String runKey, Broadcast<byte[]> base,
                     PlanSpec spec, StepMeter meter) {
        this.local = local;
        this.tensors = local.gradientTensors();
        for (TrainedTensor t : tensors) {
            if (t.role() == TrainedTensor.Role.STATISTIC) {
                throw new IllegalArgumentException("layer '" + t.layer() + "' keeps running statistics (" + t.name()
                        + ", batch normalisation), which data-parallel steps cannot sum; freeze it with the layers below"
                        + " (Freeze.upTo(\"" + t.layer() + "\")) or train with FineTuner.fit on one machine");
            }
        }
        this.spark = spark;
        this.tasks = tasks;
        this.runKey = runKey;
        this.base = base;
        this.spec = spec;
        this.meter = meter;
    }

    @Override
    public double computeGradients(INDArray x, INDArray y, INDArray weights) {
        long t0 = System.nanoTime();
        int rows = (int) x.size(0);
        List<Slice> slices = new ArrayList<>(tasks);
        long batchBytes = 0;
        for (int i = 0; i < tasks; i++) {
            int from = (int) ((long) i * rows / tasks);
            int to = (int) ((long) (i + 1) * rows / tasks);
            Slice s = from == to ? new Slice(null, null, null)
                    : new Slice(x.get(NDArrayIndex.interval(from, to)).dup(), y.get(NDArrayIndex.interval(from, to)).dup(),
                    weights == null ? null : weights.get(NDArrayIndex.interval(from, to)).dup());
            batchBytes += s.bytes();
            slices.add(s);
        }
        INDArray[] values = new INDArray[tensors.size()];
        long valueBytes = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = tensors.get(i).value().dup();
            valueBytes += values[i].length() * values[i].dataType().width();
        }
        List<Share> shares = spark.parallelize(slices, tasks).map(task(runKey, base, spec, values)).collect();
        double lossTimesRows = 0;
        long gradientBytes = 0;
        long slowest = 0;
        for (int i = 0; i < tensors.size(); i++) {
            tensors.get(i).gradient().assign(0);
        }
        for (Share s : shares) {
            if (s.rows() == 0) {
                continue;
            }
            for (int i = 0; i < tensors.size(); i++) {
                tensors.get(i).gradient().addi(s.gradients()[i].reshape(tensors.get(i).gradient().shape()));
            }
            lossTimesRows += s.lossTimesRows();
            gradientBytes += s.gradientBytes();
            slowest = Math.max(slowest, s.computeNanos());
        }
        meter.step(valueBytes * tasks, gradientBytes, batchBytes, System.nanoTime() - t0, slowest);
        return lossTimesRows / rows;
    }

    /** The task's function; static, so that it captures what it is given and not this model. */
    private static Function<Slice, Share> task(String runKey, Broadcast<byte[]> base, PlanSpec spec, INDArray[] values) {
        return slice -> ExecutorModels.compute(runKey, base, spec, values, slice);
    }

    @Override
    public List<TrainedTensor> gradientTensors() {
        return tensors;
    }

    @Override
    public boolean hasFrozenBottom() {
        return local.hasFrozenBottom();
    }

    @Override
    public INDArray encode(INDArray features) {
        return local.encode(features);
    }

    @Override
    public void encodeInto(INDArray features, INDArray destination) {
        local.encodeInto(features, destination);
    }

    @Override
    public double step(INDArray encodedFeatures, INDArray oneHotLabels, INDArray weights, int iteration, int epoch) {
        throw new UnsupportedOperationException("a run on Spark steps through the controlled update");
    }

    @Override
    public INDArray predictEncoded(INDArray encodedFeatures) {
        return local.predictEncoded(encodedFeatures);
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

package dev.attune.spark;

import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import dev.attune.spi.BatchRows;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The driver's model of a run on Spark: the trainer's controlled update steps its trained tensors, tells
 * it each mini-batch's row numbers ({@link BatchRows}), and {@link #computeGradients} runs one Spark job
 * per step over the partitions that hold the training rows ({@link ResidentRows}): each computes the
 * gradients of the mini-batch's rows it holds, and they are summed here in partition order (so that a run
 * is repeatable bit for bit whatever order the tasks finish in). The frozen bottom runs on the executors
 * too: to the trainer this model has none, and its rows are the model's raw input.
 */
final class DistributedModel implements TrainableModel, BatchRows {
    private final TrainableModel local;
    private final List<TrainedTensor> tensors;
    private final String runKey;
    private final Broadcast<byte[]> base;
    private final PlanSpec spec;
    private final StepMeter meter;
    private final ResidentRows resident;
    /** The row numbers of the mini-batch the next {@link #computeGradients} computes. */
    private int[] batchRows;

    DistributedModel(TrainableModel local, ResidentRows resident, String runKey, Broadcast<byte[]> base,
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
        this.resident = resident;
        this.runKey = runKey;
        this.base = base;
        this.spec = spec;
        this.meter = meter;
    }

    @Override
    public void nextBatchRows(int[] rows, int trainingRows) {
        long held = rows().starts()[rows().partitions()];
        if (trainingRows != held) {
            throw new IllegalArgumentException("the run trains on " + trainingRows + " rows but Spark's executors hold "
                    + held + ": the balancer resampled the training data, and a run on Spark trains on the rows the"
                    + " executors hold; balance with weights (Balancing.classWeights() or reweigh(...)) or resample the"
                    + " Dataset before the run");
        }
        this.batchRows = rows;
    }

    @Override
    public double computeGradients(INDArray x, INDArray y, INDArray weights) {
        long t0 = System.nanoTime();
        int[] rows = batchRows;
        batchRows = null;
        if (rows == null || rows.length != y.size(0)) {
            throw new IllegalStateException("the trainer gave a mini-batch of " + y.size(0) + " rows without their row"
                    + " numbers; give the executors the same Attune version as the driver");
        }
        float[] labels = y.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[] w = weights == null ? null : weights.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        int partitions = resident.partitions();
        StepRows step = StepRows.of(resident.starts(), rows, labels, (int) y.size(1), w);
        long batchBytes = partitions * step.bytes();
        INDArray[] values = new INDArray[tensors.size()];
        long valueBytes = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = tensors.get(i).value().dup();
            valueBytes += values[i].length() * values[i].dataType().width();
        }
        // One share per partition, in partition order whatever order the tasks end in.
        List<Share> shares = resident.blocks().mapPartitionsWithIndex(task(runKey, base, spec, values, step), true)
                .collect();
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
        meter.step(valueBytes * partitions, gradientBytes, batchBytes, System.nanoTime() - t0, slowest);
        return lossTimesRows / rows.length;
    }

    private ResidentRows rows() {
        return resident;
    }

    /** The task's function; static, so that it captures what it is given and not this model. */
    private static Function2<Integer, Iterator<RowBlock>, Iterator<Share>> task(String runKey, Broadcast<byte[]> base,
                                                                                 PlanSpec spec, INDArray[] values,
                                                                                 StepRows step) {
        return (partition, blocks) -> {
            RowBlock block = blocks.hasNext() ? blocks.next() : RowBlock.empty();
            return List.of(ExecutorModels.compute(runKey, base, spec, values, partition, block,
                    step.slice(partition, block))).iterator();
        };
    }

    @Override
    public List<TrainedTensor> gradientTensors() {
        return tensors;
    }

    @Override
    public boolean hasFrozenBottom() {
        return false; // the executors encode their rows; to the trainer the rows are the model's input
    }

    @Override
    public INDArray encode(INDArray features) {
        return features;
    }

    @Override
    public void encodeInto(INDArray features, INDArray destination) {
        destination.assign(features);
    }

    @Override
    public double step(INDArray encodedFeatures, INDArray oneHotLabels, INDArray weights, int iteration, int epoch) {
        throw new UnsupportedOperationException("a run on Spark steps through the controlled update");
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

package dev.attune;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the inference time of {@link BertEncoder} goes: the wall time of each op of the SameDiff
 * graph, summed by op class (and by output shape with the argument {@code shapes}), on the same
 * batches of 32 sequences of 64 tokens as {@link EncoderThroughput}. The time outside the ops is
 * SameDiff's own bookkeeping. A measurement to run by hand, not a test:
 * {@code java -cp <core test class path> dev.attune.EncoderProfile [shapes]}.
 */
public final class EncoderProfile {
    private EncoderProfile() {
    }

    public static void main(String[] args) throws Exception {
        boolean byShape = args.length > 0 && args[0].equals("shapes");
        byte[] bytes;
        try (InputStream in = EncoderProfile.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            bytes = in.readAllBytes();
        }
        BertEncoder encoder = BertEncoder.fromOnnx(new ByteArrayInputStream(bytes));
        int batch = 32;
        int length = 64;
        INDArray idArray = Nd4j.createFromArray(EncoderThroughput.ids(batch, length));
        INDArray maskArray = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.INT64, batch, length);
        for (int i = 0; i < 3; i++) {
            encoder.embed(idArray, maskArray);
        }
        Map<String, long[]> times = new TreeMap<>(); // key -> {nanoseconds, calls}
        long[] started = new long[1];
        encoder.graph().sameDiff().setListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return true;
            }

            @Override
            public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext context) {
                started[0] = System.nanoTime();
            }

            @Override
            public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext context,
                    INDArray[] outputs) {
                long nanos = System.nanoTime() - started[0];
                String key = op.getOp().getClass().getSimpleName();
                if (byShape && outputs.length > 0 && outputs[0] != null) {
                    key += " " + outputs[0].dataType() + Arrays.toString(outputs[0].shape());
                }
                long[] t = times.computeIfAbsent(key, k -> new long[2]);
                t[0] += nanos;
                t[1]++;
            }
        });
        int runs = 5;
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            encoder.embed(idArray, maskArray);
        }
        double wall = (System.nanoTime() - start) / 1e6 / runs;
        double inOps = times.values().stream().mapToLong(t -> t[0]).sum() / 1e6 / runs;
        System.out.printf("batch %d x length %d, per batch: %.1f ms wall, %.1f ms in ops, %.1f ms outside them%n",
                batch, length, wall, inOps, wall - inOps);
        times.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> System.out.printf("%8.2f ms %5.1f%% %4d calls  %s%n", e.getValue()[0] / 1e6 / runs,
                        100 * e.getValue()[0] / 1e6 / runs / wall, e.getValue()[1] / runs, e.getKey()));
    }
}

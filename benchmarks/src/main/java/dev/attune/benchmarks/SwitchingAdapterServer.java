package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Serves several adapters from one base with {@link AdaptedNetwork}: the rows of a batch are grouped by
 * adapter (in the order the adapters first appear), and for each group the network switches to that
 * adapter, unless it is already active, and runs the group as one sub-batch. A batch of one language
 * costs at most one switch and one forward pass; a batch of k languages costs up to k of each. Counts
 * the switches and the time spent in them. Not thread-safe (the job calls it from one thread).
 */
final class SwitchingAdapterServer implements MultiAdapterServer {
    private final AdaptedNetwork network;
    private long switches;
    private long switchNanos;

    SwitchingAdapterServer(AdaptedNetwork network) {
        this.network = network;
    }

    @Override
    public String name() {
        return "AdaptedNetwork, switch per language group";
    }

    @Override
    public INDArray output(List<String> adapters, INDArray features) {
        MultiAdapterServer.requireOneNamePerRow(adapters, features);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < adapters.size(); i++) {
            groups.computeIfAbsent(adapters.get(i), k -> new ArrayList<>()).add(i);
        }
        if (groups.size() == 1) {
            activate(adapters.get(0));
            return network.output(features);
        }
        INDArray out = null;
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            int[] rows = g.getValue().stream().mapToInt(Integer::intValue).toArray();
            activate(g.getKey());
            INDArray part = network.output(rows(features, rows));
            if (out == null) {
                out = Nd4j.create(part.dataType(), features.size(0), part.size(1));
            }
            for (int j = 0; j < rows.length; j++) {
                out.putRow(rows[j], part.getRow(j));
            }
        }
        return out;
    }

    private void activate(String adapter) {
        if (network.active().filter(adapter::equals).isPresent()) {
            return;
        }
        if (!network.names().contains(adapter)) {
            throw new IllegalArgumentException("no adapter '" + adapter + "'; the server has " + network.names());
        }
        long t0 = System.nanoTime();
        network.activate(adapter);
        switchNanos += System.nanoTime() - t0;
        switches++;
    }

    /** The given rows of an array of any rank, in that order (a copy). */
    static INDArray rows(INDArray x, int[] indices) {
        long[] shape = x.shape();
        INDArray picked = Nd4j.pullRows(x.reshape('c', shape[0], x.length() / shape[0]), 1, indices);
        long[] outShape = shape.clone();
        outShape[0] = indices.length;
        return picked.reshape('c', outShape);
    }

    /** Adapter switches so far. */
    long switches() {
        return switches;
    }

    /** Time spent switching so far, in nanoseconds. */
    long switchNanos() {
        return switchNanos;
    }
}

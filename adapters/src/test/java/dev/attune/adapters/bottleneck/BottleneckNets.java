package dev.attune.adapters.bottleneck;

import dev.attune.AdaptedLayer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Base networks with bottleneck adapters, built directly for the layer-level tests. */
final class BottleneckNets {
    private BottleneckNets() {
    }

    /**
     * The base network with a bottleneck adapter after the layers whose index is in {@code adapted},
     * the base weights bound, and every adapter tensor random (so that every path of the adapter is
     * exercised) unless {@code fresh}.
     */
    static MultiLayerNetwork adapted(MultiLayerNetwork base, Bottleneck bottleneck, boolean fresh, int... adapted) {
        MultiLayerConfiguration conf = base.getLayerWiseConfigurations().clone();
        Set<Integer> set = new HashSet<>();
        for (int i : adapted) {
            set.add(i);
            conf.getConf(i).setLayer(bottleneck.adapt(conf.getConf(i).getLayer().clone()));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (set.contains(i)) {
                Map<String, INDArray> copy = new HashMap<>();
                base.getLayer(i).paramTable().forEach((k, v) -> copy.put(k, v.dup()));
                ((AdaptedLayer) net.getLayer(i)).bindBase(copy);
                if (!fresh) {
                    INDArray p = net.getLayer(i).params();
                    p.assign(Nd4j.rand(p.dataType(), p.shape()).subi(0.5));
                }
            } else {
                net.getLayer(i).params().assign(base.getLayer(i).params());
            }
        }
        return net;
    }
}

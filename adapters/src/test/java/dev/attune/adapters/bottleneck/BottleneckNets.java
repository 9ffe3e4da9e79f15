package dev.attune.adapters.bottleneck;

import dev.attune.adapters.TestNets;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;
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
        Map<Integer, Layer> layers = new HashMap<>();
        for (int i : adapted) {
            layers.put(i, bottleneck.adapt(base.getLayerWiseConfigurations().getConf(i).getLayer().clone()));
        }
        MultiLayerNetwork net = TestNets.adapted(base, layers);
        if (!fresh) {
            for (int i : adapted) {
                INDArray p = net.getLayer(i).params();
                p.assign(Nd4j.rand(p.dataType(), p.shape()).subi(0.5));
            }
        }
        return net;
    }
}

package dev.attune.adapters.lora;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small base networks and their LoRA-adapted twins, built directly for the layer-level tests. */
final class LoraNets {
    private LoraNets() {
    }

    static MultiLayerNetwork base(int in, int hidden, int classes, boolean bias, DataType type, long seed) {
        return dev.attune.adapters.TestNets.base(in, hidden, classes, bias, type, seed);
    }

    /**
     * The base network with LoRA on the layers whose index is in {@code adapted} (and, with
     * {@code Bias.ALL}, every other layer with a bias trained alone), the base weights bound, every
     * adapter tensor random (so that the adapter path is exercised) unless {@code zeroB}.
     */
    static MultiLayerNetwork adapted(MultiLayerNetwork base, Lora lora, boolean zeroB, int... adapted) {
        Map<Integer, Layer> layers = new HashMap<>();
        java.util.Set<Integer> targets = new java.util.HashSet<>();
        for (int i : adapted) {
            targets.add(i);
        }
        for (int i = 0; i < base.getnLayers(); i++) {
            Layer l = base.getLayerWiseConfigurations().getConf(i).getLayer();
            if (targets.contains(i)) {
                layers.put(i, lora.adapt(l.clone()));
            } else if (lora.trainsPartOf(l)) {
                layers.put(i, lora.adaptPart(l.clone()));
            }
        }
        MultiLayerNetwork net = dev.attune.adapters.TestNets.adapted(base, layers);
        if (!zeroB) {
            for (int i : targets) {
                INDArray b = net.getLayer(i).getParam(LoraParams.B);
                b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
            }
        }
        return net;
    }

    static INDArray oneHot(int rows, int classes, DataType type) {
        return dev.attune.adapters.TestNets.oneHot(rows, classes, type);
    }
}

package dev.attune.internal.dl4j;

import dev.attune.internal.layers.InputChecks;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The model handle over a DL4J {@link MultiLayerNetwork}. */
final class MlnHandle implements ModelHandle {
    private final MultiLayerNetwork net;

    MlnHandle(MultiLayerNetwork net) {
        this.net = net;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers(net.getLayerWiseConfigurations(), net);
    }

    static List<LayerInfo> layers(MultiLayerConfiguration conf, MultiLayerNetwork net) {
        List<LayerInfo> out = new ArrayList<>();
        String previous = "input";
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = unfrozen(conf.getConf(i).getLayer());
            long params = net == null ? l.initializer().numParams(l) : net.getLayer(i).numParams();
            out.add(new LayerInfo(l.getLayerName(), i, l.getClass().getSimpleName(), params, List.of(previous)));
            previous = l.getLayerName();
        }
        return List.copyOf(out);
    }

    static Layer unfrozen(Layer l) {
        Layer inner = l;
        while (inner instanceof FrozenLayer f) {
            inner = f.getLayer();
        }
        return inner;
    }

    @Override
    public long numParams() {
        return net.numParams();
    }

    @Override
    public int numOutputs() {
        Layer last = unfrozen(net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer());
        if (last instanceof FeedForwardLayer f) {
            return (int) f.getNOut();
        }
        throw new IllegalStateException("the output layer '" + last.getLayerName() + "' is a "
                + last.getClass().getSimpleName() + ", not a dense output layer");
    }

    @Override
    public INDArray output(INDArray features) {
        return net.output(features, false);
    }

    @Override
    public void checkInput(INDArray features) {
        InputChecks.requireShape(features, unfrozen(net.getLayerWiseConfigurations().getConf(0).getLayer()),
                net.getLayerWiseConfigurations().getInputPreProcess(0));
    }

    @Override
    public Object unwrap() {
        return net;
    }

    @Override
    public String architecture() {
        return net.getLayerWiseConfigurations().toJson();
    }

    @Override
    public INDArray params() {
        return net.params();
    }

    @Override
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (LayerInfo l : layers()) {
            net.getLayer(l.index()).paramTable().forEach((k, v) -> out.put(l.name() + "." + k, v));
        }
        return out;
    }

    @Override
    public ModelFamily family() {
        return Dl4jFamily.INSTANCE;
    }

    @Override
    public void write(Path file) throws IOException {
        ModelSerializer.writeModel(net, file.toFile(), false);
    }

    @Override
    public void check(TrainingPlan plan) {
        MlnSetup.of(net.getLayerWiseConfigurations(), plan);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        MlnSetup p = MlnSetup.of(net.getLayerWiseConfigurations(), plan);
        MultiLayerNetwork fresh = new MultiLayerNetwork(p.train());
        fresh.init();
        int head = fresh.getnLayers() - 1;
        Map<Integer, Map<String, INDArray>> bases = new HashMap<>();
        for (int i = 0; i < fresh.getnLayers(); i++) {
            if ((p.newHead() && i == head) || net.getLayer(i).numParams() == 0) {
                continue;
            }
            if (fresh.getLayer(i) instanceof AdaptedLayer) {
                // The adapter keeps private copies: merging writes to them, never to the base model.
                Map<String, INDArray> base = new HashMap<>();
                net.getLayer(i).paramTable().forEach((k, v) -> base.put(k, v.dup()));
                bases.put(i, base);
            } else {
                fresh.getLayer(i).params().assign(net.getLayer(i).params());
            }
        }
        return new MlnTrainable(fresh, p.plain(), p.split(), p.frozen(), p.adapted(), bases);
    }
}

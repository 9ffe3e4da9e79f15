package dev.attune;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;

/** Applies an {@link Optimizer} to DL4J layer configurations. */
final class Optimizers {
    private Optimizers() {
    }

    static void configure(BaseLayer layer, Optimizer optimizer) {
        layer.setIUpdater(optimizer.updater());
        layer.setBiasUpdater(null);
        layer.setRegularization(new java.util.ArrayList<>(optimizer.weightRegularization()));
        layer.setRegularizationBias(new java.util.ArrayList<>(List.of()));
    }
}

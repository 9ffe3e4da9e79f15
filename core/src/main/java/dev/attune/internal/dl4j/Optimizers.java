package dev.attune.internal.dl4j;

import dev.attune.spi.Optimizer;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;

/** Applies an {@link Optimizer} to DL4J layer configurations. */
final class Optimizers {
    private Optimizers() {
    }

    /**
     * Sets the optimizer on a layer with parameters of DL4J's own kinds (a {@link BaseLayer}, or a
     * SameDiff layer such as self-attention); other layers have nothing to update.
     */
    static void configure(Layer layer, Optimizer optimizer) {
        if (layer instanceof BaseLayer b) {
            configure(b, optimizer);
        } else if (layer instanceof AbstractSameDiffLayer s) {
            s.setUpdater(optimizer.updater());
            s.setBiasUpdater(null);
            s.setRegularization(new java.util.ArrayList<>(optimizer.weightRegularization()));
            s.setRegularizationBias(new java.util.ArrayList<>(List.of()));
        }
    }

    /** Whether the layer asks DL4J's updater to normalize or clip its gradients before the update. */
    static boolean normalizesGradients(Layer layer) {
        return layer instanceof BaseLayer b && b.getGradientNormalization() != null
                && b.getGradientNormalization() != org.deeplearning4j.nn.conf.GradientNormalization.None;
    }

    static void configure(BaseLayer layer, Optimizer optimizer) {
        layer.setIUpdater(optimizer.updater());
        layer.setBiasUpdater(null);
        layer.setRegularization(new java.util.ArrayList<>(optimizer.weightRegularization()));
        layer.setRegularizationBias(new java.util.ArrayList<>(List.of()));
    }
}

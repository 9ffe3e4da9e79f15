package dev.attune.internal.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

/** Checks of inference inputs made before DL4J sees them, so that a bad input gets a message that says what to give. */
public final class InputChecks {
    private InputChecks() {
    }

    /**
     * Refuses NaN or infinite features, naming the first example and the feature's position in it.
     * The normal path is one count over the whole array; the position is looked for only on failure.
     */
    public static void requireFinite(INDArray features) {
        if (!features.dataType().isFPType() || features.isEmpty()) {
            return;
        }
        long bad = Nd4j.getExecutioner().exec(new MatchCondition(features, Conditions.notFinite())).getLong(0);
        if (bad == 0) {
            return;
        }
        long rows = features.size(0);
        long width = features.length() / rows;
        INDArray flat = features.dup('c').reshape('c', rows, width);
        INDArray perRow = Nd4j.getExecutioner().exec(new MatchCondition(flat, Conditions.notFinite(), 1));
        long row = 0;
        while (row < rows - 1 && perRow.getLong(row) == 0) {
            row++;
        }
        INDArray r = flat.getRow(row).castTo(DataType.DOUBLE);
        long column = 0;
        while (column < width - 1 && Double.isFinite(r.getDouble(column))) {
            column++;
        }
        throw new IllegalArgumentException("features hold " + bad + " NaN or infinite values (first at example " + row
                + ", feature " + position(features.shape(), column) + "); a network's outputs on them are meaningless:"
                + " clean or impute them first");
    }

    /** A flat index within one example as the example's own index: {@code 5}, or {@code [0, 4, 6]} for images. */
    private static String position(long[] shape, long flat) {
        if (shape.length <= 2) {
            return String.valueOf(flat);
        }
        long[] at = new long[shape.length - 1];
        for (int d = at.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d + 1];
            flat /= shape[d + 1];
        }
        return Arrays.toString(at);
    }

    /**
     * Checks features against what a network's first layer takes, where that is known: a dense or output
     * layer's width, a convolution's flat image size (through DL4J's flat-to-image preprocessor) or its
     * channels. Other first layers are left to DL4J.
     *
     * @param layer the first layer's configuration, frozen wrappers removed
     * @param pre the preprocessor in front of it, or null
     */
    public static void requireShape(INDArray features, Layer layer, InputPreProcessor pre) {
        long[] s = features.shape();
        String got = ", got shape " + Arrays.toString(s);
        String first = " for the first layer '" + layer.getLayerName() + "' (a " + layer.getClass().getSimpleName() + ")";
        if (pre instanceof FeedForwardToCnnPreProcessor p) {
            long width = p.getInputHeight() * p.getInputWidth() * p.getNumChannels();
            boolean flat = s.length == 2 && s[1] == width;
            boolean image = s.length == 4 && s[1] * s[2] * s[3] == width;
            if (!flat && !image) {
                throw new IllegalArgumentException("expected inputs of width " + width + " (shape [n, " + width
                        + "], or images [n, " + p.getNumChannels() + ", " + p.getInputHeight() + ", " + p.getInputWidth()
                        + "])" + first + got + "; give each example as the " + p.getInputHeight() + "x"
                        + p.getInputWidth() + " images with " + p.getNumChannels() + " channel(s) the model was trained on");
            }
        } else if (pre == null && (layer instanceof DenseLayer || layer instanceof OutputLayer)) {
            long width = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer).getNIn();
            if (s.length != 2 || s[1] != width) {
                throw new IllegalArgumentException("expected inputs of width " + width + " (shape [n, " + width + "])"
                        + first + got + "; give each example as the " + width + " features the model was trained on");
            }
        } else if (pre == null && layer.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            boolean channelsLast = c.getCnn2dDataFormat() == CNN2DFormat.NHWC;
            long channels = c.getNIn();
            if (s.length != 4 || s[channelsLast ? 3 : 1] != channels) {
                throw new IllegalArgumentException("expected images of shape " + (channelsLast
                        ? "[n, height, width, " + channels + "] (channels last)" : "[n, " + channels
                        + ", height, width] (channels first)") + first + got + "; give images with the " + channels
                        + " channel(s) the model was trained on");
            }
        }
    }
}

package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.AdaptedLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against a network's analytic gradients: every
 * parameter of the network and every input value.
 */
public final class GradientCheck {
    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-5;
    private static final double MIN_ABS_ERROR = 1e-9;

    private GradientCheck() {
    }

    /** Checks every parameter of the network and every input value; {@code seed} fixes dropout masks. */
    public static void check(MultiLayerNetwork net, INDArray x, INDArray y, long seed) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof AdaptedLayer a) {
                a.inputGradientNeeded(true);
            }
        }
        int n = (int) x.size(0);
        Nd4j.getRandom().setSeed(seed);
        Pair<Gradient, INDArray> analytic = net.calculateGradients(x, y, null, null);
        // DL4J's score is the mean loss over the batch; its gradients are sums over the batch.
        INDArray paramGrad = analytic.getFirst().gradient().dup().divi(n);
        INDArray inputGrad = analytic.getSecond().dup().divi(n);

        INDArray params = net.params();
        assertThat(params.length()).isGreaterThan(0);
        for (long j = 0; j < params.length(); j++) {
            double orig = params.getDouble(j);
            params.putScalar(j, orig + EPS);
            double plus = score(net, x, y, seed);
            params.putScalar(j, orig - EPS);
            double minus = score(net, x, y, seed);
            params.putScalar(j, orig);
            assertClose("parameter " + j, paramGrad.getDouble(j), (plus - minus) / (2 * EPS));
        }
        for (long j = 0; j < x.length(); j++) {
            INDArray xp = x.dup();
            xp.putScalar(j, x.getDouble(j) + EPS);
            double plus = score(net, xp, y, seed);
            xp.putScalar(j, x.getDouble(j) - EPS);
            double minus = score(net, xp, y, seed);
            assertClose("input " + j, inputGrad.getDouble(j), (plus - minus) / (2 * EPS));
        }
    }

    private static double score(MultiLayerNetwork net, INDArray x, INDArray y, long seed) {
        Nd4j.getRandom().setSeed(seed);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        double s = net.score();
        net.clear();
        return s;
    }

    private static void assertClose(String what, double analytic, double numeric) {
        double abs = Math.abs(analytic - numeric);
        if (abs < MIN_ABS_ERROR) {
            return;
        }
        double rel = abs / (Math.abs(analytic) + Math.abs(numeric));
        assertThat(rel).as("%s: analytic %s, numeric %s", what, analytic, numeric).isLessThan(MAX_REL_ERROR);
    }
}

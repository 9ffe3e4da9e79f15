package dev.attune.spi;

import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.internal.dl4j.Dl4jFamily;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The DL4J family over a {@code ComputationGraph}. */
class ComputationGraphFamilyTest implements ModelFamilyContract {
    @Override
    public ModelFamily family() {
        return Dl4jFamily.INSTANCE;
    }

    @Override
    public ModelHandle base() {
        return Dl4jFamily.handle(Fixtures.graph(3, 11));
    }

    @Override
    public INDArray features(int n) {
        Random rng = new Random(5);
        float[] x = new float[n * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return Nd4j.create(x, new long[] {n, 8}, 'c');
    }

    @Override
    public TrainingPlan plan() {
        return new TrainingPlan(0, "head", Freeze.layers("dense0"), Optimizer.adam(1e-2), 1);
    }

    @Override
    public int classes() {
        return 3;
    }
}

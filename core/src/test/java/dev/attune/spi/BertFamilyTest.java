package dev.attune.spi;

import dev.attune.BertEncoders;
import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.internal.bert.BertConfig;
import dev.attune.internal.bert.BertFamily;
import dev.attune.internal.bert.BertGraph;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The BERT family: a tiny encoder without a head (the plan puts one on). */
class BertFamilyTest implements ModelFamilyContract {
    private static final BertConfig TINY = new BertConfig(50, 16, 2, 2, 32, 16, 2, 1e-12);
    private static final int LENGTH = 6;

    @Override
    public ModelFamily family() {
        return BertFamily.INSTANCE;
    }

    @Override
    public ModelHandle base() {
        return Network.of(BertEncoders.of(BertGraph.random(TINY, 7, DataType.FLOAT, BertGraph.Lookup.GATHER))).handle();
    }

    @Override
    public INDArray features(int n) {
        Random rng = new Random(3);
        float[] x = new float[n * 2 * LENGTH];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < LENGTH; t++) {
                x[i * 2 * LENGTH + t] = 1 + rng.nextInt(TINY.vocabSize() - 1);
                x[i * 2 * LENGTH + LENGTH + t] = t < 3 + i % 3 ? 1 : 0;
            }
        }
        return Nd4j.create(x, new long[] {n, 2, LENGTH}, 'c');
    }

    @Override
    public TrainingPlan plan() {
        return new TrainingPlan(classes(), "head", Freeze.layers("embeddings", "encoder.0"), Optimizer.adam(1e-2), 1);
    }

    @Override
    public int classes() {
        return 3;
    }
}

package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.LayerInfo;
import dev.attune.spi.Optimizer;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Head-only fine-tuning of the real all-MiniLM-L6-v2 on a few hard-coded token sequences. */
class MiniLmHeadOnlyTest {
    @Test
    void headOnlyOnMiniLmChangesOnlyTheHead() throws Exception {
        BertEncoder encoder;
        try (InputStream in = MiniLmHeadOnlyTest.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            encoder = BertEncoder.fromOnnx(in);
        }
        Network base = Network.of(encoder);
        // BERT uncased ids: [CLS] 101, [SEP] 102, padding 0. Class 0 asks for money back, class 1 greets.
        long[][] ids = {
                {101, 1045, 2215, 2026, 2769, 2067, 102, 0},
                {101, 2073, 2003, 2026, 2769, 102, 0, 0},
                {101, 2026, 2769, 2067, 3531, 102, 0, 0},
                {101, 1045, 2215, 1037, 2769, 2067, 2085, 102},
                {101, 7592, 2088, 102, 0, 0, 0, 0},
                {101, 7592, 2045, 102, 0, 0, 0, 0},
                {101, 7592, 1010, 2129, 2024, 2017, 102, 0},
                {101, 2204, 2851, 7592, 102, 0, 0, 0}};
        float[] x = new float[ids.length * 2 * 8];
        int[] labels = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = i < 4 ? 0 : 1;
            for (int t = 0; t < 8; t++) {
                x[i * 16 + t] = ids[i][t];
                x[i * 16 + 8 + t] = ids[i][t] == 0 ? 0 : 1;
            }
        }
        LabeledData data = LabeledData.of(Nd4j.create(x, new long[] {ids.length, 2, 8}, 'c'), labels, 2);
        FineTuneResult r = FineTuner.builder(base).replaceHead(2).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adam(1e-2)).epochs(3).batchSize(4).seed(1).build().fit(data, null);

        assertThat(base.layers()).extracting(LayerInfo::name)
                .containsExactly("embeddings", "encoder.0", "encoder.1", "encoder.2", "encoder.3", "encoder.4", "encoder.5");
        assertThat(r.trainableParams()).isEqualTo(384 * 2 + 2);
        assertThat(r.frozenParams()).isEqualTo(22_565_376L);
        INDArray tuned = r.model().handle().params();
        long n = base.numParams();
        assertThat(tuned.length()).isEqualTo(n + 770);
        assertThat(tuned.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, n))).isEqualTo(base.handle().params());
        assertThat(r.history().get(2).trainLoss()).isLessThan(r.history().get(0).trainLoss());
        assertThat(r.predict(data).predicted()).hasSize(8);
    }
}

package dev.attune;

import dev.attune.spi.Optimizer;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The tiny runs of each model family that resuming must reproduce bit for bit. */
public final class ResumableRuns {
    private ResumableRuns() {
    }

    /** Every core family: a multi-layer network (two set-ups), a computation graph, BERT in full and with LoRA. */
    public static List<ResumableRun> core() {
        return List.of(new MlnFull(), new MlnHead(), new Graph(), new BertFull(), new BertLora(), new MlnControlled());
    }

    /** The multi-layer network of {@link Fixtures#mlp}, with dropout on its hidden layers. */
    static MultiLayerNetwork mlpWithDropout(int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(8).nOut(16).activation(Activation.RELU).dropOut(0.8).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(16).nOut(16).activation(Activation.RELU).dropOut(0.8).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Full fine-tuning of a multi-layer network with dropout, early stopping on accuracy: it stops after 3
     * of 4 epochs of 4 steps and puts the first epoch's weights back.
     */
    public static final class MlnFull implements ResumableRun {
        @Override
        public String name() {
            return "mln-full";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(mlpWithDropout(3, 1)).optimizer(Optimizer.adamW(1e-2, 1e-2)).epochs(4).batchSize(16)
                    .seed(3).metrics(Fixtures.ACCURACY)
                    .earlyStopping(EarlyStopping.on(Fixtures.ACCURACY).patience(2).minDelta(0.05));
        }

        @Override
        public LabeledData train() {
            return Fixtures.blobs(60, 8, 3, 1);
        }

        @Override
        public LabeledData validation() {
            return Fixtures.blobs(30, 8, 3, 2);
        }
    }

    /** A new head over a frozen first layer (its output cached), SGD with momentum: 2 epochs of 5 steps. */
    public static final class MlnHead implements ResumableRun {
        @Override
        public String name() {
            return "mln-head";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Fixtures.mlp(4, 5)).replaceHead(3).freeze(Freeze.upTo("dense0"))
                    .optimizer(Optimizer.sgd(1e-2, 0.9)).epochs(2).batchSize(12).seed(4);
        }

        @Override
        public LabeledData train() {
            return Fixtures.blobs(60, 8, 3, 3);
        }

        @Override
        public LabeledData validation() {
            return null;
        }
    }

    /** Full fine-tuning of a computation graph: 2 epochs of 4 steps. */
    public static final class Graph implements ResumableRun {
        @Override
        public String name() {
            return "graph";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Fixtures.graph(3, 1)).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(16).seed(6)
                    .metrics(Fixtures.ACCURACY);
        }

        @Override
        public LabeledData train() {
            return Fixtures.blobs(60, 8, 3, 4);
        }

        @Override
        public LabeledData validation() {
            return Fixtures.blobs(30, 8, 3, 5);
        }
    }

    /** Full fine-tuning of the tiny BERT encoder with a new head: 2 epochs of 3 steps. */
    public static final class BertFull implements ResumableRun {
        @Override
        public String name() {
            return "bert-full";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Network.of(BertFineTuningTest.tiny(DataType.FLOAT))).replaceHead(3)
                    .optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(16).seed(5).metrics(Fixtures.ACCURACY);
        }

        @Override
        public LabeledData train() {
            return BertFineTuningTest.sequences(48, 1);
        }

        @Override
        public LabeledData validation() {
            return BertFineTuningTest.sequences(12, 2);
        }
    }

    /** LoRA of rank 2 on the tiny BERT encoder's query and value projections, with a new head: 2 epochs of 3 steps. */
    public static final class BertLora implements ResumableRun {
        @Override
        public String name() {
            return "bert-lora";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Network.of(BertFineTuningTest.tiny(DataType.FLOAT))).replaceHead(3)
                    .adapter(BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(2,
                            List.of("*.attention.self.query", "*.attention.self.value"))))
                    .optimizer(Optimizer.adam(5e-2)).epochs(2).batchSize(16).seed(5);
        }

        @Override
        public LabeledData train() {
            return BertFineTuningTest.sequences(48, 3);
        }

        @Override
        public LabeledData validation() {
            return null;
        }
    }
    /**
     * Full fine-tuning under every training control that keeps state across steps: a warm-up and cosine
     * schedule, discriminative rates, gradual unfreezing (one group a epoch), clipping, label smoothing and
     * accumulation over 3 mini-batches (8 mini-batches an epoch: steps of 3, 3 and 2), dropout: 4 epochs.
     */
    public static final class MlnControlled implements ResumableRun {
        @Override
        public String name() {
            return "mln-controls";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(mlpWithDropout(3, 7)).optimizer(Optimizer.adamW(1e-2, 1e-2)).epochs(4).batchSize(8)
                    .seed(8).metrics(Fixtures.ACCURACY).schedule(Schedule.cosine().withWarmup(2))
                    .discriminativeLearningRates(2.6).gradualUnfreezing(1).clipGradientNorm(0.5).labelSmoothing(0.1)
                    .accumulateGradients(3);
        }

        @Override
        public LabeledData train() {
            return Fixtures.blobs(60, 8, 3, 6);
        }

        @Override
        public LabeledData validation() {
            return Fixtures.blobs(30, 8, 3, 7);
        }
    }
}

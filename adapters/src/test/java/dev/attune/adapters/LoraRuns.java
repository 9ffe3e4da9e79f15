package dev.attune.adapters;

import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.ResumableRun;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import java.util.List;

/** Tiny LoRA runs that resuming must reproduce bit for bit. */
public final class LoraRuns {
    private LoraRuns() {
    }

    /** LoRA on a multi-layer network and on a computation graph. */
    public static List<ResumableRun> all() {
        return List.of(new LoraMln(), new LoraGraph());
    }

    /** LoRA of rank 4 with dropout on both hidden layers of a multi-layer network, a new head: 3 epochs of 4 steps. */
    public static final class LoraMln implements ResumableRun {
        @Override
        public String name() {
            return "lora-mln";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Fixtures.mlp(4, 5)).adapter(Lora.rank(4).alpha(8).dropout(0.2).targets("dense*"))
                    .replaceHead(3).optimizer(Optimizer.adamW(1e-2)).epochs(3).batchSize(16).seed(7)
                    .metrics(Fixtures.ACCURACY);
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

    /** LoRA of rank 2 on a computation graph's hidden layers, the output layer trained too: 2 epochs of 4 steps. */
    public static final class LoraGraph implements ResumableRun {
        @Override
        public String name() {
            return "lora-graph";
        }

        @Override
        public FineTuner.Builder builder() {
            return FineTuner.builder(Fixtures.graph(3, 1)).adapter(Lora.rank(2).alpha(4).targets("dense*"))
                    .freeze(dev.attune.Freeze.allExcept("out")).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(16)
                    .seed(8);
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
}

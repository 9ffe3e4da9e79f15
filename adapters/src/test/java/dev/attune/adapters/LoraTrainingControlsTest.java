package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Schedule;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** Training controls with LoRA on a multi-layer network: the adapter tensors are what a layer group trains and thaws. */
class LoraTrainingControlsTest {
    private static final int N = 40;
    private final LabeledData train = Fixtures.blobs(N, 8, 3, 1);
    private final MultiLayerNetwork base = Fixtures.mlp(4, 5);

    private FineTuner.Builder tuner(int epochs) {
        return FineTuner.builder(base).adapter(Lora.rank(4).alpha(8).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(epochs).batchSize(N).seed(3);
    }

    @Test
    void gradualUnfreezingThawsEachAdaptedLayersAdapterTensors() {
        AdapterWeights one = tuner(1).gradualUnfreezing(1).build().fit(train).adapters().orElseThrow();
        FineTuneResult two = tuner(2).gradualUnfreezing(1).build().fit(train);
        AdapterWeights w = two.adapters().orElseThrow();
        // LoRA's B starts at zero and stays there while its layer waits.
        assertThat(one.tensor("dense1.lora_B").amaxNumber().doubleValue()).isZero();
        assertThat(one.tensor("dense0.lora_B").amaxNumber().doubleValue()).isZero();
        assertThat(w.tensor("dense1.lora_B").amaxNumber().doubleValue()).isPositive();
        assertThat(w.tensor("dense0.lora_B").amaxNumber().doubleValue()).isZero();
        // Optimizer state for the head, then for dense1's adapter (4 x (16 + 16)) too; none for the waiting dense0.
        assertThat(two.optimizerStateSize()).isEqualTo(2 * (51 + 128));
    }

    @Test
    void aConstantScheduleTrainsTheAdapterAsTheModelsOwnStep() {
        AdapterWeights own = tuner(3).build().fit(train).adapters().orElseThrow();
        AdapterWeights controlled = tuner(3).schedule(Schedule.constant()).build().fit(train).adapters().orElseThrow();
        own.tensors().forEach((name, t) -> assertThat(t.sub(controlled.tensor(name)).amaxNumber().doubleValue())
                .as(name).isLessThan(2e-5));
    }
}

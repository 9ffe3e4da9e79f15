package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuner;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.search.Param;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search job's space and mapping: each point's rank, alpha and learning rate reach the trial's fine-tuner. */
class SearchJobTest {
    @Test
    void eachPointsRankAlphaAndLearningRateReachTheTrialsFineTuner() {
        assertThat(SearchJob.space().names()).containsExactly("rank", "alpha", "lr");
        assertThat(SearchJob.space().param("lr")).isEqualTo(Param.logUniform("lr", 1e-3, 1e-2));
        Network base = Network.of(BaseModels.smallCnn(1));

        var mapping = SearchJob.mapping(base);
        var point = SearchJob.space().pointOf(Map.of("rank", 8, "alpha", 16, "lr", 0.01), 5);
        FineTuner tuner = mapping.apply(point).build();
        Lora expected = Lora.rank(8).alpha(16).targets("dense0");
        assertThat(tuner.config()).containsEntry("adapter", expected.name() + expected.config())
                .containsEntry("optimizer", "adam(lr=0.01)").containsEntry("seed", "5").containsEntry("epochs", "15")
                .containsEntry("replaceHead", "10 classes as 'head'");
    }
}

package dev.attune.adapters.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.LowRankSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Lora#lowRank()}: every option of a {@code Lora} reaches the typed spec that model families
 * read (the BERT encoder reads nothing else), so an option renamed or added in {@code Lora} cannot
 * silently fail to reach them.
 */
class LoraLowRankSpecTest {
    @Test
    void defaultsGiveTheSpecsDefaults() {
        assertThat(Lora.rank(8).targets("dense*").lowRank()).contains(LowRankSpec.of(8, List.of("dense*")));
        assertThat(Lora.rank(8).lowRank().orElseThrow().targets()).isEmpty();
    }

    @Test
    void everyOptionReachesTheSpec() {
        Lora lora = Lora.rank(4).alpha(12).rsLora(true).init(Lora.Init.GAUSSIAN).targets("dense*", "out").dora()
                .bias(Lora.Bias.ADAPTED).dropout(0.1).projections("Wv", "Wq");
        assertThat(lora.lowRank()).contains(new LowRankSpec(4, 12, true, LowRankSpec.Init.GAUSSIAN,
                List.of("dense*", "out"), true, LowRankSpec.Bias.ADAPTED, 0.1,
                List.of(LowRankSpec.Projection.QUERY, LowRankSpec.Projection.VALUE)));
        assertThat(Lora.rank(2).bias(Lora.Bias.ALL).projections("Wk", "Wo").lowRank().orElseThrow())
                .extracting(LowRankSpec::bias, LowRankSpec::projections)
                .containsExactly(LowRankSpec.Bias.ALL, List.of(LowRankSpec.Projection.KEY, LowRankSpec.Projection.OUTPUT));
        assertThat(Lora.rank(2).init(Lora.Init.KAIMING_UNIFORM).lowRank().orElseThrow().init())
                .isEqualTo(LowRankSpec.Init.KAIMING_UNIFORM);
    }

    @Test
    void theSpecsScalingIsLorasScaling() {
        assertThat(Lora.rank(4).alpha(8).scaling()).isEqualTo(2.0);
        assertThat(Lora.rank(4).alpha(8).rsLora(true).scaling()).isEqualTo(4.0);
        assertThat(Lora.rank(4).alpha(8).rsLora(true).lowRank().orElseThrow().scaling()).isEqualTo(4.0);
    }

    @Test
    void aLoraReadFromItsAdapterFileConfigurationOffersTheSameSpec() {
        Lora lora = Lora.rank(3).alpha(6).init(Lora.Init.GAUSSIAN).targets("d1").bias(Lora.Bias.ALL).projections("Wq");
        assertThat(Lora.fromConfig(lora.config()).lowRank()).isEqualTo(lora.lowRank());
    }
}

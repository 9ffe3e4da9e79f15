package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class AuditBeforeTrainingTest {
    private final LabeledData train = Fixtures.blobs(120, 8, 3, 1);

    @Test
    void aFailedCheckStopsTheFitBeforeAnythingTrains() {
        MultiLayerNetwork base = Fixtures.mlp(3, 5);
        List<String> events = new ArrayList<>();
        List<LabeledData> seen = new ArrayList<>();
        FineTuner tuner = FineTuner.builder(base).epochs(2)
                .audit(data -> {
                    seen.add(data);
                    throw new IllegalStateException("the data fails: too few examples of group b");
                })
                .listener(new TrainingListener() {
                    @Override
                    public void onFitStart(FitStart start) {
                        events.add("start");
                    }
                })
                .build();
        assertThatThrownBy(() -> tuner.fit(train)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the data fails: too few examples of group b");
        assertThat(seen).containsExactly(train);
        assertThat(events).as("nothing trained").isEmpty();
    }

    @Test
    void aPassingCheckTrainsAndIsNamedInTheConfiguration() {
        List<LabeledData> seen = new ArrayList<>();
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(2).audit(seen::add).build().fit(train);
        assertThat(seen).containsExactly(train);
        assertThat(r.history()).hasSize(2);
        assertThat(r.provenance().config().get("audit")).isNotEqualTo("none");
        FineTuneResult plain = FineTuner.builder(Fixtures.mlp(3, 5)).epochs(1).build().fit(train);
        assertThat(plain.provenance().config()).containsEntry("audit", "none");
    }

    @Test
    void theAuditIsSetOnce() {
        FineTuner.Builder b = FineTuner.builder(Fixtures.mlp(3, 5)).audit(d -> { });
        assertThatThrownBy(() -> b.audit(d -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("audit");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 5)).audit(null)).isInstanceOf(NullPointerException.class);
    }
}

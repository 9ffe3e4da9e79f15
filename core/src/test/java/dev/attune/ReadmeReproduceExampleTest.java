package dev.attune;

import static dev.attune.WeightAssertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs the README's "Reproduce a run" example and checks that the README still shows it. */
class ReadmeReproduceExampleTest {
    @Test
    void theReadmeExampleReproducesARun() throws Exception {
        Network base = Network.of(Fixtures.mlp(4, 5));
        LabeledData train = Fixtures.blobs(120, 8, 3, 1);
        LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

        // README example: begin
        FineTuneResult result = FineTuner.builder(base).replaceHead(3).epochs(3).seed(7).build()
                .fit(train, validation);
        String kept = result.provenance().toJson();          // or asText(), or a package's provenance()

        // Later, from the same code, base model and data:
        Provenance provenance = Provenance.parse(kept);
        FineTuneResult again = FineTuner.builder(base).replaceHead(3).epochs(3).seed(7).build()
                .reproduce(provenance, train, validation);   // refuses any difference, then checks the weights
        assertThat(again).hasSameWeightsAs(result);          // an AssertionError names the largest difference
        assertThat(again.model()).hasWeightsWithin(result.model(), 1e-6);
        // README example: end

        org.assertj.core.api.Assertions.assertThat(again.model().fingerprint()).isEqualTo(provenance.resultModel());
        ReadmeExamples.assertReadmeShowsExampleOf(ReadmeReproduceExampleTest.class);
    }
}

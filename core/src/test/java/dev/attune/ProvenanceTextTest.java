package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A provenance's text and JSON forms read back to the same provenance, and damaged ones are refused by key. */
class ProvenanceTextTest {
    private static final Provenance P = new Provenance(Map.of("epochs", "3", "seed", "7", "note", "a \"quoted\" | value"), 7,
            "b".repeat(64), "t".repeat(64), "", "1.2.3", "1.0.0-M2.1", "17.0.9", "CpuBackend (threads=2)", "Linux amd64",
            Instant.parse("2026-12-05T03:09:23.123456Z"), List.of("leakage: 2 copies", "early stopping: none met"),
            "m".repeat(64), "a".repeat(64));

    @Test
    void textAndJsonRoundTrip() {
        assertThat(Provenance.fromText(P.asText())).isEqualTo(P);
        assertThat(Provenance.parse(P.toJson())).isEqualTo(P);
        assertThat(P.toJson()).contains("\"resultModel\": \"" + "m".repeat(64) + "\"");
        Provenance noWarnings = Provenance.fromText(withEntry("warnings", ""));
        assertThat(noWarnings.warnings()).isEmpty();
    }

    @Test
    void aTextWithoutResultFingerprintsReadsAsOneThatRecordsNone() {
        Map<String, String> old = new LinkedHashMap<>(P.asText());
        old.remove("resultModel");
        old.remove("resultAdapter");
        Provenance p = Provenance.fromText(old);
        assertThat(p.resultModel()).isEmpty();
        assertThat(p.resultAdapter()).isEmpty();
        assertThat(p.config()).isEqualTo(P.config());
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        assertThatThrownBy(() -> Provenance.fromText(withEntry("package.sha256", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an unknown key [package.sha256]")
                .hasMessageContaining("remove the others");
    }

    @Test
    void aMissingKeyIsRefusedByName() {
        Map<String, String> text = new LinkedHashMap<>(P.asText());
        text.remove("trainData");
        assertThatThrownBy(() -> Provenance.fromText(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the provenance text lacks [trainData]");
    }

    @Test
    void aBadSeedOrStartTimeIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> Provenance.fromText(withEntry("seed", "forty-two")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed 'forty-two' is not a whole number");
        assertThatThrownBy(() -> Provenance.fromText(withEntry("startedAt", "yesterday")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startedAt 'yesterday' is not an ISO-8601 instant");
    }

    @Test
    void jsonThatIsNotAnObjectOfStringsIsRefused() {
        assertThatThrownBy(() -> Provenance.parse("[1, 2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the text is an array");
        assertThatThrownBy(() -> Provenance.parse(P.toJson().replace("\"seed\": \"7\"", "\"seed\": 7")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key 'seed' holds 7.0, not a string");
        assertThatThrownBy(() -> Provenance.parse("{\"seed\": "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1");
    }

    private static Map<String, String> withEntry(String key, String value) {
        Map<String, String> text = new LinkedHashMap<>(P.asText());
        text.put(key, value);
        return text;
    }
}

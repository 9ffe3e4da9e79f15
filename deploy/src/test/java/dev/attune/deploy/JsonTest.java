package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest's JSON: written values read back equal; what a hostile manifest could try is refused. */
class JsonTest {
    @Test
    void valuesRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\"\\ line\nnext\u0001");
        m.put("n", 12L);
        m.put("d", 0.1);
        m.put("l", List.of("x", 2L, true));
        m.put("o", Map.of("k", "v"));
        m.put("z", null);
        assertThat(Json.parse(Json.write(m))).isEqualTo(m);
    }

    @Test
    void duplicateKeysDeepNestingAndTrailingTextAreRefused() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1, \"a\": 2}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a' is given twice");
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 32 nested");
        assertThatThrownBy(() -> Json.parse("{} x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the end of the JSON");
        assertThatThrownBy(() -> Json.parse("[1,]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("\"cut")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("NaN")).isInstanceOf(IllegalArgumentException.class);
    }
}

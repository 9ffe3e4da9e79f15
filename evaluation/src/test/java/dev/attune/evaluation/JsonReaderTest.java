package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict JSON reader: values it reads, and input it refuses with the line and column of the fault. */
class JsonReaderTest {

    @Test
    void readsObjectsArraysNumbersStringsAndLiterals() {
        assertThat(JsonReader.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"\\u00e9\\n\"}} "))
                .isEqualTo(Map.of("a", java.util.Arrays.asList(1.0, -2500.0, true, false, null), "b", Map.of("c", "é\n")));
        assertThat(JsonReader.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void truncatedStringsAndEscapesAreRefusedAsBadArguments() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": \"abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected '\"' closing the string at line 1, column 11 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": \"abc\\")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected '\"' closing the string at line 1, column 12 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": \"\\u12\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 4 hex digits after \\u at line 1, column 10 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("\"\\u12")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 4 hex digits after \\u at line 1, column 4 of the JSON");
    }

    @Test
    void errorsNameTheLineAndColumn() {
        assertThatThrownBy(() -> JsonReader.parse("{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a value at line 3, column 14 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": NaN}"))
                .hasMessage("expected a value at line 1, column 7 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 1,}"))
                .hasMessage("expected a key at line 1, column 9 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 1} x"))
                .hasMessage("expected the end of the JSON after the value at line 1, column 10 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 1,\r\n \"a\": 2}"))
                .hasMessage("expected no repeated key 'a' at line 2, column 2 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\": 01}"))
                .hasMessage("expected a JSON number, not '01' at line 1, column 7 of the JSON");
        assertThatThrownBy(() -> JsonReader.parse("")).hasMessage("expected a value at line 1, column 1 of the JSON");
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackRunsOut() {
        String deep = "[".repeat(100_000);
        assertThatThrownBy(() -> JsonReader.parse(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected at most 1000 nested arrays and objects at line 1, column 1001 of the JSON");
        String ok = "[".repeat(1000) + "]".repeat(1000);
        assertThat(JsonReader.parse(ok)).isInstanceOf(List.class);
    }
}

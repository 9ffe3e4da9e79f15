package dev.attune.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON reader and writer: values read and written back, and input refused with the line and column of the fault. */
class JsonTest {
    /** The reports' limit (Jackson's default). */
    private static final int DEEP = 1000;

    private static Object parse(String json) {
        return Json.parse(json, DEEP);
    }

    @Test
    void readsObjectsArraysNumbersStringsAndLiterals() {
        assertThat(parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"\\u00e9\\n\"}} "))
                .isEqualTo(Map.of("a", Arrays.asList(1.0, -2500.0, true, false, null), "b", Map.of("c", "é\n")));
        assertThat(parse("[]")).isEqualTo(List.of());
    }

    @Test
    void integersAreLongsOnlyWhenAsked() {
        String json = "[12, -0, 1.0, 1e2, 123456789012345678, 1234567890123456789]";
        assertThat(Json.parse(json, DEEP, Json.Numbers.LONGS_WHEN_INTEGRAL))
                .isEqualTo(List.of(12L, 0L, 1.0, 100.0, 123456789012345678L, 1.234567890123456789e18));
        assertThat(Json.parse(json, DEEP)).isEqualTo(List.of(12.0, -0.0, 1.0, 100.0, 1.23456789012345678e17,
                1.234567890123456789e18));
    }

    @Test
    void truncatedStringsAndEscapesAreRefusedAsBadArguments() {
        assertThatThrownBy(() -> parse("{\"a\": \"abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected '\"' closing the string at line 1, column 11 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": \"abc\\")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected '\"' closing the string at line 1, column 12 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": \"\\u12\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 4 hex digits after \\u at line 1, column 10 of the JSON");
        assertThatThrownBy(() -> parse("\"\\u12")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 4 hex digits after \\u at line 1, column 4 of the JSON");
        // Integer.parseInt would take a sign and other scripts' digits: only ASCII hex is an escape.
        assertThatThrownBy(() -> parse("\"\\u+123\"")).hasMessage("expected 4 hex digits after \\u at line 1, column 4 of the JSON");
        assertThatThrownBy(() -> parse("\"\\u\uff10\uff10\uff14\uff11\""))
                .hasMessage("expected 4 hex digits after \\u at line 1, column 4 of the JSON");
    }

    @Test
    void errorsNameTheLineAndColumn() {
        assertThatThrownBy(() -> parse("{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a value at line 3, column 14 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": NaN}"))
                .hasMessage("expected a value at line 1, column 7 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": 1,}"))
                .hasMessage("expected a key at line 1, column 9 of the JSON");
        assertThatThrownBy(() -> parse("[1,]")).hasMessage("expected a value at line 1, column 4 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": 1} x"))
                .hasMessage("expected the end of the JSON after the value at line 1, column 10 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": 1,\r\n \"a\": 2}"))
                .hasMessage("expected no repeated key 'a' at line 2, column 2 of the JSON");
        assertThatThrownBy(() -> parse("{\"a\": 01}"))
                .hasMessage("expected a JSON number, not '01' at line 1, column 7 of the JSON");
        assertThatThrownBy(() -> Json.parse("01", DEEP, Json.Numbers.LONGS_WHEN_INTEGRAL))
                .hasMessage("expected a JSON number, not '01' at line 1, column 1 of the JSON");
        assertThatThrownBy(() -> parse("")).hasMessage("expected a value at line 1, column 1 of the JSON");
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackRunsOut() {
        String deep = "[".repeat(100_000);
        assertThatThrownBy(() -> parse(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected at most 1000 nested arrays and objects at line 1, column 1001 of the JSON");
        String ok = "[".repeat(1000) + "]".repeat(1000);
        assertThat(parse(ok)).isInstanceOf(List.class);
        // Each caller keeps its own limit: a package's manifest nests a few levels.
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100), 32))
                .hasMessage("expected at most 32 nested arrays and objects at line 1, column 33 of the JSON");
        assertThat(Json.parse("[".repeat(32) + "]".repeat(32), 32)).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("1", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDepth is 0; give at least 1");
    }

    @Test
    void writtenValuesReadBackEqual() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\"\\ line\nnext\u0001");
        m.put("n", 12L);
        m.put("d", 0.1);
        m.put("l", List.of("x", 2L, true));
        m.put("o", Map.of("k", "v"));
        m.put("z", null);
        assertThat(Json.parse(Json.write(m), 32, Json.Numbers.LONGS_WHEN_INTEGRAL)).isEqualTo(m);
    }

    @Test
    void theWrittenFormIsStable() {
        // A package's seal covers its manifest's bytes: this form must not drift.
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", Double.NaN);
        m.put("c", List.of(1L, "t\t"));
        m.put("d", List.of(Map.of("e", false)));
        m.put("f", Map.of());
        m.put("g", List.of());
        assertThat(Json.write(m)).isEqualTo("{\n  \"a\": 1,\n  \"b\": null,\n  \"c\": [1, \"t\\t\"],\n  \"d\": [\n"
                + "    {\n      \"e\": false\n    }\n  ],\n  \"f\": {},\n  \"g\": []\n}\n");
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot write a java.lang.Object as JSON");
    }

    @Test
    void quotingEscapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.quote("a\"b\\c\n\r\t\u0001\u001f é")).isEqualTo("\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f é\"");
        assertThat(parse(Json.quote("a\"b\\c\n\r\t\u0001\u001f é"))).isEqualTo("a\"b\\c\n\r\t\u0001\u001f é");
    }

    @Test
    void readValuesCannotBeChanged() {
        Object v = parse("{\"a\": [1]}");
        assertThatThrownBy(() -> ((Map<String, Object>) v).put("b", 2.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<Object>) ((Map<?, ?>) v).get("a")).add(2.0))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}

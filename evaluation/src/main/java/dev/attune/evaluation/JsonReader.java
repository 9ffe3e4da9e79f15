package dev.attune.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict reader of RFC 8259 JSON (the reports check a data audit's JSON with it before embedding it; the
 * tests read reports back with it): objects as {@code LinkedHashMap}, arrays as
 * {@code List}, numbers as {@code Double}, and strings, booleans and {@code null}. Anything else
 * (trailing commas, NaN, a bad or cut-off escape, a string cut short, text after the value, more than
 * {@value #MAX_DEPTH} nested arrays and objects) throws {@link IllegalArgumentException} naming the
 * line and column.
 */
final class JsonReader {
    /** Jackson's default nesting limit; a report nests a few levels, and the limit keeps the recursion off the stack's end. */
    static final int MAX_DEPTH = 1000;
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private final String s;
    private int i;
    private int depth;

    private JsonReader(String s) {
        this.s = s;
    }

    static Object parse(String json) {
        JsonReader r = new JsonReader(json);
        Object v = r.value();
        r.space();
        if (r.i != json.length()) {
            throw r.error("the end of the JSON after the value");
        }
        return v;
    }

    private Object value() {
        space();
        if (i >= s.length()) {
            throw error("a value");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c != '-' && (c < '0' || c > '9')) {
                    throw error("a value");
                }
                return number();
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        enter();
        space();
        if (peek() == '}') {
            i++;
            depth--;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("a key");
            }
            int at = i;
            String key = string();
            if (m.containsKey(key)) {
                throw error(at, "no repeated key '" + key + "'");
            }
            space();
            expect(':');
            m.put(key, value());
            space();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                depth--;
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        enter();
        space();
        if (peek() == ']') {
            i++;
            depth--;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                depth--;
                return list;
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("'\"' closing the string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("no raw control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("'\"' closing the string");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length() || !isHex(s.substring(i, i + 4))) {
                        throw error("4 hex digits after \\u");
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("a valid escape");
            }
        }
    }

    private Double number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String text = s.substring(start, i);
        if (!NUMBER.matcher(text).matches()) {
            throw error(start, "a JSON number, not '" + text + "'");
        }
        return Double.valueOf(text);
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error(word);
        }
        i += word.length();
        return v;
    }

    /** Steps into an array or object, refusing nesting deeper than {@link #MAX_DEPTH}. */
    private void enter() {
        if (depth == MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " nested arrays and objects");
        }
        depth++;
        i++;
    }

    private static boolean isHex(String digits) {
        for (int k = 0; k < digits.length(); k++) {
            if (Character.digit(digits.charAt(k), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        i++;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void space() {
        while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private IllegalArgumentException error(String expected) {
        return error(i, expected);
    }

    /** The fault at {@code offset}, located by line and column (both from 1; a line ends at '\n'). */
    private IllegalArgumentException error(int offset, String expected) {
        int line = 1;
        int lineStart = 0;
        for (int k = 0; k < offset && k < s.length(); k++) {
            if (s.charAt(k) == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        return new IllegalArgumentException("expected " + expected + " at line " + line + ", column "
                + (offset - lineStart + 1) + " of the JSON");
    }
}

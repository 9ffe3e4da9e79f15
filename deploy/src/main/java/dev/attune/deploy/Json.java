package dev.attune.deploy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of a package's manifest and signature: written from maps, lists, strings, numbers and
 * booleans in a stable form, and read back strictly (RFC 8259; objects as insertion-ordered maps,
 * numbers as {@code Double} or {@code Long} when integral and written without a fraction). A manifest
 * comes from an untrusted file, so the reader refuses duplicate keys, more than {@value #MAX_DEPTH}
 * nested levels and anything after the value, with {@link IllegalArgumentException} naming the offset.
 */
final class Json {
    static final int MAX_DEPTH = 32;
    private final String s;
    private int i;
    private int depth;

    private Json(String s) {
        this.s = s;
    }

    /** Writes a value: a map (keys in its order), a list, a string, a number, a boolean or null. */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, "");
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String t) {
            quote(b, t);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                // JSON has no NaN: a metric that could not be computed is written as null.
                b.append("null");
            } else {
                b.append(Double.toString(d));
            }
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            String inner = indent + "  ";
            b.append("{\n");
            int k = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(inner);
                quote(b, (String) e.getKey());
                b.append(": ");
                write(b, e.getValue(), inner);
                b.append(++k < m.size() ? ",\n" : "\n");
            }
            b.append(indent).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
            if (flat) {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    write(b, l.get(k), indent);
                    b.append(k + 1 < l.size() ? ", " : "");
                }
                b.append(']');
                return;
            }
            String inner = indent + "  ";
            b.append("[\n");
            for (int k = 0; k < l.size(); k++) {
                b.append(inner);
                write(b, l.get(k), inner);
                b.append(k + 1 < l.size() ? ",\n" : "\n");
            }
            b.append(indent).append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
    }

    private static void quote(StringBuilder b, String t) {
        b.append('"');
        for (int k = 0; k < t.length(); k++) {
            char c = t.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Reads one JSON value; the whole text must be that value (white space aside). */
    static Object parse(String json) {
        Json r = new Json(json);
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
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (peek() == '}') {
            i++;
            depth--;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("a key in quotes");
            }
            int at = i;
            String key = string();
            space();
            if (peek() != ':') {
                throw error("':' after a key");
            }
            i++;
            if (m.containsKey(key)) {
                i = at;
                throw error("a key that is not repeated ('" + key + "' is given twice)");
            }
            m.put(key, value());
            space();
            char c = peek();
            i++;
            if (c == '}') {
                depth--;
                return Collections.unmodifiableMap(m);
            }
            if (c != ',') {
                i--;
                throw error("',' or '}' in an object");
            }
        }
    }

    private List<Object> array() {
        enter();
        List<Object> l = new ArrayList<>();
        i++;
        space();
        if (peek() == ']') {
            i++;
            depth--;
            return Collections.unmodifiableList(l);
        }
        while (true) {
            l.add(value());
            space();
            char c = peek();
            i++;
            if (c == ']') {
                depth--;
                return Collections.unmodifiableList(l);
            }
            if (c != ',') {
                i--;
                throw error("',' or ']' in an array");
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " nested objects and arrays");
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) {
                throw error("a closing quote");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                i--;
                throw error("no control character inside a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("an escape after '\\'");
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
                    if (i + 4 > s.length()) {
                        throw error("four hex digits after \\u");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("four hex digits after \\u");
                    }
                    i += 4;
                }
                default -> {
                    i--;
                    throw error("a valid escape");
                }
            }
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error("a value");
        }
        i += word.length();
        return v;
    }

    private Object number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digits = i;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
        }
        if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
            i = start;
            throw error("a value");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            i++;
            int f = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == f) {
                throw error("digits after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            int x = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == x) {
                throw error("digits in the exponent");
            }
        }
        String t = s.substring(start, i);
        if (integral && i - digits <= 18) {
            return Long.parseLong(t);
        }
        return Double.parseDouble(t);
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void space() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\r' || s.charAt(i) == '\t')) {
            i++;
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("invalid JSON at character " + i + ": expected " + expected);
    }
}

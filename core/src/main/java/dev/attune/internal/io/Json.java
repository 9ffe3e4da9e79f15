package dev.attune.internal.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Attune's one JSON reader and writer (RFC 8259), shared by the reports, the deployment packages and
 * the registry's command line.
 *
 * <p>The reader is strict, as its input may come from an untrusted file: objects become
 * insertion-ordered unmodifiable maps, arrays unmodifiable lists, numbers {@code Double} (or
 * {@code Long} for integers, see {@link Numbers}), and strings, booleans and {@code null} stay as they
 * are. Anything else (trailing commas, NaN, a repeated key, a bad or cut-off escape, a string cut
 * short, text after the value, more nested arrays and objects than the caller's limit) throws
 * {@link IllegalArgumentException} naming the line and column of the fault.
 *
 * <p>The writer's form is stable byte for byte (a deployment package's seal covers the bytes of its
 * manifest): two-space indentation, one member per line, flat arrays on one line.
 */
public final class Json {
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    /** 18 digits always fit a {@code long}; longer integers are read as {@code Double}. */
    private static final int LONG_DIGITS = 18;

    /** How the reader gives numbers. */
    public enum Numbers {
        /** Every number as a {@code Double}. */
        DOUBLES,
        /** A number written without fraction or exponent, of at most 18 digits, as a {@code Long}; others as {@code Double}. */
        LONGS_WHEN_INTEGRAL
    }

    private final String s;
    private final int maxDepth;
    private final Numbers numbers;
    private int i;
    private int depth;

    private Json(String s, int maxDepth, Numbers numbers) {
        this.s = s;
        this.maxDepth = maxDepth;
        this.numbers = numbers;
    }

    /**
     * Reads one JSON value, numbers as {@code Double}; the whole text must be that value (white space aside).
     *
     * @param json the text
     * @param maxDepth the most arrays and objects nested in one another (it keeps the recursion off the stack's end)
     * @return a map, list, string, {@code Double}, boolean or {@code null}
     * @throws IllegalArgumentException when the text is not one JSON value within the depth, naming line and column
     */
    public static Object parse(String json, int maxDepth) {
        return parse(json, maxDepth, Numbers.DOUBLES);
    }

    /**
     * Reads one JSON value; the whole text must be that value (white space aside).
     *
     * @param json the text
     * @param maxDepth the most arrays and objects nested in one another (it keeps the recursion off the stack's end)
     * @param numbers how numbers are given
     * @return a map, list, string, number, boolean or {@code null}
     * @throws IllegalArgumentException when the text is not one JSON value within the depth, naming line and column
     */
    public static Object parse(String json, int maxDepth, Numbers numbers) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(numbers, "numbers");
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth is " + maxDepth + "; give at least 1");
        }
        Json r = new Json(json, maxDepth, numbers);
        Object v = r.value();
        r.space();
        if (r.i != json.length()) {
            throw r.error("the end of the JSON after the value");
        }
        return v;
    }

    /**
     * Writes a value in the stable form, ending with a newline.
     *
     * @param value a map with string keys (written in its order), a list, a string, an {@code Integer},
     *     {@code Long}, {@code Double} or {@code Float} (not finite: {@code null}, as JSON has no NaN), a boolean or null
     * @return the JSON text
     * @throws IllegalArgumentException for a value of another type
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, "");
        return b.append('\n').toString();
    }

    /**
     * A string as a JSON string literal: in quotes, with quote, backslash and every control character escaped.
     *
     * @param text the string
     * @return the literal
     */
    public static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2);
        quote(b, text);
        return b.toString();
    }

    /**
     * Appends a string as a JSON string literal (see {@link #quote(String)}).
     *
     * @param b where to append
     * @param text the string
     */
    public static void quote(StringBuilder b, String text) {
        b.append('"');
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
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
            // JSON has no NaN: a metric that could not be computed is written as null.
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
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
            return Collections.unmodifiableMap(m);
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
                return Collections.unmodifiableMap(m);
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
            return Collections.unmodifiableList(list);
        }
        while (true) {
            list.add(value());
            space();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                depth--;
                return Collections.unmodifiableList(list);
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

    private Object number() {
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
        if (numbers == Numbers.LONGS_WHEN_INTEGRAL && text.indexOf('.') < 0 && text.indexOf('e') < 0
                && text.indexOf('E') < 0 && text.replace("-", "").length() <= LONG_DIGITS) {
            return Long.valueOf(text);
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

    /** Steps into an array or object, refusing nesting deeper than the limit. */
    private void enter() {
        if (depth == maxDepth) {
            throw error("at most " + maxDepth + " nested arrays and objects");
        }
        depth++;
        i++;
    }

    private static boolean isHex(String digits) {
        for (int k = 0; k < digits.length(); k++) {
            // ASCII only: Character.digit would also take other scripts' digits.
            if ("0123456789abcdefABCDEF".indexOf(digits.charAt(k)) < 0) {
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

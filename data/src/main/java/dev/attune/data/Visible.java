package dev.attune.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Writes values from a file into messages so that the characters that do not show can be seen: a
 * byte-order mark (U+FEFF) or a zero-width space inside {@code "12"}, a no-break space, a control
 * character. Such a character is written as its Java escape ({@code \uFEFF}; {@code \t},
 * {@code \n} and {@code \r} as such), so the message shows why a value that looks right was
 * refused. Every message that quotes a value, a category, a class or a column name read from a
 * file goes through here.
 */
final class Visible {
    /** How many characters of a long value a message keeps (its end, where parsing stopped). */
    private static final int TAIL = 40;

    private Visible() {
    }

    /** The value with every character that does not show escaped; {@code "?"} for a missing value. */
    static String quote(String s) {
        if (s == null) {
            return "?";
        }
        if (!hides(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 12);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> {
                    if (escaped(cp)) {
                        for (char c : Character.toChars(cp)) {
                            b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                        }
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.toString();
    }

    /** Like {@link #quote}, keeping only the last characters of a long value, after "...". */
    static String tail(String s) {
        if (s == null || s.length() <= TAIL) {
            return quote(s);
        }
        int from = s.length() - TAIL;
        if (Character.isLowSurrogate(s.charAt(from)) && Character.isHighSurrogate(s.charAt(from - 1))) {
            from--;    // keep a character whole
        }
        return "..." + quote(s.substring(from));
    }

    /** Each value through {@link #quote}, joined with ", ". */
    static String join(Collection<String> values) {
        List<String> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(quote(v));
        }
        return String.join(", ", out);
    }

    /**
     * A sentence to add to a message about {@code s} when it holds characters that do not show,
     * naming them (up to three); the empty string otherwise.
     */
    static String note(String s) {
        if (s == null || !hides(s)) {
            return "";
        }
        List<String> names = new ArrayList<>();
        s.codePoints().filter(Visible::escaped).distinct().limit(3).forEach(cp -> {
            String name = Character.getName(cp);
            names.add(String.format(Locale.ROOT, "U+%04X", cp) + (name == null ? "" : " " + name));
        });
        return " (the value holds characters that do not show, written here as escapes: " + String.join(", ", names)
                + "; remove them from the file)";
    }

    /** Whether {@code s} holds a character that {@link #quote} escapes. */
    static boolean hides(String s) {
        return s.codePoints().anyMatch(Visible::escaped);
    }

    /**
     * Controls (tab, line feed and carriage return among them), format characters (U+FEFF, U+200B,
     * bidi marks), private use, lone surrogates, and every space and separator but the ASCII space.
     */
    private static boolean escaped(int cp) {
        if (cp == ' ') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }
}

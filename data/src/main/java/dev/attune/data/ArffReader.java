package dev.attune.data;

import dev.attune.AttuneException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Weka's ARFF format, dense data: a header of {@code @relation}, {@code @attribute <name> <type>}
 * lines (type {@code numeric}, {@code real}, {@code integer}, {@code string}, {@code date [format]}
 * or a nominal list {@code {a, b, 'c d'}}) and {@code @data}, then one comma-separated instance per
 * line. Values may be quoted with single or double quotes (a backslash escapes the next character);
 * an unquoted {@code ?} is a missing value. Lines starting with {@code %} and blank lines are
 * skipped; keywords are case-insensitive. Sparse data ({@code {0 x, 3 y}}) and relational attributes
 * are refused with a message.
 */
final class ArffReader extends RecordReader {
    private final List<String> columns = new ArrayList<>();
    private final List<String> types = new ArrayList<>();
    private final List<List<String>> nominal = new ArrayList<>();
    private int recordLine;

    ArffReader(LineReader lines, String name) {
        super(lines, name);
        while (true) {
            String text = nextLine(-1);
            if (text == null) {
                throw new AttuneException(name + " ends before its @data line; an ARFF file needs @attribute lines"
                        + " and then @data");
            }
            String t = text.strip();
            String lower = t.toLowerCase(Locale.ROOT);
            if (lower.startsWith("@relation")) {
                continue;
            }
            if (lower.startsWith("@data")) {
                break;
            }
            if (!lower.startsWith("@attribute")) {
                throw new AttuneException(name + ", line " + lines.line() + ": expected @relation, @attribute or @data,"
                        + " got '" + Visible.tail(t) + "'; fix the ARFF header");
            }
            attribute(t.substring("@attribute".length()).strip());
        }
        if (columns.isEmpty()) {
            throw new AttuneException(name + " declares no @attribute before @data; declare the columns");
        }
    }

    private void attribute(String rest) {
        int line = lines.line();
        List<String> nameAndType = new ArrayList<>();
        int end = token(rest, 0, nameAndType, line, true);
        if (nameAndType.isEmpty() || end >= rest.length()) {
            throw new AttuneException(name + ", line " + line + ": '@attribute " + rest + "' needs a name and a type,"
                    + " e.g. '@attribute age numeric'");
        }
        String attr = nameAndType.get(0);
        if (columns.contains(attr)) {
            throw new AttuneException(name + ", line " + line + ": attribute '" + Visible.quote(attr) + "' is declared twice; give"
                    + " every attribute its own name");
        }
        String type = rest.substring(end).strip();
        String lower = type.toLowerCase(Locale.ROOT);
        List<String> values = List.of();
        String kind;
        if (type.startsWith("{")) {
            if (!type.endsWith("}")) {
                throw new AttuneException(name + ", line " + line + ": the values of nominal attribute '" + Visible.quote(attr)
                        + "' are not closed with '}'");
            }
            List<String> declared = split(type.substring(1, type.length() - 1), line, -1);
            if (declared.contains(null)) {
                throw new AttuneException(name + ", line " + line + ": nominal attribute '" + Visible.quote(attr) + "' declares the"
                        + " value ?, which marks a missing value; quote it ('?') to make it a category");
            }
            values = List.copyOf(new LinkedHashSet<>(declared));
            kind = "nominal";
        } else if (lower.equals("numeric") || lower.equals("real") || lower.equals("integer")) {
            kind = "numeric";
        } else if (lower.equals("string")) {
            kind = "string";
        } else if (lower.startsWith("date")) {
            kind = "date";
        } else {
            throw new AttuneException(name + ", line " + line + ": attribute '" + Visible.quote(attr) + "' has type '" + Visible.quote(type)
                    + "', which is not supported; use numeric, real, integer, string, date or a nominal {...} list");
        }
        columns.add(attr);
        types.add(kind);
        nominal.add(values);
    }

    @Override
    List<String> columns() {
        return columns;
    }

    @Override
    String declaredType(int column) {
        return types.get(column);
    }

    @Override
    List<String> declaredValues(int column) {
        return nominal.get(column);
    }

    @Override
    int line() {
        return recordLine;
    }

    @Override
    String[] next() {
        String text = nextLine(0);
        if (text == null) {
            return null;
        }
        recordLine = lines.line();
        if (text.strip().startsWith("{")) {
            throw new AttuneException(name + ", line " + recordLine + ": sparse ARFF instances ({index value, ...})"
                    + " are not supported; save the data as dense ARFF or CSV");
        }
        List<String> fields = split(text, recordLine, 0);
        checkWidth(fields, recordLine);
        for (int i = 0; i < fields.size(); i++) {
            String v = fields.get(i);
            if (v != null && types.get(i).equals("nominal") && !nominal.get(i).contains(v)) {
                throw new AttuneException(at(recordLine, i) + ": value '" + Visible.quote(v) + "' is not among the values the header"
                        + " declares for this nominal attribute (" + Visible.join(nominal.get(i)) + "); fix the value or add it"
                        + " to the @attribute line" + Visible.note(v));
            }
        }
        return fields.toArray(new String[0]);
    }

    /** The next line that is neither blank nor a comment; {@code column} < 0 while in the header. */
    private String nextLine(int column) {
        while (true) {
            String text;
            try {
                text = lines.next();
            } catch (LineReader.NotUtf8 e) {
                if (column < 0) {
                    throw notUtf8(e, -1);
                }
                List<String> start = new ArrayList<>();
                try {
                    start = split(e.prefix, e.line, 0);
                } catch (AttuneException ignored) {
                    // The start is malformed too; the encoding error is still the one to report.
                }
                throw notUtf8(e, Math.max(0, start.size() - 1));
            }
            if (text == null) {
                return null;
            }
            String t = text.strip();
            if (!t.isEmpty() && !t.startsWith("%")) {
                return text;
            }
        }
    }

    /** Splits comma-separated values; an unquoted {@code ?} becomes {@code null}. */
    private List<String> split(String text, int line, int firstColumn) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            i = token(text, i, out, line, false);
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= text.length()) {
                return out;
            }
            if (text.charAt(i) != ',') {
                throw new AttuneException(where(line, firstColumn, out.size() - 1) + ": unexpected '" + Visible.quote(String.valueOf(text.charAt(i)))
                        + "' after value '" + Visible.tail(out.get(out.size() - 1)) + "'; separate values with commas and"
                        + " quote values that hold spaces or commas");
            }
            i++;
        }
    }

    private String where(int line, int firstColumn, int index) {
        return firstColumn < 0 ? name + ", line " + line : at(line, firstColumn + index);
    }

    /**
     * Reads one value from {@code from}, adds it to {@code out} and returns the index after it. An
     * attribute name ends at whitespace; a value ends at a comma.
     */
    private int token(String text, int from, List<String> out, int line, boolean isName) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i < text.length() && (text.charAt(i) == '\'' || text.charAt(i) == '"')) {
            char q = text.charAt(i++);
            StringBuilder b = new StringBuilder();
            while (i < text.length() && text.charAt(i) != q) {
                char c = text.charAt(i++);
                if (c == '\\' && i < text.length()) {
                    c = text.charAt(i++);
                }
                b.append(c);
            }
            if (i >= text.length()) {
                throw new AttuneException(name + ", line " + line + ": the value starting " + q + Visible.tail(b.toString())
                        + " has no closing " + q + "; add it");
            }
            out.add(b.toString());
            return i + 1;
        }
        int start = i;
        while (i < text.length() && (isName ? !Character.isWhitespace(text.charAt(i)) : text.charAt(i) != ',')) {
            i++;
        }
        String v = text.substring(start, i).strip();
        out.add(!isName && v.equals("?") ? null : v);
        return i;
    }
}

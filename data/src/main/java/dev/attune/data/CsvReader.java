package dev.attune.data;

import dev.attune.AttuneException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV as RFC 4180 defines it: comma-separated fields, a header row of column names, fields that
 * hold a comma, a double quote or a line break enclosed in double quotes, a double quote inside
 * them written twice. Lines may end in CRLF or LF. Blank lines are skipped. No field is missing:
 * an empty field is the empty string, which {@link Tabular} treats as missing.
 */
final class CsvReader extends RecordReader {
    private List<String> columns;
    private int recordLine;

    CsvReader(LineReader lines, String name) {
        super(lines, name);
        List<String> header = record();
        if (header == null) {
            throw new AttuneException(name + " is empty; a CSV table starts with a header row of column names");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String c = header.get(i);
            if (c.isBlank()) {
                throw new AttuneException(name + ", line " + recordLine + ": header field " + (i + 1)
                        + " is empty; give every column a name");
            }
            if (!seen.add(c)) {
                throw new AttuneException(name + ", line " + recordLine + ": column '" + Visible.quote(c) + "' appears twice in the"
                        + " header; give every column its own name");
            }
        }
        this.columns = List.copyOf(header);
    }

    @Override
    List<String> columns() {
        return columns;
    }

    @Override
    String declaredType(int column) {
        return null;
    }

    @Override
    int line() {
        return recordLine;
    }

    @Override
    String[] next() {
        List<String> fields = record();
        if (fields == null) {
            return null;
        }
        checkWidth(fields, recordLine);
        return fields.toArray(new String[0]);
    }

    /** Parser state for one record; it may span several physical lines inside quotes. */
    private static final class State {
        final List<String> fields = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        boolean inQuotes;
        boolean afterQuote;
        boolean fieldStarted;
    }

    private List<String> record() {
        String text;
        try {
            text = lines.next();
            while (text != null && text.isEmpty()) {
                text = lines.next();
            }
        } catch (LineReader.NotUtf8 e) {
            throw notUtf8Here(e);
        }
        if (text == null) {
            return null;
        }
        recordLine = lines.line();
        State st = new State();
        while (true) {
            parse(text, st);
            if (!st.inQuotes) {
                break;
            }
            st.field.append('\n');
            try {
                text = lines.next();
            } catch (LineReader.NotUtf8 e) {
                throw notUtf8(e, st.fields.size());
            }
            if (text == null) {
                throw new AttuneException(at(recordLine, st.fields.size()) + ": a quoted field opened on this line"
                        + " is never closed before the end of the file; add the closing double quote");
            }
        }
        st.fields.add(st.field.toString());
        return st.fields;
    }

    private void parse(String text, State st) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (st.inQuotes) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        st.field.append('"');
                        i++;
                    } else {
                        st.inQuotes = false;
                        st.afterQuote = true;
                    }
                } else {
                    st.field.append(c);
                }
            } else if (c == ',') {
                st.fields.add(st.field.toString());
                st.field.setLength(0);
                st.afterQuote = false;
                st.fieldStarted = false;
            } else if (st.afterQuote) {
                throw new AttuneException(at(lines.line(), st.fields.size()) + ": character '" + Visible.quote(String.valueOf(c)) + "' after the"
                        + " closing double quote of '" + Visible.tail(st.field.toString()) + "'; a quoted field must end"
                        + " at a comma or the end of the line (write a double quote inside it as \"\")");
            } else if (c == '"') {
                if (st.fieldStarted) {
                    throw new AttuneException(at(lines.line(), st.fields.size()) + ": a double quote inside the"
                            + " unquoted value '" + Visible.tail(st.field.toString() + text.substring(i)) + "'; enclose"
                            + " the value in double quotes and write the quote as \"\"");
                }
                st.inQuotes = true;
                st.fieldStarted = true;
            } else {
                st.field.append(c);
                st.fieldStarted = true;
            }
        }
    }

    /** A line that is not UTF-8: parse its valid start to find the column the bad bytes are in. */
    private AttuneException notUtf8Here(LineReader.NotUtf8 e) {
        if (columns == null) {
            return notUtf8(e, -1);
        }
        State st = new State();
        try {
            parse(e.prefix, st);
        } catch (AttuneException ignored) {
            // The start is malformed too; the encoding error is still the one to report.
        }
        return notUtf8(e, st.fields.size());
    }

}

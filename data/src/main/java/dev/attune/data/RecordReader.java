package dev.attune.data;

import dev.attune.AttuneException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the records of one table file lazily, one at a time: the header first (on construction),
 * then {@link #next()} until it returns {@code null}. Holds one record at a time.
 */
abstract class RecordReader implements Closeable {
    /** Opens the bytes of a table, again for every pass over it. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    /**
     * Opens a class-path resource of this package ({@code dev/attune/data/...}), for the bundled data
     * sets; a resource whose name ends in {@code .gz} is read through gzip.
     *
     * @param readOwn the public call that reads files of one's own, named in the message for a missing resource
     */
    static Opener resource(String resource, String readOwn) {
        return () -> {
            InputStream in = RecordReader.class.getResourceAsStream(resource);
            if (in == null) {
                throw new AttuneException(resourceName(resource) + " is missing from the class path; the attune-data"
                        + " jar is incomplete: rebuild it, or read files of your own with " + readOwn);
            }
            return resource.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
        };
    }

    /**
     * Opens a file; a name ending in {@code .gz} is read through gzip, so a table may be kept
     * compressed.
     */
    static Opener file(Path file) {
        return () -> {
            InputStream in = Files.newInputStream(file);
            if (!file.getFileName().toString().endsWith(".gz")) {
                return in;
            }
            try {
                return new GZIPInputStream(in, 1 << 16);
            } catch (ZipException | EOFException e) {
                in.close();
                throw new AttuneException(file + " ends in .gz but is not gzip-compressed (" + e.getMessage()
                        + "); rename it without .gz if it is plain text", e);
            }
        };
    }

    /** How messages name a bundled resource. */
    static String resourceName(String resource) {
        return "bundled dev/attune/data/" + resource;
    }

    /** The file formats {@link Tabular} reads. */
    enum Format {
        CSV, ARFF;

        RecordReader open(Opener opener, String name) {
            InputStream in;
            try {
                in = opener.open();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new AttuneException("table file " + name + " does not exist; check the path", e);
            } catch (IOException e) {
                throw new AttuneException("cannot open table file " + name + ": " + e.getMessage(), e);
            }
            LineReader lines = new LineReader(in, name);
            try {
                return this == CSV ? new CsvReader(lines, name) : new ArffReader(lines, name);
            } catch (RuntimeException e) {
                lines.close();
                throw e;
            }
        }
    }

    final LineReader lines;
    final String name;

    RecordReader(LineReader lines, String name) {
        this.lines = lines;
        this.name = name;
    }

    /** The column names, in file order. */
    abstract List<String> columns();

    /** {@code null} when the format declares no types (CSV); else "numeric", "nominal", "string" or "date". */
    abstract String declaredType(int column);

    /** The values a nominal column declares, in declared order; empty for other columns and for CSV. */
    List<String> declaredValues(int column) {
        return List.of();
    }

    /**
     * The fields of the next record, one per column, or {@code null} at the end of the file. A
     * field is {@code null} when the file marks it missing (ARFF's {@code ?}).
     */
    abstract String[] next();

    /** The 1-based line on which the last record returned by {@link #next()} starts. */
    abstract int line();

    /** SHA-256 of the whole file, once {@link #next()} has returned {@code null}. */
    final String sha256() {
        return lines.sha256();
    }

    /** Where a message points: file, line and column. */
    final String at(int line, int column) {
        List<String> cols = columns();
        if (cols == null) {
            return name + ", line " + line + ", header field " + (column + 1);
        }
        String col = column < cols.size() ? "column '" + Visible.quote(cols.get(column)) + "'" : "field " + (column + 1);
        return name + ", line " + line + ", " + col;
    }

    final AttuneException notUtf8(LineReader.NotUtf8 e, int column) {
        String where = column < 0 ? name + ", line " + e.line + " (header)" : at(e.line, column);
        return new AttuneException(where + ": bytes " + e.bytes + " after '" + Visible.tail(e.prefix)
                + "' are not valid UTF-8; save the file as UTF-8 (it looks like another encoding, such as"
                + " ISO-8859-1 or Windows-1252)");
    }

    /** Checks a record's field count against the header, naming the first missing or extra column. */
    final void checkWidth(List<String> fields, int line) {
        List<String> cols = columns();
        if (fields.size() == cols.size()) {
            return;
        }
        String detail = fields.size() < cols.size()
                ? "missing column '" + Visible.quote(cols.get(fields.size())) + "'"
                        + (cols.size() - fields.size() > 1 ? " and " + (cols.size() - fields.size() - 1) + " after it" : "")
                : "extra field " + (cols.size() + 1) + " with value '" + Visible.tail(fields.get(cols.size())) + "'";
        throw new AttuneException(name + ", line " + line + ": the row has " + fields.size() + " fields but the header"
                + " names " + cols.size() + " columns (" + detail + "); fix the row (a value that holds the separator"
                + " must be quoted)");
    }

    @Override
    public void close() {
        lines.close();
    }
}

package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.LabeledData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a table (CSV or ARFF, UTF-8) into labelled examples, with a typed schema:
 *
 * <pre>{@code
 * Tabular credit = Tabular.csv(Path.of("credit-train.csv"))
 *         .label("class")
 *         .numeric("duration", "credit_amount", "age")
 *         .categorical("purpose", Encoding.ONE_HOT)
 *         .group("sex", "foreign_worker")                // kept beside the features, not in them
 *         .ignore("personal_status");
 * TabularData train = credit.read();                    // learns classes, categories, mean and std
 * TabularData test = Tabular.csv(Path.of("credit-test.csv")).read(train.transform());
 * }</pre>
 *
 * <p>Every column of the file must have a role: the label, a numeric or categorical feature, a group,
 * or ignored; a column the schema names must be in the file. A group column is not a feature unless
 * it is declared as one too ({@code .categorical("sex", Encoding.ONE_HOT).group("sex")}). Features
 * appear in declaration order. Fitting ({@link #fit()}, {@link #read()}) learns the classes, each
 * categorical column's categories and each numeric column's mean and standard deviation from this
 * file only; {@link #read(TabularTransform)} and {@link #iterator(TabularTransform, int)} apply a
 * transform learned elsewhere, so a test file is encoded as its training file was.
 *
 * <p>Refused with {@link IllegalArgumentException}, naming the file, line (1-based), column and
 * value: a schema column missing from the file or a file column missing from the schema, a value in
 * a numeric column that is not a finite number (NaN, Infinity, text), a missing value (an empty CSV
 * field, ARFF's {@code ?}) unless {@link #imputeMissing()}, an empty group value, a label column
 * with fewer than two classes, and at inference a category or class the transform has not seen
 * (unless {@link #unknownCategoriesAsOther()}). Refused with {@link AttuneException}: a file that is
 * missing, unreadable, not UTF-8 (compressed bytes, a zip archive or UTF-16 text under a plain name
 * are named as such, with the command that makes them readable) or malformed (a row with more or
 * fewer fields than the header, a broken quote, a bad ARFF header).
 *
 * <p>Immutable: every option returns a new {@code Tabular}. Nothing is read until {@link #fit()},
 * {@link #read()}, {@link #fingerprint()} or the iterator's first batch; each of them reads the file
 * again.
 */
public final class Tabular {
    private final RecordReader.Format format;
    private final RecordReader.Opener opener;
    private final String name;
    private final Schema schema;
    private final boolean declared;

    private Tabular(RecordReader.Format format, RecordReader.Opener opener, String name, Schema schema,
                    boolean declared) {
        this.format = format;
        this.opener = opener;
        this.name = name;
        this.schema = schema;
        this.declared = declared;
    }

    /**
     * A CSV file (RFC 4180: comma-separated, a header row, double quotes around values that hold a
     * comma, a double quote or a line break; CRLF or LF line ends; blank lines skipped), in UTF-8. A
     * name ending in {@code .gz} is read through gzip; the fingerprint is then of the uncompressed bytes.
     */
    public static Tabular csv(Path file) {
        requireNonNull(file, "file");
        return new Tabular(RecordReader.Format.CSV, RecordReader.file(file), file.toString(), Schema.EMPTY, false);
    }

    /**
     * CSV text held in memory, read as {@link #csv(Path)} reads a file: rows to encode at inference
     * with a transform fitted elsewhere ({@code Tabular.csvText("request", text).read(transform)}).
     *
     * @param name how messages name the text (instead of a file name)
     */
    public static Tabular csvText(String name, String text) {
        requireNonNull(name, "name");
        byte[] bytes = requireNonNull(text, "text").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Tabular(RecordReader.Format.CSV, () -> new java.io.ByteArrayInputStream(bytes), name,
                Schema.EMPTY, false);
    }

    /**
     * A dense ARFF file (Weka's format) in UTF-8: numeric, real, integer, nominal, string and date
     * attributes; {@code ?} marks a missing value. A nominal attribute's categories and classes keep
     * the header's order. A name ending in {@code .gz} is read through gzip.
     */
    public static Tabular arff(Path file) {
        requireNonNull(file, "file");
        return new Tabular(RecordReader.Format.ARFF, RecordReader.file(file), file.toString(), Schema.EMPTY, false);
    }

    /** A class-path resource of this package, for the bundled tables. */
    static Tabular resource(String resource, RecordReader.Format format) {
        return new Tabular(format, RecordReader.resource(resource, "Tabular.csv"), RecordReader.resourceName(resource),
                Schema.EMPTY, false);
    }

    /**
     * The label column; its classes are learned from the training data.
     *
     * @throws IllegalArgumentException when a label is already declared or the column has another role
     */
    public Tabular label(String column) {
        return label(column, new String[0]);
    }

    /**
     * The label column with its classes in a fixed order: class {@code i} is {@code classes[i]}, and
     * any other value in the column is refused.
     *
     * @throws IllegalArgumentException when a label is already declared, the column has another role,
     *     or fewer than two distinct classes are given
     */
    public Tabular label(String column, String... classes) {
        requireNonNull(column, "column");
        requireNonNull(classes, "classes");
        if (schema.label() != null) {
            throw new IllegalArgumentException("the label column is already '" + schema.label() + "'; declare one label");
        }
        free(column, "the label");
        if (classes.length > 0 && (classes.length < 2 || new HashSet<>(Arrays.asList(classes)).size() < classes.length)) {
            throw new IllegalArgumentException("classes must be two or more distinct names, got "
                    + Arrays.toString(classes) + "; or call label(column) to learn them from the data");
        }
        return with(new Schema(column, List.of(classes), schema.features(), schema.groups(), schema.ignored(),
                schema.unknownAsOther(), schema.imputeMissing()));
    }

    /**
     * Numeric feature columns, standardised with the training data's mean and standard deviation.
     *
     * @throws IllegalArgumentException when a column already has a role other than group
     */
    public Tabular numeric(String... columns) {
        return features(null, columns);
    }

    /**
     * A categorical feature column.
     *
     * @throws IllegalArgumentException when the column already has a role other than group
     */
    public Tabular categorical(String column, Encoding encoding) {
        requireNonNull(encoding, "encoding");
        return features(encoding, column);
    }

    /**
     * Categorical feature columns with one encoding.
     *
     * @throws IllegalArgumentException when a column already has a role other than group
     */
    public Tabular categorical(Encoding encoding, String... columns) {
        requireNonNull(encoding, "encoding");
        return features(encoding, columns);
    }

    /**
     * Group columns: sensitive attributes (sex, age band, ...) kept per example beside the features,
     * for fairness checks, and not features unless also declared numeric or categorical. A group
     * value may not be empty.
     *
     * @throws IllegalArgumentException when a column is the label, ignored or already a group
     */
    public Tabular group(String... columns) {
        requireNonNull(columns, "columns");
        List<String> groups = new ArrayList<>(schema.groups());
        for (String c : columns) {
            requireNonNull(c, "column");
            String role = schema.roleOf(c);
            if (groups.contains(c) || "the label".equals(role) || "ignored".equals(role)) {
                throw new IllegalArgumentException("column '" + c + "' is already " + (groups.contains(c) ? "a group"
                        : role) + "; a group column may also be a feature, but not the label or ignored");
            }
            groups.add(c);
        }
        return with(new Schema(schema.label(), schema.classes(), schema.features(), groups, schema.ignored(),
                schema.unknownAsOther(), schema.imputeMissing()));
    }

    /**
     * Columns of the file to skip. A column that the schema neither uses nor ignores is an error, so
     * that a renamed or added column is noticed.
     *
     * @throws IllegalArgumentException when a column already has a role
     */
    public Tabular ignore(String... columns) {
        requireNonNull(columns, "columns");
        List<String> ignored = new ArrayList<>(schema.ignored());
        for (String c : columns) {
            requireNonNull(c, "column");
            free(c, "ignored");
            if (schema.groups().contains(c) || ignored.contains(c)) {
                throw new IllegalArgumentException("column '" + c + "' is already "
                        + (ignored.contains(c) ? "ignored" : "a group") + "; give each column one role");
            }
            ignored.add(c);
        }
        return with(new Schema(schema.label(), schema.classes(), schema.features(), schema.groups(), ignored,
                schema.unknownAsOther(), schema.imputeMissing()));
    }

    /**
     * At inference, a category that the training data did not have becomes an extra
     * {@value TabularTransform#OTHER} slot (one-hot) or index (index encoding) after the learned
     * categories, instead of an error. Off by default.
     */
    public Tabular unknownCategoriesAsOther() {
        return with(new Schema(schema.label(), schema.classes(), schema.features(), schema.groups(), schema.ignored(),
                true, schema.imputeMissing()));
    }

    /**
     * Missing feature values (an empty CSV field, ARFF's {@code ?}) are imputed instead of refused:
     * a numeric one with the training mean (0 once standardised), a categorical one becomes the
     * category {@code "?"}. Missing labels and group values are still refused. Off by default.
     */
    public Tabular imputeMissing() {
        return with(new Schema(schema.label(), schema.classes(), schema.features(), schema.groups(), schema.ignored(),
                schema.unknownAsOther(), true));
    }

    /**
     * Reads the file once and learns its transform: classes, categories, means and standard
     * deviations. Every row is checked as {@link #read()} checks it.
     *
     * @throws IllegalStateException when no label or no feature column is declared
     * @throws IllegalArgumentException for bad values, naming file, line, column and value
     * @throws AttuneException when the file is missing, unreadable, not UTF-8 or malformed
     */
    public TabularTransform fit() {
        return fit(new String[1]);
    }

    /**
     * Fits the transform on this file and reads it with it: the training data.
     *
     * @return the examples as float features with their groups, transform and file fingerprint
     * @throws IllegalStateException when no label or no feature column is declared
     * @throws IllegalArgumentException for bad values, naming file, line, column and value
     * @throws AttuneException when the file is missing, unreadable, not UTF-8, malformed or changes
     *     between the two passes
     */
    public TabularData read() {
        String[] sha = new String[1];
        TabularTransform t = fit(sha);
        TabularData data = apply(t);
        if (!data.sourceFingerprint().equals(sha[0])) {
            throw new AttuneException(name + " changed while it was read (SHA-256 " + sha[0] + " then "
                    + data.sourceFingerprint() + "); read it again when nothing writes to it");
        }
        return data;
    }

    /**
     * Reads this file with a transform fitted on other data (validation, test or production data).
     * The columns come from the transform; if this {@code Tabular} declares columns or options too,
     * they must be the transform's ({@link #ignore(String...)} may add columns to skip).
     *
     * @throws IllegalArgumentException for a schema that differs from the transform's, bad values, an
     *     unseen category or class
     * @throws AttuneException when the file is missing, unreadable, not UTF-8 or malformed
     */
    public TabularData read(TabularTransform transform) {
        return apply(compatible(transform));
    }

    /**
     * Streams the file in mini-batches for DL4J: each {@link org.nd4j.linalg.dataset.DataSet} holds up
     * to {@code batchSize} rows as float features {@code [n, features]} and one-hot float labels
     * {@code [n, classes]}, encoded with {@code transform}. Rows are read lazily: the iterator holds
     * one batch and one open file, never the whole table. {@code reset()} reads the file again from
     * the start. Group values are not part of a {@code DataSet}; read them with {@link #read(TabularTransform)}.
     *
     * @throws IllegalArgumentException when {@code batchSize < 1} or the schema differs from the
     *     transform's; bad rows are refused as {@link #read(TabularTransform)} refuses them, when their
     *     batch is read
     */
    public DataSetIterator iterator(TabularTransform transform, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        TabularTransform t = compatible(transform);
        return new TabularIterator(() -> format.open(opener, name), t, batchSize);
    }

    /**
     * The SHA-256 of the file's bytes (after decompression, for a name ending in {@code .gz}), in hex,
     * for provenance: the value {@link TabularData#sourceFingerprint()} reports for data read from it.
     * Reads the whole file.
     *
     * @throws AttuneException when the file is missing, unreadable, not UTF-8 or has a malformed header
     */
    public String fingerprint() {
        try (RecordReader r = format.open(opener, name)) {
            while (r.next() != null) {
                // read to the end: the digest covers every byte
            }
            return r.sha256();
        }
    }

    /** What the source is: format, file and schema, for logs. */
    @Override
    public String toString() {
        return "Tabular[" + format + " " + name + ", label " + schema.label() + ", " + schema.features().size()
                + " feature columns, groups " + schema.groups() + "]";
    }

    private Tabular features(Encoding encoding, String... columns) {
        requireNonNull(columns, "columns");
        if (columns.length == 0) {
            throw new IllegalArgumentException("name at least one column");
        }
        List<Schema.Feature> features = new ArrayList<>(schema.features());
        Set<String> now = new HashSet<>();
        for (String c : columns) {
            requireNonNull(c, "column");
            free(c, encoding == null ? "numeric" : "categorical");
            if (!now.add(c)) {
                throw new IllegalArgumentException("column '" + c + "' is named twice; name each column once");
            }
            features.add(new Schema.Feature(c, encoding));
        }
        return with(new Schema(schema.label(), schema.classes(), features, schema.groups(), schema.ignored(),
                schema.unknownAsOther(), schema.imputeMissing()));
    }

    /** Refuses a column that already has a role, except group, which may also be a feature. */
    private void free(String column, String wanted) {
        String role = schema.roleOf(column);
        if (role != null && !(role.equals("a group") && !wanted.equals("the label") && !wanted.equals("ignored"))) {
            throw new IllegalArgumentException("column '" + column + "' is already " + role + "; it cannot also be "
                    + wanted + ": give each column one role (a group column may also be a feature)");
        }
    }

    private Tabular with(Schema s) {
        return new Tabular(format, opener, name, s, true);
    }

    private Schema complete() {
        if (schema.label() == null) {
            throw new IllegalStateException("no label column declared; call label(\"column\") before reading " + name);
        }
        if (schema.features().isEmpty()) {
            throw new IllegalStateException("no feature column declared; call numeric(...) or categorical(...) before"
                    + " reading " + name);
        }
        return schema;
    }

    private TabularTransform compatible(TabularTransform transform) {
        requireNonNull(transform, "transform");
        Schema t = transform.schema();
        if (!declared) {
            return transform;
        }
        boolean onlyIgnored = schema.withoutIgnored().equals(Schema.EMPTY);
        if (!onlyIgnored && !schema.withoutIgnored().equals(t.withoutIgnored())) {
            throw new IllegalArgumentException("this Tabular declares a schema that differs from the transform's ("
                    + describe(schema) + " against " + describe(t) + "); read with Tabular.csv(file).read(transform)"
                    + " to take the transform's schema");
        }
        List<String> ignored = new ArrayList<>(t.ignored());
        for (String c : schema.ignored()) {
            if (!ignored.contains(c)) {
                if (t.roleOf(c) != null) {
                    throw new IllegalArgumentException("column '" + c + "' is " + t.roleOf(c) + " in the transform"
                            + "; it cannot be ignored when reading with it");
                }
                ignored.add(c);
            }
        }
        Schema merged = new Schema(t.label(), t.classes(), t.features(), t.groups(), ignored, t.unknownAsOther(),
                t.imputeMissing());
        return new TabularTransform(merged, transform.classNames(), transform.fitted());
    }

    private static String describe(Schema s) {
        return "label " + s.label() + ", features " + s.features().stream()
                .map(f -> f.column() + (f.numeric() ? "" : " " + f.encoding())).toList() + ", groups " + s.groups()
                + (s.unknownAsOther() ? ", unknown categories as other" : "") + (s.imputeMissing() ? ", impute missing" : "");
    }

    private TabularTransform fit(String[] sha) {
        Schema s = complete();
        try (RecordReader r = format.open(opener, name)) {
            int[][] bound = TableEncoder.bind(s, r);
            int label = bound[0][0];
            int[] features = bound[1];
            int[] groups = bound[2];
            int n = features.length;
            Map<String, Integer> labels = new LinkedHashMap<>();
            double[] count = new double[n];
            double[] mean = new double[n];
            double[] m2 = new double[n];
            List<Set<String>> categories = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                categories.add(new HashSet<>());
            }
            int rows = 0;
            int firstLine = 0;
            for (String[] rec = r.next(); rec != null; rec = r.next()) {
                if (rows++ == 0) {
                    firstLine = r.line();
                }
                String y = TableEncoder.label(rec, label, r);
                if (!s.classes().isEmpty() && !s.classes().contains(y)) {
                    throw new IllegalArgumentException(r.at(r.line(), label) + ": class '" + Visible.quote(y) + "' is not among the"
                            + " declared classes (" + Visible.join(s.classes()) + ")" + Visible.note(y)
                            + "; fix the value or declare it");
                }
                labels.merge(y, 1, Integer::sum);
                for (int j = 0; j < n; j++) {
                    String v = rec[features[j]];
                    boolean numeric = s.features().get(j).numeric();
                    if (TableEncoder.missing(v)) {
                        if (!s.imputeMissing()) {
                            throw TableEncoder.missingValue(r, features[j], numeric ? "numeric" : "categorical");
                        }
                        if (!numeric) {
                            categories.get(j).add(TableEncoder.MISSING);
                        }
                        continue;
                    }
                    if (numeric) {
                        // Welford's update: stable for large values and long files.
                        double x = TableEncoder.number(v, r, features[j]);
                        count[j]++;
                        double d = x - mean[j];
                        mean[j] += d / count[j];
                        m2[j] += d * (x - mean[j]);
                    } else {
                        categories.get(j).add(v);
                    }
                }
                for (int g : groups) {
                    TableEncoder.group(rec, g, r);
                }
            }
            if (rows == 0) {
                throw new IllegalArgumentException(name + " holds a header but no rows; a data set needs at least one"
                        + " example per class");
            }
            if (labels.size() < 2) {
                String only = labels.keySet().iterator().next();
                throw new IllegalArgumentException(r.at(firstLine, label) + ": the label column holds one class, '"
                        + Visible.quote(only) + "', in all " + rows + " rows (lines " + firstLine + " to " + r.line() + "); a"
                        + " classifier needs two or more classes: check the label column and the file");
            }
            List<String> classes = s.classes().isEmpty() ? ordered(labels.keySet(), r.declaredValues(label))
                    : s.classes();
            List<TabularTransform.Fitted> fitted = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                Schema.Feature f = s.features().get(j);
                if (f.numeric()) {
                    if (count[j] == 0) {
                        throw new IllegalArgumentException(r.at(firstLine, features[j]) + ": every value of numeric"
                                + " column is missing, so it has no mean; drop or ignore the column");
                    }
                    fitted.add(new TabularTransform.Fitted(f, mean[j], Math.sqrt(m2[j] / count[j]), List.of()));
                } else {
                    fitted.add(new TabularTransform.Fitted(f, 0, 0, ordered(categories.get(j),
                            r.declaredValues(features[j]))));
                }
            }
            sha[0] = r.sha256();
            return new TabularTransform(s, classes, fitted);
        }
    }

    /** In an ARFF header's order where it declares values, else sorted. */
    private static List<String> ordered(Set<String> seen, List<String> declared) {
        List<String> out = new ArrayList<>();
        for (String d : declared) {
            if (seen.contains(d)) {
                out.add(d);
            }
        }
        for (String s : new TreeSet<>(seen)) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private TabularData apply(TabularTransform t) {
        try (RecordReader r = format.open(opener, name)) {
            TableEncoder enc = new TableEncoder(t, r);
            int width = enc.width();
            float[] x = new float[width * 64];
            int[] y = new int[64];
            int[] lines = new int[64];
            List<String[]> groups = new ArrayList<>();
            int columns = t.fitted().size();
            java.util.BitSet[] missing = new java.util.BitSet[columns];
            for (int j = 0; j < columns; j++) {
                missing[j] = new java.util.BitSet();
            }
            boolean[] isMissing = new boolean[columns];
            int n = 0;
            for (String[] rec = r.next(); rec != null; rec = r.next()) {
                if (n == y.length) {
                    y = Arrays.copyOf(y, n * 2);
                    lines = Arrays.copyOf(lines, n * 2);
                    x = Arrays.copyOf(x, Math.multiplyExact(n * 2, width));
                }
                enc.features(rec, x, n * width, isMissing);
                for (int j = 0; j < columns; j++) {
                    missing[j].set(n, isMissing[j]);
                }
                y[n] = enc.label(rec);
                lines[n] = r.line();
                groups.add(enc.groups(rec));
                n++;
            }
            if (n == 0) {
                throw new IllegalArgumentException(name + " holds a header but no rows; a data set needs at least one"
                        + " example");
            }
            LabeledData data = LabeledData.of(Nd4j.create(Arrays.copyOf(x, n * width), new long[] {n, width},
                    DataType.FLOAT), Arrays.copyOf(y, n), t.classNames().size());
            return new TabularData(data, t, groups, List.of(missing), Arrays.copyOf(lines, n), name, r.sha256());
        }
    }
}

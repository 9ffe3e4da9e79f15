package dev.attune.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds a schema to a file's columns and turns records into features, a class index and group
 * values with a fitted transform. Every bad value is refused with the file, line, column and value.
 */
final class TableEncoder {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    /** The category a missing categorical value becomes when missing values are imputed. */
    static final String MISSING = "?";

    private final TabularTransform transform;
    private final RecordReader reader;
    private final int label;
    private final int[] features;
    private final int[] groups;
    private final List<Map<String, Integer>> categories = new ArrayList<>();
    private final Map<String, Integer> classes = new HashMap<>();
    private final int width;

    TableEncoder(TabularTransform transform, RecordReader reader) {
        this.transform = transform;
        this.reader = reader;
        Schema s = transform.schema();
        int[][] bound = bind(s, reader);
        this.label = bound[0][0];
        this.features = bound[1];
        this.groups = bound[2];
        for (TabularTransform.Fitted f : transform.fitted()) {
            categories.add(transform.index(f));
        }
        for (int i = 0; i < transform.classNames().size(); i++) {
            classes.put(transform.classNames().get(i), i);
        }
        this.width = transform.featureNames().size();
    }

    int width() {
        return width;
    }

    /**
     * Checks the header against the schema: every named column present, every other column ignored,
     * declared ARFF types that fit. Returns {label}, feature columns, group columns as file indices.
     */
    static int[][] bind(Schema s, RecordReader r) {
        List<String> cols = r.columns();
        List<String> missing = new ArrayList<>();
        int label = indexOf(cols, s.label(), missing);
        int[] features = new int[s.features().size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = indexOf(cols, s.features().get(i).column(), missing);
        }
        int[] groups = new int[s.groups().size()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = indexOf(cols, s.groups().get(i), missing);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(r.name + ", header: column" + (missing.size() > 1 ? "s '" : " '")
                    + quoted(missing, "', '") + "' named in the schema " + (missing.size() > 1 ? "are" : "is")
                    + " missing from the header; the header has: " + Visible.join(cols)
                    + "; fix the column name or the file");
        }
        List<String> extra = new ArrayList<>();
        for (String c : cols) {
            if (s.roleOf(c) == null) {
                extra.add(c);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(r.name + ", header: column" + (extra.size() > 1 ? "s '" : " '")
                    + quoted(extra, "', '") + "' " + (extra.size() > 1 ? "are" : "is") + " in the file but not in"
                    + " the schema; declare " + (extra.size() > 1 ? "them" : "it")
                    + " (numeric, categorical, group) or skip " + (extra.size() > 1 ? "them" : "it")
                    + " with ignore(\"" + quoted(extra, "\", \"") + "\")");
        }
        for (int i = 0; i < features.length; i++) {
            String type = r.declaredType(features[i]);
            if (s.features().get(i).numeric() && type != null && !type.equals("numeric")) {
                throw new IllegalArgumentException(r.name + ", header: column '" + Visible.quote(cols.get(features[i]))
                        + "' is declared numeric in the schema but the file declares it " + type
                        + "; declare it categorical");
            }
        }
        return new int[][] {{label}, features, groups};
    }

    private static String quoted(List<String> names, String separator) {
        return names.stream().map(Visible::quote).collect(java.util.stream.Collectors.joining(separator));
    }

    private static int indexOf(List<String> cols, String name, List<String> missing) {
        int i = cols.indexOf(name);
        if (i < 0) {
            missing.add(name);
        }
        return i;
    }

    static boolean missing(String v) {
        return v == null || v.isBlank();
    }

    /** A finite number, or the error that names where and what it is. */
    static double number(String v, RecordReader r, int column) {
        String t = v.strip();
        if (NUMBER.matcher(t).matches()) {
            double x = Double.parseDouble(t);
            if (Double.isFinite(x)) {
                return x;
            }
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("nan") || lower.contains("inf")) {
            throw new IllegalArgumentException(r.at(r.line(), column) + ": value '" + Visible.tail(v) + "' is not a finite number;"
                    + " a numeric column takes finite numbers only: fix or drop the row, or leave the value empty and"
                    + " call imputeMissing()");
        }
        throw new IllegalArgumentException(r.at(r.line(), column) + ": value '" + Visible.tail(v) + "' is not a"
                + " number" + Visible.note(v) + "; fix the value, or declare the column categorical if it holds categories");
    }

    static IllegalArgumentException missingValue(RecordReader r, int column, String role) {
        return new IllegalArgumentException(r.at(r.line(), column) + ": the " + role + " value is missing; fill it in"
                + " or drop the row" + (role.startsWith("group") || role.equals("label") ? ""
                : ", or call imputeMissing() to impute missing feature values"));
    }

    static String group(String[] rec, int column, RecordReader r) {
        String v = rec[column];
        if (missing(v)) {
            throw new IllegalArgumentException(r.at(r.line(), column) + ": the group value is empty; every example"
                    + " needs a value in a group column: fill it in (for example 'unknown') or drop the row");
        }
        return v;
    }

    static String label(String[] rec, int column, RecordReader r) {
        String v = rec[column];
        if (missing(v)) {
            throw missingValue(r, column, "label");
        }
        return v;
    }

    /** Encodes one record's features into {@code out} from {@code offset}. */
    void features(String[] rec, float[] out, int offset) {
        features(rec, out, offset, null);
    }

    /**
     * Encodes one record's features into {@code out} from {@code offset}; when {@code missing} is not
     * null, sets {@code missing[j]} to whether feature column {@code j}'s value was missing (and imputed).
     */
    void features(String[] rec, float[] out, int offset, boolean[] missing) {
        int o = offset;
        List<TabularTransform.Fitted> fitted = transform.fitted();
        boolean impute = transform.schema().imputeMissing();
        boolean other = transform.schema().unknownAsOther();
        for (int j = 0; j < fitted.size(); j++) {
            TabularTransform.Fitted f = fitted.get(j);
            String v = rec[features[j]];
            if (missing != null) {
                missing[j] = missing(v);
            }
            if (f.feature().numeric()) {
                if (missing(v)) {
                    if (!impute) {
                        throw missingValue(reader, features[j], "numeric");
                    }
                    out[o++] = 0f;      // the training mean, standardised
                } else {
                    out[o++] = (float) ((number(v, reader, features[j]) - f.mean()) / f.scale());
                }
                continue;
            }
            if (missing(v)) {
                if (!impute) {
                    throw missingValue(reader, features[j], "categorical");
                }
                v = MISSING;
            }
            Integer k = categories.get(j).get(v);
            int size = f.categories().size();
            if (k == null) {
                if (!other) {
                    throw new IllegalArgumentException(reader.at(reader.line(), features[j]) + ": category '" + Visible.quote(v)
                            + "' was not seen in the training data (categories: " + Visible.join(f.categories())
                            + ")" + Visible.note(v) + "; add examples with it to the training data, or fit with unknownCategoriesAsOther()"
                            + " to map unseen categories to '" + TabularTransform.OTHER + "'");
                }
                k = size;
            }
            if (f.feature().encoding() == Encoding.INDEX) {
                out[o++] = k;
            } else {
                int w = size + (other ? 1 : 0);
                for (int c = 0; c < w; c++) {
                    out[o + c] = c == k ? 1f : 0f;
                }
                o += w;
            }
        }
    }

    /** The record's class index. */
    int label(String[] rec) {
        String v = label(rec, label, reader);
        Integer k = classes.get(v);
        if (k == null) {
            throw new IllegalArgumentException(reader.at(reader.line(), label) + ": class '" + Visible.quote(v) + "' is not among the"
                    + " classes of the transform (" + Visible.join(transform.classNames()) + ")" + Visible.note(v)
                    + "; a model trained on those classes cannot score it: drop the row or fit on data that has it");
        }
        return k;
    }

    /** The record's group values, in the order of the schema's group columns. */
    String[] groups(String[] rec) {
        String[] g = new String[groups.length];
        for (int i = 0; i < groups.length; i++) {
            g[i] = group(rec, groups[i], reader);
        }
        return g;
    }
}

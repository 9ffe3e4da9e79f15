package dev.attune.data;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What reading a table learned from its training data, to turn any file with the same columns into
 * the same features: the classes of the label column, the mean and standard deviation of each numeric
 * column, the categories of each categorical column, and the schema (which column is the label, which
 * are features and how they are encoded, which are groups). Immutable; made by {@link Tabular#fit()}
 * or {@link Tabular#read()}, applied by {@link Tabular#read(TabularTransform)} and
 * {@link Tabular#iterator(TabularTransform, int)}.
 *
 * <p>Numeric features are {@code (x - mean) / std} with the training data's mean and population
 * standard deviation (a constant column has std 0 and is divided by 1 instead). Classes and
 * categories are ordered as an ARFF header declares them, or by {@link String#compareTo} for CSV,
 * unless {@link Tabular#label(String, String...)} fixed the classes.
 *
 * <p>{@link #toText()} writes it as a few lines of tab-separated text that {@link #parse(String)}
 * reads back to an equal transform (doubles round-trip exactly), so that it can be stored beside a
 * model.
 */
public final class TabularTransform {
    static final String HEADER = "attune-tabular-transform\t1";
    /** The feature name of the slot for unseen categories, after the training data's categories. */
    public static final String OTHER = "<other>";

    private final Schema schema;
    private final List<String> classes;
    private final List<Fitted> fitted;
    private final List<String> featureNames;

    /** One fitted feature column: mean and scale for a numeric column, categories otherwise. */
    record Fitted(Schema.Feature feature, double mean, double std, List<String> categories) {
        Fitted {
            categories = List.copyOf(categories);
        }

        /** The divisor: the std, or 1 for a constant column. */
        double scale() {
            return std > 0 ? std : 1;
        }

        int width(boolean other) {
            if (feature.numeric() || feature.encoding() == Encoding.INDEX) {
                return 1;
            }
            return categories.size() + (other ? 1 : 0);
        }
    }

    TabularTransform(Schema schema, List<String> classes, List<Fitted> fitted) {
        this.schema = schema;
        this.classes = List.copyOf(classes);
        this.fitted = List.copyOf(fitted);
        List<String> names = new ArrayList<>();
        for (Fitted f : fitted) {
            String c = f.feature().column();
            if (f.feature().numeric() || f.feature().encoding() == Encoding.INDEX) {
                names.add(c);
            } else {
                for (String cat : f.categories()) {
                    names.add(c + "=" + cat);
                }
                if (schema.unknownAsOther()) {
                    names.add(c + "=" + OTHER);
                }
            }
        }
        this.featureNames = List.copyOf(names);
    }

    Schema schema() {
        return schema;
    }

    List<Fitted> fitted() {
        return fitted;
    }

    /** The label column. */
    public String labelColumn() {
        return schema.label();
    }

    /** The class names, indexed by class: {@code classNames().get(label)}. */
    public List<String> classNames() {
        return classes;
    }

    /** The name of every feature, in feature order: a numeric or index-encoded column's name, or {@code column=category}. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The feature columns of the table, in feature order: the raw columns {@link #featureNames()} encodes. */
    public List<String> featureColumns() {
        return fitted.stream().map(f -> f.feature().column()).toList();
    }

    /** The group columns (sensitive attributes), kept beside the features. */
    public List<String> groupColumns() {
        return schema.groups();
    }

    /**
     * The training mean of a numeric column.
     *
     * @throws IllegalArgumentException when the column is not a numeric feature
     */
    public double mean(String column) {
        return numeric(column).mean();
    }

    /**
     * The training population standard deviation of a numeric column (0 for a constant column).
     *
     * @throws IllegalArgumentException when the column is not a numeric feature
     */
    public double std(String column) {
        return numeric(column).std();
    }

    /**
     * The categories a categorical column learned, in encoding order (without the "other" slot).
     *
     * @throws IllegalArgumentException when the column is not a categorical feature
     */
    public List<String> categories(String column) {
        Fitted f = feature(column);
        if (f.feature().numeric()) {
            throw new IllegalArgumentException("column '" + column + "' is numeric, not categorical; it has a mean and"
                    + " std, not categories");
        }
        return f.categories();
    }

    private Fitted numeric(String column) {
        Fitted f = feature(column);
        if (!f.feature().numeric()) {
            throw new IllegalArgumentException("column '" + column + "' is categorical, not numeric; it has categories,"
                    + " not a mean and std");
        }
        return f;
    }

    private Fitted feature(String column) {
        requireNonNull(column, "column");
        for (Fitted f : fitted) {
            if (f.feature().column().equals(column)) {
                return f;
            }
        }
        List<String> cols = fitted.stream().map(f -> f.feature().column()).toList();
        throw new IllegalArgumentException("'" + column + "' is not a feature column; feature columns are: "
                + String.join(", ", cols));
    }

    /**
     * The transform as text: a header line, then one tab-separated line per item ({@code label},
     * {@code numeric}, {@code categorical}, {@code group}, {@code ignore}, {@code option}), with tab,
     * line break and backslash inside names escaped as {@code \t}, {@code \n}, {@code \r}, {@code \\}.
     */
    public String toText() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        List<String> label = new ArrayList<>(List.of("label", schema.label(), schema.classes().isEmpty() ? "learned"
                : "fixed"));
        label.addAll(classes);
        line(b, label);
        for (Fitted f : fitted) {
            if (f.feature().numeric()) {
                line(b, List.of("numeric", f.feature().column(), Double.toString(f.mean()), Double.toString(f.std())));
            } else {
                List<String> items = new ArrayList<>(List.of("categorical", f.feature().column(),
                        f.feature().encoding().name().toLowerCase(Locale.ROOT)));
                items.addAll(f.categories());
                line(b, items);
            }
        }
        for (String g : schema.groups()) {
            line(b, List.of("group", g));
        }
        for (String g : schema.ignored()) {
            line(b, List.of("ignore", g));
        }
        if (schema.unknownAsOther()) {
            line(b, List.of("option", "unknown-categories-as-other"));
        }
        if (schema.imputeMissing()) {
            line(b, List.of("option", "impute-missing"));
        }
        return b.toString();
    }

    /**
     * Reads a transform written by {@link #toText()}.
     *
     * @throws IllegalArgumentException when the text is not such a transform, naming the line and the fix
     */
    public static TabularTransform parse(String text) {
        requireNonNull(text, "text");
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("transform text line 1: expected '" + HEADER.replace('\t', ' ')
                    + "', got '" + Visible.tail(lines[0]) + "'; pass text written by TabularTransform.toText()");
        }
        String label = null;
        List<String> classes = List.of();
        boolean fixed = false;
        List<Fitted> fitted = new ArrayList<>();
        List<Schema.Feature> features = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        boolean other = false;
        boolean impute = false;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            List<String> f = fields(lines[i]);
            String where = "transform text line " + (i + 1) + " ('" + Visible.tail(lines[i]) + "')";
            try {
                switch (f.get(0)) {
                    case "label" -> {
                        label = f.get(1);
                        fixed = switch (f.get(2)) {
                            case "fixed" -> true;
                            case "learned" -> false;
                            default -> throw new IllegalArgumentException("'fixed' or 'learned' expected");
                        };
                        classes = f.subList(3, f.size());
                    }
                    case "numeric" -> {
                        expect(f, 4);
                        Schema.Feature feature = new Schema.Feature(f.get(1), null);
                        features.add(feature);
                        fitted.add(new Fitted(feature, Double.parseDouble(f.get(2)), Double.parseDouble(f.get(3)),
                                List.of()));
                    }
                    case "categorical" -> {
                        Schema.Feature feature = new Schema.Feature(f.get(1),
                                Encoding.valueOf(f.get(2).toUpperCase(Locale.ROOT)));
                        features.add(feature);
                        fitted.add(new Fitted(feature, 0, 0, f.subList(3, f.size())));
                    }
                    case "group" -> groups.add(f.get(1));
                    case "ignore" -> ignored.add(f.get(1));
                    case "option" -> {
                        switch (f.get(1)) {
                            case "unknown-categories-as-other" -> other = true;
                            case "impute-missing" -> impute = true;
                            default -> throw new IllegalArgumentException("unknown option");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown item '" + f.get(0) + "'");
                }
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " is not a valid transform line (" + e.getMessage()
                        + "); pass text written by TabularTransform.toText()", e);
            }
        }
        if (label == null || classes.size() < 2 || features.isEmpty()) {
            throw new IllegalArgumentException("transform text has no label line with two or more classes or no"
                    + " feature line; pass text written by TabularTransform.toText()");
        }
        Schema schema = new Schema(label, fixed ? classes : List.of(), features, groups, ignored, other, impute);
        return new TabularTransform(schema, classes, fitted);
    }

    private static void expect(List<String> f, int n) {
        if (f.size() != n) {
            throw new IllegalArgumentException(n + " fields expected, got " + f.size());
        }
    }

    private static void line(StringBuilder b, List<String> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append('\t');
            }
            String s = items.get(i);
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '\t' -> b.append("\\t");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    default -> b.append(c);
                }
            }
        }
        b.append('\n');
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int k = 0; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '\t') {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\\' && k + 1 < line.length()) {
                char n = line.charAt(++k);
                cur.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Index of each category, for encoding. */
    Map<String, Integer> index(Fitted f) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < f.categories().size(); i++) {
            m.put(f.categories().get(i), i);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TabularTransform t && schema.equals(t.schema) && classes.equals(t.classes)
                && fitted.equals(t.fitted);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, classes, fitted);
    }

    @Override
    public String toString() {
        return "TabularTransform[label " + schema.label() + " " + classes + ", " + featureNames.size() + " features, groups "
                + schema.groups() + "]";
    }
}

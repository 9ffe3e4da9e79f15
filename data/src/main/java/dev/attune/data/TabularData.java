package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.List;

/**
 * A table read by {@link Tabular}: the examples as {@link LabeledData} (float features
 * {@code [n, features]}), the group values of each example (sensitive attributes kept out of the
 * features), the transform that encoded them, the line each example came from, and the SHA-256 of
 * the file. Immutable.
 */
public final class TabularData {
    private final LabeledData data;
    private final TabularTransform transform;
    private final List<List<String>> groupsByColumn;
    private final int[] lines;
    private final String source;
    private final String sourceFingerprint;

    TabularData(LabeledData data, TabularTransform transform, List<String[]> groupsByExample, int[] lines,
                String source, String sourceFingerprint) {
        this.data = data;
        this.transform = transform;
        int columns = transform.groupColumns().size();
        String[][] byColumn = new String[columns][groupsByExample.size()];
        for (int i = 0; i < groupsByExample.size(); i++) {
            for (int c = 0; c < columns; c++) {
                byColumn[c][i] = groupsByExample.get(i)[c];
            }
        }
        this.groupsByColumn = Arrays.stream(byColumn).map(List::of).toList();
        this.lines = lines;
        this.source = source;
        this.sourceFingerprint = sourceFingerprint;
    }

    /** The examples: standardised numeric and encoded categorical features, and class indices. */
    public LabeledData data() {
        return data;
    }

    /** The number of examples. */
    public int size() {
        return data.size();
    }

    /** The transform that encoded these examples; apply it to other files of the same table. */
    public TabularTransform transform() {
        return transform;
    }

    /** The feature names, in column order of {@link LabeledData#features()}. */
    public List<String> featureNames() {
        return transform.featureNames();
    }

    /** The class names, indexed by class. */
    public List<String> classNames() {
        return transform.classNames();
    }

    /** The group columns, in declaration order. */
    public List<String> groupColumns() {
        return transform.groupColumns();
    }

    /**
     * The value of a group column for every example, in example order.
     *
     * @throws IllegalArgumentException when {@code column} is not a group column
     */
    public List<String> groups(String column) {
        requireNonNull(column, "column");
        int c = transform.groupColumns().indexOf(column);
        if (c < 0) {
            throw new IllegalArgumentException("'" + column + "' is not a group column; group columns are: "
                    + String.join(", ", transform.groupColumns()) + "; declare it with group(\"" + column + "\")");
        }
        return groupsByColumn.get(c);
    }

    /** The 1-based line of the file on which example {@code i} starts. */
    public int line(int example) {
        return lines[example];
    }

    /** The file (or bundled resource) the examples were read from. */
    public String source() {
        return source;
    }

    /** The SHA-256 of the file's bytes, in hex; {@link Tabular#fingerprint()} of the same file. */
    public String sourceFingerprint() {
        return sourceFingerprint;
    }

    @Override
    public String toString() {
        return "TabularData[" + size() + " examples, " + featureNames().size() + " features, classes " + classNames()
                + ", groups " + groupColumns() + ", from " + source + "]";
    }
}

package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table read by {@link Tabular}: the examples as {@link LabeledData} (float features
 * {@code [n, features]}), the group values of each example (sensitive attributes kept out of the
 * features), the transform that encoded them, which feature values were missing and imputed, the
 * line each example came from, and the SHA-256 of the file. Immutable.
 */
public final class TabularData {
    private final LabeledData data;
    private final TabularTransform transform;
    private final List<List<String>> groupsByColumn;
    private final Map<String, List<Boolean>> missing;
    private final int[] lines;
    private final String source;
    private final String sourceFingerprint;

    TabularData(LabeledData data, TabularTransform transform, List<String[]> groupsByExample,
                List<BitSet> missingByFeature, int[] lines, String source, String sourceFingerprint) {
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
        Map<String, List<Boolean>> m = new LinkedHashMap<>();
        int n = data.size();
        for (int j = 0; j < missingByFeature.size(); j++) {
            BitSet bits = (BitSet) missingByFeature.get(j).clone();
            m.put(transform.fitted().get(j).feature().column(), new AbstractList<>() {
                @Override
                public Boolean get(int i) {
                    Objects.checkIndex(i, n);
                    return bits.get(i);
                }

                @Override
                public int size() {
                    return n;
                }
            });
        }
        this.missing = Collections.unmodifiableMap(m);
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

    /**
     * For every feature column, in feature order, whether each example's value was missing in the
     * file (an empty CSV field, ARFF's {@code ?}) and so imputed: per example, in example order. All
     * false unless the table was read with {@link Tabular#imputeMissing()}, since a missing value is
     * refused otherwise. For the bias audit: {@code DataAudit.of(t.data()).missing(t.missing())}.
     */
    public Map<String, List<Boolean>> missing() {
        return missing;
    }

    /**
     * The number of examples whose value of a feature column was missing and imputed.
     *
     * @throws IllegalArgumentException when {@code column} is not a feature column
     */
    public int missingCount(String column) {
        requireNonNull(column, "column");
        List<Boolean> m = missing.get(column);
        if (m == null) {
            throw new IllegalArgumentException("'" + column + "' is not a feature column; feature columns are: "
                    + String.join(", ", missing.keySet()));
        }
        int count = 0;
        for (Boolean b : m) {
            count += b ? 1 : 0;
        }
        return count;
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

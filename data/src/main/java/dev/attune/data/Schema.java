package dev.attune.data;

import java.util.List;

/**
 * What a table's columns are for: the label, the feature columns in feature order, the group
 * columns, the columns to skip, and two options. Declared by {@link Tabular}, fitted into a
 * {@link TabularTransform}.
 *
 * @param label the label column, or {@code null} while undeclared
 * @param classes the classes in index order when the user fixed them, else empty
 * @param features the feature columns, in declaration order
 * @param groups the group columns (sensitive attributes), in declaration order
 * @param ignored columns that may be present and are skipped
 * @param unknownAsOther whether an unseen category maps to an extra "other" slot instead of failing
 * @param imputeMissing whether missing values are imputed instead of refused
 */
record Schema(String label, List<String> classes, List<Feature> features, List<String> groups,
              List<String> ignored, boolean unknownAsOther, boolean imputeMissing) {
    static final Schema EMPTY = new Schema(null, List.of(), List.of(), List.of(), List.of(), false, false);

    Schema {
        classes = List.copyOf(classes);
        features = List.copyOf(features);
        groups = List.copyOf(groups);
        ignored = List.copyOf(ignored);
    }

    /** A feature column; {@code encoding} is {@code null} for a numeric column. */
    record Feature(String column, Encoding encoding) {
        boolean numeric() {
            return encoding == null;
        }
    }

    /** The same schema without its ignored columns, to compare two declarations. */
    Schema withoutIgnored() {
        return new Schema(label, classes, features, groups, List.of(), unknownAsOther, imputeMissing);
    }

    /** Whether {@code column} already has a role (label, feature, group or ignored). */
    String roleOf(String column) {
        if (column.equals(label)) {
            return "the label";
        }
        for (Feature f : features) {
            if (f.column().equals(column)) {
                return f.numeric() ? "numeric" : "categorical";
            }
        }
        if (groups.contains(column)) {
            return "a group";
        }
        return ignored.contains(column) ? "ignored" : null;
    }
}

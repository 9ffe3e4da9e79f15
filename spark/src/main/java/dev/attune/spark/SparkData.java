package dev.attune.spark;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spark's data as Attune's {@link LabeledData}: a {@code Dataset<Row>} with named numeric feature
 * columns (or one array or ML vector column) and an integer label column, or an RDD of
 * {@link LabeledData} shards. Rows keep the Dataset's order (partition by partition), so the same
 * Dataset gives the same data and the same run; empty partitions contribute no rows.
 */
public final class SparkData {
    private SparkData() {
    }

    /**
     * The rows of {@code data} as labeled examples.
     *
     * @param labelColumn an integer column (or a numeric one holding whole numbers) of class indices from 0
     * @param featureColumns numeric columns, one feature each, or a single column of numeric arrays or ML vectors
     * @param numClasses the number of classes of the task, or 0 for the largest label plus one
     * @throws IllegalArgumentException when a column is missing or of the wrong type, a value is null or the
     *     arrays differ in length, naming the column and the fix
     */
    public static LabeledData fromDataset(Dataset<Row> data, String labelColumn, List<String> featureColumns,
                                          int numClasses) {
        boolean oneArray = checkColumns(data.schema(), labelColumn, featureColumns);
        List<Row> rows = selected(data, labelColumn, featureColumns).collectAsList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the Dataset has no rows; give at least one example per class");
        }
        RowBlock b = block(rows.iterator(), labelColumn, featureColumns, oneArray, -1);
        int classes = numClasses > 0 ? numClasses : Math.max(2, Arrays.stream(b.labels()).max().orElse(0) + 1);
        return LabeledData.of(Nd4j.createFromArray(b.features()).reshape('c', b.rows(), b.width()), b.labels(), classes);
    }

    /**
     * The Dataset's rows as one {@link RowBlock} per partition, converted where the partitions are; the
     * columns are checked here first.
     */
    static JavaRDD<RowBlock> blocks(Dataset<Row> data, String labelColumn, List<String> featureColumns) {
        boolean oneArray = checkColumns(data.schema(), labelColumn, featureColumns);
        List<String> features = new ArrayList<>(featureColumns);
        return selected(data, labelColumn, featureColumns).javaRDD().mapPartitionsWithIndex((p, rows) ->
                List.of(block(rows, labelColumn, features, oneArray, p)).iterator(), true);
    }

    /** Whether the features are one array or vector column; refuses missing columns and columns of other types. */
    private static boolean checkColumns(StructType schema, String labelColumn, List<String> featureColumns) {
        if (featureColumns == null || featureColumns.isEmpty()) {
            throw new IllegalArgumentException("no feature columns given; name the numeric feature columns, or one array"
                    + " or vector column, of " + describe(schema));
        }
        StructField label = field(schema, labelColumn, "label");
        if (!isNumeric(label.dataType())) {
            throw new IllegalArgumentException("label column '" + labelColumn + "' is of type " + label.dataType().simpleString()
                    + ", not a number; give class indices 0, 1, ... (for strings, map them with StringIndexer or a join)");
        }
        List<StructField> features = new ArrayList<>();
        for (String c : featureColumns) {
            features.add(field(schema, c, "feature"));
        }
        boolean oneArray = features.size() == 1 && isArrayOrVector(features.get(0).dataType());
        if (!oneArray) {
            for (StructField f : features) {
                if (!isNumeric(f.dataType())) {
                    throw new IllegalArgumentException("feature column '" + f.name() + "' is of type "
                            + f.dataType().simpleString() + ", not a number" + (isArrayOrVector(f.dataType())
                            ? "; an array or vector column must be the only feature column" : "")
                            + "; give numeric columns, or a single column of numeric arrays or ML vectors");
                }
            }
        }
        return oneArray;
    }

    private static Dataset<Row> selected(Dataset<Row> data, String labelColumn, List<String> featureColumns) {
        List<String> cols = new ArrayList<>(featureColumns);
        cols.add(labelColumn);
        return data.selectExpr(cols.stream().map(c -> "`" + c + "`").toArray(String[]::new));
    }

    /**
     * The selected rows (features, then the label) as a block; {@code partition} names the partition in
     * refusals ({@code -1}: the rows are the whole Dataset's).
     */
    private static RowBlock block(Iterator<Row> it, String labelColumn, List<String> featureColumns, boolean oneArray,
                                  int partition) {
        List<Row> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        if (rows.isEmpty()) {
            return RowBlock.empty();
        }
        String first = featureColumns.get(0);
        int width = oneArray ? values(rows.get(0), 0, first, at(0, partition)).length : featureColumns.size();
        float[] x = new float[rows.size() * width];
        int[] y = new int[rows.size()];
        int labelAt = featureColumns.size();
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            String at = at(r, partition);
            if (oneArray) {
                double[] v = values(row, 0, first, at);
                if (v.length != width) {
                    throw new IllegalArgumentException("feature column '" + first + "' holds " + v.length
                            + " values in " + at + " but " + width + " in " + at(0, partition)
                            + "; give every row the same length");
                }
                for (int j = 0; j < width; j++) {
                    x[r * width + j] = (float) v[j];
                }
            } else {
                for (int j = 0; j < width; j++) {
                    x[r * width + j] = (float) number(row, j, featureColumns.get(j), at);
                }
            }
            double l = number(row, labelAt, labelColumn, at);
            if (l != Math.rint(l) || l < 0) {
                throw new IllegalArgumentException("label column '" + labelColumn + "' holds " + l + " in " + at
                        + "; give class indices 0, 1, ...");
            }
            y[r] = (int) l;
        }
        return new RowBlock(rows.size(), new long[] {width}, x, y, 0);
    }

    private static String at(int row, int partition) {
        return partition < 0 ? "row " + row : "row " + row + " of partition " + partition;
    }

    /** {@link #fromDataset(Dataset, String, List, int)} with the class count taken from the labels. */
    public static LabeledData fromDataset(Dataset<Row> data, String labelColumn, String... featureColumns) {
        return fromDataset(data, labelColumn, Arrays.asList(featureColumns), 0);
    }

    /**
     * The shards of {@code shards}, in partition order, as one data set; empty partitions contribute nothing.
     *
     * @throws IllegalArgumentException when there is no shard, or shards differ in class count or example shape
     */
    public static LabeledData fromShards(JavaRDD<LabeledData> shards) {
        List<LabeledData> all = shards.collect();
        if (all.isEmpty()) {
            throw new IllegalArgumentException("the RDD holds no LabeledData shard (every partition is empty); give at"
                    + " least one shard");
        }
        LabeledData first = all.get(0);
        List<org.nd4j.linalg.api.ndarray.INDArray> xs = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < all.size(); i++) {
            LabeledData s = all.get(i);
            if (s.numClasses() != first.numClasses() || !Arrays.equals(s.exampleShape(), first.exampleShape())) {
                throw new IllegalArgumentException("shard " + i + " is " + s + " but shard 0 is " + first
                        + "; give every shard the same class count and example shape");
            }
            xs.add(s.features());
            n += s.size();
        }
        int[] y = new int[n];
        int at = 0;
        for (LabeledData s : all) {
            System.arraycopy(s.labels(), 0, y, at, s.size());
            at += s.size();
        }
        return LabeledData.of(Nd4j.concat(0, xs.toArray(org.nd4j.linalg.api.ndarray.INDArray[]::new)), y,
                first.numClasses());
    }

    private static StructField field(StructType schema, String name, String role) {
        if (name == null || Arrays.stream(schema.fieldNames()).noneMatch(name::equals)) {
            throw new IllegalArgumentException("the Dataset has no " + role + " column '" + name + "'; its columns are "
                    + describe(schema) + "; name one of them");
        }
        return schema.apply(name);
    }

    private static String describe(StructType schema) {
        StringBuilder b = new StringBuilder("[");
        for (StructField f : schema.fields()) {
            b.append(b.length() > 1 ? ", " : "").append(f.name()).append(": ").append(f.dataType().simpleString());
        }
        return b.append(']').toString();
    }

    private static boolean isNumeric(DataType t) {
        return t.equals(DataTypes.ByteType) || t.equals(DataTypes.ShortType) || t.equals(DataTypes.IntegerType)
                || t.equals(DataTypes.LongType) || t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType)
                || t instanceof DecimalType;
    }

    private static boolean isArrayOrVector(DataType t) {
        return t instanceof ArrayType a && isNumeric(a.elementType()) || t.typeName().equals("vector");
    }

    private static double number(Row row, int i, String column, String at) {
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException("column '" + column + "' is null in " + at
                    + "; drop or impute missing values (Dataset.na()) before training");
        }
        return ((Number) row.get(i)).doubleValue();
    }

    private static double[] values(Row row, int i, String column, String at) {
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException("column '" + column + "' is null in " + at
                    + "; drop or impute missing values (Dataset.na()) before training");
        }
        Object v = row.get(i);
        if (v instanceof scala.collection.Seq<?> seq) {
            List<?> list = scala.collection.JavaConverters.seqAsJavaList(seq);
            double[] out = new double[list.size()];
            for (int j = 0; j < out.length; j++) {
                if (list.get(j) == null) {
                    throw new IllegalArgumentException("column '" + column + "' holds a null in " + at + " at " + j
                            + "; drop or impute missing values before training");
                }
                out[j] = ((Number) list.get(j)).doubleValue();
            }
            return out;
        }
        try {
            // An ML vector (spark-mllib, not a dependency here): its toArray().
            return (double[]) v.getClass().getMethod("toArray").invoke(v);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("column '" + column + "' holds a " + v.getClass().getName()
                    + ", neither a numeric array nor an ML vector; give numbers", e);
        }
    }
}

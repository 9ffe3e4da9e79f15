package dev.attune.spark;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Eight-feature test data as a Dataset on {@link LocalSpark}: columns f0..f7 (doubles) and label (int). */
final class Frames {
    private static final int FEATURES = 8;

    private Frames() {
    }

    /** {@code data} in {@code partitions} partitions. */
    static Dataset<Row> of(LabeledData data, int partitions) {
        return LocalSpark.session().createDataFrame(LocalSpark.context().parallelize(rows(data), partitions), schema());
    }

    /** Features {@code x} ({@code [n, 8]}, NaN allowed) and labels {@code y} in {@code partitions} partitions. */
    static Dataset<Row> of(INDArray x, int[] y, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            Object[] v = new Object[FEATURES + 1];
            for (int j = 0; j < FEATURES; j++) {
                v[j] = x.getDouble(i, j);
            }
            v[FEATURES] = y[i];
            rows.add(RowFactory.create(v));
        }
        return LocalSpark.session().createDataFrame(LocalSpark.context().parallelize(rows, partitions), schema());
    }

    /** {@code data} as a local relation, partitioned as Spark chooses. */
    static Dataset<Row> of(LabeledData data) {
        return LocalSpark.session().createDataFrame(rows(data), schema());
    }

    private static List<Row> rows(LabeledData data) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Object[] v = new Object[FEATURES + 1];
            for (int j = 0; j < FEATURES; j++) {
                v[j] = data.features().getDouble(i, j);
            }
            v[FEATURES] = data.label(i);
            rows.add(RowFactory.create(v));
        }
        return rows;
    }

    private static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            fields.add(DataTypes.createStructField("f" + j, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
        return DataTypes.createStructType(fields);
    }
}

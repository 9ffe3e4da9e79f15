package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.data.Tabular;
import dev.attune.data.TabularTransform;
import dev.attune.data.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A packaged model ready to serve: raw input in, class probabilities and labels out, with the
 * package's own preprocessing in between. Made by {@link ModelPackage#predictor()} (or
 * {@link ModelPackage#predictor(dev.attune.Network)} for an adapter package). Each method accepts the
 * input of one {@link InputKind} and refuses the others.
 *
 * <ul>
 *   <li>Tabular: a map of column to value, or a CSV row whose fields are
 *       {@link InputSignature#columns()} in that order (RFC 4180 quoting). Values are encoded with the
 *       packaged {@link TabularTransform} exactly as {@code Tabular.read(transform)} encodes a file;
 *       a bad value is refused as it would be there (not a number, an unseen category, a missing value
 *       unless the transform imputes them), naming the column. Other keys of a map (the label, group
 *       columns, anything else) are not used.</li>
 *   <li>Text: tokenized with the packaged {@code tokenizer.json} at the packaged maximum length and
 *       padding, as {@code WordPieceTokenizer.encode(texts).features()} does.</li>
 *   <li>Image: the pixel values of one image in row-major order, each computed as
 *       {@code pixel / divisor} in float arithmetic (as {@code Idx} and the bundled images scale 8-bit
 *       pixels), shaped as {@link InputSignature#exampleShape()}.</li>
 * </ul>
 *
 * <p>The outputs are the model's own float outputs on those features, bit for bit. Thread-safe as the
 * model is: calls are serialised on it (see {@code Network}).
 */
public final class Predictor {
    private final InputSignature input;
    private final List<String> classNames;
    private final UnaryOperator<INDArray> model;
    private final TabularTransform transform;
    private final WordPieceTokenizer tokenizer;
    private final float divisor;

    Predictor(InputSignature input, List<String> classNames, UnaryOperator<INDArray> model, TabularTransform transform,
              WordPieceTokenizer tokenizer, float divisor) {
        this.input = input;
        this.classNames = List.copyOf(classNames);
        this.model = model;
        this.transform = transform;
        this.tokenizer = tokenizer;
        this.divisor = divisor;
    }

    /** What the model takes. */
    public InputSignature input() {
        return input;
    }

    /** The class names, in output order. */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Predicts one table row given as column values.
     *
     * @throws IllegalStateException when the package is not of a tabular model
     * @throws IllegalArgumentException when a feature column is missing from the map, or a value is
     *     refused by the transform (the message names the column and value)
     */
    public Prediction predict(Map<String, String> row) {
        requireNonNull(row, "row");
        return predictRows(List.of(row)).get(0);
    }

    /**
     * Predicts table rows given as column values, in one batch.
     *
     * @throws IllegalStateException when the package is not of a tabular model
     * @throws IllegalArgumentException as {@link #predict(Map)}, or for no rows
     */
    public List<Prediction> predictRows(List<Map<String, String>> rows) {
        requireNonNull(rows, "rows");
        require(InputKind.TABULAR, "predict(Map) takes table rows");
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to predict; give at least one");
        }
        StringBuilder csv = new StringBuilder(header());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = requireNonNull(rows.get(i), "row " + i);
            List<String> fields = new ArrayList<>();
            for (String c : input.columns()) {
                String v = row.get(c);
                if (v == null) {
                    throw new IllegalArgumentException("row " + i + " has no value for feature column '" + c
                            + "'; give every feature column (" + String.join(", ", input.columns()) + "), an empty"
                            + " string for a missing value");
                }
                fields.add(quote(v));
            }
            csv.append(String.join(",", fields)).append(tail()).append('\n');
        }
        return predict(encode(csv.toString(), rows.size()));
    }

    /**
     * Predicts one table row given as a CSV line: the values of {@link InputSignature#columns()} in
     * that order, comma-separated, quoted as RFC 4180 quotes them.
     *
     * @throws IllegalStateException when the package is not of a tabular model
     * @throws IllegalArgumentException for a line with another number of fields, more than one row, or
     *     a value the transform refuses
     */
    public Prediction predictCsvRow(String csvRow) {
        requireNonNull(csvRow, "csvRow");
        require(InputKind.TABULAR, "predictCsvRow takes a table row");
        String row = csvRow.endsWith("\r\n") ? csvRow.substring(0, csvRow.length() - 2)
                : csvRow.endsWith("\n") ? csvRow.substring(0, csvRow.length() - 1) : csvRow;
        return predict(encode(header() + row + tail() + "\n", 1)).get(0);
    }

    /**
     * Predicts one text.
     *
     * @throws IllegalStateException when the package is not of a text model
     */
    public Prediction predictText(String text) {
        requireNonNull(text, "text");
        return predictTexts(List.of(text)).get(0);
    }

    /**
     * Predicts texts, in one batch.
     *
     * @throws IllegalStateException when the package is not of a text model
     * @throws IllegalArgumentException for no texts
     */
    public List<Prediction> predictTexts(List<String> texts) {
        requireNonNull(texts, "texts");
        require(InputKind.TEXT, "predictText takes texts");
        return predict(tokenizer.encode(texts).features());
    }

    /**
     * Predicts one image from its raw pixel values (row-major, as many as the example shape holds).
     *
     * @throws IllegalStateException when the package is not of an image model
     * @throws IllegalArgumentException for another number of values, or a value that is not finite
     */
    public Prediction predictImage(float[] pixels) {
        requireNonNull(pixels, "pixels");
        return predictImages(List.of(pixels)).get(0);
    }

    /**
     * Predicts images, in one batch.
     *
     * @throws IllegalStateException when the package is not of an image model
     * @throws IllegalArgumentException as {@link #predictImage(float[])}, or for no images
     */
    public List<Prediction> predictImages(List<float[]> images) {
        requireNonNull(images, "images");
        require(InputKind.IMAGE, "predictImage takes pixel values");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to predict; give at least one");
        }
        int size = (int) input.exampleSize();
        float[] flat = new float[Math.multiplyExact(size, images.size())];
        for (int i = 0; i < images.size(); i++) {
            float[] p = requireNonNull(images.get(i), "image " + i);
            if (p.length != size) {
                throw new IllegalArgumentException("image " + i + " has " + p.length + " values, but the model takes "
                        + size + " (shape " + input.exampleShape() + "); give the pixels of one image, row-major");
            }
            for (int j = 0; j < size; j++) {
                if (!Float.isFinite(p[j])) {
                    throw new IllegalArgumentException("image " + i + ", value " + j + " is " + p[j]
                            + "; pixel values must be finite numbers");
                }
                flat[i * size + j] = p[j] / divisor;
            }
        }
        long[] shape = new long[input.exampleShape().size() + 1];
        shape[0] = images.size();
        for (int d = 1; d < shape.length; d++) {
            shape[d] = input.exampleShape().get(d - 1);
        }
        return predict(Nd4j.create(flat, shape, 'c'));
    }

    /**
     * The model's raw output (class probabilities) on features that are already preprocessed, of shape
     * {@code [n, exampleShape...]}.
     *
     * @throws IllegalArgumentException for features the model refuses (wrong shape, not finite)
     */
    public INDArray output(INDArray features) {
        requireNonNull(features, "features");
        return model.apply(features);
    }

    private List<Prediction> predict(INDArray features) {
        INDArray out = model.apply(features);
        float[][] p = out.castTo(DataType.FLOAT).toFloatMatrix();
        List<Prediction> predictions = new ArrayList<>(p.length);
        for (float[] row : p) {
            int best = 0;
            List<Double> probabilities = new ArrayList<>(row.length);
            for (int c = 0; c < row.length; c++) {
                probabilities.add((double) row[c]);
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            predictions.add(new Prediction(best, classNames.get(best), probabilities, classNames));
        }
        return predictions;
    }

    private void require(InputKind kind, String what) {
        if (input.kind() != kind) {
            throw new IllegalStateException(what + ", but this package's model takes " + input.kind().name()
                    .toLowerCase(java.util.Locale.ROOT) + " input; call " + switch (input.kind()) {
                        case TABULAR -> "predict(Map) or predictCsvRow(String)";
                        case TEXT -> "predictText(String)";
                        case IMAGE -> "predictImage(float[])";
                    });
        }
    }

    /**
     * The header of the CSV handed to the transform: the feature columns, then the label and group
     * columns that are not features, which a request does not carry: they get placeholder values
     * (the first class, {@code "-"}) that take no part in the features.
     */
    private String header() {
        List<String> cols = new ArrayList<>();
        for (String c : extraColumns()) {
            cols.add(quote(c));
        }
        List<String> all = new ArrayList<>();
        input.columns().forEach(c -> all.add(quote(c)));
        all.addAll(cols);
        return String.join(",", all) + "\n";
    }

    private Set<String> extraColumns() {
        Set<String> extra = new LinkedHashSet<>();
        extra.add(transform.labelColumn());
        for (String g : transform.groupColumns()) {
            if (!input.columns().contains(g)) {
                extra.add(g);
            }
        }
        return extra;
    }

    private String tail() {
        StringBuilder b = new StringBuilder();
        for (String c : extraColumns()) {
            b.append(',').append(quote(c.equals(transform.labelColumn()) ? classNames.get(0) : "-"));
        }
        return b.toString();
    }

    private INDArray encode(String csv, int rows) {
        dev.attune.data.TabularData data;
        try {
            data = Tabular.csvText("the request", csv).read(transform);
        } catch (AttuneException e) {
            throw new IllegalArgumentException("the row is not valid CSV for the columns " + input.columns() + ": "
                    + e.getMessage(), e);
        }
        if (data.size() != rows) {
            throw new IllegalArgumentException("the input holds " + data.size() + " rows, expected " + rows
                    + "; give one row per call (quote a value that holds a line break)");
        }
        return data.data().features();
    }

    private static String quote(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}

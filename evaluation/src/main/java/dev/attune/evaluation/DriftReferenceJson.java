package dev.attune.evaluation;

import dev.attune.AttuneException;
import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link DriftReference} as JSON of schema {@value DriftReference#SCHEMA}, written and read back:
 *
 * <pre>
 * {"schema": "attune-drift-reference/1", "bins": 10,
 *  "features": [{"name": "age", "values": [..every reference value, sorted..]}, ..],
 *  "embeddings": null | {"rows": n, "mean": [..], "spread": s},
 *  "predictions": null | {"rows": n, "classShares": [..], "meanConfidence": c}}
 * </pre>
 *
 * The bins and shares are derived again on reading, so they cannot disagree with the values.
 */
final class DriftReferenceJson {
    private static final String PREFIX = "attune-drift-reference/";
    private static final int VERSION = 1;
    private static final int MAX_DEPTH = 8;

    private DriftReferenceJson() {
    }

    static String toJson(DriftReference r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schema", DriftReference.SCHEMA);
        o.put("bins", r.bins());
        List<Object> features = new ArrayList<>();
        for (int f = 0; f < r.featureNames().size(); f++) {
            Map<String, Object> feature = new LinkedHashMap<>();
            feature.put("name", r.featureNames().get(f));
            feature.put("values", list(r.sortedColumn(f)));
            features.add(feature);
        }
        o.put("features", features);
        if (r.hasEmbeddings()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("rows", r.embeddingRows());
            e.put("mean", list(r.embeddingMean()));
            e.put("spread", r.embeddingSpread());
            o.put("embeddings", e);
        } else {
            o.put("embeddings", null);
        }
        if (r.hasPredictions()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("rows", r.predictionRows());
            p.put("classShares", list(r.classSharesRaw()));
            p.put("meanConfidence", r.meanConfidenceRaw());
            o.put("predictions", p);
        } else {
            o.put("predictions", null);
        }
        return Json.write(o);
    }

    static void write(DriftReference r, Path file) {
        String json = toJson(r);
        try {
            AtomicFiles.write(file, tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AttuneException("could not write the drift reference " + file + ": " + e.getMessage(), e);
        }
    }

    static DriftReference read(Path file) {
        String where = "drift reference " + file;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new AttuneException("no drift reference at " + file.toAbsolutePath() + "; give the path of a file"
                    + " written by DriftReference.write", e);
        } catch (IOException e) {
            throw new AttuneException("could not read the " + where + ": " + AtomicFiles.describe(e)
                    + "; a file written by DriftReference.write is UTF-8 JSON", e);
        }
        return fromJson(text, where);
    }

    /** Parses the JSON of a reference; {@code where} names its source in every message ("drift reference x"). */
    static DriftReference fromJson(String text, String where) {
        Object root;
        try {
            root = Json.parse(text, MAX_DEPTH);
        } catch (IllegalArgumentException e) {
            throw new AttuneException(where + " is not valid JSON (" + e.getMessage() + "); the file is damaged:"
                    + " write the reference again with DriftReference.write", e);
        }
        if (!(root instanceof Map<?, ?> m) || !(m.get("schema") instanceof String schema) || !schema.startsWith(PREFIX)) {
            Object schema = root instanceof Map<?, ?> m2 ? m2.get("schema") : null;
            throw new AttuneException(where + " is not a drift reference: its schema is " + (schema == null ? "missing"
                    : "'" + schema + "'") + ", not " + DriftReference.SCHEMA + "; give a file written by"
                    + " DriftReference.write");
        }
        int version;
        try {
            version = Integer.parseInt(schema.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            throw new AttuneException(where + " names the schema '" + schema + "', which has no version number;"
                    + " write the reference again with DriftReference.write", e);
        }
        if (version > VERSION) {
            throw new AttuneException(where + " is of schema " + schema + ", written by a newer Attune; this version"
                    + " reads " + DriftReference.SCHEMA + ": upgrade Attune to read it, or build the reference again");
        }
        if (version < VERSION) {
            throw new AttuneException(where + " is of schema " + schema + ", which no Attune version wrote; this"
                    + " version reads " + DriftReference.SCHEMA + ": build the reference again");
        }
        try {
            return parse(m);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | NullPointerException e) {
            throw new AttuneException(where + " is damaged: " + e.getMessage() + "; write the reference again with"
                    + " DriftReference.write", e);
        }
    }

    private static DriftReference parse(Map<?, ?> m) {
        int bins = integer(m, "bins", "bins");
        if (bins < 2 || bins > 1000) {
            throw new IllegalArgumentException("'bins' is " + bins + ", outside [2, 1000]");
        }
        List<?> features = list(m, "features", "features");
        List<String> names = new ArrayList<>();
        double[][] columns = new double[features.size()][];
        for (int f = 0; f < features.size(); f++) {
            String at = "features[" + f + "]";
            if (!(features.get(f) instanceof Map<?, ?> feature)) {
                throw new IllegalArgumentException("'" + at + "' is not an object");
            }
            if (!(feature.get("name") instanceof String name)) {
                throw new IllegalArgumentException("'" + at + ".name' is missing or not a string");
            }
            names.add(name);
            columns[f] = numbers(feature, "values", at + ".values");
            if (columns[f].length == 0 || columns[f].length != columns[0].length) {
                throw new IllegalArgumentException("'" + at + ".values' holds " + columns[f].length + " values, but "
                        + (f == 0 ? "a feature needs at least one" : "'features[0].values' " + columns[0].length));
            }
        }
        if (!names.isEmpty()) {
            DriftReference.Builder.checkNames(names);
        }
        double[] mean = null;
        double spread = 0;
        int embeddingRows = 0;
        if (m.get("embeddings") != null) {
            Map<?, ?> e = object(m, "embeddings");
            embeddingRows = positive(e, "rows", "embeddings.rows");
            mean = numbers(e, "mean", "embeddings.mean");
            spread = number(e, "spread", "embeddings.spread");
            if (mean.length == 0 || !(spread > 0)) {
                throw new IllegalArgumentException("'embeddings' has " + mean.length + " dimensions and spread " + spread
                        + "; a reference's embeddings have at least one dimension and a spread above 0");
            }
        }
        double[] classShares = null;
        double confidence = 0;
        int predictionRows = 0;
        if (m.get("predictions") != null) {
            Map<?, ?> p = object(m, "predictions");
            predictionRows = positive(p, "rows", "predictions.rows");
            classShares = numbers(p, "classShares", "predictions.classShares");
            confidence = number(p, "meanConfidence", "predictions.meanConfidence");
            double sum = 0;
            for (double s : classShares) {
                if (!(s >= 0 && s <= 1)) {
                    throw new IllegalArgumentException("'predictions.classShares' holds " + s + ", outside [0, 1]");
                }
                sum += s;
            }
            if (classShares.length < 2 || Math.abs(sum - 1) > 1e-9) {
                throw new IllegalArgumentException("'predictions.classShares' holds " + classShares.length
                        + " shares summing to " + sum + "; 2 or more shares summing to 1 are expected");
            }
            if (!(confidence >= 1.0 / classShares.length - 1e-12 && confidence <= 1)) {
                throw new IllegalArgumentException("'predictions.meanConfidence' is " + confidence + ", outside [1/"
                        + classShares.length + ", 1]");
            }
        }
        if (names.isEmpty() && mean == null && classShares == null) {
            throw new IllegalArgumentException("it holds no features, embeddings or predictions");
        }
        return new DriftReference(names, columns, bins, mean, spread, embeddingRows, classShares, confidence,
                predictionRows);
    }

    private static List<Double> list(double[] values) {
        List<Double> l = new ArrayList<>(values.length);
        for (double v : values) {
            l.add(v);
        }
        return l;
    }

    private static Map<?, ?> object(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Map<?, ?> o)) {
            throw new IllegalArgumentException("'" + key + "' is not an object");
        }
        return o;
    }

    private static List<?> list(Map<?, ?> m, String key, String at) {
        if (!(m.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + at + "' is missing or not an array");
        }
        return l;
    }

    private static double number(Map<?, ?> m, String key, String at) {
        if (!(m.get(key) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException("'" + at + "' is missing or not a finite number");
        }
        return n.doubleValue();
    }

    private static int integer(Map<?, ?> m, String key, String at) {
        double v = number(m, key, at);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + at + "' is " + v + ", not a whole number");
        }
        return (int) v;
    }

    private static int positive(Map<?, ?> m, String key, String at) {
        int v = integer(m, key, at);
        if (v < 1) {
            throw new IllegalArgumentException("'" + at + "' is " + v + "; at least 1 is expected");
        }
        return v;
    }

    private static double[] numbers(Map<?, ?> m, String key, String at) {
        List<?> l = list(m, key, at);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("'" + at + "[" + i + "]' is " + l.get(i) + ", not a finite number");
            }
            v[i] = n.doubleValue();
        }
        return v;
    }
}

package dev.attune.deploy;

import dev.attune.AttuneException;
import dev.attune.Provenance;
import dev.attune.internal.io.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A package's manifest ({@value #ENTRY}): what the package holds and the SHA-256 of every other entry.
 * Written as JSON by the builder and read back strictly; every field is checked for its type, and a
 * manifest of another format version is refused before anything else is read from it.
 *
 * @param name the model's name
 * @param attuneVersion the Attune version that wrote the package
 * @param model {@code kind} ({@code merged} or {@code adapter}), {@code entry}, and {@code fingerprint}
 *     for a merged model or {@code baseFingerprint}, {@code method} and {@code baseModel} for an adapter
 * @param classes the class names, in output order
 * @param input the input signature
 * @param preprocessing {@code kind} and its parameters (the transform's or tokenizer's entry, the
 *     maximum length and padding, an image's divisor)
 * @param metrics headline figures of the packaged evaluation, by name (empty without one)
 * @param provenance how the model was made, when known
 * @param entries every other entry of the package, with its size and SHA-256
 */
record Manifest(String name, String attuneVersion, Map<String, String> model, List<String> classes,
                InputSignature input, Map<String, String> preprocessing, Map<String, Double> metrics,
                Optional<Provenance> provenance, List<PackageEntry> entries) {
    /** The manifest's entry name. */
    static final String ENTRY = "attune-package.json";
    /** The format this version writes and reads. */
    static final String FORMAT = "attune-package/1";
    static final String FORMAT_PREFIX = "attune-package/";
    static final int VERSION = 1;

    Manifest {
        model = Map.copyOf(model);
        classes = List.copyOf(classes);
        preprocessing = Map.copyOf(preprocessing);
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        entries = List.copyOf(entries);
    }

    /** The manifest as JSON, in a fixed field order. */
    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("name", name);
        m.put("attuneVersion", attuneVersion);
        m.put("model", new java.util.TreeMap<>(model));
        m.put("classes", classes);
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("kind", input.kind().name().toLowerCase(Locale.ROOT));
        in.put("columns", input.columns());
        in.put("exampleShape", input.exampleShape());
        in.put("dataType", input.dataType());
        in.put("names", input.names());
        m.put("input", in);
        m.put("preprocessing", new java.util.TreeMap<>(preprocessing));
        m.put("metrics", metrics);
        provenance.ifPresent(p -> m.put("provenance", provenance(p)));
        List<Object> list = new ArrayList<>();
        for (PackageEntry e : entries) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", e.name());
            o.put("size", e.size());
            o.put("sha256", e.sha256());
            list.add(o);
        }
        m.put("entries", list);
        return Json.write(m);
    }

    private static Map<String, Object> provenance(Provenance p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("config", new java.util.TreeMap<>(p.config()));
        o.put("seed", p.seed());
        o.put("baseModel", p.baseModel());
        o.put("trainData", p.trainData());
        o.put("validationData", p.validationData());
        o.put("attuneVersion", java.util.Objects.toString(p.attuneVersion(), ""));
        o.put("dl4jVersion", java.util.Objects.toString(p.dl4jVersion(), ""));
        o.put("javaVersion", java.util.Objects.toString(p.javaVersion(), ""));
        o.put("backend", java.util.Objects.toString(p.backend(), ""));
        o.put("os", java.util.Objects.toString(p.os(), ""));
        o.put("startedAt", p.startedAt().toString());
        o.put("warnings", p.warnings());
        o.put("resultModel", p.resultModel());
        o.put("resultAdapter", p.resultAdapter());
        return o;
    }

    /**
     * The format a manifest declares, read before the rest so that a newer package is refused as newer,
     * not as malformed.
     *
     * @throws AttuneException when the text is not a JSON object with a {@code format} of this family
     */
    static int version(Object root, String where) {
        if (!(root instanceof Map<?, ?> m) || !(m.get("format") instanceof String f) || !f.startsWith(FORMAT_PREFIX)) {
            throw new AttuneException(where + ": the manifest " + ENTRY + " declares no '" + FORMAT_PREFIX + "N' format;"
                    + " this is not an Attune package: write it with ModelPackage.builder(...).write(path)");
        }
        try {
            return Integer.parseInt(f.substring(FORMAT_PREFIX.length()));
        } catch (NumberFormatException e) {
            throw new AttuneException(where + ": the manifest's format '" + f + "' has no version number; write the"
                    + " package again with ModelPackage.builder(...).write(path)", e);
        }
    }

    /**
     * Reads a manifest of this version.
     *
     * @throws AttuneException naming the field that is missing or of the wrong type
     */
    static Manifest parse(Map<?, ?> m, String where) {
        Reader r = new Reader(where);
        String name = r.string(m, "name");
        String version = r.string(m, "attuneVersion");
        Map<String, String> model = r.strings(r.object(m, "model"), "model");
        List<String> classes = r.stringList(m, "classes");
        Map<?, ?> in = r.object(m, "input");
        InputKind kind;
        try {
            kind = InputKind.valueOf(r.string(in, "kind").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw r.bad("input.kind", "one of tabular, text, image");
        }
        List<Long> shape = new ArrayList<>();
        for (Object o : r.list(in, "exampleShape")) {
            if (!(o instanceof Long l) || l < 1) {
                throw r.bad("input.exampleShape", "a list of positive integers");
            }
            shape.add(l);
        }
        InputSignature input = new InputSignature(kind, r.stringList(in, "columns"), shape, r.string(in, "dataType"),
                r.stringList(in, "names"));
        Map<String, String> preprocessing = r.strings(r.object(m, "preprocessing"), "preprocessing");
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : r.object(m, "metrics").entrySet()) {
            Object v = e.getValue();
            metrics.put((String) e.getKey(), v == null ? Double.NaN : r.number(v, "metrics." + e.getKey()));
        }
        Optional<Provenance> provenance = Optional.empty();
        if (m.containsKey("provenance")) {
            provenance = Optional.of(r.provenance(r.object(m, "provenance")));
        }
        List<PackageEntry> entries = new ArrayList<>();
        for (Object o : r.list(m, "entries")) {
            if (!(o instanceof Map<?, ?> e)) {
                throw r.bad("entries", "a list of objects");
            }
            Object size = e.get("size");
            if (!(size instanceof Long s) || s < 0) {
                throw r.bad("entries[].size", "a whole number of bytes");
            }
            String sha = r.string(e, "sha256");
            if (!sha.matches("[0-9a-f]{64}")) {
                throw r.bad("entries[].sha256", "64 lower-case hex digits");
            }
            entries.add(new PackageEntry(r.string(e, "name"), s, sha));
        }
        return new Manifest(name, version, model, classes, input, preprocessing, metrics, provenance, entries);
    }

    /** Typed access to the parsed JSON, failing with the field's name. */
    private record Reader(String where) {
        AttuneException bad(String field, String expected) {
            return new AttuneException(where + ": the manifest's field '" + field + "' is missing or not " + expected
                    + "; the manifest is damaged: write the package again with ModelPackage.builder(...).write(path)");
        }

        String string(Map<?, ?> m, String key) {
            if (m.get(key) instanceof String s) {
                return s;
            }
            throw bad(key, "a string");
        }

        Map<?, ?> object(Map<?, ?> m, String key) {
            if (m.get(key) instanceof Map<?, ?> o) {
                return o;
            }
            throw bad(key, "an object");
        }

        List<?> list(Map<?, ?> m, String key) {
            if (m.get(key) instanceof List<?> l) {
                return l;
            }
            throw bad(key, "a list");
        }

        List<String> stringList(Map<?, ?> m, String key) {
            List<String> out = new ArrayList<>();
            for (Object o : list(m, key)) {
                if (!(o instanceof String s)) {
                    throw bad(key, "a list of strings");
                }
                out.add(s);
            }
            return out;
        }

        Map<String, String> strings(Map<?, ?> m, String key) {
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof String s)) {
                    throw bad(key + "." + e.getKey(), "a string");
                }
                out.put((String) e.getKey(), s);
            }
            return out;
        }

        double number(Object v, String field) {
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw bad(field, "a number");
        }

        Provenance provenance(Map<?, ?> p) {
            if (!(p.get("seed") instanceof Long seed)) {
                throw bad("provenance.seed", "a whole number");
            }
            Instant started;
            try {
                started = Instant.parse(string(p, "startedAt"));
            } catch (DateTimeParseException e) {
                throw bad("provenance.startedAt", "an ISO-8601 instant");
            }
            return new Provenance(strings(object(p, "config"), "provenance.config"), seed, string(p, "baseModel"),
                    string(p, "trainData"), string(p, "validationData"), string(p, "attuneVersion"),
                    string(p, "dl4jVersion"), string(p, "javaVersion"), string(p, "backend"), string(p, "os"), started,
                    stringList(p, "warnings"), optionalString(p, "resultModel"), optionalString(p, "resultAdapter"));
        }

        /** A string a package of an earlier Attune may lack: empty then. */
        String optionalString(Map<?, ?> m, String key) {
            return m.containsKey(key) ? string(m, key) : "";
        }
    }
}

package dev.attune;

import dev.attune.internal.io.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a {@link Provenance} back from its text form ({@link Provenance#asText()}), and that form as JSON. */
final class ProvenanceText {
    private static final String CONFIG = "config.";
    private static final List<String> REQUIRED = List.of("seed", "baseModel", "trainData", "validationData",
            "attuneVersion", "dl4jVersion", "javaVersion", "backend", "os", "startedAt", "warnings");
    private static final List<String> OPTIONAL = List.of("resultModel", "resultAdapter");
    /** A provenance's JSON is one flat object. */
    private static final int MAX_DEPTH = 2;

    private ProvenanceText() {
    }

    static Provenance read(Map<String, String> text) {
        List<String> unknown = new ArrayList<>();
        Map<String, String> config = new LinkedHashMap<>();
        text.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("the provenance text holds a null " + (k == null ? "key" : "value of '"
                        + k + "'") + "; give the map Provenance.asText() made");
            }
            if (k.startsWith(CONFIG) && k.length() > CONFIG.length()) {
                config.put(k.substring(CONFIG.length()), v);
            } else if (!REQUIRED.contains(k) && !OPTIONAL.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the provenance text holds " + (unknown.size() == 1 ? "an unknown key " : "unknown keys ")
                    + unknown + "; a provenance's keys are " + REQUIRED + ", " + OPTIONAL + " and config.<option>: remove "
                    + "the others (a registry version's package.* entries, say) before reading it");
        }
        List<String> missing = REQUIRED.stream().filter(k -> !text.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the provenance text lacks " + missing + "; give every key Provenance.asText() makes");
        }
        long seed;
        try {
            seed = Long.parseLong(text.get("seed"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the provenance's seed '" + text.get("seed") + "' is not a whole number;"
                    + " give the seed as Provenance.asText() wrote it", e);
        }
        Instant startedAt;
        try {
            startedAt = Instant.parse(text.get("startedAt"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the provenance's startedAt '" + text.get("startedAt") + "' is not an"
                    + " ISO-8601 instant (such as 2026-12-05T03:09:23.123Z); give it as Provenance.asText() wrote it", e);
        }
        String warnings = text.get("warnings");
        return new Provenance(config, seed, text.get("baseModel"), text.get("trainData"), text.get("validationData"),
                text.get("attuneVersion"), text.get("dl4jVersion"), text.get("javaVersion"), text.get("backend"),
                text.get("os"), startedAt, warnings.isEmpty() ? List.of() : Arrays.asList(warnings.split("\n", -1)),
                text.getOrDefault("resultModel", ""), text.getOrDefault("resultAdapter", ""));
    }

    static String json(Provenance p) {
        return Json.write(new LinkedHashMap<String, Object>(p.asText()));
    }

    static Provenance parse(String json) {
        Object root = Json.parse(json, MAX_DEPTH);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("a provenance's JSON is an object of strings, but the text is "
                    + (root == null ? "null" : root instanceof List ? "an array" : "a " + root.getClass().getSimpleName())
                    + "; give what Provenance.toJson() wrote");
        }
        Map<String, String> text = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("the provenance's JSON key '" + k + "' holds " + v
                        + ", not a string; every value of a provenance is text, as Provenance.toJson() writes it");
            }
            text.put((String) k, s);
        });
        return read(text);
    }
}

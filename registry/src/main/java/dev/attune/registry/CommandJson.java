package dev.attune.registry;

import dev.attune.internal.io.Json;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/** The command line's JSON: versions, audit entries and verification problems as JSON objects. */
final class CommandJson {
    private CommandJson() {
    }

    private static String string(String s) {
        return Json.quote(s);
    }

    static String version(ModelVersion v) {
        return "{\"model\":" + string(v.model()) + ",\"version\":" + v.version() + ",\"sha256\":" + string(v.sha256())
                + ",\"sizeBytes\":" + v.sizeBytes() + ",\"stage\":" + stage(v.stage())
                + ",\"registeredAt\":" + string(v.registeredAt().toString()) + ",\"registeredBy\":" + string(v.registeredBy())
                + ",\"metrics\":" + v.metrics().entrySet().stream().map(e -> string(e.getKey()) + ":" + e.getValue())
                        .collect(Collectors.joining(",", "{", "}"))
                + ",\"provenance\":" + object(v.provenance()) + "}";
    }

    static String audit(AuditEntry e) {
        return "{\"model\":" + string(e.model()) + ",\"sequence\":" + e.sequence() + ",\"at\":" + string(e.at().toString())
                + ",\"who\":" + string(e.who()) + ",\"action\":" + string(e.action().name().toLowerCase(java.util.Locale.ROOT))
                + ",\"stage\":" + stage(e.stage()) + ",\"fromVersion\":" + number(e.fromVersion())
                + ",\"toVersion\":" + number(e.toVersion()) + ",\"why\":" + string(e.why()) + "}";
    }

    static String problem(Verification.Problem p) {
        return "{\"model\":" + string(p.version().model()) + ",\"version\":" + p.version().version() + ",\"kind\":"
                + string(p.kind().name().toLowerCase(java.util.Locale.ROOT)) + ",\"artifact\":" + string(p.artifact().toString())
                + ",\"message\":" + string(p.message()) + "}";
    }

    static String leftover(Verification.Leftover l) {
        return "{\"model\":" + string(l.model()) + ",\"kind\":" + string(l.kind().name().toLowerCase(java.util.Locale.ROOT))
                + ",\"file\":" + string(l.file().toString()) + ",\"modified\":" + string(l.modified().toString()) + "}";
    }

    static String object(Map<String, String> map) {
        return map.entrySet().stream().map(e -> string(e.getKey()) + ":" + string(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String stage(Optional<Stage> stage) {
        return stage.map(s -> string(s.label())).orElse("null");
    }

    private static String number(OptionalInt n) {
        return n.isPresent() ? Integer.toString(n.getAsInt()) : "null";
    }
}

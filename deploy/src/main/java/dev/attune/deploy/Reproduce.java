package dev.attune.deploy;

import dev.attune.Provenance;
import java.util.Map;
import java.util.TreeMap;

/** Writes a package's {@code REPRODUCE.md}: what it takes to make the packaged model again, from its provenance. */
final class Reproduce {
    private Reproduce() {
    }

    static String markdown(String name, Provenance p, String command, Map<String, String> model, InputSignature input) {
        StringBuilder b = new StringBuilder("# Reproducing ").append(name).append("\n\n");
        if ("adapter".equals(model.get("kind"))) {
            b.append("This package holds an adapter (").append(model.get("method")).append(") trained on the base model of"
                    + " fingerprint `").append(model.get("baseFingerprint")).append("`.\n\n");
        } else {
            b.append("This package holds a whole model of fingerprint `").append(model.get("fingerprint"))
                    .append("` (`Network.fingerprint()`: its architecture and every weight).\n\n");
        }
        b.append("Input: ").append(input.kind().name().toLowerCase(java.util.Locale.ROOT)).append(", ")
                .append(input.exampleShape()).append(" features per example.\n\n");
        b.append("## Command\n\n");
        if (command == null) {
            b.append("No command was recorded; the options below are the fine-tuner's.\n\n");
        } else {
            b.append("```\n").append(command).append("\n```\n\n");
        }
        if (p == null) {
            b.append("## Provenance\n\nNo provenance was recorded: the seed, data and versions of this model are unknown,"
                    + " so it cannot be made again from this package alone.\n");
            return b.toString();
        }
        b.append("## Run\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "seed", String.valueOf(p.seed()));
        row(b, "base model fingerprint", p.baseModel());
        row(b, "training data SHA-256", p.trainData());
        row(b, "validation data SHA-256", p.validationData().isEmpty() ? "(none)" : p.validationData());
        row(b, "result model fingerprint", p.resultModel().isEmpty() ? "(not recorded)" : p.resultModel());
        if (!p.resultAdapter().isEmpty()) {
            row(b, "result adapter fingerprint", p.resultAdapter());
        }
        row(b, "started at", p.startedAt().toString());
        b.append("\n## Options\n\n");
        if (p.config().isEmpty()) {
            b.append("(none recorded)\n");
        } else {
            b.append("| option | value |\n|---|---|\n");
            new TreeMap<>(p.config()).forEach((k, v) -> row(b, k, v));
        }
        b.append("\n## Versions\n\n| | |\n|---|---|\n");
        row(b, "Attune", p.attuneVersion());
        row(b, "Deeplearning4j / ND4J", p.dl4jVersion());
        row(b, "Java", p.javaVersion());
        row(b, "backend", p.backend());
        row(b, "operating system", p.os());
        if (!p.warnings().isEmpty()) {
            b.append("\n## Warnings of the run\n\n");
            p.warnings().forEach(w -> b.append("- ").append(w.replace("\n", " ")).append('\n'));
        }
        b.append("\n## Steps\n\n");
        b.append("1. Use Attune ").append(p.attuneVersion()).append(" on Deeplearning4j ").append(p.dl4jVersion())
                .append(" with the same backend and thread count (").append(p.backend()).append(").\n");
        b.append("2. Build the fine-tuner with the code that made this model: the base model whose `Network.fingerprint()` is `")
                .append(p.baseModel()).append("`, the options above and seed ").append(p.seed())
                .append(command == null ? "" : " (the command above)").append(".\n");
        if (p.resultModel().isEmpty()) {
            b.append("3. This provenance records no fingerprint of the result (an earlier Attune wrote it), so"
                    + " `FineTuner.reproduce` refuses it: fine-tune with `fit` on the training data of SHA-256 `")
                    .append(p.trainData()).append("`")
                    .append(p.validationData().isEmpty() ? "" : " and the validation data of SHA-256 `" + p.validationData() + "`")
                    .append(", and compare the new model's `Network.fingerprint()` with this package's.\n");
            return b.toString();
        }
        b.append("3. Read this package's provenance and fit again on the same data:\n\n");
        b.append("```java\nProvenance provenance = ModelPackage.load(packageFile).provenance().orElseThrow();\n")
                .append(p.validationData().isEmpty() ? "FineTuneResult again = tuner.reproduce(provenance, train);\n"
                        : "FineTuneResult again = tuner.reproduce(provenance, train, validation);\n")
                .append("```\n\n");
        b.append("   `reproduce` first refuses, naming both values, when an option, the base model's fingerprint, the"
                + " training data's SHA-256 (`").append(p.trainData()).append("`)")
                .append(p.validationData().isEmpty() ? ", validation data (the run had none)"
                        : ", the validation data's (`" + p.validationData() + "`)")
                .append(" or the Attune or Deeplearning4j version differs from the ones above.\n");
        b.append("4. It then checks that the new model's fingerprint is `").append(p.resultModel()).append("`")
                .append(p.resultAdapter().isEmpty() ? "" : " and the adapter's `" + p.resultAdapter() + "`")
                .append(", and throws naming both fingerprints when not. A CPU run with the same seed, data and thread"
                        + " count is bit-reproducible.\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n");
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}

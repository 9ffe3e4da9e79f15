package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The three files of an evaluation, written into one directory by {@link #write}: the report's JSON
 * ({@value #JSON}), its HTML page ({@value #HTML}) and the model card ({@value #MODEL_CARD}).
 *
 * <pre>{@code
 * ReportFiles files = ReportFiles.write(runDir, report, card);
 * System.out.println("open " + files.html());
 * }</pre>
 *
 * @param json the path of the JSON report
 * @param html the path of the HTML report
 * @param modelCard the path of the Markdown model card
 */
public record ReportFiles(Path json, Path html, Path modelCard) {
    /** The JSON report's file name. */
    public static final String JSON = "evaluation.json";
    /** The HTML report's file name. */
    public static final String HTML = "evaluation.html";
    /** The model card's file name. */
    public static final String MODEL_CARD = "MODEL_CARD.md";

    /** Checks the paths are given. */
    public ReportFiles {
        requireNonNull(json, "json");
        requireNonNull(html, "html");
        requireNonNull(modelCard, "modelCard");
    }

    /**
     * Writes the report as JSON and HTML and the model card as Markdown, UTF-8, into {@code dir}
     * (created if missing), replacing files of the same names. Each file is rendered in full, written
     * under a temporary name in {@code dir} and moved into place, so no file is ever left half written;
     * when writing fails, the temporary files are removed and files already moved stay.
     *
     * @throws IllegalArgumentException when the card is of another report
     * @throws AttuneException when a file cannot be written (the message names it)
     */
    public static ReportFiles write(Path dir, EvaluationReport report, ModelCard card) {
        requireNonNull(dir, "dir");
        requireNonNull(report, "report");
        requireNonNull(card, "card");
        if (card.report() != report) {
            throw new IllegalArgumentException("the model card was built from another report; build it with "
                    + "ModelCard.builder(report) from the report you write");
        }
        // Everything is rendered before anything is written: a rendering error leaves the directory as it was.
        String json = report.toJson();
        String html = report.toHtml();
        String markdown = card.toMarkdown();
        Path target = dir.toAbsolutePath();
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new AttuneException("could not create the report directory " + target + ": " + e, e);
        }
        List<Path> written = new ArrayList<>();
        written.add(atomically(target.resolve(JSON), json));
        written.add(atomically(target.resolve(HTML), html));
        written.add(atomically(target.resolve(MODEL_CARD), markdown));
        return new ReportFiles(written.get(0), written.get(1), written.get(2));
    }

    private static Path atomically(Path file, String text) {
        try {
            AtomicFiles.write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
            return file;
        } catch (IOException | RuntimeException e) {
            throw new AttuneException("could not write " + file + ": " + e, e);
        }
    }
}

package dev.attune.benchmarks;

import dev.attune.registry.AuditEntry;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The retrain job's HTML report: drift score and served accuracy per window as inline SVG line charts
 * on one time axis, the retrainer's events marked on both, then the windows and the audit log as tables.
 * A page of its own, with no script and nothing loaded from elsewhere.
 */
final class RetrainJobHtml {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 220;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 34;

    private RetrainJobHtml() {
    }

    /** The page. */
    static String render(List<RetrainJob.Window> windows, List<Map<String, Object>> events, List<AuditEntry> audit,
                         String policy) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Attune retrain job</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}")
                .append("table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;padding:2px 6px;")
                .append("text-align:left;vertical-align:top}svg text{font-size:11px}</style></head><body>\n")
                .append("<h1>Retraining when the world moves</h1>\n<p>Digits served window by window (")
                .append(windows.isEmpty() ? 0 : RetrainJob.WINDOW).append(" images each) while their background brightens;")
                .append(" policy: ").append(escape(policy)).append(".</p>\n");
        // PSI spans orders of magnitude (0.05 unshifted, 8 shifted): a log axis from 0.01 keeps both thresholds visible
        double maxPsi = windows.stream().mapToDouble(RetrainJob.Window::psi).max().orElse(1);
        double decades = Math.max(2, Math.ceil(Math.log10(Math.max(maxPsi, 1)) + 2));
        out.append("<h2>Drift score (largest feature PSI of the window, log scale)</h2>\n");
        chart(out, windows, events, windows.stream().mapToDouble(w -> Math.log10(Math.max(w.psi(), 0.01)) + 2).toArray(),
                decades, new double[] {1, Math.log10(0.25) + 2}, new String[] {"warn 0.1", "alert 0.25"}, "PSI",
                v -> Math.pow(10, v - 2), (int) decades);
        out.append("<h2>Served accuracy (scored when the window's labels came in)</h2>\n");
        chart(out, windows, events, windows.stream().mapToDouble(RetrainJob.Window::accuracy).toArray(), 1,
                new double[0], new String[0], "accuracy", v -> v, 4);
        out.append("<p>Marks: <span style=\"color:#888\">triggered</span>, <span style=\"color:#1a7f37\">promoted</span>,")
                .append(" <span style=\"color:#bc4c00\">rejected</span>, <span style=\"color:#cf222e\">rolled back</span>,")
                .append(" <span style=\"color:#0969da\">watch passed</span>; the mark stands at the window whose check")
                .append(" or feedback took the decision.</p>\n");

        out.append("<h2>Windows</h2>\n<table><tr><th>window</th><th>brightness</th><th>served by</th><th>accuracy</th>")
                .append("<th>drift</th><th>max PSI</th><th>events</th></tr>\n");
        for (RetrainJob.Window w : windows) {
            out.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.2f</td><td>v%d</td><td>%.4f</td><td>%s</td>"
                    + "<td>%.3f</td><td>%s</td></tr>%n", w.index(), w.brightness(), w.servedBy(), w.accuracy(), w.drift(),
                    w.psi(), escape(String.join(", ", w.events()))));
        }
        out.append("</table>\n<h2>Decisions</h2>\n<table><tr><th>window</th><th>event</th><th>what</th></tr>\n");
        for (Map<String, Object> e : events) {
            out.append("<tr><td>").append(e.get("window")).append("</td><td>").append(escape(e.get("event").toString()))
                    .append("</td><td>").append(escape(e.get("summary").toString())).append("</td></tr>\n");
        }
        out.append("</table>\n<h2>Audit log of the registry</h2>\n<table><tr><th>#</th><th>action</th><th>stage</th>")
                .append("<th>from</th><th>to</th><th>who</th><th>why</th></tr>\n");
        for (AuditEntry a : audit) {
            out.append("<tr><td>").append(a.sequence()).append("</td><td>").append(a.action()).append("</td><td>")
                    .append(a.stage().map(s -> s.label()).orElse("")).append("</td><td>")
                    .append(a.fromVersion().isPresent() ? "v" + a.fromVersion().getAsInt() : "").append("</td><td>")
                    .append(a.toVersion().isPresent() ? "v" + a.toVersion().getAsInt() : "").append("</td><td>")
                    .append(escape(a.who())).append("</td><td>").append(escape(a.why())).append("</td></tr>\n");
        }
        return out.append("</table>\n</body></html>\n").toString();
    }

    private static void chart(StringBuilder out, List<RetrainJob.Window> windows, List<Map<String, Object>> events,
                              double[] values, double max, double[] lines, String[] lineNames, String axis,
                              java.util.function.DoubleUnaryOperator label, int ticks) {
        int n = Math.max(values.length, 2);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        java.util.function.IntToDoubleFunction x = i -> LEFT + plotW * i / (n - 1);
        java.util.function.DoubleUnaryOperator y = v -> TOP + plotH * (1 - Math.min(v, max) / max);
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s per window\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT, axis));
        for (int t = 0; t <= ticks; t++) {
            double v = max * t / ticks;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, WIDTH - RIGHT, y.applyAsDouble(v),
                    y.applyAsDouble(v), LEFT - 4, y.applyAsDouble(v) + 4, tick(label.applyAsDouble(v))));
        }
        for (int i = 0; i < windows.size(); i++) {
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x.applyAsDouble(i), HEIGHT - BOTTOM + 14, windows.get(i).index()));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">window</text>%n",
                LEFT + plotW / 2, HEIGHT - 4));
        for (int k = 0; k < lines.length; k++) {
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bc4c00\""
                    + " stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#bc4c00\">%s</text>%n",
                    LEFT, WIDTH - RIGHT, y.applyAsDouble(lines[k]), y.applyAsDouble(lines[k]), WIDTH - RIGHT - 2,
                    y.applyAsDouble(lines[k]) - 3, escape(lineNames[k])));
        }
        List<Map<String, Object>> marked = events.stream().filter(e -> colour(e.get("event").toString()) != null).toList();
        for (Map<String, Object> e : marked) {
            String colour = colour(e.get("event").toString());
            int w = (Integer) e.get("window");
            // the marks of one window side by side, in the order the decisions were taken
            List<Map<String, Object>> same = marked.stream().filter(o -> o.get("window").equals(w)).toList();
            double px = x.applyAsDouble(w) + 4 * (same.indexOf(e) - (same.size() - 1) / 2.0);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-width=\"2\"><title>window %d: %s</title></line>%n", px, px, TOP, TOP + plotH, colour, w,
                    escape(e.get("summary").toString())));
        }
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            path.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x.applyAsDouble(i),
                    y.applyAsDouble(values[i])));
        }
        out.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#24292f\" stroke-width=\"1.5\"/>\n");
        for (int i = 0; i < values.length; i++) {
            out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#24292f\"><title>window"
                    + " %d: %s %s</title></circle>%n", x.applyAsDouble(i), y.applyAsDouble(values[i]), windows.get(i).index(),
                    axis, tick(label.applyAsDouble(values[i]))));
        }
        out.append("</svg>\n");
    }

    private static String colour(String event) {
        return switch (event) {
            case "Triggered" -> "#888";
            case "Promoted" -> "#1a7f37";
            case "Rejected" -> "#bc4c00";
            case "RolledBack" -> "#cf222e";
            case "WatchPassed" -> "#0969da";
            default -> null;
        };
    }

    private static String tick(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

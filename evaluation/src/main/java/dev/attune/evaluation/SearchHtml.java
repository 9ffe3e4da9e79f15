package dev.attune.evaluation;

import static dev.attune.evaluation.ReportHtml.escape;
import static dev.attune.evaluation.ReportHtml.fmt;

import dev.attune.search.Compute;
import dev.attune.search.Param;
import dev.attune.search.SearchResult;
import dev.attune.search.TrialRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's section on the hyperparameter search that chose the model: the compute it spent, one SVG
 * scatter plot of the objective against each parameter (ids {@code search-param-<n>}, counted from 1), the
 * trials in the order they finished against the epochs spent with the best score so far
 * ({@code search-progress}), and the leaderboard ({@code search-leaderboard}). Drawn like the report's
 * other charts, with the same style sheet; failed trials have no score and are listed only.
 */
final class SearchHtml {
    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    private static final int TOP = 24;
    private static final int BOTTOM = 56;
    private static final int LEGEND = 150;

    private final StringBuilder out;
    private final SearchResult r;

    private SearchHtml(StringBuilder out, SearchResult r) {
        this.out = out;
        this.r = r;
    }

    static void render(StringBuilder out, SearchResult search) {
        new SearchHtml(out, search).section();
    }

    private void section() {
        out.append("<h2>Hyperparameter search</h2>\n");
        Compute c = r.compute();
        List<TrialRecord> scored = r.trials().stream().filter(TrialRecord::scored).toList();
        out.append("<p id=\"search-summary\">").append(r.trials().size()).append(" trials, strategy <code>")
                .append(escape(r.strategy())).append("</code>, ").append(escape(r.objective().toString()))
                .append(" on the validation set. ").append(c.epochsRun()).append(" epochs run of ")
                .append(c.epochsToTheEnd()).append(" with every trial run to its end (")
                .append(String.format(Locale.ROOT, "%.1f", 100 * c.savedFraction())).append("% saved; ")
                .append(c.trialsStopped()).append(" trials stopped at a rung)");
        if (!scored.isEmpty()) {
            TrialRecord best = r.best();
            out.append(". Best: trial ").append(best.index()).append(' ')
                    .append(escape(text(best))).append(", ").append(escape(r.objective().name()))
                    .append(' ').append(fmt(best.score()));
        }
        out.append(".</p>\n");
        if (!scored.isEmpty()) {
            out.append("<div class=\"charts\">\n");
            List<Param> params = r.space().params();
            for (int i = 0; i < params.size(); i++) {
                out.append("<div>\n<h3>").append(escape(r.objective().name())).append(" against ")
                        .append(escape(params.get(i).name())).append("</h3>\n");
                scatter(params.get(i), scored, i + 1);
                out.append("</div>\n");
            }
            out.append("<div>\n<h3>Trials as they finished</h3>\n");
            progress(scored);
            out.append("</div>\n</div>\n");
        }
        leaderboard();
    }

    /** A linear map from data values {@code [from, to]} to pixels {@code [lo, hi]}. */
    private record Scale(double from, double to, double lo, double hi) {
        double at(double v) {
            return to == from ? (lo + hi) / 2 : lo + (v - from) / (to - from) * (hi - lo);
        }
    }

    private Scale scoreScale(List<TrialRecord> scored, int h, List<Double> ticks) {
        double lo = scored.stream().mapToDouble(TrialRecord::score).min().orElseThrow();
        double hi = scored.stream().mapToDouble(TrialRecord::score).max().orElseThrow();
        if (hi - lo < 1e-12) {
            double pad = Math.max(Math.abs(lo) * 0.05, 0.01);
            lo -= pad;
            hi += pad;
        }
        double step = niceStep((hi - lo) / 4);
        double from = Math.floor(lo / step + 1e-9) * step;
        double to = Math.ceil(hi / step - 1e-9) * step;
        for (double t = from; t <= to + step / 2; t += step) {
            ticks.add(t);
        }
        return new Scale(from, to, h - BOTTOM, TOP);
    }

    private void scatter(Param p, List<TrialRecord> scored, int n) {
        int w = 420 + LEGEND;
        int h = 300;
        List<Double> yTicks = new ArrayList<>();
        Scale y = scoreScale(scored, h, yTicks);
        boolean numeric = p.numeric();
        boolean log = p.logScale();
        List<String> categories = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (TrialRecord t : scored) {
            if (numeric) {
                double v = axis(((Number) t.point().get(p.name())).doubleValue(), log);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            } else if (!categories.contains(t.point().labels().get(p.name()))) {
                categories.add(t.point().labels().get(p.name()));
            }
        }
        Scale x;
        List<Double> xTicks = new ArrayList<>();
        List<String> xNames = new ArrayList<>();
        if (numeric) {
            double pad = hi > lo ? (hi - lo) * 0.06 : 0.5;
            x = new Scale(lo - pad, hi + pad, LEFT, w - RIGHT - LEGEND);
            List<Double> distinct = scored.stream().map(t -> axis(((Number) t.point().get(p.name())).doubleValue(), log))
                    .distinct().sorted().toList();
            List<Double> at = distinct.size() <= 6 ? distinct : even(lo, hi, 4);
            if (log && distinct.size() > 6 && Math.floor(hi) - Math.ceil(lo) >= 1) {
                // Powers of ten on a log axis.
                at = new ArrayList<>();
                for (double e = Math.ceil(lo); e <= Math.floor(hi); e++) {
                    at.add(e);
                }
            }
            for (double v : at) {
                xTicks.add(v);
                xNames.add(tick(log ? Math.pow(10, v) : v));
            }
        } else {
            x = new Scale(0, categories.size() + 1, LEFT, w - RIGHT - LEGEND);
            for (int i = 0; i < categories.size(); i++) {
                xTicks.add(i + 1.0);
                xNames.add(shorten(categories.get(i)));
            }
        }
        open("search-param-" + n, w, h, r.objective().name() + " of each trial against " + p.name()
                + (log ? " (log scale)" : ""));
        yAxis(y, w - LEGEND, yTicks, r.objective().name());
        xAxis(x, h, xTicks, xNames, p.name() + (log ? " (log scale)" : ""));
        for (TrialRecord t : scored) {
            double v = numeric ? axis(((Number) t.point().get(p.name())).doubleValue(), log)
                    : categories.indexOf(t.point().labels().get(p.name())) + 1.0;
            dot(x.at(v), y.at(t.score()), t);
        }
        legend(w);
        out.append("</svg>\n");
    }

    private void progress(List<TrialRecord> scored) {
        int w = 460 + LEGEND;
        int h = 300;
        List<TrialRecord> order = new ArrayList<>(r.trials());
        order.sort(Comparator.comparingInt(TrialRecord::finishOrder));
        List<Double> yTicks = new ArrayList<>();
        Scale y = scoreScale(scored, h, yTicks);
        long total = order.stream().mapToLong(TrialRecord::epochsRun).sum();
        Scale x = new Scale(0, Math.max(1, total), LEFT, w - RIGHT - LEGEND);
        open("search-progress", w, h, "The objective of each trial at the epochs spent when it finished, and the best so far");
        yAxis(y, w - LEGEND, yTicks, r.objective().name());
        List<Double> xTicks = new ArrayList<>();
        List<String> xNames = new ArrayList<>();
        double step = niceStep(Math.max(1, total) / 5.0);
        for (double t = 0; t <= total + 1e-9; t += step) {
            xTicks.add(t);
            xNames.add(tick(t));
        }
        xAxis(x, h, xTicks, xNames, "epochs spent");
        long spent = 0;
        double best = Double.NaN;
        StringBuilder line = new StringBuilder();
        for (TrialRecord t : order) {
            spent += t.epochsRun();
            if (!t.scored()) {
                continue;
            }
            if (r.objective().higherIsBetter() ? !(t.score() <= best) : !(t.score() >= best)) {
                if (line.length() > 0) {
                    line.append(' ').append(coord(x.at(spent))).append(',').append(coord(y.at(best)));
                }
                best = t.score();
            }
            line.append(line.length() == 0 ? "" : " ").append(coord(x.at(spent))).append(',').append(coord(y.at(best)));
            dot(x.at(spent), y.at(t.score()), t);
        }
        out.append("<polyline class=\"series s1\" points=\"").append(line).append("\"><title>best ")
                .append(escape(r.objective().name())).append(" so far</title></polyline>\n");
        legend(w);
        out.append("<rect class=\"legend s1\" x=\"").append(w - RIGHT - LEGEND + 24).append("\" y=\"").append(TOP + 36)
                .append("\" width=\"10\" height=\"10\"/>\n<text class=\"tick\" x=\"").append(w - RIGHT - LEGEND + 40)
                .append("\" y=\"").append(TOP + 45).append("\">best so far</text>\n</svg>\n");
    }

    private void leaderboard() {
        List<String> names = r.space().names();
        out.append("<table id=\"search-leaderboard\">\n<tr><th>place</th><th>trial</th>");
        names.forEach(nm -> out.append("<th>").append(escape(nm)).append("</th>"));
        out.append("<th>").append(escape(r.objective().name())).append("</th><th>best epoch</th><th>epochs</th>")
                .append("<th>seed</th><th>status</th></tr>\n");
        int rank = 0;
        for (TrialRecord t : r.ranked()) {
            rank++;
            out.append("<tr><td class=\"n\">").append(t.scored() ? String.valueOf(rank) : "-").append("</td><td class=\"n\">")
                    .append(t.index()).append("</td>");
            names.forEach(nm -> out.append("<td>").append(escape(t.point().format(nm))).append("</td>"));
            out.append("<td class=\"n\">").append(t.scored() ? fmt(t.score()) : "-").append("</td><td class=\"n\">")
                    .append(t.bestEpoch()).append("</td><td class=\"n\">").append(t.epochsRun()).append(" of ")
                    .append(t.maxEpochs()).append("</td><td class=\"n\">").append(t.seed()).append("</td><td>")
                    .append(escape(t.describeStatus())).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void dot(double px, double py, TrialRecord t) {
        out.append("<circle class=\"").append(t.status() == TrialRecord.Status.STOPPED ? "s4" : "s0").append("\" cx=\"")
                .append(coord(px)).append("\" cy=\"").append(coord(py)).append("\" r=\"4\"><title>trial ").append(t.index())
                .append(' ').append(escape(text(t))).append(": ").append(escape(r.objective().name()))
                .append(' ').append(fmt(t.score())).append(", ").append(escape(t.describeStatus())).append("</title></circle>\n");
    }

    private void legend(int w) {
        String[] labels = {"completed", "stopped at a rung"};
        String[] classes = {"s0", "s4"};
        for (int i = 0; i < 2; i++) {
            int ly = TOP + 4 + i * 16;
            out.append("<rect class=\"legend ").append(classes[i]).append("\" x=\"").append(w - RIGHT - LEGEND + 24)
                    .append("\" y=\"").append(ly).append("\" width=\"10\" height=\"10\"/>\n<text class=\"tick\" x=\"")
                    .append(w - RIGHT - LEGEND + 40).append("\" y=\"").append(ly + 9).append("\">").append(labels[i])
                    .append("</text>\n");
        }
    }

    private void open(String id, int w, int h, String title) {
        out.append("<svg id=\"").append(id).append("\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\">\n<title>")
                .append(escape(title)).append("</title>\n");
    }

    private void yAxis(Scale y, int w, List<Double> ticks, String label) {
        for (double t : ticks) {
            String py = coord(y.at(t));
            out.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(py).append("\" x2=\"")
                    .append(w - RIGHT).append("\" y2=\"").append(py).append("\"/>\n<text class=\"tick\" x=\"")
                    .append(LEFT - 6).append("\" y=\"").append(coord(y.at(t) + 4)).append("\" text-anchor=\"end\">")
                    .append(tick(t)).append("</text>\n");
        }
        out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(coord(y.lo())).append("\" x2=\"")
                .append(LEFT).append("\" y2=\"").append(coord(y.hi())).append("\"/>\n");
        double mid = (y.lo() + y.hi()) / 2;
        out.append("<text class=\"axis-label\" x=\"16\" y=\"").append(coord(mid)).append("\" text-anchor=\"middle\" ")
                .append("transform=\"rotate(-90 16 ").append(coord(mid)).append(")\">").append(escape(label)).append("</text>\n");
    }

    private void xAxis(Scale x, int h, List<Double> ticks, List<String> names, String label) {
        double base = h - BOTTOM;
        out.append("<line class=\"axis\" x1=\"").append(coord(x.lo())).append("\" y1=\"").append(coord(base))
                .append("\" x2=\"").append(coord(x.hi())).append("\" y2=\"").append(coord(base)).append("\"/>\n");
        for (int i = 0; i < ticks.size(); i++) {
            out.append("<text class=\"tick\" x=\"").append(coord(x.at(ticks.get(i)))).append("\" y=\"")
                    .append(coord(base + 16)).append("\" text-anchor=\"middle\">").append(escape(names.get(i)))
                    .append("</text>\n");
        }
        out.append("<text class=\"axis-label\" x=\"").append(coord((x.lo() + x.hi()) / 2)).append("\" y=\"").append(h - 12)
                .append("\" text-anchor=\"middle\">").append(escape(label)).append("</text>\n");
    }

    /** The trial's point as tables show it: {@code {lr=0.004422, batch=large}}. */
    private String text(TrialRecord t) {
        List<String> parts = new ArrayList<>();
        r.space().names().forEach(nm -> parts.add(nm + "=" + t.point().format(nm)));
        return "{" + String.join(", ", parts) + "}";
    }

    private static double axis(double v, boolean log) {
        return log ? Math.log10(v) : v;
    }

    private static List<Double> even(double lo, double hi, int intervals) {
        List<Double> t = new ArrayList<>();
        for (int i = 0; i <= intervals; i++) {
            t.add(lo + (hi - lo) * i / intervals);
        }
        return t;
    }

    private static double niceStep(double rough) {
        if (!(rough > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double m = rough / power;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    }

    private static String coord(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String tick(double v) {
        if (Math.abs(v) < 1e-12) {
            return "0";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.valueOf((long) v);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }

    private static String shorten(String name) {
        return name.length() <= 16 ? name : name.substring(0, 15) + "…";
    }
}

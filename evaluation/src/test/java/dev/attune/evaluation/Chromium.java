package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs headless Chromium on a local HTML file: the DOM after its scripts ran ({@code --dump-dom}),
 * the console messages Chromium logs ({@code --enable-logging=stderr}) and a screenshot. Fails, never
 * skips, when Chromium is not installed.
 */
final class Chromium {
    /** Chromium logs a page's console message as {@code [..:INFO:CONSOLE:3] "text", source: file:///... (3)}. */
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[:(]\\d+\\)?\\] (.*)");

    /** What one run of Chromium gave. */
    record Page(String dom, List<String> console, Path screenshot) {
    }

    private final Process process;
    private final Path dom;
    private final Path log;
    private final Path screenshot;
    private final Path profile;

    private Chromium(Process process, Path dom, Path log, Path screenshot, Path profile) {
        this.process = process;
        this.dom = dom;
        this.log = log;
        this.screenshot = screenshot;
        this.profile = profile;
    }

    /** The chromium executable on the PATH; fails with how to install it when there is none. */
    static Path executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "chromium");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("chromium is not on the PATH; the HTML report's browser test needs it: install Debian's package "
                + "with 'apt-get install -y chromium' (.ci/run does this)");
    }

    /**
     * Starts Chromium on {@code html}; {@link #await()} gives the page. The screenshot goes to
     * {@code screenshot}, the DOM and the log next to {@code html}.
     */
    static Chromium start(Path html, Path screenshot, int width, int height) throws IOException {
        Path exe = executable();
        Path dir = html.toAbsolutePath().getParent();
        String name = html.getFileName().toString().replaceFirst("\\.html$", "");
        Path dom = dir.resolve(name + ".dom.html");
        Path log = dir.resolve(name + ".log");
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(exe.toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--window-size=" + width + "," + height, "--screenshot=" + screenshot.toAbsolutePath(), "--dump-dom",
                html.toAbsolutePath().toUri().toString()));
        Process p = new ProcessBuilder(command).redirectOutput(dom.toFile()).redirectError(log.toFile()).start();
        return new Chromium(p, dom, log, screenshot, profile);
    }

    /** Waits for Chromium to finish (at most a minute) and reads what it wrote. */
    Page await() throws IOException, InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("chromium did not finish within 60 s; its log: " + log);
        }
        deleteTree(profile);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        List<String> console = new ArrayList<>();
        Matcher m = CONSOLE.matcher(text);
        while (m.find()) {
            console.add(m.group(1));
        }
        if (process.exitValue() != 0) {
            fail("chromium exited with " + process.exitValue() + "; its log: " + text);
        }
        return new Page(Files.readString(dom, StandardCharsets.UTF_8), List.copyOf(console), screenshot);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

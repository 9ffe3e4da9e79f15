package dev.attune.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Reads a package's entries and writes them back changed, as someone editing it with a zip tool would. */
final class ZipFiles {
    private ZipFiles() {
    }

    static Map<String, byte[]> read(Path zip) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                m.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return m;
    }

    static void write(Path zip, Map<String, byte[]> entries) throws IOException {
        try (OutputStream f = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(f)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }

    /** Copies {@code from} to {@code to} with its entries changed by {@code change}. */
    static Path rewrite(Path from, Path to, Consumer<Map<String, byte[]>> change) throws IOException {
        Map<String, byte[]> m = read(from);
        change.accept(m);
        write(to, m);
        return to;
    }
}

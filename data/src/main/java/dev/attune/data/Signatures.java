package dev.attune.data;

import java.util.List;

/**
 * Recognises, by its first bytes, a file that is not UTF-8 text but a compressed file, an archive
 * or UTF-16 text, so that it is refused as what it is, with the command that makes it readable,
 * rather than as text in an unknown encoding (gzip's second byte, 0x8B, is not valid UTF-8).
 */
final class Signatures {
    /** How many bytes {@link #problem} looks at, at most. */
    static final int LENGTH = 10;

    private record Signature(String what, int[] bytes, String fix) {
        boolean matches(byte[] head, int length) {
            if (length < bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] >= 0 && (head[i] & 0xff) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** -1 matches any byte (bzip2's block size digit is checked on its own). */
    private static final List<Signature> KNOWN = List.of(
            new Signature("gzip-compressed", new int[] {0x1F, 0x8B}, "gunzip -c"),
            new Signature("a zip archive", new int[] {0x50, 0x4B, 0x03, 0x04}, "unzip"),
            new Signature("a zip archive", new int[] {0x50, 0x4B, 0x05, 0x06}, "unzip"),
            new Signature("a zip archive", new int[] {0x50, 0x4B, 0x07, 0x08}, "unzip"),
            // "BZh", the block size, then the first block's magic: a header row may start with "BZh".
            new Signature("bzip2-compressed", new int[] {0x42, 0x5A, 0x68, -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59},
                    "bunzip2 -c"),
            new Signature("xz-compressed", new int[] {0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00}, "unxz -c"),
            new Signature("zstd-compressed", new int[] {0x28, 0xB5, 0x2F, 0xFD}, "zstd -dc"),
            new Signature("UTF-16 text", new int[] {0xFF, 0xFE}, "iconv -f UTF-16 -t UTF-8"),
            new Signature("UTF-16 text", new int[] {0xFE, 0xFF}, "iconv -f UTF-16 -t UTF-8"));

    private Signatures() {
    }

    /**
     * The message for a file that starts like a compressed file, an archive or UTF-16 text, or
     * {@code null} when its first {@code length} bytes say nothing of the kind.
     *
     * @param name the file as messages name it; a name ending in {@code .gz} has been decompressed once
     */
    static String problem(byte[] head, int length, String name) {
        for (Signature s : KNOWN) {
            if (!s.matches(head, length)) {
                continue;
            }
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < s.bytes().length; i++) {
                first.append(i == 0 ? "" : " ").append(String.format(java.util.Locale.ROOT, "%02X", head[i] & 0xff));
            }
            String quoted = "'" + name.replace("'", "'\\''") + "'";
            String extension = extension(name);
            if (s.what().equals("gzip-compressed") && name.endsWith(".gz")) {
                return name + " is gzip-compressed twice: after gzip decompression it starts with the bytes "
                        + first + " of gzip's signature again; decompress it once (gunzip -c " + quoted
                        + " > once.gz) and read the result";
            }
            if (s.what().startsWith("UTF-16")) {
                return name + " is UTF-16 text (it starts with the byte-order mark " + first + "), not UTF-8; save"
                        + " the file as UTF-8 (in a spreadsheet: CSV UTF-8), or convert it: " + s.fix() + " "
                        + quoted + " > utf8." + extension;
            }
            if (s.what().equals("a zip archive")) {
                return name + " is a zip archive (it starts with the bytes " + first + ", 'PK'), not UTF-8 text;"
                        + " extract the table from it first (unzip " + quoted + ") and read the extracted file";
            }
            String fix = s.fix() + " " + quoted + " > plain." + extension;
            return name + " is " + s.what() + " (it starts with the bytes " + first + "), not UTF-8 text;"
                    + " decompress it first (" + fix + ")"
                    + (s.what().equals("gzip-compressed") ? " or give it a name ending in .gz, which is read"
                            + " through gzip" : "");
        }
        return null;
    }

    private static String extension(String name) {
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        int dot = base.lastIndexOf('.');
        String ext = dot > 0 && dot < base.length() - 1 ? base.substring(dot + 1) : "csv";
        return ext.matches("[A-Za-z0-9]{1,8}") && !ext.equalsIgnoreCase("gz") ? ext : "csv";
    }
}

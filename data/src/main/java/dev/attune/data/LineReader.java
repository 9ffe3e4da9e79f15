package dev.attune.data;

import dev.attune.AttuneException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Reads a text file one physical line at a time, decoding each line as strict UTF-8 and hashing
 * every byte (SHA-256) as it passes. Lines end at {@code \n} with an optional {@code \r} before it;
 * the last line may end without either. A UTF-8 byte-order mark at the start is dropped; a file
 * that starts like a compressed file, an archive or UTF-16 text is refused as such ({@link Signatures}). Splitting at the byte {@code 0x0A} before
 * decoding is safe because no multi-byte UTF-8 sequence contains it, and it lets an encoding error
 * be reported at its exact line. Only one line is held at a time.
 */
final class LineReader implements Closeable {
    private static final int BUFFER = 1 << 16;

    private final DigestInputStream in;
    private final String name;
    private final byte[] buffer = new byte[BUFFER];
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[256];
    private int pos;
    private int limit;
    private int lineNumber;
    private boolean atEnd;
    private boolean started;
    private String sha256;

    LineReader(InputStream in, String name) {
        try {
            this.in = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        this.name = name;
    }

    /** Thrown for a line that is not valid UTF-8; the parser adds the column. */
    static final class NotUtf8 extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;
        final String prefix;
        final String bytes;

        NotUtf8(int line, String prefix, String bytes) {
            super(null, null, false, false);
            this.line = line;
            this.prefix = prefix;
            this.bytes = bytes;
        }
    }

    /** The next line without its line terminator, or {@code null} at the end of the file. */
    String next() {
        if (atEnd) {
            return null;
        }
        if (!started) {
            started = true;
            refuseWhatIsNotText();
        }
        int length = 0;
        boolean any = false;
        while (true) {
            if (pos == limit && !fill()) {
                // The digest is final here, whether or not the last line ended in a line feed: a
                // file's last line need not end in one, and the next call only reports the end.
                atEnd = true;
                sha256 = HexFormat.of().formatHex(in.getMessageDigest().digest());
                if (!any) {
                    return null;
                }
                break;
            }
            any = true;
            byte b = buffer[pos++];
            if (b == '\n') {
                break;
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, line.length * 2);
            }
            line[length++] = b;
        }
        lineNumber++;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        int start = 0;
        if (lineNumber == 1 && length >= 3 && (line[0] & 0xff) == 0xef && (line[1] & 0xff) == 0xbb
                && (line[2] & 0xff) == 0xbf) {
            start = 3;
        }
        return decode(start, length);
    }

    /** The 1-based number of the line last returned by {@link #next()}. */
    int line() {
        return lineNumber;
    }

    /** The SHA-256 of every byte of the file, in hex; available once {@link #next()} has returned null. */
    String sha256() {
        if (sha256 == null) {
            throw new IllegalStateException("the file " + name + " has not been read to its end");
        }
        return sha256;
    }

    private String decode(int start, int end) {
        ByteBuffer bytes = ByteBuffer.wrap(line, start, end - start);
        CharBuffer chars = CharBuffer.allocate(end - start);
        decoder.reset();
        CoderResult r = decoder.decode(bytes, chars, true);
        if (r.isError()) {
            int at = bytes.position();
            StringBuilder hex = new StringBuilder();
            for (int i = at; i < Math.min(end, at + Math.max(r.length(), 1)); i++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "0x%02X", line[i] & 0xff));
            }
            chars.flip();
            throw new NotUtf8(lineNumber, chars.toString(), hex.toString());
        }
        decoder.flush(chars);
        chars.flip();
        return chars.toString();
    }

    /** Reads the first bytes and refuses a compressed file, an archive or UTF-16 text by name. */
    private void refuseWhatIsNotText() {
        try {
            int n;
            while (limit < Signatures.LENGTH && (n = in.read(buffer, limit, buffer.length - limit)) >= 0) {
                limit += n;
            }
        } catch (IOException e) {
            throw new AttuneException("cannot read " + name + ": " + e.getMessage(), e);
        }
        String problem = Signatures.problem(buffer, limit, name);
        if (problem != null) {
            throw new AttuneException(problem);
        }
    }

    private boolean fill() {
        try {
            int n;
            do {
                n = in.read(buffer, 0, buffer.length);
            } while (n == 0);
            if (n < 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        } catch (IOException e) {
            throw new AttuneException("cannot read " + name + " after line " + lineNumber + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new AttuneException("cannot close " + name + ": " + e.getMessage(), e);
        }
    }
}

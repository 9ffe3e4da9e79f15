package dev.attune.deploy;

import dev.attune.AttuneException;
import dev.attune.internal.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Opens a package and proves it whole before anything in it is used: safe entry names, limits on
 * entries and inflated bytes, the manifest's format version, its SHA-256, the signature when a key is
 * required, exactly the entries the manifest lists, and each entry's size and SHA-256. Nothing is
 * deserialised but the manifest's JSON; entries stay bytes.
 */
final class PackageReader {
    /** A manifest nests a few levels; the limit keeps an untrusted file's nesting off the stack's end. */
    static final int MAX_JSON_DEPTH = 32;
    /** The digest of the manifest's bytes, in hex. */
    static final String DIGEST = "attune-package.sha256";
    /** The Ed25519 signature of the manifest's digest. */
    static final String SIGNATURE = "attune-package.sig";
    /** A manifest, digest or signature larger than this is damaged, whatever the limits. */
    private static final int MAX_META = 16 << 20;
    private static final Set<String> META = Set.of(Manifest.ENTRY, DIGEST, SIGNATURE);

    private PackageReader() {
    }

    /** What a verified package holds: its manifest and the bytes of every entry kept in memory. */
    record Verified(Manifest manifest, String contentSha256, String fileSha256, Optional<String> signerKeyId,
                    boolean signatureVerified, Map<String, byte[]> entries) {
    }

    static Verified read(Path file, Optional<PublicKey> requiredKey, PackageLimits limits, Set<String> leaveOnDisk) {
        Path abs = file.toAbsolutePath();
        String where = "package " + abs;
        if (Files.isDirectory(abs)) {
            throw new AttuneException(abs + " is a directory, not a package; give the path of a .attune file");
        }
        if (!Files.isRegularFile(abs)) {
            throw new AttuneException("no package at " + abs + "; give the path of a file written by"
                    + " ModelPackage.builder(...).write(path)");
        }
        try (ZipFile zip = new ZipFile(abs.toFile())) {
            Map<String, ZipEntry> byName = directory(zip, where, limits);
            ZipEntry manifestEntry = byName.get(Manifest.ENTRY);
            if (manifestEntry == null) {
                throw new AttuneException(where + " has no " + Manifest.ENTRY + ": it is a zip but not an Attune package;"
                        + " write one with ModelPackage.builder(...).write(path)");
            }
            Total total = new Total(limits.maxTotalBytes());
            byte[] manifestBytes = readAll(zip, manifestEntry, Math.min(MAX_META, limits.maxEntryBytes()), total, where);
            Object root;
            try {
                root = Json.parse(new String(manifestBytes, StandardCharsets.UTF_8), MAX_JSON_DEPTH,
                        Json.Numbers.LONGS_WHEN_INTEGRAL);
            } catch (IllegalArgumentException e) {
                throw new AttuneException(where + ": its manifest " + Manifest.ENTRY + " is not valid JSON (" + e.getMessage()
                        + "); the package is damaged: write it again", e);
            }
            int version = Manifest.version(root, where);
            if (version > Manifest.VERSION) {
                throw new AttuneException(where + " is in format " + Manifest.FORMAT_PREFIX + version + ", written by a newer"
                        + " Attune; this version reads " + Manifest.FORMAT + ": upgrade Attune to read it");
            }
            if (version < Manifest.VERSION) {
                throw new AttuneException(where + " is in format " + Manifest.FORMAT_PREFIX + version + ", which no Attune"
                        + " version wrote; this version reads " + Manifest.FORMAT + ": write the package again");
            }
            byte[] digest = sha256(manifestBytes);
            String contentSha = HexFormat.of().formatHex(digest);
            ZipEntry digestEntry = byName.get(DIGEST);
            if (digestEntry == null) {
                throw new AttuneException(where + " lacks " + DIGEST + ", the SHA-256 of its manifest; the package is"
                        + " incomplete: write it again");
            }
            String stated = new String(readAll(zip, digestEntry, MAX_META, total, where), StandardCharsets.US_ASCII);
            if (!stated.equals(contentSha + "\n")) {
                throw new AttuneException(where + ": its manifest " + Manifest.ENTRY + " does not match its SHA-256 (" + DIGEST
                        + " says " + abbreviate(stated) + ", the manifest's bytes give " + contentSha + "): it was changed"
                        + " after it was written; use the original package or write it again");
            }
            Optional<String> signer = Optional.empty();
            boolean verified = false;
            ZipEntry sigEntry = byName.get(SIGNATURE);
            if (sigEntry != null) {
                Object sig = parseSignature(readAll(zip, sigEntry, MAX_META, total, where), where);
                Map<?, ?> s = (Map<?, ?>) sig;
                String keyId = (String) s.get("keyId");
                signer = Optional.of(keyId);
                if (requiredKey.isPresent()) {
                    verify(requiredKey.get(), keyId, (String) s.get("signature"), digest, where);
                    verified = true;
                }
            } else if (requiredKey.isPresent()) {
                throw new AttuneException(where + " is not signed, but a signature by key "
                        + PackageKeys.keyId(requiredKey.get()) + " is required; sign it with"
                        + " ModelPackage.builder(...).signWith(privateKey), or load it with ModelPackage.load(path) to"
                        + " accept an unsigned package");
            }
            Manifest manifest = Manifest.parse((Map<?, ?>) root, where);
            checkListed(manifest, byName, where, limits);
            Map<String, byte[]> kept = new LinkedHashMap<>();
            for (PackageEntry e : manifest.entries()) {
                boolean keep = !leaveOnDisk.contains(e.name());
                ByteArrayOutputStream out = keep ? new ByteArrayOutputStream((int) Math.min(e.size(), 1 << 20)) : null;
                copyVerified(zip, byName.get(e.name()), e, out == null ? OutputStream.nullOutputStream() : out, limits,
                        total, where);
                if (keep) {
                    kept.put(e.name(), out.toByteArray());
                }
            }
            return new Verified(manifest, contentSha, fileSha256(abs), signer, verified, kept);
        } catch (ZipException e) {
            throw new AttuneException(where + " is not a readable zip (" + e.getMessage() + "): it is cut short or"
                    + " damaged; copy the whole file again or write it again", e);
        } catch (IOException e) {
            throw new AttuneException("cannot read " + where + ": " + e, e);
        }
    }

    /**
     * Streams one listed entry of a package to {@code out}, verifying its size and SHA-256 as the
     * manifest states them; used again when a model is loaded, so a file changed since it was opened is
     * refused too.
     */
    static void extract(Path file, PackageEntry entry, OutputStream out, PackageLimits limits) {
        String where = "package " + file.toAbsolutePath();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry z = zip.getEntry(entry.name());
            if (z == null) {
                throw new AttuneException(where + " no longer holds " + entry.name() + ": it was changed after it was"
                        + " loaded; load it again");
            }
            copyVerified(zip, z, entry, out, limits, new Total(limits.maxTotalBytes()), where);
        } catch (IOException e) {
            throw new AttuneException("cannot read " + entry.name() + " from " + where + ": " + e, e);
        }
    }

    /** Checks every name and declared size in the zip's directory, before anything is inflated. */
    private static Map<String, ZipEntry> directory(ZipFile zip, String where, PackageLimits limits) {
        if (zip.size() > limits.maxEntries()) {
            throw new AttuneException(where + " has " + zip.size() + " entries, more than the limit of "
                    + limits.maxEntries() + "; a package has at most a dozen: this is not a package Attune wrote");
        }
        Map<String, ZipEntry> byName = new LinkedHashMap<>();
        long declared = 0;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry z = en.nextElement();
            String name = z.getName();
            String unsafe = unsafe(name);
            if (unsafe != null) {
                throw new AttuneException(where + " holds an entry named '" + printable(name) + "', which " + unsafe
                        + "; such a name could write outside a directory it is extracted to, so the package is refused:"
                        + " use a package written by ModelPackage.builder(...).write(path)");
            }
            if (byName.put(name, z) != null) {
                throw new AttuneException(where + " holds two entries named '" + name + "'; a package lists each once:"
                        + " write it again");
            }
            long size = z.getSize();
            if (size > limits.maxEntryBytes()) {
                throw new AttuneException(where + ": entry " + name + " would inflate to " + size + " bytes, more than the"
                        + " limit of " + limits.maxEntryBytes() + " per entry (zip bomb?); nothing was inflated. Raise"
                        + " the limit with ModelPackage.load(path, new PackageLimits(...)) if the package is trusted");
            }
            declared += Math.max(0, size);
            if (declared > limits.maxTotalBytes()) {
                throw new AttuneException(where + ": its entries would inflate to more than the limit of "
                        + limits.maxTotalBytes() + " bytes in all (zip bomb?); nothing was inflated. Raise the limit"
                        + " with ModelPackage.load(path, new PackageLimits(...)) if the package is trusted");
            }
        }
        return byName;
    }

    /** Why an entry name is unsafe, or null when it is a plain relative path. */
    static String unsafe(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > 255) {
            return "is longer than 255 characters";
        }
        if (name.indexOf('\\') >= 0) {
            return "holds a backslash";
        }
        if (name.startsWith("/")) {
            return "is an absolute path";
        }
        if (name.indexOf(':') >= 0) {
            return "holds a colon (a drive letter or stream name)";
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) {
                return "holds a control character";
            }
        }
        if (name.endsWith("/")) {
            return "is a directory";
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return "has an empty, '.' or '..' path segment";
            }
        }
        return null;
    }

    private static String printable(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** Exactly the entries the manifest lists are in the zip, each named safely and within the limits. */
    private static void checkListed(Manifest manifest, Map<String, ZipEntry> byName, String where, PackageLimits limits) {
        Set<String> listed = new HashSet<>();
        long total = 0;
        for (PackageEntry e : manifest.entries()) {
            String unsafe = unsafe(e.name());
            if (unsafe != null || META.contains(e.name())) {
                throw new AttuneException(where + ": its manifest lists an entry named '" + printable(e.name()) + "', which "
                        + (unsafe != null ? unsafe : "is reserved for the manifest's seal") + "; the manifest is damaged:"
                        + " write the package again");
            }
            if (!listed.add(e.name())) {
                throw new AttuneException(where + ": its manifest lists entry " + e.name() + " twice; write the package"
                        + " again");
            }
            if (!byName.containsKey(e.name())) {
                throw new AttuneException(where + ": its manifest names entry " + e.name() + ", which the file lacks;"
                        + " the package is incomplete: copy the whole file again or write it again");
            }
            if (e.size() > limits.maxEntryBytes()) {
                throw new AttuneException(where + ": its manifest gives entry " + e.name() + " " + e.size() + " bytes, more"
                        + " than the limit of " + limits.maxEntryBytes() + " per entry; raise the limit with"
                        + " ModelPackage.load(path, new PackageLimits(...)) if the package is trusted");
            }
            total += e.size();
        }
        if (total > limits.maxTotalBytes()) {
            throw new AttuneException(where + ": its manifest's entries hold " + total + " bytes, more than the limit of "
                    + limits.maxTotalBytes() + "; raise the limit with ModelPackage.load(path, new PackageLimits(...))"
                    + " if the package is trusted");
        }
        for (String name : byName.keySet()) {
            if (!listed.contains(name) && !META.contains(name)) {
                throw new AttuneException(where + " holds entry " + name + ", which its manifest does not list: something"
                        + " was added after the package was written; use the original package or write it again");
            }
        }
    }

    /** Copies an entry while hashing and counting it; stops as soon as it is longer than stated. */
    private static void copyVerified(ZipFile zip, ZipEntry z, PackageEntry e, OutputStream out, PackageLimits limits,
                                     Total total, String where) throws IOException {
        MessageDigest sha = sha256();
        long n = 0;
        long max = Math.min(e.size(), limits.maxEntryBytes());
        byte[] buf = new byte[1 << 16];
        try (InputStream in = zip.getInputStream(z)) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                n += r;
                total.add(r, e.name(), where);
                if (n > max) {
                    throw new AttuneException(where + ": entry " + e.name() + " inflates to more than the "
                            + (max == e.size() ? e.size() + " bytes its manifest states" : "limit of " + max + " bytes")
                            + "; it was changed after the package was written (or is a zip bomb): use the original"
                            + " package or write it again");
                }
                sha.update(buf, 0, r);
                out.write(buf, 0, r);
            }
        } catch (ZipException | java.io.EOFException x) {
            throw new AttuneException(where + ": entry " + e.name() + " cannot be inflated (" + x.getMessage() + "): it is"
                    + " damaged or cut short; copy the whole file again or write it again", x);
        }
        if (n != e.size()) {
            throw new AttuneException(where + ": entry " + e.name() + " holds " + n + " bytes, but its manifest states "
                    + e.size() + ": it was changed or cut short after the package was written; use the original package"
                    + " or write it again");
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(e.sha256())) {
            throw new AttuneException(where + ": entry " + e.name() + " does not match its SHA-256 (the manifest states "
                    + e.sha256() + ", its bytes give " + actual + "): it was changed after the package was written;"
                    + " use the original package or write it again");
        }
    }

    /** Reads a small entry whole, refusing it past {@code max} bytes while inflating. */
    private static byte[] readAll(ZipFile zip, ZipEntry z, long max, Total total, String where) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        try (InputStream in = zip.getInputStream(z)) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                n += r;
                total.add(r, z.getName(), where);
                if (n > max) {
                    throw new AttuneException(where + ": entry " + z.getName() + " inflates to more than " + max
                            + " bytes, far more than it can hold (zip bomb?); the package is refused: write it again");
                }
                out.write(buf, 0, r);
            }
        } catch (ZipException | java.io.EOFException x) {
            throw new AttuneException(where + ": entry " + z.getName() + " cannot be inflated (" + x.getMessage() + "): it"
                    + " is damaged or cut short; copy the whole file again or write it again", x);
        }
        return out.toByteArray();
    }

    /** The bytes inflated so far from one package, against the total limit. */
    private static final class Total {
        private final long max;
        private long n;

        Total(long max) {
            this.max = max;
        }

        void add(long bytes, String entry, String where) {
            n += bytes;
            if (n > max) {
                throw new AttuneException(where + ": its entries inflate to more than the limit of " + max + " bytes in"
                        + " all (at " + entry + "; zip bomb?); raise the limit with ModelPackage.load(path, new"
                        + " PackageLimits(...)) if the package is trusted");
            }
        }
    }

    private static Object parseSignature(byte[] bytes, String where) {
        Object sig;
        try {
            sig = Json.parse(new String(bytes, StandardCharsets.UTF_8), MAX_JSON_DEPTH, Json.Numbers.LONGS_WHEN_INTEGRAL);
        } catch (IllegalArgumentException e) {
            throw new AttuneException(where + ": its signature " + SIGNATURE + " is not valid JSON (" + e.getMessage()
                    + "); sign the package again", e);
        }
        if (!(sig instanceof Map<?, ?> m) || !PackageKeys.ALGORITHM.equals(m.get("algorithm"))
                || !(m.get("keyId") instanceof String k) || !(m.get("signature") instanceof String s)) {
            throw new AttuneException(where + ": its signature " + SIGNATURE + " is not an Ed25519 signature with a key id;"
                    + " sign the package again");
        }
        // Only the canonical form is accepted, so that no byte of the entry can change unnoticed.
        if (!new String(bytes, StandardCharsets.UTF_8).equals(signatureJson(k, s))) {
            throw new AttuneException(where + ": its signature " + SIGNATURE + " is not in the form Attune writes: it was"
                    + " changed after signing; use the original package or sign it again");
        }
        return sig;
    }

    /** The signature entry's text. */
    static String signatureJson(String keyId, String signature) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("algorithm", PackageKeys.ALGORITHM);
        m.put("keyId", keyId);
        m.put("signature", signature);
        return Json.write(m);
    }

    private static void verify(PublicKey key, String keyId, String signature, byte[] digest, String where) {
        String expected = PackageKeys.keyId(key);
        if (!keyId.equals(expected)) {
            throw new AttuneException(where + " is signed by another key (key id " + abbreviate(keyId) + "), not by the"
                    + " required key (key id " + expected + "); load it with the public key that signed it, or sign it"
                    + " again with the required key's private key");
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(PackageKeys.ALGORITHM);
            s.initVerify(key);
            s.update(digest);
            ok = s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) {
            throw new AttuneException(where + ": its signature " + SIGNATURE + " does not verify with the required key"
                    + " (key id " + expected + "): the manifest or the signature was changed after signing, or another"
                    + " key signed it; use the original package or sign it again");
        }
    }

    static String abbreviate(String s) {
        String p = printable(s);
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }

    static String fileSha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                sha.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    /** The names of the seal's own entries, which the manifest does not list. */
    static List<String> sealEntries() {
        return new ArrayList<>(List.of(Manifest.ENTRY, DIGEST, SIGNATURE));
    }
}

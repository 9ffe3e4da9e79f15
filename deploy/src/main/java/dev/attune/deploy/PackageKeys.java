package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for signing packages, with the JDK's own {@code java.security} (no other library).
 * Private keys are stored as PKCS#8 and public keys as X.509 {@code SubjectPublicKeyInfo}, in PEM
 * ({@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey -algorithm ed25519} writes them);
 * DER files are read too.
 *
 * <pre>{@code
 * KeyPair keys = PackageKeys.generate();
 * PackageKeys.writePrivate(keys.getPrivate(), Path.of("release.key"));     // keep it secret
 * PackageKeys.writePublic(keys.getPublic(), Path.of("release.pub"));       // give it to every reader
 * }</pre>
 */
public final class PackageKeys {
    /** The signature algorithm of packages. */
    public static final String ALGORITHM = "Ed25519";

    private PackageKeys() {
    }

    /** A new Ed25519 key pair from the JDK's default secure random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519 (Java 15 and later have it)", e);
        }
    }

    /**
     * A public key's identifier: the SHA-256 of its X.509 encoding, in hex. Messages name keys by it.
     */
    public static String keyId(PublicKey key) {
        requireNonNull(key, "key");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /**
     * Writes a private key as PKCS#8 PEM, readable by its owner only where the file system allows it.
     *
     * @throws IllegalArgumentException when the key is not an Ed25519 key
     * @throws AttuneException when the file cannot be written
     */
    public static void writePrivate(PrivateKey key, Path file) {
        requireNonNull(key, "key");
        requireNonNull(file, "file");
        requireEd25519(key.getAlgorithm());
        Path abs = file.toAbsolutePath();
        AtomicWrite.write(abs, tmp -> {
            try {
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
            Files.writeString(tmp, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        }, "private key file");
    }

    /**
     * Writes a public key as X.509 PEM.
     *
     * @throws IllegalArgumentException when the key is not an Ed25519 key
     * @throws AttuneException when the file cannot be written
     */
    public static void writePublic(PublicKey key, Path file) {
        requireNonNull(key, "key");
        requireNonNull(file, "file");
        requireEd25519(key.getAlgorithm());
        AtomicWrite.write(file.toAbsolutePath(), tmp -> Files.writeString(tmp, pem("PUBLIC KEY", key.getEncoded()),
                StandardCharsets.US_ASCII), "public key file");
    }

    /**
     * Reads a private key written by {@link #writePrivate} (or any PKCS#8 Ed25519 key, PEM or DER).
     *
     * @throws AttuneException when the file is missing, unreadable or not a PKCS#8 Ed25519 private key
     */
    public static PrivateKey readPrivate(Path file) {
        byte[] der = der(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new AttuneException(file.toAbsolutePath() + " is not a PKCS#8 Ed25519 private key (" + e.getMessage()
                    + "); give a key written by PackageKeys.writePrivate or openssl genpkey -algorithm ed25519", e);
        }
    }

    /**
     * Reads a public key written by {@link #writePublic} (or any X.509 Ed25519 key, PEM or DER).
     *
     * @throws AttuneException when the file is missing, unreadable or not an X.509 Ed25519 public key
     */
    public static PublicKey readPublic(Path file) {
        byte[] der = der(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new AttuneException(file.toAbsolutePath() + " is not an X.509 Ed25519 public key (" + e.getMessage()
                    + "); give a key written by PackageKeys.writePublic or openssl pkey -pubout", e);
        }
    }

    static void requireEd25519(String algorithm) {
        if (!ALGORITHM.equalsIgnoreCase(algorithm) && !"EdDSA".equalsIgnoreCase(algorithm)) {
            throw new IllegalArgumentException("packages are signed with Ed25519 keys, got a " + algorithm
                    + " key; make one with PackageKeys.generate()");
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type) {
        requireNonNull(file, "file");
        Path abs = file.toAbsolutePath();
        byte[] bytes;
        try {
            if (Files.size(abs) > 64 * 1024) {
                throw new AttuneException(abs + " holds " + Files.size(abs) + " bytes, too many for a key file; give"
                        + " the path of a key");
            }
            bytes = Files.readAllBytes(abs);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AttuneException("no key file at " + abs + "; give the path of a " + type.toLowerCase()
                    + " file", e);
        } catch (IOException e) {
            throw new AttuneException("cannot read the key file " + abs + ": " + e, e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        int at = text.indexOf(begin);
        if (at < 0) {
            if (text.contains("-----BEGIN ")) {
                throw new AttuneException(abs + " is a PEM file but not a " + type.toLowerCase() + " (it lacks '"
                        + begin + "'); give the other key file of the pair");
            }
            return bytes;
        }
        int end = text.indexOf("-----END " + type + "-----", at);
        if (end < 0) {
            throw new AttuneException(abs + " is cut short: it lacks '-----END " + type + "-----'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(at + begin.length(), end));
        } catch (IllegalArgumentException e) {
            throw new AttuneException(abs + " holds invalid base64 between its PEM lines: " + e.getMessage(), e);
        }
    }
}

package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seal: every way a package can be damaged, tampered with, forged or made hostile is refused by name. */
class SealTest {
    static final KeyPair KEYS = PackageKeys.generate();
    static final KeyPair OTHER = PackageKeys.generate();

    @TempDir
    static Path shared;
    static Path unsigned;
    static Path signed;

    @TempDir
    Path dir;

    @BeforeAll
    static void write() {
        unsigned = shared.resolve("unsigned.attune");
        Fixtures.small(unsigned, null);
        signed = shared.resolve("signed.attune");
        Fixtures.small(signed, KEYS.getPrivate());
    }

    @Test
    void aWholePackageLoadsAndListsEveryEntryWithItsDigest() throws Exception {
        ModelPackage p = ModelPackage.load(unsigned);
        assertThat(p.entries()).extracting(PackageEntry::name)
                .containsExactly(ModelPackage.MODEL, ModelPackage.REPRODUCE);
        Map<String, byte[]> raw = ZipFiles.read(unsigned);
        for (PackageEntry e : p.entries()) {
            byte[] b = raw.get(e.name());
            assertThat(e.size()).isEqualTo(b.length);
            assertThat(e.sha256()).isEqualTo(HexFormat.of().formatHex(PackageReader.sha256(b)));
        }
        assertThat(p.contentSha256()).isEqualTo(HexFormat.of().formatHex(PackageReader.sha256(raw.get(Manifest.ENTRY))));
        assertThat(new String(raw.get(PackageReader.DIGEST), StandardCharsets.US_ASCII)).isEqualTo(p.contentSha256() + "\n");
        assertThat(p.fileSha256()).isEqualTo(PackageReader.fileSha256(unsigned));
        assertThat(p.signerKeyId()).isEmpty();
        assertThat(p.signatureVerified()).isFalse();
    }

    @Test
    void writingLeavesNoTemporaryFileAndASignatureDoesNotChangeWhatIsVerified() throws Exception {
        Path again = dir.resolve("again.attune");
        Fixtures.small(again, null);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("again.attune");
        }
        Map<String, byte[]> plain = ZipFiles.read(unsigned);
        Map<String, byte[]> sealed = ZipFiles.read(signed);
        assertThat(sealed.keySet()).containsExactly(Manifest.ENTRY, PackageReader.DIGEST, PackageReader.SIGNATURE,
                ModelPackage.MODEL, ModelPackage.REPRODUCE);
        assertThat(plain.keySet()).containsExactly(Manifest.ENTRY, PackageReader.DIGEST, ModelPackage.MODEL,
                ModelPackage.REPRODUCE);
    }

    @Test
    void aTamperedEntryIsRefusedByName() throws Exception {
        Path bad = ZipFiles.rewrite(unsigned, dir.resolve("bad.attune"), m -> m.get(ModelPackage.REPRODUCE)[10] ^= 1);
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("entry REPRODUCE.md does not match its SHA-256")
                .hasMessageContaining("use the original package or write it again");
    }

    @Test
    void aTamperedManifestIsRefused() throws Exception {
        Path bad = ZipFiles.rewrite(unsigned, dir.resolve("bad.attune"), m -> {
            String json = new String(m.get(Manifest.ENTRY), StandardCharsets.UTF_8).replace("\"small\"", "\"large\"");
            m.put(Manifest.ENTRY, json.getBytes(StandardCharsets.UTF_8));
        });
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("its manifest attune-package.json does not match its SHA-256");
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        byte[] all = Files.readAllBytes(unsigned);
        Path cut = Files.write(dir.resolve("cut.attune"), Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> ModelPackage.load(cut)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("cut short");
        Path lastByte = Files.write(dir.resolve("last.attune"), Arrays.copyOf(all, all.length - 1));
        assertThatThrownBy(() -> ModelPackage.load(lastByte)).isInstanceOf(AttuneException.class);
    }

    @Test
    void anEntryTheManifestNamesButTheFileLacksIsRefused() throws Exception {
        Path bad = ZipFiles.rewrite(unsigned, dir.resolve("bad.attune"), m -> m.remove(ModelPackage.REPRODUCE));
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("its manifest names entry REPRODUCE.md, which the file lacks");
    }

    @Test
    void anEntryTheManifestDoesNotListIsRefused() throws Exception {
        Path bad = ZipFiles.rewrite(unsigned, dir.resolve("bad.attune"),
                m -> m.put("model/extra.bin", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("holds entry model/extra.bin, which its manifest does not list");
    }

    @Test
    void aPackageOfANewerFormatIsRefusedAsNewer() throws Exception {
        Path newer = ZipFiles.rewrite(unsigned, dir.resolve("newer.attune"), m -> {
            String json = new String(m.get(Manifest.ENTRY), StandardCharsets.UTF_8)
                    .replace("attune-package/1", "attune-package/2");
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            m.put(Manifest.ENTRY, b);
            m.put(PackageReader.DIGEST, (HexFormat.of().formatHex(PackageReader.sha256(b)) + "\n").getBytes());
        });
        assertThatThrownBy(() -> ModelPackage.load(newer)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("is in format attune-package/2, written by a newer Attune")
                .hasMessageContaining("upgrade Attune");
    }

    @Test
    void aSignedPackageLoadsWithItsKeyAndNotWithAnother() {
        ModelPackage p = ModelPackage.load(signed, KEYS.getPublic());
        assertThat(p.signatureVerified()).isTrue();
        assertThat(p.signerKeyId()).contains(PackageKeys.keyId(KEYS.getPublic()));
        assertThat(ModelPackage.load(signed).signatureVerified()).isFalse();

        assertThatThrownBy(() -> ModelPackage.load(signed, OTHER.getPublic())).isInstanceOf(AttuneException.class)
                .hasMessageContaining("is signed by another key (key id " + PackageKeys.keyId(KEYS.getPublic()))
                .hasMessageContaining("not by the required key (key id " + PackageKeys.keyId(OTHER.getPublic()));
        assertThatThrownBy(() -> ModelPackage.load(unsigned, KEYS.getPublic())).isInstanceOf(AttuneException.class)
                .hasMessageContaining("is not signed, but a signature by key " + PackageKeys.keyId(KEYS.getPublic())
                        + " is required");
    }

    @Test
    void aSignatureByAnotherKeyThatClaimsTheRightKeyIdDoesNotVerify() throws Exception {
        Path otherSigned = dir.resolve("other.attune");
        Fixtures.small(otherSigned, OTHER.getPrivate());
        String forged = new String(ZipFiles.read(otherSigned).get(PackageReader.SIGNATURE), StandardCharsets.UTF_8)
                .replace(PackageKeys.keyId(OTHER.getPublic()), PackageKeys.keyId(KEYS.getPublic()));
        Path bad = ZipFiles.rewrite(otherSigned, dir.resolve("forged.attune"),
                m -> m.put(PackageReader.SIGNATURE, forged.getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> ModelPackage.load(bad, KEYS.getPublic())).isInstanceOf(AttuneException.class)
                .hasMessageContaining("its signature attune-package.sig does not verify with the required key");
    }

    @Test
    void keysRoundTripThroughPemFiles() {
        PackageKeys.writePrivate(KEYS.getPrivate(), dir.resolve("release.key"));
        PackageKeys.writePublic(KEYS.getPublic(), dir.resolve("release.pub"));
        assertThat(PackageKeys.readPublic(dir.resolve("release.pub"))).isEqualTo(KEYS.getPublic());
        Path again = dir.resolve("again.attune");
        Fixtures.small(again, PackageKeys.readPrivate(dir.resolve("release.key")));
        assertThat(ModelPackage.load(again, PackageKeys.readPublic(dir.resolve("release.pub"))).signatureVerified()).isTrue();
        assertThatThrownBy(() -> PackageKeys.readPublic(dir.resolve("release.key"))).isInstanceOf(AttuneException.class)
                .hasMessageContaining("not a public key");
    }

    @Test
    void entryNamesThatCouldEscapeADirectoryAreRefused() throws Exception {
        for (String name : new String[] {"../evil.sh", "/etc/evil", "model\\..\\evil", "a/../../evil", "C:/evil", "a//b"}) {
            Path bad = ZipFiles.rewrite(unsigned, dir.resolve("slip.attune"), m -> m.put(name, new byte[] {1}));
            assertThatThrownBy(() -> ModelPackage.load(bad)).as(name).isInstanceOf(AttuneException.class)
                    .hasMessageContaining("holds an entry named '" + name + "'")
                    .hasMessageContaining("could write outside a directory");
        }
    }

    @Test
    void tooManyEntriesAreRefusedFromTheDirectory() throws Exception {
        Path bad = ZipFiles.rewrite(unsigned, dir.resolve("many.attune"), m -> {
            for (int i = 0; i < 70; i++) {
                m.put("x/" + i, new byte[0]);
            }
        });
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("has 74 entries, more than the limit of 64");
    }

    @Test
    void aZipBombIsRefusedWithoutInflatingIt() throws Exception {
        // 64 MiB of zeros deflate to about 64 kB; the limit here is 1 MiB per entry.
        PackageLimits limits = new PackageLimits(64, 1 << 20, 2 << 20);
        byte[] zeros = new byte[64 << 20];
        Path bomb = ZipFiles.rewrite(unsigned, dir.resolve("bomb.attune"), m -> m.put(ModelPackage.REPRODUCE, zeros));
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        assertThatThrownBy(() -> ModelPackage.load(bomb, limits)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("entry REPRODUCE.md would inflate to 67108864 bytes, more than the limit of 1048576")
                .hasMessageContaining("nothing was inflated");

        // The same bomb whose directory understates its size: refused while inflating, at the limit.
        Path liar = dir.resolve("liar.attune");
        Files.write(liar, setCentralSize(Files.readAllBytes(bomb), ModelPackage.REPRODUCE, 100));
        assertThatThrownBy(() -> ModelPackage.load(liar, limits)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("entry REPRODUCE.md inflates to more than the");
    }

    @Test
    void aDirectoryClaimingMoreThanTheDefaultLimitIsRefusedBeforeInflating() throws Exception {
        // Three entries whose directory claims almost 4 GiB each: 12 GiB in all, over the default 8 GiB.
        Path small = dir.resolve("small.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(small))) {
            for (String name : new String[] {Manifest.ENTRY, "a", "b"}) {
                out.putNextEntry(new ZipEntry(name));
                out.write(new byte[100]);
                out.closeEntry();
            }
        }
        byte[] b = Files.readAllBytes(small);
        for (String name : new String[] {Manifest.ENTRY, "a", "b"}) {
            b = setCentralSize(b, name, 0xfffffffeL);
        }
        Path huge = Files.write(dir.resolve("huge.attune"), b);
        assertThatThrownBy(() -> ModelPackage.load(huge)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("its entries would inflate to more than the limit of 8589934592 bytes in all")
                .hasMessageContaining("nothing was inflated");
    }

    /** Sets the uncompressed size of an entry in a zip's central directory (a 32-bit field). */
    static byte[] setCentralSize(byte[] zip, String name, long size) {
        byte[] out = zip.clone();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 < out.length; i++) {
            if (out[i] == 0x50 && out[i + 1] == 0x4b && out[i + 2] == 1 && out[i + 3] == 2) {
                int nameLength = (out[i + 28] & 0xff) | (out[i + 29] & 0xff) << 8;
                if (nameLength == n.length && Arrays.equals(Arrays.copyOfRange(out, i + 46, i + 46 + n.length), n)) {
                    long s = Math.min(size, 0xfffffffeL);
                    for (int k = 0; k < 4; k++) {
                        out[i + 24 + k] = (byte) (s >>> (8 * k));
                    }
                    return out;
                }
            }
        }
        throw new AssertionError("no central directory entry " + name);
    }

    @Test
    void aPackageIsWrittenWholeOrNotAtAll() {
        Path file = dir.resolve("x.attune");
        assertThatThrownBy(() -> ModelPackage.builder("small").model(dev.attune.Network.of(Fixtures.mlp(8, 16, 3, 1)))
                .classNames(java.util.List.of("a", "b")).image(1f, 8).write(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the model has 3 outputs but 2 class names are given");
        assertThatThrownBy(() -> ModelPackage.builder("small").model(dev.attune.Network.of(Fixtures.mlp(8, 16, 3, 1)))
                .classNames(java.util.List.of("a", "b", "c")).image(1f, 9).write(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the model does not take the packaged image input of shape [9]");
        assertThat(file).doesNotExist();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void javaSerializationIsNowhereInTheModule() throws Exception {
        try (var sources = Files.walk(Path.of("src/main/java"))) {
            for (Path p : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                assertThat(Files.readString(p)).as(p.toString()).doesNotContain("ObjectInputStream")
                        .doesNotContain("readObject");
            }
        }
    }
}

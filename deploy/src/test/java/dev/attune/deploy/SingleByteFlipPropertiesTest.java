package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Any single byte changed in any entry of a signed package (the manifest, its digest, the signature,
 * the model, REPRODUCE.md), rewritten into a well-formed zip as an editing tool would, is refused when
 * the package is loaded with its public key; unsigned, it is refused for every entry but the signature.
 */
class SingleByteFlipPropertiesTest {
    static Path dir;
    static Path signed;
    static Map<String, byte[]> entries;
    static KeyPair keys;

    @BeforeContainer
    static void write() throws Exception {
        dir = Files.createTempDirectory("flip");
        keys = PackageKeys.generate();
        signed = dir.resolve("signed.attune");
        Fixtures.small(signed, keys.getPrivate());
        entries = ZipFiles.read(signed);
    }

    @AfterContainer
    static void clean() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    record Flip(String entry, int offset, int mask) {
    }

    @Provide
    Arbitrary<Flip> flips() {
        List<String> names = List.copyOf(entries.keySet());
        return Arbitraries.of(names).flatMap(name -> Combinators.combine(
                Arbitraries.integers().between(0, entries.get(name).length - 1),
                Arbitraries.integers().between(1, 255)).as((offset, mask) -> new Flip(name, offset, mask)));
    }

    @Property(tries = 200)
    void anyChangedByteIsRefused(@ForAll("flips") Flip flip) throws Exception {
        Path bad = dir.resolve("bad.attune");
        ZipFiles.rewrite(signed, bad, m -> {
            byte[] b = m.get(flip.entry()).clone();
            b[flip.offset()] ^= (byte) flip.mask();
            m.put(flip.entry(), b);
        });
        assertThatThrownBy(() -> ModelPackage.load(bad, keys.getPublic())).isInstanceOf(AttuneException.class);
        if (!flip.entry().equals(PackageReader.SIGNATURE)) {
            assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class);
        }
    }
}

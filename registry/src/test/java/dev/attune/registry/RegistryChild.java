package dev.attune.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A second process for the concurrency and crash tests: opens the registry named by its arguments
 * and registers or promotes in a loop.
 *
 * <pre>
 * register MODEL COUNT TAG STORE...      COUNT distinct artifacts (forever when negative), then one shared by every child
 * promote MODEL COUNT SEED VERSIONS STORE...   COUNT promotions to production or rollbacks of it
 * STORE: sqlite DIR | postgres URL USER PASSWORD ARTIFACT_DIR
 * </pre>
 *
 * Prints {@code ready} once the registry is open and {@code done N} with the number of changes made.
 */
public final class RegistryChild {
    private RegistryChild() {
    }

    /** Runs one child; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        String mode = args[0];
        String model = args[1];
        int count = Integer.parseInt(args[2]);
        String tag = args[3];
        int storeAt = mode.equals("promote") ? 5 : 4;
        try (ModelRegistry registry = open(Arrays.asList(args).subList(storeAt, args.length))) {
            System.out.println("ready");
            System.out.flush();
            int changes = mode.equals("register") ? register(registry, model, count, tag)
                    : promote(registry, model, count, Long.parseLong(tag), Integer.parseInt(args[4]));
            System.out.println("done " + changes);
        }
    }

    static ModelRegistry open(List<String> store) {
        return switch (store.get(0)) {
            case "sqlite" -> ModelRegistry.sqlite(Path.of(store.get(1)));
            case "postgres" -> ModelRegistry.postgres(store.get(1), store.get(2), store.get(3), Path.of(store.get(4)));
            default -> throw new IllegalArgumentException("store is sqlite or postgres, got " + store.get(0));
        };
    }

    private static int register(ModelRegistry registry, String model, int count, String tag) throws IOException {
        Path scratch = Files.createTempDirectory("attune-child-");
        int registered = 0;
        for (int i = 0; count < 0 || i < count; i++) {
            registered += registerBytes(registry, model, scratch, artifact(tag + "-" + i), tag + " " + i);
        }
        registered += registerBytes(registry, model, scratch, artifact("shared"), tag + " shared");
        return registered;
    }

    private static int registerBytes(ModelRegistry registry, String model, Path scratch, byte[] bytes, String why)
            throws IOException {
        Path file = scratch.resolve("artifact.bin");
        Files.write(file, bytes);
        ModelVersion version = registry.register(file, Registration.of(model).withMetric("bytes", bytes.length)
                .withProvenance("made by", why), Change.by("child-" + ProcessHandle.current().pid(), why));
        return version.registeredBy().equals("child-" + ProcessHandle.current().pid()) ? 1 : 0;
    }

    /** 256 KiB of bytes determined by {@code name}. */
    static byte[] artifact(String name) {
        byte[] bytes = new byte[256 * 1024];
        new Random(name.hashCode()).nextBytes(bytes);
        byte[] label = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(label, 0, bytes, 0, label.length);
        return bytes;
    }

    private static int promote(ModelRegistry registry, String model, int count, long seed, int versions) {
        Random random = new Random(seed);
        int changes = 0;
        String who = "child-" + ProcessHandle.current().pid();
        for (int i = 0; i < count; i++) {
            try {
                if (random.nextInt(4) == 0) {
                    registry.rollback(model, Stage.PRODUCTION, Change.by(who, "rollback " + i));
                } else {
                    registry.promote(model, 1 + random.nextInt(versions), Stage.PRODUCTION, Change.by(who, "promote " + i));
                }
                changes++;
            } catch (IllegalArgumentException | IllegalStateException refused) {
                // In production already, or nothing to roll back to: refused whole, counted as no change.
            }
        }
        return changes;
    }
}

package dev.attune.serving;

import static java.util.Objects.requireNonNull;

import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows a registry stage: polls {@link ModelRegistry#inStage} for a model and, when another version
 * holds the stage (a promotion, a rollback), swaps that version's adapter into an {@link AdapterStore}
 * under one name with {@link AdapterStore#replace}, so requests in flight finish with the old version
 * and later ones get the new. The registered artifact is an adapter file ({@code .safetensors}, as
 * {@link AdapterFile#save} writes it) or a deployment package of an adapter.
 *
 * <pre>{@code
 * try (RegistryWatcher watcher = RegistryWatcher.follow(registry, "support-de", Stage.PRODUCTION, store, "de", base)
 *         .start(Duration.ofSeconds(10))) {
 *     ... serve ...
 * }
 * }</pre>
 *
 * <p>A version that cannot be read or does not fit the base leaves the serving version in place; the
 * failure goes to the handler ({@link #onFailure}, logged by default) and the next poll tries again.
 */
public final class RegistryWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RegistryWatcher.class.getName());
    private final ModelRegistry registry;
    private final String model;
    private final Stage stage;
    private final AdapterStore store;
    private final String adapter;
    private final Network base;
    private volatile Consumer<RuntimeException> onFailure = e -> LOG.log(Level.WARNING, e.getMessage(), e);
    private volatile ModelVersion serving;
    private ScheduledExecutorService timer;

    private RegistryWatcher(ModelRegistry registry, String model, Stage stage, AdapterStore store, String adapter,
                            Network base) {
        this.registry = registry;
        this.model = model;
        this.stage = stage;
        this.store = store;
        this.adapter = adapter;
        this.base = base;
    }

    /**
     * A watcher that serves the version of {@code model} in {@code stage} as adapter {@code adapter} of the
     * store, on {@code base} (the store's base model). Nothing is read until {@link #poll} or {@link #start}.
     */
    public static RegistryWatcher follow(ModelRegistry registry, String model, Stage stage, AdapterStore store,
                                         String adapter, Network base) {
        return new RegistryWatcher(requireNonNull(registry, "registry"), requireNonNull(model, "model"),
                requireNonNull(stage, "stage"), requireNonNull(store, "store"), requireNonNull(adapter, "adapter"),
                requireNonNull(base, "base"));
    }

    /** Where failures of background polls go (by default, a warning in the log). */
    public RegistryWatcher onFailure(Consumer<RuntimeException> handler) {
        this.onFailure = requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Polls once: when another version than the one served holds the stage, swaps it in (adding the
     * adapter to the store the first time).
     *
     * @return the version now served, empty before a version first held the stage (when the stage is
     *     emptied, the version last in it keeps serving)
     * @throws RuntimeException when the new version cannot be read or is refused; the old one keeps serving
     */
    public synchronized Optional<ModelVersion> poll() {
        Optional<ModelVersion> now = registry.inStage(model, stage);
        if (now.isPresent() && (serving == null || serving.version() != now.get().version())) {
            ModelVersion v = now.get();
            Path artifact = registry.artifact(v);
            java.util.function.Supplier<dev.attune.spi.AdapterWeights> source = () -> read(artifact);
            if (store.names().contains(adapter)) {
                store.replace(adapter, source);
            } else {
                // Read before it is added, so that a bad first version adds nothing.
                dev.attune.spi.AdapterWeights first = read(artifact);
                store.add(adapter, new java.util.function.Supplier<>() {
                    private boolean fresh = true;

                    @Override
                    public synchronized dev.attune.spi.AdapterWeights get() {
                        if (fresh) {
                            fresh = false;
                            return first;
                        }
                        return read(artifact);
                    }
                });
            }
            serving = v;
        }
        return Optional.ofNullable(serving);
    }

    private dev.attune.spi.AdapterWeights read(Path artifact) {
        String name = artifact.getFileName().toString();
        if (name.endsWith(".safetensors") || !isZip(artifact)) {
            return AdapterFile.load(artifact, base);
        }
        return AdapterStore.fromPackage(artifact, base);
    }

    private static boolean isZip(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The version served, empty before the first version was swapped in. */
    public Optional<ModelVersion> serving() {
        return Optional.ofNullable(serving);
    }

    /**
     * Polls now and then every {@code interval} on a daemon thread.
     *
     * @throws IllegalStateException when already started
     */
    public synchronized RegistryWatcher start(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive, got " + interval
                    + "; give e.g. Duration.ofSeconds(10)");
        }
        if (timer != null) {
            throw new IllegalStateException("the watcher of " + model + " in " + stage.label() + " is already started");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "attune-registry-watcher-" + model);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops polling; the adapter keeps serving. */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}

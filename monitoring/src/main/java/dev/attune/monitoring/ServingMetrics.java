package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.serving.PredictorService;
import dev.attune.serving.ServingListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Serving metrics in Prometheus, with the official Prometheus Java client: what each
 * {@link PredictorService} bound to it does, and the drift its {@link DriftMonitor}s see, registered in a
 * {@link PrometheusRegistry} and served over HTTP for Prometheus to scrape.
 *
 * <pre>{@code
 * ServingMetrics metrics = ServingMetrics.create();
 * PredictorService<float[], float[]> service = PredictorService.forNetwork(network, 20)
 *         .listener(metrics.bind("credit-risk", "3"))
 *         .build();
 * metrics.watchDrift("credit-risk", "3", monitor);
 * MetricsEndpoint endpoint = metrics.serve(9464);     // http://127.0.0.1:9464/metrics
 * }</pre>
 *
 * <p>The series, each labelled {@code model} and {@code version} (the served model's name and version):
 * <ul>
 *   <li>{@code attune_serving_requests_total} by {@code adapter} and {@code outcome} ({@code ok},
 *       {@code error}, {@code timeout}, {@code cancelled}, {@code refused_full}, {@code refused_closed},
 *       {@code invalid}), the counts {@link dev.attune.serving.ServingStats} keeps;</li>
 *   <li>{@code attune_serving_errors_total} by {@code adapter} and {@code reason} ({@code error},
 *       {@code timeout}, {@code cancelled}): the requests accepted that did not get an answer;</li>
 *   <li>{@code attune_serving_request_duration_seconds} by {@code adapter}: a histogram of the time from
 *       submit to outcome of every accepted request;</li>
 *   <li>{@code attune_serving_batch_size}: a histogram of the requests per batch call;</li>
 *   <li>{@code attune_serving_queue_depth} and {@code attune_serving_queue_capacity}: requests waiting, and
 *       the most that may, read at each scrape;</li>
 *   <li>{@code attune_serving_unknown_adapter_total}: requests whose adapter label was not declared
 *       (counted under adapter {@code other});</li>
 *   <li>the drift of the {@link DriftMonitor#latest() latest report} of each watched monitor:
 *       {@code attune_drift_feature_psi}, {@code attune_drift_feature_ks_statistic} and
 *       {@code attune_drift_feature_ks_p_value} by {@code feature}, {@code attune_drift_embedding_shift},
 *       {@code attune_drift_prediction_psi}, {@code attune_drift_mean_confidence},
 *       {@code attune_drift_reference_mean_confidence}, {@code attune_drift_level} (0 ok, 1 warn, 2 alert)
 *       and {@code attune_drift_window_rows}.</li>
 * </ul>
 * The adapter label is {@code none} for a service bound without an adapter function. Every label
 * combination of a binding is created at zero when it is bound, so rates are defined from the first
 * scrape. {@link AlertRules} holds alerting rules over these series.
 *
 * <p>Thread-safe. One {@code ServingMetrics} per registry: its metric names are registered once.
 */
public final class ServingMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.attune.monitoring");
    private static final String[] OUTCOMES = outcomeLabels();
    private static final String[] ERRORS = {"error", "timeout", "cancelled"};

    private final PrometheusRegistry registry;
    private final Counter requests;
    private final Counter errors;
    private final Counter unknownAdapters;
    private final Histogram latency;
    private final Histogram batchSizes;
    private final DriftCollector drift = new DriftCollector();
    private final Map<List<String>, PredictorService<?, ?>> services = new ConcurrentHashMap<>();
    private final Map<List<String>, Boolean> bound = new ConcurrentHashMap<>();
    private final List<MetricsEndpoint> endpoints = new CopyOnWriteArrayList<>();

    private ServingMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        try {
            requests = Counter.builder().name("attune_serving_requests_total")
                    .help("Requests to a served model by outcome").labelNames("model", "version", "adapter", "outcome")
                    .register(registry);
            errors = Counter.builder().name("attune_serving_errors_total")
                    .help("Accepted requests that got no answer: their batch failed, they timed out or were cancelled")
                    .labelNames("model", "version", "adapter", "reason").register(registry);
            unknownAdapters = Counter.builder().name("attune_serving_unknown_adapter_total")
                    .help("Requests whose adapter label was not declared, counted under adapter \"other\"")
                    .labelNames("model", "version").register(registry);
            latency = Histogram.builder().name("attune_serving_request_duration_seconds")
                    .help("Time from submit to outcome of accepted requests").labelNames("model", "version", "adapter")
                    .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                            5, 10)
                    .register(registry);
            batchSizes = Histogram.builder().name("attune_serving_batch_size").help("Requests per batch call")
                    .labelNames("model", "version").classicOnly()
                    .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
            GaugeWithCallback.builder().name("attune_serving_queue_depth").help("Requests waiting in the queue")
                    .labelNames("model", "version")
                    .callback(cb -> services.forEach((k, s) -> cb.call(s.stats().queueDepth(), k.get(0), k.get(1))))
                    .register(registry);
            GaugeWithCallback.builder().name("attune_serving_queue_capacity")
                    .help("The most requests that may wait in the queue").labelNames("model", "version")
                    .callback(cb -> services.forEach((k, s) -> cb.call(s.stats().queueCapacity(), k.get(0), k.get(1))))
                    .register(registry);
            registry.register(drift);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException("the registry already holds Attune's serving metrics (" + e.getMessage()
                    + "); make one ServingMetrics per registry and bind every service to it", e);
        }
    }

    /** Metrics in a registry of their own, {@link #registry()}. */
    public static ServingMetrics create() {
        return new ServingMetrics(new PrometheusRegistry());
    }

    /**
     * Metrics registered in {@code registry}, such as {@link PrometheusRegistry#defaultRegistry} to serve
     * them beside an application's own.
     *
     * @throws IllegalStateException when the registry already holds them
     */
    public static ServingMetrics create(PrometheusRegistry registry) {
        return new ServingMetrics(requireNonNull(registry, "registry"));
    }

    /** The registry the metrics are registered in. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * A listener to register on a service's builder ({@code PredictorService.Builder.listener}): it
     * records the service's requests under these labels, with adapter {@code none}.
     *
     * @throws IllegalArgumentException for a blank label, or one with a control character
     * @throws IllegalStateException when this model and version are already bound
     */
    public <I> Binding<I> bind(String model, String version) {
        return new Binding<>(LabelValues.value(model, "model"), LabelValues.value(version, "version"), null, null);
    }

    /**
     * A listener as {@link #bind(String, String)}, labelling each request with its adapter:
     * {@code adapterOf} gives it from the request's input (for a service that serves several adapters of
     * one base model). The adapters are declared up front, so the series stay few: a request whose
     * adapter is not declared (or whose function throws, or gives null) is counted under adapter
     * {@code other} and in {@code attune_serving_unknown_adapter_total}, and the first such value is logged
     * with the declared ones.
     *
     * @throws IllegalArgumentException for a blank label, no adapter declared, more than 100, or the
     *     reserved labels {@code none} and {@code other}
     * @throws IllegalStateException when this model and version are already bound
     */
    public <I> Binding<I> bind(String model, String version, Set<String> adapters,
            Function<? super I, String> adapterOf) {
        return new Binding<>(LabelValues.value(model, "model"), LabelValues.value(version, "version"),
                LabelValues.adapters(adapters), requireNonNull(adapterOf, "adapterOf"));
    }

    /**
     * Exports the drift of {@code monitor}'s {@link DriftMonitor#latest() latest report} under these
     * labels, read at each scrape (a sliding monitor's report is made then; a fixed-window monitor's is
     * that of its last full window). Nothing is exported while there is no report.
     *
     * @return the registration; closing it stops the export
     * @throws IllegalStateException when a monitor is already watched under this model and version
     */
    public Registration watchDrift(String model, String version, DriftMonitor monitor) {
        String m = LabelValues.value(model, "model");
        String v = LabelValues.value(version, "version");
        requireNonNull(monitor, "monitor");
        if (!drift.watch(m, v, monitor)) {
            throw new IllegalStateException("a drift monitor is already watched for model '" + m + "' version '" + v
                    + "'; close its registration first, or watch this one under another version");
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                drift.unwatch(m, v, monitor);
            }
        };
    }

    /**
     * Serves the metrics over HTTP on {@code 127.0.0.1} (this machine alone), as {@link #serve(String, int)}.
     */
    public MetricsEndpoint serve(int port) {
        return serve("127.0.0.1", port);
    }

    /**
     * Serves the metrics over HTTP at {@code http://host:port/metrics} for Prometheus to scrape, from a
     * thread of its own, until the endpoint (or these metrics) is closed.
     *
     * @param host the address to listen on: {@code 127.0.0.1} for this machine alone, {@code 0.0.0.0} for
     *     every interface
     * @param port the port, or 0 for a free one ({@link MetricsEndpoint#port()} tells which)
     * @throws IllegalArgumentException for a port outside 0 to 65535
     * @throws AttuneException when the port is in use, or the address cannot be listened on
     */
    public MetricsEndpoint serve(String host, int port) {
        requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port; give one from 1 to 65535, or 0 for"
                    + " a free one");
        }
        HTTPServer server;
        try {
            server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        } catch (BindException e) {
            throw new AttuneException("cannot serve metrics on " + host + ":" + port + ": the port is in use or the"
                    + " address is not this machine's (" + e.getMessage() + "); choose another port, or 0 for a free one",
                    e);
        } catch (IOException e) {
            throw new AttuneException("cannot serve metrics on " + host + ":" + port + ": " + e, e);
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(server, host);
        endpoints.add(endpoint);
        return endpoint;
    }

    /** Stops every endpoint {@link #serve} started. The metrics stay registered, and bound services recorded. */
    @Override
    public void close() {
        for (MetricsEndpoint e : endpoints) {
            e.close();
        }
        endpoints.clear();
    }

    private static String[] outcomeLabels() {
        List<String> l = new ArrayList<>();
        for (ServingListener.Outcome o : ServingListener.Outcome.values()) {
            l.add(label(o));
        }
        return l.toArray(new String[0]);
    }

    private static String label(ServingListener.Outcome o) {
        return o.name().toLowerCase(Locale.ROOT);
    }

    /** Something watched that closing stops watching. */
    public interface Registration extends AutoCloseable {
        /** Stops watching; calling it again does nothing. */
        @Override
        void close();
    }

    /**
     * The link of one service to the metrics: the {@link ServingListener} its builder is given. Its
     * requests and batches are counted under its model and version; once the service is built its queue
     * depth and capacity are read at each scrape. {@link #close()} stops reading them (for a closed
     * service) and frees the model and version for another service; the counts stay, as counters do.
     *
     * @param <I> one request's input
     */
    public final class Binding<I> implements ServingListener<I>, Registration {
        private final String model;
        private final String version;
        private final Set<String> adapters;
        private final Function<? super I, String> adapterOf;
        private final AtomicBoolean warned = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile PredictorService<?, ?> service;

        private Binding(String model, String version, Set<String> adapters, Function<? super I, String> adapterOf) {
            this.model = model;
            this.version = version;
            this.adapters = adapters;
            this.adapterOf = adapterOf;
            if (bound.putIfAbsent(List.of(model, version), Boolean.TRUE) != null) {
                throw new IllegalStateException("model '" + model + "' version '" + version + "' is already bound to"
                        + " these metrics; close that binding first, or label this service with another version");
            }
            List<String> labels = new ArrayList<>();
            if (adapters == null) {
                labels.add(LabelValues.NO_ADAPTER);
            } else {
                labels.addAll(adapters);
                labels.add(LabelValues.OTHER_ADAPTER);
                unknownAdapters.initLabelValues(model, version);
            }
            for (String a : labels) {
                for (String o : OUTCOMES) {
                    requests.initLabelValues(model, version, a, o);
                }
                for (String e : ERRORS) {
                    errors.initLabelValues(model, version, a, e);
                }
                latency.initLabelValues(model, version, a);
            }
            batchSizes.initLabelValues(model, version);
        }

        /** The model label. */
        public String model() {
            return model;
        }

        /** The version label. */
        public String version() {
            return version;
        }

        /**
         * Starts reading the service's queue.
         *
         * @throws IllegalStateException when the binding is already given to another service, or closed
         */
        @Override
        public void started(PredictorService<? extends I, ?> s) {
            if (closed.get()) {
                throw new IllegalStateException("the metrics binding of model '" + model + "' version '" + version
                        + "' is closed; bind the service again");
            }
            if (services.putIfAbsent(List.of(model, version), s) != null) {
                throw new IllegalStateException("the metrics binding of model '" + model + "' version '" + version
                        + "' is already given to predictor service '" + services.get(List.of(model, version)).name()
                        + "'; bind each service on its own");
            }
            this.service = s;
        }

        @Override
        public void requestFinished(I input, Outcome outcome, Duration latency) {
            String adapter = adapterOf(input);
            String o = label(outcome);
            requests.labelValues(model, version, adapter, o).inc();
            if (outcome == Outcome.ERROR || outcome == Outcome.TIMEOUT || outcome == Outcome.CANCELLED) {
                errors.labelValues(model, version, adapter, o).inc();
            }
            if (!outcome.refused()) {
                ServingMetrics.this.latency.labelValues(model, version, adapter).observe(latency.toNanos() / 1e9);
            }
        }

        @Override
        public void batchRun(int size) {
            batchSizes.labelValues(model, version).observe(size);
        }

        /** Stops reading the service's queue and frees the model and version; the counts stay. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                PredictorService<?, ?> s = service;
                if (s != null) {
                    services.remove(List.of(model, version), s);
                }
                bound.remove(List.of(model, version));
            }
        }

        private String adapterOf(I input) {
            if (adapterOf == null) {
                return LabelValues.NO_ADAPTER;
            }
            String a;
            try {
                a = adapterOf.apply(input);
            } catch (RuntimeException e) {
                a = null;
            }
            if (a != null && adapters.contains(a)) {
                return a;
            }
            unknownAdapters.labelValues(model, version).inc();
            if (warned.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "model '" + model + "' version '" + version + "': a request's"
                        + " adapter label " + (a == null ? "could not be given" : "'" + a + "' is not declared")
                        + "; it is counted under adapter \"" + LabelValues.OTHER_ADAPTER + "\". Declared: "
                        + adapters + ". Declare every adapter the service serves in ServingMetrics.bind (later"
                        + " ones are not logged)");
            }
            return LabelValues.OTHER_ADAPTER;
        }

        @Override
        public String toString() {
            return "ServingMetrics.Binding[model " + model + ", version " + version + "]";
        }
    }
}

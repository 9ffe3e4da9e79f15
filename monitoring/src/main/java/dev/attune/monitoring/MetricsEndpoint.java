package dev.attune.monitoring;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running HTTP endpoint that Prometheus scrapes: {@code GET /metrics} answers the registry's
 * metrics in the text exposition format (and OpenMetrics when asked), {@code GET /-/healthy} answers
 * whether it is up. Made by {@link ServingMetrics#serve}; {@link #close()} stops it and frees its port.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final String host;
    private final AtomicBoolean closed = new AtomicBoolean();

    MetricsEndpoint(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /** The port it listens on: the one asked for, or the free one chosen for port 0. */
    public int port() {
        return server.getPort();
    }

    /** The address it listens on, such as {@code 127.0.0.1}. */
    public String host() {
        return host;
    }

    /** The URL of its metrics, such as {@code http://127.0.0.1:9464/metrics}. */
    public URI url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port() + "/metrics");
    }

    /** Stops the endpoint and frees its port; calling it again does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
        }
    }

    @Override
    public String toString() {
        return "MetricsEndpoint[" + url() + "]";
    }
}

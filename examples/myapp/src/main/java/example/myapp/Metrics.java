package example.myapp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;

/**
 * Prometheus metrics through Micrometer. Every series carries the constant label {@code track}
 * ({@code stable} or {@code canary}, from env {@code TRACK}) so canary analysis can compare
 * tracks, e.g. {@code rate(http_requests_total{status=~"5..",track="canary"}[5m])}.
 *
 * <p>HTTP series, labelled {@code method}, {@code route} (the route template such as
 * {@code /api/notes/{id}}, never the raw path) and {@code status}:
 * {@code http_server_requests_seconds} (histogram, seconds) and {@code http_requests_total}
 * (counter); the counter's series for the status codes each route can answer exist at 0 from the
 * start ({@link #declareRequests}). JVM and process series come from Micrometer's binders.
 */
public final class Metrics implements AutoCloseable {

    /** Prometheus text exposition format content type (version 0.0.4). */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile boolean gaugesBound;

    /**
     * Creates the registry, without the JVM and process metrics: {@link #bindJvmAndProcess} adds
     * them. Creating the registry is cheap enough to come before the database pool, whose metrics
     * go into it from the pool's first connection on; binding the GC series is not (platform
     * MXBeans, GC notification listeners), so it comes after the schema migration has started,
     * which readiness waits for.
     *
     * @param track the {@code track} label value
     */
    public Metrics(String track) {
        registry.config().commonTags("track", track);
    }

    /**
     * Binds the GC metrics ({@code jvm_gc_*}), whose pause timers count the collections notified
     * from now on, so it comes before the listener opens. The other JVM (memory, threads, class
     * loading) and process (CPU, uptime, file descriptors) series are gauges and function
     * counters read at each scrape: they are bound by the first {@link #scrape()}, with the same
     * values they would have had if bound at start, and their platform MXBeans (with the cgroup
     * and {@code /proc} readers behind them) cost the start nothing (issue 21: about 8 % of the
     * JDK 17 time to ready of myapp).
     */
    public void bindJvmAndProcess() {
        gc.bindTo(registry);
    }

    /** Binds the gauge-only JVM and process series once, before the first scrape renders. */
    private void bindGaugesOnce() {
        if (gaugesBound) {
            return;
        }
        synchronized (this) {
            if (!gaugesBound) {
                new JvmMemoryMetrics().bindTo(registry);
                new JvmThreadMetrics().bindTo(registry);
                new ClassLoaderMetrics().bindTo(registry);
                new ProcessorMetrics().bindTo(registry);
                new UptimeMetrics().bindTo(registry);
                new FileDescriptorMetrics().bindTo(registry);
                gaugesBound = true;
            }
        }
    }

    /**
     * Returns the registry, for other components' metrics (e.g. the connection pool's).
     *
     * @return the registry
     */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Creates the {@code http_requests_total} series of a route's answers at 0, as a well-behaved
     * exporter does for the label values it knows: a counter that first appears at its first
     * increment has no earlier sample, so Prometheus' {@code rate()} and {@code increase()} cannot
     * count that increment (the first 500 of a new instance would be lost to an error-rate query).
     *
     * @param method   request method
     * @param route    route template
     * @param statuses response status codes the route can answer
     */
    public void declareRequests(String method, String route, List<Integer> statuses) {
        for (int status : statuses) {
            requests(method, route, String.valueOf(status));
        }
    }

    private Counter requests(String method, String route, String code) {
        return Counter.builder("http.requests")
                .description("HTTP requests handled, by route template")
                .tags("method", method, "route", route, "status", code)
                .register(registry);
    }

    /**
     * Records one finished HTTP request.
     *
     * @param method      request method
     * @param route       route template
     * @param status      response status code
     * @param durationNs  time from request start to response end, nanoseconds
     */
    public void recordRequest(String method, String route, int status, long durationNs) {
        String code = String.valueOf(status);
        Timer.builder("http.server.requests")
                .description("HTTP requests handled, by route template")
                .tags("method", method, "route", route, "status", code)
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Duration.ofNanos(durationNs));
        requests(method, route, code).increment();
    }

    /**
     * Renders all metrics in the Prometheus text format; the first call binds the JVM and
     * process gauges first (see {@link #bindJvmAndProcess()}).
     *
     * @return the exposition text
     */
    public String scrape() {
        bindGaugesOnce();
        return registry.scrape();
    }

    /** Stops the GC listener and closes the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

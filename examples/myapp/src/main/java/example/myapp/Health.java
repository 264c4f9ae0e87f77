package example.myapp;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The health probes. {@code GET /health/live} answers 200 while the process serves at all.
 * {@code GET /health/ready} runs its checks at once, each within {@link #CHECK_TIMEOUT_MS}: the
 * data directory is writable, the schema is ready and the database answers, Redis answers (when
 * configured); 200 {@code {"status":"ok", "checks": {...}}} when all pass and no shutdown has
 * begun, else 503 with each failing check's reason ({@code "shutting down"} once draining, so
 * load balancers move away first).
 */
final class Health implements AutoCloseable {
    /** Time limit of each readiness check, in milliseconds. */
    static final long CHECK_TIMEOUT_MS = 2_000;

    private final StorageCheck storage;
    private final Schema schema;
    private final Database database;
    private final NoteCache cache;
    private final BooleanSupplier shuttingDown;
    private final ExecutorService checks = Executors.newCachedThreadPool(daemon("health-check"));

    /**
     * @param storage      the data directory check
     * @param schema       the schema being made
     * @param database     the database
     * @param cache        the Redis cache, or {@code null} when none is configured
     * @param shuttingDown whether shutdown has begun
     */
    Health(StorageCheck storage, Schema schema, Database database, NoteCache cache, BooleanSupplier shuttingDown) {
        this.storage = storage;
        this.schema = schema;
        this.database = database;
        this.cache = cache;
        this.shuttingDown = shuttingDown;
    }

    /**
     * {@code GET /health/live}.
     *
     * @param ex the exchange
     * @throws IOException if the client went away
     */
    void live(HttpExchange ex) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("timestamp", Http.now());
        Http.sendJson(ex, 200, body);
    }

    /**
     * {@code GET /health/ready}.
     *
     * @param ex the exchange
     * @throws IOException if the client went away
     */
    void ready(HttpExchange ex) throws IOException {
        Map<String, Future<Optional<String>>> running = new LinkedHashMap<>();
        running.put("storage", checks.submit(storage::check));
        running.put("database", checks.submit(asCheck(() -> {
            if (!schema.ready()) {
                return "schema not ready: " + schema.error();
            }
            database.ping();
            return null;
        })));
        if (cache != null) {
            running.put("redis", checks.submit(asCheck(() -> {
                cache.ping();
                return null;
            })));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_TIMEOUT_MS);
        Map<String, Object> results = new LinkedHashMap<>();
        boolean healthy = true;
        for (Map.Entry<String, Future<Optional<String>>> e : running.entrySet()) {
            Optional<String> failure;
            try {
                failure = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException t) {
                e.getValue().cancel(true);
                failure = Optional.of("timed out after " + CHECK_TIMEOUT_MS + " ms");
            } catch (ExecutionException x) {
                failure = Optional.of(Http.oneLine(x.getCause()));
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                failure = Optional.of("interrupted");
            }
            healthy &= failure.isEmpty();
            results.put(e.getKey(), failure.map(r -> "unhealthy: " + r).orElse("ok"));
        }
        String status = shuttingDown.getAsBoolean() ? "shutting down" : healthy ? "ok" : "unhealthy";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("timestamp", Http.now());
        body.put("checks", results);
        Http.sendJson(ex, "ok".equals(status) ? 200 : 503, body);
    }

    /** A check body returns {@code null} when healthy, else a reason; an exception is a failure. */
    private static Callable<Optional<String>> asCheck(Callable<String> body) {
        return () -> {
            try {
                return Optional.ofNullable(body.call());
            } catch (Exception e) {
                return Optional.of(Http.oneLine(e));
            }
        };
    }

    /** Stops the checks still running. */
    @Override
    public void close() {
        checks.shutdownNow();
    }

    /**
     * @param prefix the threads' name prefix
     * @return a factory of numbered daemon threads
     */
    static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

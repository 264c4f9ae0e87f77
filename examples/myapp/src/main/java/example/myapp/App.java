package example.myapp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The HTTP service: routes, readiness state, in-flight request accounting and graceful drain.
 *
 * <p>Routes: {@code GET /} (HTML page), {@code GET /static/*} (embedded assets),
 * {@code GET /health/live}, {@code GET /health/ready}, {@code GET /debug/sleep?ms=N}.
 * Unknown paths get a 404 JSON error, known paths with a method other than GET get 405.
 *
 * <p>Call {@link Main#applyHttpLimits()} before {@link #start} so the JDK server picks up the
 * timeouts and header limits (they are read once, when the server implementation loads).
 */
public final class App implements AutoCloseable {

    /** Number of worker threads handling requests. */
    public static final int WORKER_THREADS = 16;

    /** Largest accepted {@code ms} for {@code /debug/sleep}, in milliseconds. */
    public static final long MAX_SLEEP_MS = 60_000;

    private static final long DRAIN_POLL_MS = 20;
    private static final Pattern SAFE_STATIC_PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("webp", "image/webp"),
            Map.entry("woff2", "font/woff2"));

    private final Config config;
    private final BuildInfo buildInfo;
    private final StorageCheck storage;
    private final byte[] indexHtml;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private App(Config config, BuildInfo buildInfo, byte[] indexHtml, HttpServer server, ExecutorService executor) {
        this.config = config;
        this.buildInfo = buildInfo;
        this.storage = new StorageCheck(config.dataDir());
        this.indexHtml = indexHtml;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Creates the data directory if needed (failure is not fatal; readiness reports it), binds
     * the listener, starts serving and logs {@code listening on http://ADDR:PORT version=...}.
     *
     * @param config    the configuration
     * @param buildInfo build metadata shown on the index page
     * @return the running app
     * @throws IOException              if the address cannot be bound (e.g. port in use); the
     *                                  message names the address
     * @throws IllegalArgumentException if the bind address cannot be resolved
     * @throws IllegalStateException    if the embedded index template is missing from the jar
     */
    public static App start(Config config, BuildInfo buildInfo) throws IOException {
        byte[] page = renderIndex(buildInfo);
        new StorageCheck(config.dataDir()).ensureExists();

        InetSocketAddress bindAddr = new InetSocketAddress(config.addr(), config.port());
        if (bindAddr.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve bind address \"" + config.addr() + "\"");
        }
        HttpServer server;
        try {
            server = HttpServer.create(bindAddr, 128);
        } catch (BindException e) {
            throw new IOException("cannot listen on " + config.addr() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(WORKER_THREADS, new WorkerThreadFactory());
        App app = new App(config, buildInfo, page, server, executor);
        server.createContext("/", app::handle).getFilters().add(app.new InFlightFilter());
        server.setExecutor(executor);
        server.start();
        Log.info("listening on http://" + config.addr() + ":" + app.port() + " version=" + buildInfo.version()
                + " commit=" + buildInfo.commit() + " data_dir=" + config.dataDir());
        return app;
    }

    /**
     * Returns the port actually bound (useful when configured with port 0).
     *
     * @return the local TCP port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Returns the number of non-health requests currently being handled.
     *
     * @return the in-flight request count
     */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Returns whether shutdown has begun (readiness then answers 503 "shutting down").
     *
     * @return {@code true} after {@link #beginShutdown()} or {@link #shutdownGracefully(String)}
     */
    public boolean isShuttingDown() {
        return shuttingDown.get();
    }

    /**
     * Marks the app as not ready, immediately and without stopping the listener.
     *
     * @return {@code true} if this call started the shutdown, {@code false} if it had already begun
     */
    public boolean beginShutdown() {
        return shuttingDown.compareAndSet(false, true);
    }

    /**
     * Graceful shutdown: marks the app not ready, keeps serving while waiting for in-flight
     * non-health requests to finish (at least {@code SHUTDOWN_DELAY_MS} milliseconds, at most
     * {@code DRAIN_TIMEOUT} seconds, polling every 20 ms), then stops the listener and the worker
     * pool. Blocks the calling thread for the duration; does not exit the JVM.
     *
     * @param reason what triggered the shutdown, used in log lines (e.g. {@code "SIGTERM"})
     * @return {@code true} if all in-flight requests finished before the drain timeout
     */
    public boolean shutdownGracefully(String reason) {
        beginShutdown();
        long minNanos = TimeUnit.MILLISECONDS.toNanos(config.shutdownDelayMs());
        long maxNanos = TimeUnit.SECONDS.toNanos(config.drainTimeoutSec());
        Log.info("received " + reason + ", draining (in-flight=" + inFlight.get() + ", shutdown_delay_ms="
                + config.shutdownDelayMs() + ", drain_timeout_s=" + config.drainTimeoutSec() + ")");
        long start = System.nanoTime();
        boolean drained;
        while (true) {
            long elapsed = System.nanoTime() - start;
            int n = inFlight.get();
            if (n == 0 && elapsed >= minNanos) {
                drained = true;
                break;
            }
            if (elapsed >= maxNanos) {
                drained = n == 0;
                break;
            }
            try {
                Thread.sleep(DRAIN_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                drained = inFlight.get() == 0;
                break;
            }
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (drained) {
            Log.info("drained in " + tookMs + " ms, stopping listener");
        } else {
            Log.warn("drain timeout after " + tookMs + " ms, abandoning " + inFlight.get() + " in-flight request(s)");
        }
        stopNow();
        Log.info(drained ? "stopped gracefully" : "stopped (drain incomplete)");
        return drained;
    }

    /**
     * Stops immediately without draining: closes the listener and all connections and shuts the
     * worker pool down (waiting at most 1 second for workers). Idempotent.
     */
    @Override
    public void close() {
        beginShutdown();
        stopNow();
    }

    private void stopNow() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            String method = ex.getRequestMethod();
            if (!isKnownRoute(path)) {
                sendError(ex, 404, "not found");
                return;
            }
            if (!"GET".equals(method)) {
                ex.getResponseHeaders().set("Allow", "GET");
                sendError(ex, 405, "method not allowed");
                return;
            }
            if (path.equals("/")) {
                send(ex, 200, "text/html; charset=utf-8", indexHtml);
            } else if (path.equals("/health/live")) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", "ok");
                body.put("timestamp", now());
                sendJson(ex, 200, body);
            } else if (path.equals("/health/ready")) {
                handleReady(ex);
            } else if (path.equals("/debug/sleep")) {
                handleSleep(ex);
            } else {
                handleStatic(ex, path.substring("/static/".length()));
            }
        } catch (RuntimeException e) {
            Log.error("request " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed: " + e);
            try {
                sendError(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers were probably already sent
            }
        } finally {
            ex.close();
        }
    }

    private static boolean isKnownRoute(String path) {
        return path.equals("/") || path.equals("/health/live") || path.equals("/health/ready")
                || path.equals("/debug/sleep") || path.startsWith("/static/");
    }

    private void handleReady(HttpExchange ex) throws IOException {
        Map<String, Object> checks = new LinkedHashMap<>();
        Optional<String> storageFailure = storage.check();
        checks.put("storage", storageFailure.map(r -> "unhealthy: " + r).orElse("ok"));
        boolean shutting = shuttingDown.get();
        String status = shutting ? "shutting down" : storageFailure.isPresent() ? "unhealthy" : "ok";

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("timestamp", now());
        body.put("checks", checks);
        sendJson(ex, "ok".equals(status) ? 200 : 503, body);
    }

    private void handleSleep(HttpExchange ex) throws IOException {
        String raw = queryParam(ex.getRequestURI().getRawQuery(), "ms");
        long ms;
        try {
            ms = raw == null ? -1 : Long.parseLong(raw);
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > MAX_SLEEP_MS) {
            sendError(ex, 400, "ms must be an integer between 0 and " + MAX_SLEEP_MS);
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sendError(ex, 503, "interrupted");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slept_ms", ms);
        sendJson(ex, 200, body);
    }

    private void handleStatic(HttpExchange ex, String rel) throws IOException {
        // Strict allow-list: no percent-encoding, backslashes, empty, "." or ".." segments.
        if (!SAFE_STATIC_PATH.matcher(rel).matches()) {
            sendError(ex, rel.isEmpty() ? 404 : 400, rel.isEmpty() ? "not found" : "invalid path");
            return;
        }
        for (String seg : rel.split("/")) {
            if (seg.equals(".") || seg.equals("..")) {
                sendError(ex, 400, "invalid path");
                return;
            }
        }
        int dot = rel.lastIndexOf('.');
        String type = dot < 0 ? null : CONTENT_TYPES.get(rel.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            sendError(ex, 404, "not found");
            return;
        }
        byte[] data;
        try (InputStream in = App.class.getClassLoader().getResourceAsStream("web/static/" + rel)) {
            if (in == null) {
                sendError(ex, 404, "not found");
                return;
            }
            data = in.readAllBytes();
        }
        ex.getResponseHeaders().set("Cache-Control", "public, max-age=300");
        send(ex, 200, type, data);
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] renderIndex(BuildInfo info) {
        String template;
        try (InputStream in = App.class.getClassLoader().getResourceAsStream("web/index.html")) {
            if (in == null) {
                throw new IllegalStateException("embedded template web/index.html is missing from the classpath");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded template web/index.html: " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("version", info.version());
        values.put("commit", info.commit());
        values.put("buildTime", info.buildTime());
        return Html.render(template, values).getBytes(StandardCharsets.UTF_8);
    }

    private static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static void sendError(HttpExchange ex, int code, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", code);
        sendJson(ex, code, body);
    }

    private static void sendJson(HttpExchange ex, int code, Map<String, Object> body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, code, "application/json", (Json.object(body) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Counts in-flight requests, excluding health probes, so shutdown can wait for them. */
    private final class InFlightFilter extends Filter {
        @Override
        public void doFilter(HttpExchange ex, Chain chain) throws IOException {
            String path = ex.getRequestURI().getRawPath();
            if (path != null && path.startsWith("/health/")) {
                chain.doFilter(ex);
                return;
            }
            inFlight.incrementAndGet();
            try {
                chain.doFilter(ex);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public String description() {
            return "counts in-flight non-health requests";
        }
    }

    private static final class WorkerThreadFactory implements ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "http-worker-" + n.incrementAndGet());
            t.setDaemon(false);
            return t;
        }
    }
}

package example.myapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.Counter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The HTTP service: routes, readiness state, in-flight request accounting and graceful drain.
 *
 * <p>Routes: {@code GET /} (HTML page), {@code GET /static/*} (embedded assets),
 * {@code POST /api/notes}, {@code GET /api/notes/{id}}, {@code GET /metrics},
 * {@code GET /health/live}, {@code GET /health/ready}, {@code GET /debug/sleep?ms=N}.
 * Unknown paths get a 404 JSON error, known paths with another method get 405.
 *
 * <p>Call {@link Main#applyHttpLimits()} before {@link #start} so the JDK server picks up the
 * timeouts and header limits (they are read once, when the server implementation loads).
 */
public final class App implements AutoCloseable {

    /**
     * Most requests handled at once (worker threads on JDK 17..20, virtual threads on 21+); as
     * many more may wait. The JDK server reads request headers on the worker, so a slow client
     * holds one; when all are taken, the one reading its headers longest is cut (see
     * {@link HttpWorkers}), so slow clients cannot starve others.
     */
    public static final int MAX_WORKER_THREADS = 512;

    /** Largest accepted {@code ms} for {@code /debug/sleep}, in milliseconds. */
    public static final long MAX_SLEEP_MS = 60_000;

    /** Time limit of each readiness check, in milliseconds. */
    public static final long CHECK_TIMEOUT_MS = 2_000;

    /** Route label for requests that match no route. */
    public static final String UNMATCHED = "unmatched";

    /** Cache-Control of a static file asked for with its current {@code ?v=} hash: 30 days, immutable. */
    static final String IMMUTABLE = "public, max-age=2592000, immutable";

    private static final long DRAIN_POLL_MS = 20;
    private static final Pattern SAFE_STATIC_PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Pattern NOTE_ID = Pattern.compile("[1-9][0-9]{0,17}");
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

    private volatile Config config;
    private final BuildInfo buildInfo;
    private final StorageCheck storage;
    private final Database database;
    private final NoteCache cache;
    private final Metrics metrics;
    private final String indexTemplate;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ExecutorService checks = Executors.newCachedThreadPool(daemon("health-check"));
    private final Map<String, StaticFile> staticFiles = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean listenerStopping = new AtomicBoolean();
    private final Schema schema;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter cacheErrors;

    /** Jackson, made on first use: building an ObjectMapper loads ~400 classes (start time). */
    private static final class Jackson {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private App(Config config, BuildInfo buildInfo, String indexTemplate, Metrics metrics, Database database,
                Schema schema, NoteCache cache, HttpServer server, ExecutorService executor) {
        this.schema = schema;
        this.config = config;
        this.buildInfo = buildInfo;
        this.storage = new StorageCheck(config.dataDir());
        this.indexTemplate = indexTemplate;
        this.metrics = metrics;
        this.database = database;
        this.cache = cache;
        this.server = server;
        this.executor = executor;
        this.cacheHits = cacheCounter("hit");
        this.cacheMisses = cacheCounter("miss");
        this.cacheErrors = cacheCounter("error");
    }

    private Counter cacheCounter(String result) {
        return Counter.builder("myapp.cache.requests").description("note reads from the Redis cache")
                .tag("result", result).register(metrics.registry());
    }

    /**
     * Creates the data directory if needed (failure is not fatal; readiness reports it), binds
     * the listener, starts serving, and creates or migrates the schema in the background
     * (readiness is 503 until that succeeds; it is retried with backoff up to 5 s).
     *
     * @param config    the configuration
     * @param buildInfo build metadata shown on the index page
     * @return the running app
     * @throws IOException              if the address cannot be bound (e.g. port in use); the
     *                                  message names the address
     * @throws IllegalArgumentException if the bind address cannot be resolved, or a database or
     *                                  Redis URL is malformed
     * @throws IllegalStateException    if the embedded index template is missing from the jar
     */
    public static App start(Config config, BuildInfo buildInfo) throws IOException {
        String template = readResource("web/index.html");
        new StorageCheck(config.dataDir()).ensureExists();

        InetSocketAddress bindAddr = new InetSocketAddress(config.addr(), config.port());
        if (bindAddr.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve bind address \"" + config.addr() + "\"");
        }
        Metrics metrics = new Metrics(config.track());
        Database db = null;
        Schema schema = null;
        NoteCache cache = null;
        HttpServer server;
        try {
            db = Database.open(config.databaseUrl(), config.dataDir(), 10, metrics.registry());
            schema = Schema.start(db); // in parallel with the rest of the start
            cache = config.redisUrl() == null ? null : new NoteCache(config.redisUrl());
            try {
                server = HttpServer.create(bindAddr, 1024);
            } catch (BindException e) {
                throw new IOException("cannot listen on " + config.addr() + ":" + config.port() + ": " + e.getMessage(), e);
            }
        } catch (IOException | RuntimeException e) {
            if (cache != null) {
                cache.close();
            }
            if (schema != null) {
                schema.stop();
            }
            if (db != null) {
                db.close();
            }
            metrics.close();
            throw e;
        }
        ExecutorService executor = workers();
        App app = new App(config, buildInfo, template, metrics, db, schema, cache, server, executor);
        server.createContext("/", app::handle).getFilters().add(app.new RequestFilter());
        server.setExecutor(executor);
        server.start();
        Log.info("listening on http://" + config.addr() + ":" + app.port() + " version=" + buildInfo.version()
                + " commit=" + buildInfo.commit() + " data_dir=" + config.dataDir() + " database=" + db.description()
                + " cache=" + (cache == null ? "none" : cache.description()) + " track=" + config.track());
        return app;
    }

    /**
     * Virtual threads on JDK 21+ (found reflectively: this code compiles for 17), else a bounded
     * pool; either way at most {@link #MAX_WORKER_THREADS} requests run at once, and slow header
     * readers give up their worker when they are all taken (see {@link HttpWorkers}).
     */
    private static ExecutorService workers() {
        if (Runtime.version().feature() >= 21) {
            try {
                return new HttpWorkers(MAX_WORKER_THREADS, true);
            } catch (IllegalStateException e) {
                Log.warn("using platform threads: " + e.getMessage());
            }
        }
        return new HttpWorkers(MAX_WORKER_THREADS, false);
    }

    /** Creates or migrates the schema on its own thread, retrying with backoff (250 ms doubling to 5 s). */
    private static final class Schema {
        private final AtomicBoolean ready = new AtomicBoolean();
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile String error = "starting";

        static Schema start(Database db) {
            Schema s = new Schema();
            Thread t = new Thread(() -> s.run(db), "schema");
            t.setDaemon(true);
            t.start();
            return s;
        }

        void stop() {
            stop.set(true);
        }

        private void run(Database db) {
            long backoffMs = 250;
            String lastLogged = null;
            for (int attempt = 1; !stop.get(); attempt++) {
                try {
                    int applied = db.migrate();
                    ready.set(true);
                    error = null;
                    Log.info("schema ready (" + applied + " migration(s) applied, attempt " + attempt + ")");
                    return;
                } catch (SQLException | RuntimeException e) {
                    error = oneLine(e);
                    if (!error.equals(lastLogged)) {
                        Log.warn("schema not ready, retrying: " + error);
                        lastLogged = error;
                    }
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMs = Math.min(5_000, backoffMs * 2);
            }
        }
    }

    /**
     * Waits until the schema is ready (for tests and tools).
     *
     * @param timeoutMs longest wait, milliseconds
     * @return whether the schema became ready in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitSchema(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!schema.ready.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return schema.ready.get();
    }

    /**
     * Applies the reloadable settings of a new configuration (log level, cache TTL, debug
     * endpoints) at once; other changes are logged as needing a restart. Open connections are
     * not touched.
     *
     * @param next the newly parsed configuration
     */
    public void reload(Config next) {
        Config prev = config;
        Log.setLevel(next.logLevel());
        Config applied = new Config(prev.addr(), prev.port(), prev.drainTimeoutSec(), prev.dataDir(),
                prev.shutdownDelayMs(), prev.databaseUrl(), prev.redisUrl(), prev.track(), next.cacheTtlSec(),
                next.logLevel(), prev.logFormat(), next.debugEndpoints(), prev.maxBodyBytes(), prev.trustedProxies(),
                prev.configFile(), prev.faultPercent());
        config = applied;
        Log.info("config reloaded: log.level=" + next.logLevel() + " cache.ttl=" + next.cacheTtlSec()
                + " debug.endpoints=" + next.debugEndpoints());
        if (!applied.equals(next)) {
            Log.warn("config reload: some changed settings take effect only after a restart");
        }
    }

    /**
     * Returns the configuration in effect (reloadable settings as last reloaded).
     *
     * @return the configuration
     */
    public Config config() {
        return config;
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
     * Graceful shutdown, in the order load balancers and Kubernetes expect:
     * <ol>
     *   <li>readiness answers 503 at once, and every response from now on carries
     *       {@code Connection: close} so keep-alive clients move away;</li>
     *   <li>the server keeps accepting for {@code SHUTDOWN_DELAY_MS} milliseconds (the pre-stop
     *       delay, for load balancers to notice);</li>
     *   <li>the listener closes: new connections are refused;</li>
     *   <li>in-flight non-health requests finish, waiting at most {@code DRAIN_TIMEOUT} seconds
     *       (polled every 20 ms);</li>
     *   <li>the worker pool, the database pool and the Redis client are closed.</li>
     * </ol>
     * Blocks the calling thread for the duration; does not exit the JVM.
     *
     * @param reason what triggered the shutdown, used in log lines (e.g. {@code "SIGTERM"})
     * @return {@code true} if all in-flight requests finished before the drain timeout
     */
    public boolean shutdownGracefully(String reason) {
        beginShutdown();
        Config cfg = config;
        Log.info("received " + reason + ", draining (in-flight=" + inFlight.get() + ", shutdown_delay_ms="
                + cfg.shutdownDelayMs() + ", drain_timeout_s=" + cfg.drainTimeoutSec() + ")");
        long start = System.nanoTime();
        try {
            Thread.sleep(cfg.shutdownDelayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopAccepting(cfg.drainTimeoutSec());
        long maxNanos = TimeUnit.SECONDS.toNanos(cfg.drainTimeoutSec());
        boolean drained;
        while (true) {
            if (inFlight.get() == 0) {
                drained = true;
                break;
            }
            if (System.nanoTime() - start >= maxNanos || Thread.currentThread().isInterrupted()) {
                drained = inFlight.get() == 0;
                break;
            }
            try {
                Thread.sleep(DRAIN_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (drained) {
            Log.info("drained in " + tookMs + " ms, closing");
        } else {
            Log.warn("drain timeout after " + tookMs + " ms, abandoning " + inFlight.get() + " in-flight request(s)");
        }
        stopNow();
        Log.info(drained ? "stopped gracefully" : "stopped (drain incomplete)");
        return drained;
    }

    /**
     * Closes the listener now and lets exchanges in progress finish. {@code HttpServer.stop(d)}
     * closes the listener at once and then waits up to {@code d} seconds for exchanges; on JDK
     * before 21 it waits the whole time when none are left, so it runs on its own daemon thread
     * and the drain loop above decides when we are done.
     */
    private void stopAccepting(long drainTimeoutSec) {
        if (!listenerStopping.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> server.stop((int) Math.max(1, Math.min(Integer.MAX_VALUE, drainTimeoutSec))),
                "http-stop");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops immediately without draining: closes the listener and all connections, shuts the
     * worker pool down (waiting at most 1 second for workers) and closes the pools. Idempotent.
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
        if (listenerStopping.compareAndSet(false, true)) {
            server.stop(0);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        schema.stop();
        checks.shutdownNow();
        if (cache != null) {
            cache.close();
        }
        database.close();
        metrics.close();
    }

    // ---------------------------------------------------------------- routing

    /**
     * Returns the route template for a raw path: the label used in metrics and logs.
     *
     * @param path the raw request path
     * @return e.g. {@code /api/notes/{id}}, {@code /static/{path}}, or {@value #UNMATCHED}
     */
    static String route(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        switch (path) {
            case "/", "/health/live", "/health/ready", "/metrics", "/debug/sleep", "/api/notes":
                return path;
            default:
                break;
        }
        if (path.startsWith("/api/notes/") && path.indexOf('/', "/api/notes/".length()) < 0) {
            return "/api/notes/{id}";
        }
        if (path.startsWith("/static/")) {
            return "/static/{path}";
        }
        return UNMATCHED;
    }

    private final java.util.concurrent.atomic.AtomicLong faultCounter = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Whether this request gets an injected 500: exactly {@code percent} of every 100 requests, spread
     * evenly (request n fails when floor((n+1)·p/100) &gt; floor(n·p/100)).
     */
    private boolean injectFault(int percent) {
        long n = faultCounter.getAndIncrement();
        return (n + 1) * percent / 100 > n * percent / 100;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            String route = route(path);
            String method = ex.getRequestMethod();
            if (route.equals(UNMATCHED) || (route.equals("/debug/sleep") && !config.debugEndpoints())) {
                sendError(ex, 404, "not found");
                return;
            }
            String allowed = route.equals("/api/notes") ? "POST" : "GET";
            if (!allowed.equals(method)) {
                ex.getResponseHeaders().set("Allow", allowed);
                sendError(ex, 405, "method not allowed");
                return;
            }
            if (config.faultPercent() > 0 && !route.startsWith("/health/") && !route.equals("/metrics")
                    && injectFault(config.faultPercent())) {
                sendError(ex, 500, "injected fault (fault.percent=" + config.faultPercent() + ")");
                return;
            }
            switch (route) {
                case "/" -> handleIndex(ex);
                case "/health/live" -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", "ok");
                    body.put("timestamp", now());
                    sendJson(ex, 200, body);
                }
                case "/health/ready" -> handleReady(ex);
                case "/metrics" -> send(ex, 200, Metrics.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8));
                case "/debug/sleep" -> handleSleep(ex);
                case "/api/notes" -> handleCreate(ex);
                case "/api/notes/{id}" -> handleGetNote(ex, path.substring("/api/notes/".length()));
                default -> handleStatic(ex, path.substring("/static/".length()));
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

    private void handleIndex(HttpExchange ex) throws IOException {
        String notes = "unavailable";
        if (schema.ready.get()) {
            try {
                notes = String.valueOf(database.count());
            } catch (SQLException e) {
                Log.warn("index: cannot count notes: " + oneLine(e));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("version", buildInfo.version());
        values.put("commit", buildInfo.commit());
        values.put("buildTime", buildInfo.buildTime());
        values.put("notes", notes);
        StaticFile css = staticFile("style.css");
        values.put("cssVersion", css == null ? "" : css.etagValue());
        send(ex, 200, "text/html; charset=utf-8", Html.render(indexTemplate, values).getBytes(StandardCharsets.UTF_8));
    }

    private void handleReady(HttpExchange ex) throws IOException {
        Map<String, Future<Optional<String>>> running = new LinkedHashMap<>();
        running.put("storage", checks.submit(storage::check));
        running.put("database", checks.submit(asCheck(() -> {
            if (!schema.ready.get()) {
                return "schema not ready: " + schema.error;
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
                failure = Optional.of(oneLine(x.getCause()));
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                failure = Optional.of("interrupted");
            }
            healthy &= failure.isEmpty();
            results.put(e.getKey(), failure.map(r -> "unhealthy: " + r).orElse("ok"));
        }
        String status = shuttingDown.get() ? "shutting down" : healthy ? "ok" : "unhealthy";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("timestamp", now());
        body.put("checks", results);
        sendJson(ex, "ok".equals(status) ? 200 : 503, body);
    }

    /** A check body returns {@code null} when healthy, else a reason; an exception is a failure. */
    private static Callable<Optional<String>> asCheck(Callable<String> body) {
        return () -> {
            try {
                return Optional.ofNullable(body.call());
            } catch (Exception e) {
                return Optional.of(oneLine(e));
            }
        };
    }

    private void handleCreate(HttpExchange ex) throws IOException {
        long max = config.maxBodyBytes();
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > max) {
                    sendError(ex, 413, "body larger than " + max + " bytes");
                    return;
                }
            } catch (NumberFormatException e) {
                sendError(ex, 400, "bad Content-Length");
                return;
            }
        }
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (raw.length > max) {
            sendError(ex, 413, "body larger than " + max + " bytes");
            return;
        }
        JsonNode doc;
        try {
            doc = Jackson.MAPPER.readTree(raw);
        } catch (IOException e) {
            sendError(ex, 400, "body is not valid JSON");
            return;
        }
        if (doc == null || !doc.isObject()) {
            sendError(ex, 400, "body must be a JSON object");
            return;
        }
        JsonNode title = doc.get("title");
        JsonNode body = doc.get("body");
        if (title == null || !title.isTextual() || title.asText().isBlank()) {
            sendError(ex, 400, "field \"title\" is required: a non-empty string");
            return;
        }
        if (body == null || !body.isTextual()) {
            sendError(ex, 400, "field \"body\" is required: a string");
            return;
        }
        if (title.asText().length() > Note.MAX_TITLE || body.asText().length() > Note.MAX_BODY) {
            sendError(ex, 400, "title is limited to " + Note.MAX_TITLE + " and body to " + Note.MAX_BODY + " characters");
            return;
        }
        Note note;
        try {
            note = database.insert(title.asText(), body.asText());
        } catch (SQLException e) {
            Log.warn("create note: " + oneLine(e));
            sendError(ex, 503, "database unavailable");
            return;
        }
        ex.getResponseHeaders().set("Location", "/api/notes/" + note.id());
        sendJsonText(ex, 201, noteJson(note));
    }

    private void handleGetNote(HttpExchange ex, String rawId) throws IOException {
        if (!NOTE_ID.matcher(rawId).matches()) {
            sendError(ex, 404, "not found");
            return;
        }
        long id = Long.parseLong(rawId);
        if (cache != null) {
            try {
                Optional<String> hit = cache.get(id);
                if (hit.isPresent()) {
                    cacheHits.increment();
                    ex.getResponseHeaders().set("X-Cache", "hit");
                    sendJsonText(ex, 200, hit.get());
                    return;
                }
                cacheMisses.increment();
            } catch (RuntimeException e) {
                cacheErrors.increment();
                Log.warn("cache read failed, using the database: " + oneLine(e));
            }
        }
        Optional<Note> note;
        try {
            note = database.find(id);
        } catch (SQLException e) {
            Log.warn("get note: " + oneLine(e));
            sendError(ex, 503, "database unavailable");
            return;
        }
        if (note.isEmpty()) {
            sendError(ex, 404, "not found");
            return;
        }
        String text = noteJson(note.get());
        if (cache != null) {
            try {
                cache.put(id, text, config.cacheTtlSec());
                ex.getResponseHeaders().set("X-Cache", "miss");
            } catch (RuntimeException e) {
                cacheErrors.increment();
                Log.warn("cache write failed: " + oneLine(e));
            }
        }
        sendJsonText(ex, 200, text);
    }

    private String noteJson(Note n) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("title", n.title());
        m.put("body", n.body());
        m.put("created_at", n.createdAt().toString());
        return Jackson.MAPPER.writeValueAsString(m);
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
        StaticFile f = staticFile(rel);
        if (f == null) {
            sendError(ex, 404, "not found");
            return;
        }
        String v = queryParam(ex.getRequestURI().getRawQuery(), "v");
        // With the current content hash in ?v= (as the index page links it) the URL names one
        // content forever: cache for 30 days, immutable. Otherwise make caches revalidate.
        ex.getResponseHeaders().set("Cache-Control", f.etagValue().equals(v) ? IMMUTABLE : "no-cache");
        ex.getResponseHeaders().set("ETag", f.etag());
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        if (inm != null && (inm.trim().equals("*") || java.util.Arrays.stream(inm.split(","))
                .map(String::trim).anyMatch(t -> t.equals(f.etag()) || t.equals("W/" + f.etag())))) {
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(304, -1);
            return;
        }
        send(ex, 200, f.type(), f.data());
    }

    /** An embedded static file with its content type and strong ETag (SHA-256 prefix, quoted). */
    private record StaticFile(byte[] data, String type, String etagValue) {
        String etag() {
            return "\"" + etagValue + "\"";
        }
    }

    private StaticFile staticFile(String rel) {
        int dot = rel.lastIndexOf('.');
        String type = dot < 0 ? null : CONTENT_TYPES.get(rel.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return null;
        }
        StaticFile cached = staticFiles.get(rel);
        if (cached != null) {
            return cached;
        }
        byte[] data;
        try (InputStream in = App.class.getClassLoader().getResourceAsStream("web/static/" + rel)) {
            if (in == null) {
                return null;
            }
            data = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded web/static/" + rel + ": " + e.getMessage(), e);
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StaticFile f = new StaticFile(data, type, hash);
        staticFiles.put(rel, f);
        return f;
    }

    // ---------------------------------------------------------------- helpers

    private static String readResource(String name) {
        try (InputStream in = App.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("embedded template " + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded template " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * First line of an exception's message (class name if none), followed by its root cause's
     * when that differs (HikariCP's "Connection is not available" hides why), at most 200 characters.
     */
    static String oneLine(Throwable e) {
        String m = firstLine(e);
        Throwable root = e;
        for (int i = 0; i < 10 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        if (root != e && !m.contains(firstLine(root))) {
            m = m + " (" + firstLine(root) + ")";
        }
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return m.strip().lines().findFirst().orElse(m);
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
        sendJsonText(ex, code, Json.object(body));
    }

    private static void sendJsonText(HttpExchange ex, int code, String text) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, code, "application/json", (text + "\n").getBytes(StandardCharsets.UTF_8));
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

    /**
     * Per request: counts in-flight requests (health probes excluded, so shutdown can wait for
     * the rest), records metrics, and logs one line with method, route, status, duration and the
     * client address (X-Forwarded-For only from trusted proxies). Probes log at debug level.
     */
    private final class RequestFilter extends Filter {
        @Override
        public void doFilter(HttpExchange ex, Chain chain) throws IOException {
            if (!HttpWorkers.headersRead()) {
                ex.close(); // its worker was given to a newer request while it still read headers
                return;
            }
            long start = System.nanoTime();
            String path = ex.getRequestURI().getRawPath();
            boolean probe = path != null && path.startsWith("/health/");
            if (!probe) {
                inFlight.incrementAndGet();
            }
            if (shuttingDown.get()) {
                ex.getResponseHeaders().set("Connection", "close"); // move keep-alive clients away
            }
            try {
                chain.doFilter(ex);
            } finally {
                if (!probe) {
                    inFlight.decrementAndGet();
                }
                long took = System.nanoTime() - start;
                String route = route(path);
                int status = ex.getResponseCode();
                metrics.recordRequest(ex.getRequestMethod(), route, status, took);
                if (!probe || Log.isDebug()) {
                    ProxyTrust trust = config.trustedProxies();
                    java.net.InetAddress peer = ex.getRemoteAddress() == null ? null : ex.getRemoteAddress().getAddress();
                    Log.request(probe, ex.getRequestMethod(), route, status, took / 1_000_000.0,
                            trust.clientAddress(peer, ex.getRequestHeaders().getFirst("X-Forwarded-For")),
                            trust.scheme(peer, ex.getRequestHeaders().getFirst("X-Forwarded-Proto")));
                }
            }
        }

        @Override
        public String description() {
            return "in-flight count, metrics and request log";
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

package example.myapp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server and its lifecycle: start (bind, pools, schema in the background), configuration
 * reload, in-flight request accounting and the graceful drain. What each request gets is elsewhere,
 * one job a class: {@link Routes} (the routing table), {@link NotesApi}, {@link Health} (the
 * probes), {@link StaticAssets}, with {@link Http} for writing responses.
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

    private static final long DRAIN_POLL_MS = 20;

    private volatile Config config;
    private final Metrics metrics;
    private final Database database;
    private final Schema schema;
    private final NoteCache cache;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Health health;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean listenerStopping = new AtomicBoolean();

    private App(Config config, Metrics metrics, Database database, Schema schema, NoteCache cache, HttpServer server,
                ExecutorService executor) {
        this.config = config;
        this.metrics = metrics;
        this.database = database;
        this.schema = schema;
        this.cache = cache;
        this.server = server;
        this.executor = executor;
        this.health = new Health(new StorageCheck(config.dataDir()), schema, database, cache, shuttingDown::get);
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
            // Readiness waits for the schema, the longest step of the start (the first connection
            // creates an H2 database): it starts first, and the rest of the start runs beside it.
            schema = Schema.start(db);
            metrics.bindJvmAndProcess();
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
        App app = new App(config, metrics, db, schema, cache, server, executor);
        Routes routes = new Routes(app::config, buildInfo, template, db, schema, metrics, app.health,
                new NotesApi(db, cache, app::config, metrics.registry()), new StaticAssets());
        Routes.ANSWERS.forEach((route, answers) -> metrics.declareRequests(answers.method(), route, answers.statuses()));
        server.createContext("/", routes::handle).getFilters().add(app.new RequestFilter());
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

    /**
     * Waits until the schema is ready (for tests and tools).
     *
     * @param timeoutMs longest wait, milliseconds
     * @return whether the schema became ready in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitSchema(long timeoutMs) throws InterruptedException {
        return schema.await(timeoutMs);
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
        health.close();
        if (cache != null) {
            cache.close();
        }
        database.close();
        metrics.close();
    }

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
                String route = Routes.route(path);
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

}

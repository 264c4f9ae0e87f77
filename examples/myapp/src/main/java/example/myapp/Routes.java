package example.myapp;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The routing table: which handler answers a request, and the route label of a path for metrics
 * and logs.
 *
 * <pre>
 * GET  /                  the HTML page ({@code web/index.html}: version, commit, note count)
 * GET  /static/{path}     {@link StaticAssets}
 * POST /api/notes         {@link NotesApi#create}
 * GET  /api/notes/{id}    {@link NotesApi#get}
 * GET  /metrics           Prometheus text ({@link Metrics})
 * GET  /health/live       {@link Health#live}
 * GET  /health/ready      {@link Health#ready}
 * GET  /debug/sleep?ms=N  sleeps N ms (0 to {@value #MAX_SLEEP_MS}); only with debug.endpoints
 * </pre>
 *
 * Unknown paths get a 404 JSON error, known paths with another method 405 with {@code Allow}.
 * With {@code fault.percent} set, that share of requests (not health or metrics) gets an injected
 * 500, spread evenly (for canary tests). A handler's unexpected exception is a 500, logged.
 */
final class Routes {
    /** Largest accepted {@code ms} for {@code /debug/sleep}, in milliseconds. */
    static final long MAX_SLEEP_MS = 60_000;

    /** Route label for requests that match no route. */
    static final String UNMATCHED = "unmatched";

    /**
     * What each route answers: its one allowed method and every status code it can send with it
     * (500 everywhere: an injected fault or a handler's exception). {@link App} creates the
     * {@code http_requests_total} series of these at 0 when it starts, so the first error of a new
     * instance is an increase from 0 that {@code rate()} and {@code increase()} see, rather than a
     * new series whose first sample they cannot count. Left out because their labels cannot be
     * listed: the 405 of another method and the 404 of {@code unmatched} with a method other than
     * GET.
     */
    static final Map<String, Answers> ANSWERS = answers();

    /**
     * A route's allowed method and the status codes it answers with.
     *
     * @param method   {@code GET} or {@code POST}
     * @param statuses HTTP status codes
     */
    record Answers(String method, List<Integer> statuses) {
    }

    private static Map<String, Answers> answers() {
        Map<String, Answers> m = new LinkedHashMap<>();
        m.put("/", new Answers("GET", List.of(200, 500)));
        m.put("/static/{path}", new Answers("GET", List.of(200, 304, 400, 404, 500)));
        m.put("/api/notes", new Answers("POST", List.of(201, 400, 413, 500, 503)));
        m.put("/api/notes/{id}", new Answers("GET", List.of(200, 404, 500, 503)));
        m.put("/metrics", new Answers("GET", List.of(200, 500)));
        m.put("/health/live", new Answers("GET", List.of(200, 500)));
        m.put("/health/ready", new Answers("GET", List.of(200, 500, 503)));
        m.put("/debug/sleep", new Answers("GET", List.of(200, 400, 404, 500, 503))); // 404 unless debug.endpoints
        m.put(UNMATCHED, new Answers("GET", List.of(404)));
        return Collections.unmodifiableMap(m);
    }

    private final Supplier<Config> config;
    private final BuildInfo buildInfo;
    private final String indexTemplate;
    private final Database database;
    private final Schema schema;
    private final Metrics metrics;
    private final Health health;
    private final NotesApi notes;
    private final StaticAssets assets;
    private final AtomicLong faultCounter = new AtomicLong();

    /**
     * @param config        the configuration in effect (reloadable)
     * @param buildInfo     build metadata shown on the index page
     * @param indexTemplate the index page's template ({@link Html})
     * @param database      the database (the index page's note count)
     * @param schema        the schema (no count before it is ready)
     * @param metrics       the metrics to scrape
     * @param health        the probes
     * @param notes         the notes API
     * @param assets        the static files
     */
    Routes(Supplier<Config> config, BuildInfo buildInfo, String indexTemplate, Database database, Schema schema,
           Metrics metrics, Health health, NotesApi notes, StaticAssets assets) {
        this.config = config;
        this.buildInfo = buildInfo;
        this.indexTemplate = indexTemplate;
        this.database = database;
        this.schema = schema;
        this.metrics = metrics;
        this.health = health;
        this.notes = notes;
        this.assets = assets;
    }

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

    /**
     * Answers one request and closes the exchange.
     *
     * @param ex the exchange
     * @throws IOException if the client went away
     */
    void handle(HttpExchange ex) throws IOException {
        try {
            Config cfg = config.get();
            String path = ex.getRequestURI().getRawPath();
            String route = route(path);
            String method = ex.getRequestMethod();
            if (route.equals(UNMATCHED) || (route.equals("/debug/sleep") && !cfg.debugEndpoints())) {
                Http.sendError(ex, 404, "not found");
                return;
            }
            String allowed = route.equals("/api/notes") ? "POST" : "GET";
            if (!allowed.equals(method)) {
                ex.getResponseHeaders().set("Allow", allowed);
                Http.sendError(ex, 405, "method not allowed");
                return;
            }
            if (cfg.faultPercent() > 0 && !route.startsWith("/health/") && !route.equals("/metrics")
                    && injectFault(cfg.faultPercent())) {
                Http.sendError(ex, 500, "injected fault (fault.percent=" + cfg.faultPercent() + ")");
                return;
            }
            switch (route) {
                case "/" -> index(ex);
                case "/health/live" -> health.live(ex);
                case "/health/ready" -> health.ready(ex);
                case "/metrics" -> Http.send(ex, 200, Metrics.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8));
                case "/debug/sleep" -> sleep(ex);
                case "/api/notes" -> notes.create(ex);
                case "/api/notes/{id}" -> notes.get(ex, path.substring("/api/notes/".length()));
                default -> assets.serve(ex, path.substring("/static/".length()));
            }
        } catch (RuntimeException e) {
            Log.error("request " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed: " + e);
            try {
                Http.sendError(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers were probably already sent
            }
        } finally {
            ex.close();
        }
    }

    /**
     * Whether this request gets an injected 500: exactly {@code percent} of every 100 requests, spread
     * evenly (request n fails when floor((n+1)·p/100) &gt; floor(n·p/100)).
     */
    private boolean injectFault(int percent) {
        long n = faultCounter.getAndIncrement();
        return (n + 1) * percent / 100 > n * percent / 100;
    }

    private void index(HttpExchange ex) throws IOException {
        String count = "unavailable";
        if (schema.ready()) {
            try {
                count = String.valueOf(database.count());
            } catch (SQLException e) {
                Log.warn("index: cannot count notes: " + Http.oneLine(e));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("version", buildInfo.version());
        values.put("commit", buildInfo.commit());
        values.put("buildTime", buildInfo.buildTime());
        values.put("notes", count);
        values.put("cssVersion", assets.version("style.css"));
        Http.send(ex, 200, "text/html; charset=utf-8", Html.render(indexTemplate, values).getBytes(StandardCharsets.UTF_8));
    }

    private void sleep(HttpExchange ex) throws IOException {
        String raw = Http.queryParam(ex.getRequestURI().getRawQuery(), "ms");
        long ms;
        try {
            ms = raw == null ? -1 : Long.parseLong(raw);
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > MAX_SLEEP_MS) {
            Http.sendError(ex, 400, "ms must be an integer between 0 and " + MAX_SLEEP_MS);
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.sendError(ex, 503, "interrupted");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slept_ms", ms);
        Http.sendJson(ex, 200, body);
    }
}

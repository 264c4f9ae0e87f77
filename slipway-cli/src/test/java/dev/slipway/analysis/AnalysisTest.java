package dev.slipway.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis engine against a real Prometheus: verdicts from real query answers, no data from
 * empty results and NaN, errors from a rejected query and from a port where nothing listens, and
 * the built-in queries over counters that a small exporter (a JDK HTTP server on loopback, scraped
 * every second under job {@code prometheus}) changes while a window is open. The canary tests in
 * {@code dev.slipway.cli} measure real myapp traffic.
 */
class AnalysisTest {
    @TempDir
    static Path dir;
    static PrometheusServer prom;
    static PrometheusClient client;
    static HttpServer exporter;
    /** The exporter's samples: series (name and labels) to value. */
    static final Map<String, Double> SERIES = new ConcurrentHashMap<>();
    static final Map<String, String> VARS = Map.of("service", "prometheus", "track", "canary");

    @BeforeAll
    static void start() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        exporter.createContext("/metrics", x -> {
            StringBuilder b = new StringBuilder("# TYPE http_requests_total counter\n");
            new TreeMap<>(SERIES).forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
            byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            x.sendResponseHeaders(200, body.length);
            try (var o = x.getResponseBody()) {
                o.write(body);
            }
        });
        exporter.start();
        prom = PrometheusServer.start(dir, "prometheus", List.of("127.0.0.1:" + exporter.getAddress().getPort()));
        client = new PrometheusClient(prom.url(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        if (prom != null) {
            prom.close();
        }
        if (exporter != null) {
            exporter.stop(0);
        }
    }

    /** Sets myapp's request counter of {@code track} and {@code status}; {@code null} removes the series. */
    static void requests(String track, int status, Double value) {
        String key = "http_requests_total{method=\"GET\",route=\"/\",status=\"" + status + "\",track=\"" + track + "\"}";
        if (value == null) {
            SERIES.remove(key);
        } else {
            SERIES.put(key, value);
        }
    }

    /**
     * Waits until Prometheus (1 s scrapes) holds what the exporter shows now: every series at its
     * current value (at most 30 s; a fixed sleep was too short on a loaded machine, and a window
     * that starts before the scrape reads a missing start as 0).
     */
    static void scraped() throws InterruptedException {
        Thread.sleep(1200);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Map.Entry<String, Double> e : Map.copyOf(SERIES).entrySet()) {
                List<PrometheusClient.Sample> got = client.query(e.getKey(), java.time.Instant.now());
                all &= got.size() == 1 && got.get(0).value() == e.getValue();
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
    }

    /** The built-in error-rate for {@code track}: 1 measurement at once, the window starting at {@code start}. */
    static AnalysisResult errorRate(String track, java.time.Instant start, double max, int minRequests)
            throws InterruptedException {
        MetricCheck c = new MetricCheck("error-rate", MetricCheck.ERROR_RATE_QUERY, null, max, Duration.ofSeconds(1), 1, 0,
                2, Duration.ZERO, OnNoData.INCONCLUSIVE, minRequests, 0);
        return Analysis.run(List.of(c), Map.of("service", "prometheus", "track", track), MetricCheck.REQUESTS_QUERY,
                client, Clock.systemUTC(), start, Sleeper.SYSTEM, null);
    }

    @Test
    void aSeriesThatFirstAppearsDuringTheWindowCountsItsFirstError() throws Exception {
        // A service that creates its status="500" series at the first 500 (myapp did until it declared
        // its series at 0): the series is new inside the window
        requests("newseries", 200, 10.0);
        scraped();
        java.time.Instant start = java.time.Instant.now();
        requests("newseries", 200, 160.0);
        requests("newseries", 500, 1.0);
        scraped();
        // increase() cannot count it (one sample in the window): the cause of the promoted faulty release
        List<PrometheusClient.Sample> lost = client.query("sum(increase(http_requests_total{track=\"newseries\","
                + "status=\"500\"}[10s]))", java.time.Instant.now());
        assertTrue(lost.isEmpty() || lost.get(0).value() == 0.0, "increase() reads " + lost);

        AnalysisResult r = errorRate("newseries", start, 0.005, 100);
        Measurement m = r.measurements().get(0);
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertEquals(1.0 / 151, m.value(), 1e-9, "1 error of 151 requests in the window: " + m);
        assertTrue(m.message().startsWith("0.006623 does not meet <= 0.005"), m.message());
    }

    /**
     * Sets the count of Micrometer's {@code http.server.requests} timer as Spring Boot's and
     * Quarkus' Prometheus registries export it ({@code uri}, {@code status}, {@code outcome} labels;
     * {@code track} from a common tag); {@code null} removes the series.
     */
    static void micrometerRequests(String track, String uri, int status, Double value) {
        String outcome = status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS";
        String key = "http_server_requests_seconds_count{error=\"none\",exception=\"none\",method=\"GET\",outcome=\""
                + outcome + "\",status=\"" + status + "\",track=\"" + track + "\",uri=\"" + uri + "\"}";
        if (value == null) {
            SERIES.remove(key);
        } else {
            SERIES.put(key, value);
        }
    }

    /** A Micrometer request count of {@code uri} and {@code status}: {@code before} a window opens ({@code null}: no series yet) and after. */
    record Counted(String uri, int status, Double before, double after) {}

    /** Sets each count to its {@code before}, opens a window once Prometheus has it, sets {@code after}; returns the window's start. */
    static java.time.Instant micrometerWindow(String track, List<Counted> counts) throws InterruptedException {
        counts.forEach(c -> micrometerRequests(track, c.uri(), c.status(), c.before()));
        scraped();
        java.time.Instant start = java.time.Instant.now();
        counts.forEach(c -> micrometerRequests(track, c.uri(), c.status(), c.after()));
        scraped();
        return start;
    }

    @Test
    void theBuiltInErrorRateReadsMicrometersRequestTimerWithoutItsScrapesAndProbes() throws Exception {
        // A Spring Boot service with micrometer-registry-prometheus and management.metrics.tags.track:
        // no http_requests_total, its requests in http_server_requests_seconds_count; Prometheus'
        // scrapes of /actuator/prometheus and the readiness probe are requests too, and never fail
        java.time.Instant start = micrometerWindow("spring", List.of(
                new Counted("/hello", 200, 10.0, 110.0),
                new Counted("/actuator/prometheus", 200, 50.0, 550.0),
                new Counted("/actuator/health/{*path}", 200, 30.0, 330.0),
                new Counted("/hello", 500, null, 5.0))); // the status="500" series appears with the first 500
        AnalysisResult bad = errorRate("spring", start, 0.01, 100);
        Measurement m = bad.measurements().get(0);
        assertEquals(Verdict.FAIL, bad.verdict(), bad.message());
        assertEquals(5.0 / 105, m.value(), 1e-9, "5 errors of 105 app requests; scrapes and probes left out: " + m);

        // Quarkus names its management routes /q/...; a clean window there passes
        java.time.Instant quarkusStart = micrometerWindow("quarkus", List.of(
                new Counted("/hello", 200, 0.0, 120.0), new Counted("/q/health/ready", 200, 0.0, 40.0)));
        AnalysisResult good = errorRate("quarkus", quarkusStart, 0.01, 100);
        assertEquals(Verdict.PASS, good.verdict(), good.message());
        assertEquals(0.0, good.measurements().get(0).value());

        // a track nothing answers on: no data, and no word of myapp's counter that this app never had
        AnalysisResult none = errorRate("nobody", quarkusStart, 0.01, 0);
        String noData = none.measurements().get(0).message();
        assertEquals(Verdict.INCONCLUSIVE, none.verdict(), noData);
        assertFalse(noData.contains("no series named"), noData);
    }

    @Test
    void seriesWithoutATrackLabelAreNamedInTheNoDataMessage() throws Exception {
        // the app exports its counter but does not tag it with TRACK: every track="canary" query is empty
        SERIES.put("slipway_untracked_requests_total{uri=\"/hello\"}", 7.0);
        scraped();
        String q = "sum(slipway_untracked_requests_total{job=\"{{service}}\",track=\"{{track}}\"})";
        String message = Analysis.run(List.of(check("m", q, null, 1.0, 1, OnNoData.INCONCLUSIVE)), VARS, client,
                Clock.systemUTC(), Sleeper.SYSTEM, null).measurements().get(0).message();
        assertTrue(message.startsWith("no data (empty result; the series named slipway_untracked_requests_total carry no"
                + " track label: tag the app's metrics with its TRACK"), message);
    }

    @Test
    void tooFewRequestsIsInconclusiveNeverAPass() throws Exception {
        requests("quiet", 200, 0.0);
        requests("quiet", 500, 0.0);
        scraped();
        java.time.Instant start = java.time.Instant.now();
        requests("quiet", 200, 6.0);
        scraped();
        AnalysisResult few = errorRate("quiet", start, 0.01, 100);
        assertEquals(Verdict.INCONCLUSIVE, few.verdict(), few.message());
        assertTrue(few.measurements().get(0).message().startsWith("too few requests to judge: 6 since the window"
                + " started, minRequests 100 (value 0 not judged)"), few.measurements().get(0).message());
        assertTrue(few.message().contains("1 of 1 measurements had no data or too few requests (inconclusiveLimit 0"),
                few.message());
        AnalysisResult enough = errorRate("quiet", start, 0.01, 5);
        assertEquals(Verdict.PASS, enough.verdict(), enough.message());
        // inconclusiveLimit 1 tolerates one such measurement
        MetricCheck tolerant = new MetricCheck("error-rate", MetricCheck.ERROR_RATE_QUERY, null, 0.01,
                Duration.ofMillis(200), 2, 0, 2, Duration.ZERO, OnNoData.INCONCLUSIVE, 100, 1);
        AnalysisResult t = Analysis.run(List.of(tolerant), Map.of("service", "prometheus", "track", "quiet"),
                MetricCheck.REQUESTS_QUERY, client, Clock.systemUTC(), start, Sleeper.SYSTEM, null);
        assertEquals(Verdict.INCONCLUSIVE, t.verdict(), "2 inconclusive > inconclusiveLimit 1: " + t.message());
    }

    @Test
    void errorsFromBeforeTheWindowAreNotCountedAndARestartedSeriesCountsFromZero() throws Exception {
        // a previous canary on the same labels left 40 errors; this window has none
        requests("again", 200, 100.0);
        requests("again", 500, 40.0);
        scraped();
        java.time.Instant start = java.time.Instant.now();
        requests("again", 200, 300.0);
        scraped();
        AnalysisResult clean = errorRate("again", start, 0.01, 100);
        assertEquals(Verdict.PASS, clean.verdict(), clean.message());
        assertEquals(0.0, clean.measurements().get(0).value());
        // the process restarts: its counters start again from 0 and count whole (3 errors of 53 since the restart)
        requests("again", 200, 50.0);
        requests("again", 500, 3.0);
        scraped();
        AnalysisResult restarted = errorRate("again", start, 0.01, 10);
        assertEquals(Verdict.FAIL, restarted.verdict(), restarted.message());
        assertEquals(3.0 / 53, restarted.measurements().get(0).value(), 1e-9);
    }

    @Test
    void sinceStartExpandsToACountThatTreatsAMissingStartAsZero() {
        String q = QueryTemplate.render("sum(since_start(x{a=\"(b)\"}))", QueryTemplate.vars(Map.of(), "s", "canary",
                Duration.ofSeconds(1), java.time.Instant.ofEpochMilli(1_700_000_000_123L)));
        assertEquals("sum(((x{a=\"(b)\"} - x{a=\"(b)\"} @ 1700000000.123) >= 0 or x{a=\"(b)\"}))", q);
        var e = assertThrows(IllegalArgumentException.class, () -> QueryTemplate.render("since_start(rate(x[1m]))",
                QueryTemplate.vars(Map.of(), "s", "canary", Duration.ofSeconds(1))));
        assertTrue(e.getMessage().contains("needs a plain vector selector"), e.getMessage());
        assertEquals("0.006739", MetricCheck.fmt(0.006738847819999999));
        assertEquals("0.00099", MetricCheck.fmt(9.9E-4));
    }

    static MetricCheck check(String name, String query, Double min, Double max, int count, OnNoData onNoData) {
        return new MetricCheck(name, query, min, max, Duration.ofMillis(200), count, 0, 2, Duration.ZERO, onNoData);
    }

    @Test
    void valuesInsideTheConditionPassAndOutsideFailAtTheFirstMeasurement() throws Exception {
        List<Measurement> seen = new ArrayList<>();
        AnalysisResult ok = Analysis.run(List.of(check("low", "vector(0.004)", null, 0.01, 3, OnNoData.INCONCLUSIVE)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, seen::add);
        assertEquals(Verdict.PASS, ok.verdict(), ok.message());
        assertEquals(3, ok.measurements().size());
        assertEquals(seen, ok.measurements());
        assertEquals(0.004, ok.measurements().get(0).value());
        // measurements are an interval apart
        long gap = Duration.between(ok.measurements().get(0).time(), ok.measurements().get(2).time()).toMillis();
        assertTrue(gap >= 390 && gap < 1500, "gap " + gap);

        AnalysisResult bad = Analysis.run(List.of(
                        check("high", "vector(0.3)", null, 0.01, 5, OnNoData.INCONCLUSIVE),
                        check("fine", "scalar(vector(1))", 0.5, 2.0, 5, OnNoData.INCONCLUSIVE)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, bad.verdict());
        assertTrue(bad.message().startsWith("high failed: 0.3 does not meet <= 0.01"), bad.message());
        assertEquals(1, bad.metrics().get(0).measured(), "stops at the first failure (failureLimit 0)");
        assertTrue(bad.metrics().get(1).measured() <= 1);
    }

    @Test
    void failureLimitToleratesThatManyFailures() throws Exception {
        MetricCheck c = new MetricCheck("tolerant", "vector(0.3)", null, 0.01, Duration.ofMillis(100), 5, 2, 2,
                Duration.ZERO, OnNoData.INCONCLUSIVE);
        AnalysisResult r = Analysis.run(List.of(c), VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(3, r.measurements().size(), "failures 1 and 2 are tolerated, the third fails the metric");
        assertTrue(r.message().contains("3 of 3 measurements failed, failureLimit 2"), r.message());
    }

    @Test
    void emptyResultAndNaNAreNoDataDecidedByOnNoData() throws Exception {
        String empty = "up{job=\"{{service}}-absent\",track=\"{{track}}\"}";
        String nan = "vector(0) / vector(0)";
        for (String q : List.of(empty, nan)) {
            AnalysisResult inc = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.INCONCLUSIVE)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.INCONCLUSIVE, inc.verdict(), q);
            assertNull(inc.measurements().get(0).value());
            assertTrue(inc.measurements().get(0).message().startsWith("no data ("), inc.measurements().get(0).message());
            assertTrue(inc.message().contains("2 of 2 measurements had no data"), inc.message());

            AnalysisResult fail = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.FAIL)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.FAIL, fail.verdict(), q);
            assertEquals(1, fail.measurements().size());

            AnalysisResult pass = Analysis.run(List.of(check("m", q, null, 0.01, 2, OnNoData.PASS)),
                    VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
            assertEquals(Verdict.PASS, pass.verdict(), q);
        }
        // Empty because the metric exists but no series matches: no hint. Empty because Prometheus has
        // no series of that name at all (the app does not export it): the message says so.
        assertFalse(Analysis.run(List.of(check("m", empty, null, 1.0, 1, OnNoData.INCONCLUSIVE)), VARS, client,
                Clock.systemUTC(), Sleeper.SYSTEM, null).measurements().get(0).message().contains("no series named"));
        String never = "sum(rate(slipway_never_exported_total{job=\"{{service}}\"}[1m])) / sum(rate(up {job=\"x\"}[1m]))";
        String hint = Analysis.run(List.of(check("m", never, null, 1.0, 1, OnNoData.INCONCLUSIVE)), VARS, client,
                Clock.systemUTC(), Sleeper.SYSTEM, null).measurements().get(0).message();
        assertTrue(hint.startsWith("no data (empty result; Prometheus has no series named slipway_never_exported_total:"
                + " the app does not export it"), hint);
        assertTrue(Analysis.run(List.of(check("m", empty, null, 1.0, 1, OnNoData.INCONCLUSIVE)), VARS, client,
                Clock.systemUTC(), Sleeper.SYSTEM, null).measurements().get(0).query()
                .equals("up{job=\"prometheus-absent\",track=\"canary\"}"), "template rendered");
    }

    @Test
    void unreachablePrometheusCountsErrorsAndFailsAfterTheLimit() throws Exception {
        PrometheusClient nowhere = new PrometheusClient(URI.create("http://127.0.0.1:" + PrometheusServer.freePort()),
                Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        AnalysisResult r = Analysis.run(List.of(check("m", "vector(0)", null, 1.0, 10, OnNoData.PASS)),
                VARS, nowhere, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, r.verdict());
        assertEquals(3, r.measurements().size(), "errorLimit 2: the third error in a row fails");
        assertTrue(r.measurements().stream().allMatch(m -> m.verdict() == Verdict.ERROR));
        assertTrue(r.message().contains("3 errors in a row (errorLimit 2)"), r.message());
        assertTrue(r.message().contains("is unreachable"), r.message());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);

        // a query Prometheus rejects is an error too, with Prometheus' own reason
        AnalysisResult bad = Analysis.run(List.of(check("m", "sum(", null, 1.0, 5, OnNoData.PASS)),
                VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.FAIL, bad.verdict());
        assertTrue(bad.measurements().get(0).message().contains("rejected the query (HTTP 400, bad_data)"),
                bad.measurements().get(0).message());
    }

    @Test
    void moreThanOneSeriesIsAnErrorNotAGuess() throws Exception {
        AnalysisResult r = Analysis.run(List.of(check("m",
                        "label_replace(vector(1), \"a\", \"x\", \"\", \"\") or label_replace(vector(2), \"a\", \"y\", \"\", \"\")",
                        null, 5.0, 1, OnNoData.PASS)), VARS, client, Clock.systemUTC(), Sleeper.SYSTEM, null);
        assertEquals(Verdict.ERROR, r.measurements().get(0).verdict());
        assertTrue(r.measurements().get(0).message().contains("returned 2 series"));
        // reported with the query, not as a network failure
        assertTrue(r.measurements().get(0).message().contains("label_replace(vector(1)"), r.measurements().get(0).message());
        assertFalse(r.message().contains("answer from Prometheus"), r.message());
    }

    @Test
    void unknownTemplateVariablesAreRejectedBeforeAnyQuery() {
        var e = assertThrows(IllegalArgumentException.class, () -> Analysis.validate(
                List.of(check("m", "rate(x{a=\"{{servce}}\"}[{{interval}}])", null, 1.0, 1, OnNoData.PASS)), VARS));
        assertTrue(e.getMessage().contains("unknown variable {{servce}}"), e.getMessage());
        assertEquals("rate(x[1500ms]) 5s", QueryTemplate.render("rate(x[{{interval}}]) {{ i2 }}",
                QueryTemplate.vars(Map.of("i2", "5s"), "s", "canary", Duration.ofMillis(1500))));
    }
}

package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The notes API on the embedded H2 database, static caching, metrics and proxy trust, in process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotesApiTest {

    @TempDir
    static Path tmp;
    static App app;
    static int port;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startApp() throws Exception {
        Main.applyHttpLimits();
        app = App.start(TestConfig.local(tmp.resolve("data"), "MAX_BODY_BYTES", "1024", "TRACK", "canary",
                "TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"), new BuildInfo("9.9.9", "abc", "t"));
        port = app.port();
        assertTrue(app.awaitSchema(20_000));
        logs.start();
        ((Logger) LoggerFactory.getLogger("myapp")).addAppender(logs);
    }

    @AfterAll
    static void stopApp() {
        ((Logger) LoggerFactory.getLogger("myapp")).detachAppender(logs);
        if (app != null) {
            app.close();
        }
    }

    @Test
    void createThenReadOnH2() throws Exception {
        HttpResponse<String> c = TestHttp.post(port, "/api/notes", "{\"title\":\"Hello \\u00e9\",\"body\":\"line1\\nline2\"}");
        assertEquals(201, c.statusCode(), c.body());
        assertTrue(c.body().matches("\\{\"id\":\\d+,\"title\":\"Hello é\",\"body\":\"line1\\\\nline2\",\"created_at\":\"[0-9T:.Z-]+\"}\\s*"),
                c.body());
        String location = c.headers().firstValue("location").orElseThrow();
        HttpResponse<String> g = TestHttp.get(port, location);
        assertEquals(200, g.statusCode());
        assertEquals(c.body(), g.body());
        assertTrue(Files.exists(tmp.resolve("data/notes.mv.db")), "H2 file lives in the data dir");
        assertTrue(TestHttp.get(port, "/").body().matches("(?s).*<span id=\"notes\">[1-9]\\d*</span>.*"));
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        assertError(TestHttp.post(port, "/api/notes", "{not json"), 400, "body is not valid JSON");
        assertError(TestHttp.post(port, "/api/notes", "{\"title\":\"a\"} trailing"), 400, "body is not valid JSON");
        assertError(TestHttp.post(port, "/api/notes", "[1]"), 400, "body must be a JSON object");
        assertError(TestHttp.post(port, "/api/notes", "{\"body\":\"x\"}"), 400, "field \\\"title\\\" is required: a non-empty string");
        assertError(TestHttp.post(port, "/api/notes", "{\"title\":\"x\"}"), 400, "field \\\"body\\\" is required: a string");
        assertError(TestHttp.post(port, "/api/notes", "{\"title\":\"x\",\"body\":\"" + "y".repeat(2000) + "\"}"), 413,
                "body larger than 1024 bytes");
        assertError(TestHttp.get(port, "/api/notes/999999"), 404, "not found");
        assertError(TestHttp.get(port, "/api/notes/abc"), 404, "not found");
        HttpResponse<String> wrong = TestHttp.send(port, "DELETE", "/api/notes/1", java.time.Duration.ofSeconds(5));
        assertEquals(405, wrong.statusCode());
        assertEquals("GET", wrong.headers().firstValue("allow").orElse(""));
    }

    @Test
    void oversizeBodyWithoutContentLengthIsCutAt413() throws Exception {
        // Chunked upload: no Content-Length to check up front, so the limit applies while reading.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            String chunk = "x".repeat(600);
            out.write(("POST /api/notes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(600) + "\r\n" + chunk + "\r\n" + Integer.toHexString(600) + "\r\n" + chunk
                    + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", head);
        }
    }

    private static void assertError(HttpResponse<String> r, int code, String message) {
        assertEquals(code, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("{\"error\":\"" + message + "\",\"status\":" + code + "}", r.body().trim());
    }

    @Test
    void staticFilesHaveETagsAndTheIndexLinksAnImmutableUrl() throws Exception {
        HttpResponse<String> css = TestHttp.get(port, "/static/style.css");
        String etag = css.headers().firstValue("etag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]{16}\""), etag);
        assertEquals("no-cache", css.headers().firstValue("cache-control").orElse(""));
        HttpResponse<String> again = TestHttp.get(port, "/static/style.css", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(200, TestHttp.get(port, "/static/style.css", "If-None-Match", "\"0000000000000000\"").statusCode());

        String v = etag.substring(1, 17);
        assertTrue(TestHttp.get(port, "/").body().contains("href=\"/static/style.css?v=" + v + "\""));
        assertEquals(StaticAssets.IMMUTABLE, TestHttp.get(port, "/static/style.css?v=" + v).headers()
                .firstValue("cache-control").orElse(""));
        assertEquals("no-cache", TestHttp.get(port, "/static/style.css?v=stale").headers()
                .firstValue("cache-control").orElse(""));
    }

    @Test
    void forwardedForIsHonouredOnlyFromTrustedProxies() throws Exception {
        // The peer is 127.0.0.1, trusted here: the right-most untrusted hop is the client.
        TestHttp.get(port, "/debug/sleep?ms=0&probe=trusted", "X-Forwarded-For", "203.0.113.7, 10.1.2.3",
                "X-Forwarded-Proto", "https");
        Map<String, Object> kv = lastRequestLog();
        assertEquals("203.0.113.7", kv.get("client"));
        assertEquals("https", kv.get("proto"));

        ProxyTrust none = ProxyTrust.parse("");
        InetAddress peer = InetAddress.getByName("192.0.2.1");
        assertEquals("192.0.2.1", none.clientAddress(peer, "203.0.113.7"));
        assertEquals("http", none.scheme(peer, "https"));
        ProxyTrust lan = ProxyTrust.parse("10.0.0.0/8");
        assertEquals("10.9.9.9", lan.clientAddress(InetAddress.getByName("10.0.0.1"), "10.9.9.9"),
                "all hops trusted: the left-most is the client");
        assertEquals("10.0.0.1", lan.clientAddress(InetAddress.getByName("10.0.0.1"), "not-an-ip"));
        assertEquals("192.0.2.1", lan.clientAddress(peer, "203.0.113.7"), "untrusted peer: header ignored");
    }

    private static Map<String, Object> lastRequestLog() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<ILoggingEvent> events = List.copyOf(logs.list);
            for (int i = events.size() - 1; i >= 0; i--) {
                ILoggingEvent e = events.get(i);
                if ("request".equals(e.getMessage()) && e.getKeyValuePairs() != null) {
                    Map<String, Object> kv = e.getKeyValuePairs().stream()
                            .collect(Collectors.toMap(p -> p.key, p -> p.value));
                    if ("/debug/sleep".equals(kv.get("route"))) {
                        return kv;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no request log line for /debug/sleep");
    }

    @Test
    void metricsParseWithPromtoolAndCountExactlyTheRequestsMade() throws Exception {
        Path promtool = Tools.require("promtool");
        String route = "route=\"/api/notes/{id}\",status=\"404\",track=\"canary\"";
        Thread.sleep(100); // let the last request of another test be counted
        double before = sample(TestHttp.get(port, "/metrics").body(), "http_requests_total{method=\"GET\"," + route + "}");
        for (int i = 0; i < 7; i++) {
            assertEquals(404, TestHttp.get(port, "/api/notes/" + (880000 + i)).statusCode());
        }
        // The filter records a request after its response has gone out, so the client can be a
        // moment ahead of the counter: wait (bounded) for it, then demand the exact value.
        String text = TestHttp.get(port, "/metrics").body();
        for (int i = 0; i < 50 && sample(text, "http_requests_total{method=\"GET\"," + route + "}") < before + 7; i++) {
            Thread.sleep(40);
            text = TestHttp.get(port, "/metrics").body();
        }
        assertEquals(before + 7, sample(text, "http_requests_total{method=\"GET\"," + route + "}"));
        assertTrue(sample(text, "http_server_requests_seconds_count{method=\"GET\"," + route + "}") >= 7);
        assertTrue(text.contains("http_server_requests_seconds_bucket{le=\"+Inf\",method=\"GET\"," + route + "}")
                || text.contains("http_server_requests_seconds_bucket{method=\"GET\",") , "histogram buckets");
        assertFalse(text.contains("/api/notes/880000"), "raw paths must not become labels");
        assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM metrics");
        assertTrue(text.contains("process_uptime_seconds{track=\"canary\"}"), "process metrics");

        Path file = Files.writeString(tmp.resolve("metrics.txt"), text);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        // promtool 2.42 exits 1 for lint findings as well as parse errors, and has no switch to
        // turn linting off. So: no parse error at all, and no lint finding about our own series
        // (Micrometer's JVM/process names such as system_cpu_count draw naming lints).
        assertFalse(out.contains("error while linting") || out.contains("parsing error"), "promtool:\n" + out);
        List<String> ours = out.lines().filter(l -> l.startsWith("http_") || l.startsWith("myapp_")).toList();
        assertTrue(ours.isEmpty(), "promtool lints our series:\n" + out);
    }

    /**
     * Every route's status-code counters exist at 0 from the start, so the first error of a new
     * instance is an increase that {@code rate()} sees (a series created at the first error has no
     * earlier sample: Prometheus counts nothing for it). Checked on a fresh instance that answers
     * every request with an injected 500.
     */
    @Test
    void statusCountersStartAtZeroSoTheFirstErrorIsAnIncrease() throws Exception {
        App faulty = App.start(TestConfig.local(tmp.resolve("faulty"), "FAULT_PERCENT", "100"), new BuildInfo("9.9.9", "abc", "t"));
        try {
            assertTrue(faulty.awaitSchema(20_000));
            String before = TestHttp.get(faulty.port(), "/metrics").body();
            // Before any request to them: the series each route can answer, at 0.
            for (String series : List.of(
                    "method=\"GET\",route=\"/\",status=\"200\"",
                    "method=\"GET\",route=\"/\",status=\"500\"",
                    "method=\"POST\",route=\"/api/notes\",status=\"201\"",
                    "method=\"POST\",route=\"/api/notes\",status=\"400\"",
                    "method=\"POST\",route=\"/api/notes\",status=\"413\"",
                    "method=\"POST\",route=\"/api/notes\",status=\"500\"",
                    "method=\"POST\",route=\"/api/notes\",status=\"503\"",
                    "method=\"GET\",route=\"/api/notes/{id}\",status=\"404\"",
                    "method=\"GET\",route=\"/api/notes/{id}\",status=\"500\"",
                    "method=\"GET\",route=\"/api/notes/{id}\",status=\"503\"",
                    "method=\"GET\",route=\"/static/{path}\",status=\"304\"",
                    "method=\"GET\",route=\"/static/{path}\",status=\"500\"",
                    "method=\"GET\",route=\"/health/ready\",status=\"503\"",
                    "method=\"GET\",route=\"unmatched\",status=\"404\"")) {
                String line = "http_requests_total{" + series + ",track=\"stable\"} 0.0";
                assertTrue(before.lines().anyMatch(line::equals), "missing at start: " + line + "\n" + before);
            }
            assertEquals(500, TestHttp.get(faulty.port(), "/").statusCode());
            String series = "http_requests_total{method=\"GET\",route=\"/\",status=\"500\",track=\"stable\"}";
            String text = TestHttp.get(faulty.port(), "/metrics").body();
            for (int i = 0; i < 50 && sample(text, series) < 1; i++) {
                Thread.sleep(40);
                text = TestHttp.get(faulty.port(), "/metrics").body();
            }
            assertEquals(1, sample(text, series), "the first 500 counts once, on the series that was at 0");
        } finally {
            faulty.close();
        }
    }

    private static double sample(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(0);
    }
}

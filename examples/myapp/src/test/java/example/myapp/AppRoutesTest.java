package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-process tests of the HTTP routes against a real server on a free port. */
class AppRoutesTest {

    private static final String RFC3339_UTC = "\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\"";

    @TempDir
    static Path tmp;

    static App app;
    static int port;

    @BeforeAll
    static void startApp() throws Exception {
        Main.applyHttpLimits();
        Config cfg = TestConfig.local(tmp.resolve("data"));
        app = App.start(cfg, new BuildInfo("1.2.3<b>", "abc123", "2026-01-01T00:00:00Z"));
        port = app.port();
        assertTrue(app.awaitSchema(20_000), "schema not ready");
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void createsDataDir() {
        assertTrue(Files.isDirectory(tmp.resolve("data")));
    }

    @Test
    void indexShowsEscapedVersion() throws Exception {
        HttpResponse<String> r = TestHttp.get(port, "/");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().contains("<span id=\"version\">1.2.3&lt;b&gt;</span>"), r.body());
        assertTrue(r.body().contains("abc123"));
        assertTrue(r.body().contains("2026-01-01T00:00:00Z"));
        assertTrue(!r.body().contains("{{"), "unrendered placeholder");
    }

    @Test
    void live() throws Exception {
        HttpResponse<String> r = TestHttp.get(port, "/health/live");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().matches("\\{\"status\":\"ok\"," + RFC3339_UTC + "}\\s*"), r.body());
    }

    @Test
    void ready() throws Exception {
        HttpResponse<String> r = TestHttp.get(port, "/health/ready");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().matches("\\{\"status\":\"ok\"," + RFC3339_UTC + ",\"checks\":\\{\"storage\":\"ok\",\"database\":\"ok\"}}\\s*"),
                r.body());
    }

    @Test
    void staticFiles() throws Exception {
        HttpResponse<String> css = TestHttp.get(port, "/static/style.css");
        assertEquals(200, css.statusCode());
        assertEquals("text/css; charset=utf-8", css.headers().firstValue("content-type").orElse(""));
        assertTrue(css.body().contains("body"));
        assertEquals(404, TestHttp.get(port, "/static/missing.css").statusCode());
        assertEquals(404, TestHttp.get(port, "/static/").statusCode());
    }

    @Test
    void pathTraversalIsRejected() throws Exception {
        for (String p : new String[] {"/static/../index.html", "/static/..%2findex.html", "/static/%2e%2e/index.html",
                "/static/./style.css", "/static//style.css", "/static/..\\index.html"}) {
            int code = TestHttp.get(port, p.replace("\\", "%5c")).statusCode();
            assertTrue(code == 400 || code == 404, p + " -> " + code);
        }
    }

    @Test
    void notFoundAndMethodNotAllowed() throws Exception {
        HttpResponse<String> r = TestHttp.get(port, "/nope");
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":\"not found\",\"status\":404}", r.body().trim());
        HttpResponse<String> post = TestHttp.send(port, "POST", "/health/live", Duration.ofSeconds(5));
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("allow").orElse(""));
    }

    @Test
    void debugSleep() throws Exception {
        HttpResponse<String> r = TestHttp.get(port, "/debug/sleep?ms=20");
        assertEquals(200, r.statusCode());
        assertEquals("{\"slept_ms\":20}", r.body().trim());
        assertEquals(400, TestHttp.get(port, "/debug/sleep?ms=abc").statusCode());
        assertEquals(400, TestHttp.get(port, "/debug/sleep?ms=60001").statusCode());
        assertEquals(400, TestHttp.get(port, "/debug/sleep").statusCode());
    }
}

package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.config.ReleaseConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub publisher against a loopback server that plays GitHub's documented REST API
 * (create a release, get a release by tag, upload an asset) and records every request.
 */
class GitHubPublisherTest {
    private static final String TOKEN = "ghp_test_secret_token_123";

    /** A request as the server saw it. */
    record Seen(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    @TempDir
    Path dir;

    HttpServer server;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    volatile boolean releaseExists;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Console console = new Console(new PrintWriter(out), new PrintWriter(err), false);

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(),
                    Map.copyOf(ex.getRequestHeaders()), body));
            String path = ex.getRequestURI().getPath();
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, "{\"message\":\"Bad credentials\"}");
            } else if (ex.getRequestMethod().equals("POST") && path.equals("/api/repos/acme/my%20app/releases")
                    || path.equals("/api/repos/acme/my app/releases")) {
                if (releaseExists) {
                    reply(ex, 422, "{\"message\":\"Validation Failed\",\"errors\":[{\"code\":\"already_exists\"}]}");
                } else {
                    reply(ex, 201, "{\"id\":7,\"html_url\":\"https://github.invalid/acme/app/releases/v1.2.3\","
                            + "\"upload_url\":\"" + base + "/uploads/repos/acme/app/releases/7/assets{?name,label}\"}");
                }
            } else if (ex.getRequestMethod().equals("GET") && path.endsWith("/releases/tags/v1.2.3")) {
                reply(ex, 200, "{\"id\":7,\"upload_url\":\"" + base + "/uploads/repos/acme/app/releases/7/assets{?name,label}\"}");
            } else if (ex.getRequestMethod().equals("POST") && path.equals("/uploads/repos/acme/app/releases/7/assets")) {
                reply(ex, 201, "{\"id\":1,\"state\":\"uploaded\"}");
            } else {
                reply(ex, 404, "{\"message\":\"Not Found\"}");
            }
        });
        server.start();
    }

    private static void reply(HttpExchange ex, int code, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private GitHubPublisher publisher(String token) {
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/");
        return new GitHubPublisher(new ReleaseConfig.GitHub("acme", "my app", api, false, true),
                name -> name.equals("GITHUB_TOKEN") ? token : null);
    }

    private Publisher.Request request() throws IOException {
        Files.createDirectories(dir.resolve("dist/app_1.2.3_linux_amd64"));
        Files.writeString(dir.resolve("dist/app_1.2.3_linux_amd64/app"), "single file bytes");
        Files.writeString(dir.resolve("dist/app_1.2.3_linux_amd64.tar.gz"), "archive bytes");
        Files.writeString(dir.resolve("dist/checksums.txt"), "abc  app_1.2.3_linux_amd64.tar.gz\n");
        List<Artifact> artifacts = List.of(
                new Artifact(Artifact.Kind.SINGLE_FILE, "linux-amd64", Path.of("dist/app_1.2.3_linux_amd64/app"), "x", 17),
                new Artifact(Artifact.Kind.ARCHIVE, "linux-amd64", Path.of("dist/app_1.2.3_linux_amd64.tar.gz"), "y", 13),
                new Artifact(Artifact.Kind.CHECKSUMS, null, Path.of("dist/checksums.txt"), "z", 35));
        return new Publisher.Request(dir, dir.resolve("dist"), "app", "1.2.3", "v1.2.3", "c0ffee", "# app 1.2.3\n\n- abc feat: x\n", artifacts);
    }

    @Test
    void createsTheReleaseThenUploadsEveryAsset() throws Exception {
        publisher(TOKEN).publish(request(), false, console);
        assertEquals(4, seen.size(), seen.toString());
        Seen create = seen.get(0);
        assertEquals("POST", create.method());
        assertEquals("/api/repos/acme/my app/releases", create.path());
        assertEquals("Bearer " + TOKEN, create.header("Authorization"));
        assertEquals("application/vnd.github+json", create.header("Accept"));
        assertEquals("2022-11-28", create.header("X-GitHub-Api-Version"));
        assertEquals("application/json", create.header("Content-Type"));
        JsonNode body = new ObjectMapper().readTree(create.body());
        assertEquals("v1.2.3", body.path("tag_name").asText());
        assertEquals("app 1.2.3", body.path("name").asText());
        assertEquals("# app 1.2.3\n\n- abc feat: x\n", body.path("body").asText());
        assertFalse(body.path("draft").asBoolean());
        assertTrue(body.path("prerelease").asBoolean());

        assertEquals(List.of("name=app_1.2.3_linux_amd64", "name=app_1.2.3_linux_amd64.tar.gz", "name=checksums.txt"),
                seen.subList(1, 4).stream().map(Seen::query).toList());
        for (Seen up : seen.subList(1, 4)) {
            assertEquals("POST", up.method());
            assertEquals("application/octet-stream", up.header("Content-Type"));
            assertEquals("Bearer " + TOKEN, up.header("Authorization"));
        }
        assertEquals("single file bytes", new String(seen.get(1).body(), StandardCharsets.UTF_8));
        assertFalse(out.toString().contains(TOKEN) || err.toString().contains(TOKEN), "the token is never printed");
    }

    @Test
    void anExistingReleaseGetsTheAssets() throws Exception {
        releaseExists = true;
        publisher(TOKEN).publish(request(), false, console);
        assertEquals(List.of("POST", "GET", "POST", "POST", "POST"), seen.stream().map(Seen::method).toList());
        assertEquals("/api/repos/acme/my app/releases/tags/v1.2.3", seen.get(1).path());
    }

    @Test
    void aMissingTokenIsAUsageErrorBeforeAnyRequest() throws Exception {
        SlipwayException e = assertThrows(SlipwayException.class, () -> publisher(null).preflight());
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("GITHUB_TOKEN"), e.getMessage());
        assertEquals(0, seen.size());
    }

    @Test
    void aRefusedTokenFailsWithGitHubsMessageAndNotTheToken() throws Exception {
        SlipwayException e = assertThrows(SlipwayException.class, () -> publisher("wrong-" + TOKEN).publish(request(), false, console));
        assertEquals(1, e.exitCode());
        assertEquals("GitHub: creating the release failed: HTTP 401: Bad credentials", e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN));
    }

    @Test
    void dryRunSendsNothing() throws Exception {
        publisher(null).publish(request(), true, console);
        assertEquals(0, seen.size());
        assertTrue(err.toString().contains("would POST http://127.0.0.1:" + server.getAddress().getPort()
                + "/api/repos/acme/my%20app/releases (tag v1.2.3"), err.toString());
        assertTrue(err.toString().contains("would upload app_1.2.3_linux_amd64.tar.gz (13 bytes)"), err.toString());
    }
}

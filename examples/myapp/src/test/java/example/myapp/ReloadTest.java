package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP reloads the --config file: log level and debug endpoints change; a broken file is ignored. */
@EnabledOnOs(OS.LINUX)
class ReloadTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sighupChangesLogLevelAndKeepsOldConfigWhenTheNewOneIsBroken() throws Exception {
        Path file = Files.writeString(tmp.resolve("myapp.properties"), "log.level=info\n");
        try (ChildApp c = ChildApp.start(tmp, Map.of(), List.of(), "--config", file.toString())) {
            c.awaitReady();
            // One keep-alive connection throughout: a reload must not drop it.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port + "/health/live"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertEquals(200, client.send(live, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertFalse(c.output().contains("route=/health/live"), "probes are logged at debug only");

            Files.writeString(file, "log.level=debug\ndebug.endpoints=false\n");
            c.signal("HUP");
            assertTrue(c.awaitOutput("config reloaded: log.level=debug", 10), c.output());
            assertEquals(200, client.send(live, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertTrue(c.awaitOutput("route=/health/live status=200", 5), "debug level now on:\n" + c.output());
            assertEquals(404, TestHttp.get(c.port, "/debug/sleep?ms=1").statusCode(), "debug endpoints off");

            Files.writeString(file, "log.level=loud\n");
            c.signal("HUP");
            assertTrue(c.awaitOutput("received SIGHUP: config not reloaded, keeping the old one: " + file
                    + " log.level: \"loud\" is not one of trace, debug, info, warn, error", 10), c.output());
            long before = c.output().lines().filter(l -> l.contains("route=/health/live")).count();
            assertEquals(200, client.send(live, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertTrue(c.awaitOutput("route=/health/live", 5));
            Thread.sleep(200);
            long after = c.output().lines().filter(l -> l.contains("route=/health/live")).count();
            assertEquals(before + 1, after, "still at debug level after the broken reload");
            assertTrue(c.process.isAlive());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jsonLogFormatWritesOneObjectPerLineWithTheRequestFields() throws Exception {
        try (ChildApp c = ChildApp.start(tmp, Map.of("LOG_FORMAT", "json"), List.of())) {
            c.awaitReady();
            assertEquals(404, TestHttp.get(c.port, "/api/notes/77").statusCode());
            assertTrue(c.awaitOutput("\"message\":\"request\"", 5), c.output());
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            boolean sawRequest = false;
            for (String line : c.output().lines().toList()) {
                com.fasterxml.jackson.databind.JsonNode n = json.readTree(line); // throws if not JSON
                assertTrue(n.has("timestamp") && n.has("level") && n.has("message"), line);
                if ("request".equals(n.get("message").asText())) {
                    String kv = n.get("kvpList").toString();
                    assertTrue(kv.contains("{\"method\":\"GET\"}") && kv.contains("{\"route\":\"/api/notes/{id}\"}")
                            && kv.contains("{\"status\":\"404\"}") && kv.contains("duration_ms"), line);
                    sawRequest = true;
                }
            }
            assertTrue(sawRequest);
        }
    }
}

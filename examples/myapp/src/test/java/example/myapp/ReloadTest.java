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

    /**
     * Issue 20, item 19: a SIGHUP that arrives as soon as the port accepts connections (so before
     * readiness, as a deploy tool might send one) reloads the config; it used to reach the JVM's
     * default handler when Main had not installed its own yet, and the JVM exited (status 129).
     * A shell sends the signals (its built-in kill: no fork per signal) from the moment the test
     * first connects, 300 of them, while the app finishes starting.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sighupAsSoonAsThePortAcceptsIsHandledNotFatal() throws Exception {
        Path file = Files.writeString(tmp.resolve("myapp.properties"), "log.level=info\n");
        try (ChildApp c = ChildApp.start(tmp, Map.of(), List.of(), "--config", file.toString())) {
            Process spammer = new ProcessBuilder("sh", "-c", "read go; i=0; while [ $i -lt 300 ]; do kill -HUP "
                    + c.process.pid() + " || exit 1; i=$((i+1)); done").start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean connected = false;
            while (!connected && System.nanoTime() < deadline && c.process.isAlive()) {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", c.port), 1000);
                    connected = true;
                } catch (java.io.IOException notYet) {
                    Thread.onSpinWait();
                }
            }
            assertTrue(connected, "never accepted:\n" + c.output());
            spammer.getOutputStream().write("go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            spammer.getOutputStream().close();
            assertTrue(spammer.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, spammer.exitValue(), "every kill found the process");
            Thread.sleep(200);
            assertTrue(c.process.isAlive(), "the signals killed it (exit " + (c.process.isAlive() ? "" : c.process.exitValue())
                    + "):\n" + c.output());
            assertTrue(c.awaitOutput("config reloaded", 10), c.output());
            c.awaitReady();
            assertTrue(c.process.isAlive(), c.output());
        }
    }
}

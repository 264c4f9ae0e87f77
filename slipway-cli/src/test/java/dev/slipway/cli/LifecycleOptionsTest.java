package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.remote.LocalHost;
import dev.slipway.remote.Lock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway start} and {@code stop} take {@code --json} and {@code --lock-wait} as
 * {@code deploy} and {@code rollback} do (issue 17): a held lock refuses at once by default (exit 2,
 * nothing changed) and is waited for with {@code --lock-wait}; {@code --json} prints one report,
 * also for a dry run and a refusal; a lock wait that is not a duration is exit 2 on every target.
 * The lock is held by this test's JVM, a live holder, as another {@code slipway} run would hold it.
 */
class LifecycleOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void startAndStopWaitForAHeldLockAsLongAsAskedAndReportAsJson() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nversion: 1.0.0\nservice:\n  port: " + port + "\n");
        Path state = Files.createDirectories(dir.resolve(".slipway/local"));
        ObjectMapper json = new ObjectMapper();

        // A dry run with --json: the plan as one report, outcome planned.
        CliRunner.Run dry = CliRunner.run("stop", dir.toString(), "--dry-run", "--json");
        assertEquals(0, dry.code(), dry.toString());
        JsonNode planned = json.readTree(dry.out());
        assertEquals("stop", planned.path("action").asText(), planned.toString());
        assertEquals("planned", planned.path("outcome").asText(), planned.toString());

        // Not a duration: exit 2 before anything, on every target that starts and stops.
        for (String target : new String[] {"local", "hosts"}) {
            CliRunner.Run typo = CliRunner.run("start", dir.toString(), "--to", target, "--lock-wait", "abc");
            assertEquals(2, typo.code(), typo.toString());
            assertTrue(typo.err().contains("--lock-wait:"), typo.toString());
        }

        try (LocalHost here = new LocalHost("local")) {
            Lock.Holder other = Lock.me("1.0.0", "deploy");
            assertTrue(Lock.tryAcquire(here, state.toString(), other).isEmpty(), "the test holds the lock");
            // Held, no wait: refused at once, exit 2, the report says so as JSON.
            CliRunner.Run refused = CliRunner.run("stop", dir.toString(), "--json");
            assertEquals(2, refused.code(), refused.toString());
            JsonNode failure = json.readTree(refused.out());
            assertEquals(2, failure.path("exitCode").asInt(), failure.toString());
            assertTrue(failure.path("message").asText().contains("another slipway holds the deploy lock"), failure.toString());
            assertTrue(Lock.read(here, state.toString()).isPresent(), "the holder's lock is left alone");

            // Held, --lock-wait 30s: the stop waits, and runs once the holder lets go after about a second.
            CompletableFuture<Boolean> letGo = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Lock.release(here, state.toString(), other.id());
            });
            long t0 = System.nanoTime();
            CliRunner.Run waited = CliRunner.run("stop", dir.toString(), "--lock-wait", "30s", "--json");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(letGo.get(30, TimeUnit.SECONDS), "the holder let go");
            assertEquals(0, waited.code(), waited.toString());
            JsonNode report = json.readTree(waited.out());
            assertEquals("stop", report.path("action").asText(), report.toString());
            assertEquals("ok", report.path("outcome").asText(), report.toString());
            assertEquals("svc was not running", report.path("message").asText(), report.toString());
            assertTrue(waited.err().contains("waiting"), "it said it waits: " + waited);
            assertTrue(ms >= 1000, "it waited for the holder: " + ms + " ms");
        }

        // start with nothing deployed: exit 2, as JSON.
        CliRunner.Run start = CliRunner.run("start", dir.toString(), "--json", "--lock-wait", "5s");
        assertEquals(2, start.code(), start.toString());
        assertTrue(json.readTree(start.out()).path("message").asText().startsWith("nothing is deployed to local for svc"),
                start.toString());
    }
}

package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Runs the app as a child JVM and checks graceful draining on SIGTERM. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SigtermTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void sigtermTurnsUnreadyThenStopsAcceptingAndDrainsInFlightRequests() throws Exception {
        try (ChildApp c = ChildApp.start(tmp, Map.of("SHUTDOWN_DELAY_MS", "1000"), List.of())) {
            c.awaitReady();
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestHttp.get(c.port, "/debug/sleep?ms=3000", Duration.ofSeconds(15));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500); // let the slow request reach the server

            c.process.destroy(); // SIGTERM on Linux/macOS

            // During the pre-stop delay readiness is 503 while the listener still accepts.
            int readyCode = -1;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            for (int i = 0; i < 100 && System.nanoTime() < deadline; i++) {
                readyCode = TestHttp.get(c.port, "/health/ready", Duration.ofSeconds(1)).statusCode();
                if (readyCode == 503) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(503, readyCode, "readiness during the pre-stop delay");

            // After the delay new connections are refused, while the slow request is still running.
            Thread.sleep(1200);
            assertFalse(slow.isDone(), "slow request should still be in flight");
            assertThrows(ConnectException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", c.port), 1000);
                }
            });

            HttpResponse<String> r = slow.get(15, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("{\"slept_ms\":3000}", r.body().trim());

            assertTrue(c.process.waitFor(10, TimeUnit.SECONDS), "child did not exit:\n" + c.output());
            String out = c.output();
            assertEquals(0, c.process.exitValue(), out);
            assertTrue(out.contains("received SIGTERM, draining (in-flight=1"), out);
            assertTrue(out.contains("stopped gracefully"), out);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void portInUseExitsOneWithoutStackTrace() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            try (ChildApp c = ChildApp.start(tmp, Map.of("PORT", String.valueOf(busy.getLocalPort())), List.of())) {
                assertTrue(c.process.waitFor(15, TimeUnit.SECONDS), "child did not exit");
                String out = c.output();
                assertEquals(1, c.process.exitValue(), out);
                assertTrue(out.contains("myapp: failed to start: cannot listen on 127.0.0.1:" + busy.getLocalPort()), out);
                assertFalse(out.contains("\tat "), "stack trace printed:\n" + out);
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void badConfigExitsTwoWithOneLine() throws Exception {
        try (ChildApp c = ChildApp.start(tmp, Map.of("TRACK", "purple"), List.of())) {
            assertTrue(c.process.waitFor(15, TimeUnit.SECONDS), "child did not exit");
            assertEquals(2, c.process.exitValue());
            assertEquals("myapp: bad configuration: TRACK: \"purple\" is not one of stable, canary\n", c.output());
        }
    }
}

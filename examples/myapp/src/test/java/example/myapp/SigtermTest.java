package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private Process startChild(int port, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "example.myapp.Main");
        pb.environment().put("PORT", String.valueOf(port));
        pb.environment().put("ADDR", "127.0.0.1");
        pb.environment().put("DATA_DIR", tmp.resolve("data").toString());
        pb.environment().put("DRAIN_TIMEOUT", "20");
        pb.environment().remove("SHUTDOWN_DELAY_MS");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }

    private static void awaitReady(Process p, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
            if (!p.isAlive()) {
                fail("child exited early with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (TestHttp.get(port, "/health/ready", Duration.ofSeconds(1)).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("child not ready within 15 s:\n" + Files.readString(log));
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("child.log");
        Process p = startChild(port, log);
        try {
            awaitReady(p, port, log);

            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestHttp.get(port, "/debug/sleep?ms=3000", Duration.ofSeconds(15));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500); // let the slow request reach the server

            p.destroy(); // SIGTERM on Linux/macOS

            // While the slow request is in flight, readiness must flip to 503 and the listener stay open.
            int readyCode = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (int i = 0; i < 100 && System.nanoTime() < deadline; i++) {
                readyCode = TestHttp.get(port, "/health/ready", Duration.ofSeconds(1)).statusCode();
                if (readyCode == 503) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(503, readyCode, "readiness during drain");
            assertFalse(slow.isDone(), "slow request should still be in flight");

            HttpResponse<String> r = slow.get(15, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("{\"slept_ms\":3000}", r.body().trim());

            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "child did not exit:\n" + Files.readString(log));
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("received SIGTERM, draining (in-flight=1"), out);
            assertTrue(out.contains("stopped gracefully"), out);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void portInUseExitsOneWithoutStackTrace() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path log = tmp.resolve("busy.log");
            Process p = startChild(busy.getLocalPort(), log);
            try {
                assertTrue(p.waitFor(15, TimeUnit.SECONDS), "child did not exit");
                String out = Files.readString(log);
                assertEquals(1, p.exitValue(), out);
                assertTrue(out.contains("myapp: failed to start: cannot listen on 127.0.0.1:" + busy.getLocalPort()), out);
                assertFalse(out.contains("\tat "), "stack trace printed:\n" + out);
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }
}

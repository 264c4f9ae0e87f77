package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with no port (a queue consumer's shape: a loop that writes a heartbeat file and binds
 * nothing), deployed locally with {@code service.readiness.type: process}: a release that keeps
 * running through the settle window passes its gate, one that exits within it fails the deploy and
 * the previous release runs again. The releases are a compiled class started by a shell script, as
 * in {@link LocalCrashTest}.
 */
class LocalWorkerTest {
    @TempDir
    Path tmp;
    private Path dir;
    private String marker;
    private final StringWriter out = new StringWriter();

    @AfterEach
    void stop() {
        if (dir != null) {
            target().stop();
        }
    }

    private LocalTarget target() {
        return new LocalTarget(ConfigLoader.loadFromDir(dir), new Console(new PrintWriter(out, true),
                new PrintWriter(out, true), false));
    }

    /**
     * The worker: writes its version to {@code $DATA_DIR/../heartbeat-VERSION} every 100 ms; with a
     * second argument {@code crash} it exits with status 3 after one second, inside the settle window.
     */
    private void setUp() throws Exception {
        marker = "slipway.workertest=" + System.nanoTime();
        dir = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 1.0.0
                service:
                  drainTimeout: 5s
                  readiness: {type: process, interval: 100ms, timeout: 3s}
                """);
        Path src = Files.createDirectories(tmp.resolve("src")).resolve("Worker.java");
        Files.writeString(src, """
                import java.nio.file.Files;
                import java.nio.file.Path;
                public class Worker {
                    public static void main(String[] a) throws Exception {
                        Path beat = Path.of(a[1]);
                        long start = System.nanoTime();
                        while (true) {
                            Files.writeString(beat, a[0]);
                            if (a.length > 2 && System.nanoTime() - start > 1_000_000_000L) {
                                System.err.println("worker: lost the broker");
                                System.exit(3);
                            }
                            Thread.sleep(100);
                        }
                    }
                }
                """);
        Path classes = LocalCrashTest.compile(src, tmp.resolve("classes"));
        for (String v : List.of("1.0.0", "2.0.0", "3.0.0")) {
            LocalCrashTest.executable(dir, v, marker, classes, "Worker " + v + " '" + tmp.resolve("heartbeat") + "'"
                    + (v.equals("2.0.0") ? " crash" : ""));
        }
    }

    /** Makes {@code version} the last build ({@link LocalCrashTest#use(Path, String)}). */
    private Release use(String version) throws IOException {
        return LocalCrashTest.use(dir, version);
    }

    /** @return the instances of this test's service that run now */
    private List<ProcessHandle> instances() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(args -> List.of(args).contains("-D" + marker)).orElse(false)).toList();
    }

    /** Waits up to 10 s for the heartbeat file to say {@code version}, written after {@code since}. */
    private void assertBeats(String version, long since) throws Exception {
        Path beat = tmp.resolve("heartbeat");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            if (Files.exists(beat) && Files.getLastModifiedTime(beat).toMillis() > since) {
                seen = Files.readString(beat);
                if (seen.equals(version)) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the worker running now is " + seen + ", not " + version);
    }

    @Test
    void aWorkerThatKeepsRunningPassesItsGateAndOneThatExitsInTheSettleWindowFailsAndTheOldOneRunsAgain()
            throws Exception {
        setUp();
        long t0 = System.currentTimeMillis();
        // PORT (8080 by default) is no concern of a worker: another process holding it stops nothing.
        java.net.ServerSocket held = null;
        try {
            held = new java.net.ServerSocket(8080, 1, java.net.InetAddress.getByName("127.0.0.1"));
        } catch (java.net.BindException e) {
            // already held by another process: the same case
        }
        try {
            target().deploy(use("1.0.0"), false);
        } finally {
            if (held != null) {
                held.close();
            }
        }
        assertEquals(1, instances().size(), out.toString());
        assertBeats("1.0.0", t0);
        Report status = new LocalDeployTarget(target()).status();
        assertEquals(0, status.exitCode(), status.toString());
        assertEquals("1.0.0", status.version(), status.toString());
        assertTrue(status.message().startsWith("svc 1.0.0 runs (pid "), status.message());
        assertTrue(status.lines().contains("  url        none (readiness type process: no port)"), status.lines().toString());
        assertTrue(out.toString().contains("  waiting for 1.0.0 to keep running for 3.0 s (readiness type process)"), out.toString());

        use("2.0.0");
        SlipwayException failed = assertThrows(SlipwayException.class, () -> target().deploy(use("2.0.0"), false));
        assertEquals(1, failed.exitCode(), failed.getMessage());
        assertTrue(failed.getMessage().contains("exited"), failed.getMessage());
        long t1 = System.currentTimeMillis();
        assertBeats("1.0.0", t1);
        assertEquals(1, instances().size(), "the previous release runs again, alone: " + instances());
        assertEquals("1.0.0", new LocalDeployTarget(target()).status().version());

        target().deploy(use("3.0.0"), false);
        long t2 = System.currentTimeMillis();
        assertBeats("3.0.0", t2);
        assertEquals(1, instances().size(), instances().toString());
    }

    /**
     * Ctrl-C while the new release's gate runs (its settle window): the note says the gate had begun,
     * not "before the readiness gate" as it said whatever the run had reached; the previous release
     * runs again. The deploy runs in a child JVM ({@link LocalCrashTest.Child}), which gets SIGINT.
     */
    @Test
    void ctrlCDuringTheGateSaysTheGateHadBegun() throws Exception {
        dev.slipway.Tools.requireSigint();
        setUp();
        target().deploy(use("1.0.0"), false);
        // A settle window long enough to be inside it when SIGINT arrives.
        Files.writeString(dir.resolve("slipway.yaml"), Files.readString(dir.resolve("slipway.yaml"))
                .replace("timeout: 3s", "timeout: 60s"));
        use("3.0.0");
        Process p = new ProcessBuilder(dev.slipway.LauncherJvm.command(LocalCrashTest.Child.class.getName(),
                dir.toString(), "deploy")).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String line;
            while (System.nanoTime() < deadline && (line = reader.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.contains("waiting for 3.0.0 to keep running for 60.0 s")) {
                    break;
                }
            }
            assertTrue(seen.toString().contains("waiting for 3.0.0 to keep running"), seen.toString());
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the deploy exits after Ctrl-C: " + seen);
            seen.append(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
        assertTrue(seen.toString().contains("slipway: deploy interrupted; interrupted during the readiness gate, before it"
                + " passed; 1.0.0 restarted"), seen.toString());
        assertFalse(seen.toString().contains("before the readiness gate"), seen.toString());
        assertBeats("1.0.0", System.currentTimeMillis());
        assertEquals(1, instances().size(), "the previous release runs again, alone: " + instances());
    }
}

package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.Tools;
import dev.slipway.build.Builder;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.local.LocalTarget;
import dev.slipway.deploy.Release;
import dev.slipway.util.Hashing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the local target says around a failed or odd deploy, with releases that are small real
 * programs (shell scripts; one runs a JDK HTTP server) instead of built single files:
 * <ul>
 *   <li>a failed deploy's log tail ends with a line break, though the app's last line had none;</li>
 *   <li>after a failed first deploy, {@code status} says nothing runs, not "revision 1";</li>
 *   <li>{@code status} shows a multi-line health answer on one short line;</li>
 *   <li>{@code ship} with the port held by another process fails before it builds;</li>
 *   <li>a deploy onto a full disk names the disk, leaves no release directory and the old
 *       release serving (issue 20 item 8);</li>
 *   <li>a gate refused on the port Slipway gave while the app listens on another names both
 *       ports and where to map the port;</li>
 *   <li>a gate that gives up while the first run still unpacks says so and names the settings
 *       (issue 20 item 17);</li>
 *   <li>after {@code service.port} changed, a release that runs again (the rollback of a failed
 *       deploy, {@code rollback}, {@code start}) is gated, and {@code status} probed, on the port its
 *       {@code service.env} recorded, where it listens.</li>
 * </ul>
 */
class LocalDeployMessagesTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path service(int port) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 1.0.0
                build:
                  command: [sh, -c, "touch built.marker"]
                service:
                  port: %d
                  readiness: {path: /health/ready, interval: 200ms, timeout: 20s}
                """.formatted(port));
        return dir;
    }

    private static Release release(Path dir, String version, String script) throws Exception {
        Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc-" + version);
        Files.writeString(exe, script);
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        // As a build records it, so that 'slipway deploy' finds it too.
        Files.writeString(dir.resolve(ArtifactsFile.PATH), """
                {"name": "svc", "version": "%s", "commit": "%s", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/%s", "sha256": "%s"}]}
                """.formatted(version, COMMIT, dev.slipway.build.Platform.host(), exe.getFileName(), Hashing.sha256(exe)));
        return new Release("svc", version, COMMIT, exe, Hashing.sha256(exe));
    }

    private static LocalTarget target(Path dir, StringWriter err) {
        return new LocalTarget(ConfigLoader.loadFromDir(dir), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(err), false));
    }

    @Test
    void aFailedFirstDeployEndsItsLogTailWithALineBreakAndStatusSaysNothingRuns() throws Exception {
        Path dir = service(freePort());
        // The app's last line has no line break, as when a process dies mid-line.
        Release bad = release(dir, "1.0.0", "#!/bin/sh\necho starting svc\n"
                + "echo 'Caused by: java.sql.SQLException: no database at jdbc:h2:./data'\nprintf 'fatal: no database'\nexit 3\n");
        SlipwayException e = null;
        try {
            target(dir, new StringWriter()).deploy(bad, false);
        } catch (SlipwayException x) {
            e = x;
        }
        assertTrue(e != null, "the deploy failed");
        assertEquals(1, e.exitCode());
        assertTrue(e.getMessage().endsWith("starting svc\nCaused by: java.sql.SQLException: no database at jdbc:h2:./data\n"
                + "fatal: no database\n"), e.getMessage());
        assertTrue(e.getMessage().contains("exit code 3; cause: Caused by: java.sql.SQLException: no database at jdbc:h2:./data"),
                "the cause line is named beside the exit: " + e.getMessage());

        CliRunner.Run cli = CliRunner.run("deploy", dir.toString());
        assertEquals(1, cli.code(), cli.toString());
        assertTrue(cli.err().endsWith("fatal: no database\n"), "one line break, not two: " + cli);

        CliRunner.Run status = CliRunner.run("status", dir.toString());
        assertEquals(1, status.code(), "nothing serves: " + status);
        assertTrue(status.err().contains("slipway: svc does not serve on local (not running)"), status.toString());
        assertTrue(status.out().contains("  version    (nothing runs: the last deploy failed and there was no release"
                + " to roll back to)\n"), status.toString());
        assertTrue(status.out().contains("  revision   -\n"), status.toString());
        assertTrue(status.out().contains("  pid        not running\n"), status.toString());
        assertTrue(status.out().matches("(?s).*\n  url        http://\\S+ \\(when it runs\\)\n.*"),
                "a URL where nothing of it serves is marked: " + status);
        assertTrue(status.out().contains("  last deploy 1.0.0 (revision 2) failed: the process exited"), status.toString());
        assertFalse(status.out().contains("version    1.0.0"), status.toString());
    }

    @Test
    void statusShowsAMultiLineHealthAnswerOnOneShortLine() throws Exception {
        Path dir = service(freePort());
        Path server = dir.resolve("Health.java");
        Files.writeString(server, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class Health {
                    public static void main(String[] a) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                                Integer.parseInt(System.getenv("PORT"))), 0);
                        byte[] body = ("{\\n    \\"status\\": \\"UP\\",\\n    \\"checks\\": [\\n        {\\n"
                                + "            \\"name\\": \\"Database connections health check\\",\\n"
                                + "            \\"status\\": \\"UP\\"\\n        }\\n    ]\\n}\\n").getBytes();
                        s.createContext("/", x -> { x.sendResponseHeaders(200, body.length); x.getResponseBody().write(body); x.close(); });
                        s.start();
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Release ok = release(dir, "1.1.0", "#!/bin/sh\nexec '" + java + "' '" + server + "'\n");
        LocalTarget t = target(dir, new StringWriter());
        try {
            t.deploy(ok, false);
            CliRunner.Run status = CliRunner.run("status", dir.toString());
            assertEquals(0, status.code(), status.toString());
            String line = status.out().lines().filter(l -> l.startsWith("  readiness")).findFirst().orElse("");
            assertEquals("  readiness  ready (HTTP 200: { \"status\": \"UP\", \"checks\": [ { \"name\": …)", line,
                    status.toString());
            assertFalse(status.out().contains("\"checks\": [\n"), status.toString());
            assertTrue(status.out().contains("  version    1.1.0\n"), status.toString());
        } finally {
            t.stop();
        }
    }

    /**
     * Writes {@code Ok.java} into {@code dir}: an HTTP server on {@code $ADDR:$PORT} that answers
     * 200 "ok" on every path.
     *
     * @return the shell line that runs it
     */
    private static String okServer(Path dir) throws Exception {
        return server(dir, 200);
    }

    /** {@link #okServer}, answering {@code code} on every path. */
    private static String server(Path dir, int code) throws Exception {
        Files.writeString(dir.resolve("Ok.java"), """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class Ok {
                    public static void main(String[] a) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                                Integer.parseInt(System.getenv("PORT"))), 0);
                        s.createContext("/", x -> { x.sendResponseHeaders(%d, 2); x.getResponseBody().write("ok".getBytes()); x.close(); });
                        s.start();
                    }
                }
                """.formatted(code));
        return "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' '" + dir.resolve("Ok.java") + "'\n";
    }

    /** @return the HTTP status of {@code GET http://127.0.0.1:<port>/health/ready} */
    private static int get(int port) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aGateRefusedOnPortWhileTheAppListensElsewhereNamesBothPorts() throws Exception {
        int port = freePort();
        int other = freePort();
        // Long enough for the source launcher to compile and start Ok.java on a loaded 2-core machine.
        Path dir = service(port);
        Files.writeString(dir.resolve("slipway.yaml"), Files.readString(dir.resolve("slipway.yaml"))
                .replace("timeout: 20s", "timeout: 15s"));
        // The app takes its port from its own setting, not from PORT, as a framework default does.
        Release elsewhere = release(dir, "1.0.0", "#!/bin/sh\nPORT=" + other + "\nexport PORT\n" + okServer(dir));
        SlipwayException e = assertThrows(SlipwayException.class, () -> target(dir, new StringWriter())
                .deploy(elsewhere, false));
        assertEquals(1, e.exitCode());
        assertTrue(e.getMessage().contains("though it listens on port " + other + ", not on PORT " + port
                + ": the app does not take the port Slipway gives it"), e.getMessage());
        assertTrue(e.getMessage().contains("service.env"), "names where to map it: " + e.getMessage());
    }

    @Test
    void aDeployOntoAFullDiskNamesItLeavesNoReleaseDirectoryAndTheOldReleaseServing() throws Exception {
        Tools.requireThat(Tools.root(), "mounting a small file system needs root");
        int port = freePort();
        Path dir = service(port);
        String run = okServer(dir);
        // The local target's state on a 2 MiB file system, bounded and gone after the test.
        Path state = Files.createDirectories(dir.resolve(".slipway/local"));
        exec("mount", "-t", "tmpfs", "-o", "size=2m", "slipway-full-disk-test", state.toString());
        LocalTarget t = null;
        try {
            t = target(dir, new StringWriter());
            t.deploy(release(dir, "1.0.0", "#!/bin/sh\n" + run), false);
            // 3 MiB: more than the file system has.
            Release big = release(dir, "2.0.0", "#!/bin/sh\n# " + "x".repeat(3 * 1024 * 1024) + "\n" + run);
            LocalTarget full = t;
            SlipwayException e = assertThrows(SlipwayException.class, () -> full.deploy(big, false));
            assertEquals(1, e.exitCode());
            assertTrue(e.getMessage().startsWith("no space left on " + state + " (slipway-full-disk-test) for release 2.0.0 in "
                    + state.resolve("releases") + ": it needs 4.2 MB, "), e.getMessage());
            assertTrue(e.getMessage().endsWith("free; nothing was changed (the running release still serves): free some space"
                    + " and deploy again"), e.getMessage());
            try (var list = Files.list(state.resolve("releases"))) {
                assertEquals(List.of("1.0.0"), list.map(p -> p.getFileName().toString()).sorted().toList(), "no half release");
            }
            assertEquals(200, get(port), "the old release still serves");
            assertEquals("1.0.0", t.status().version());
        } finally {
            if (t != null) {
                t.stop();
            }
            exec("umount", state.toString());
        }
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void aGateThatGivesUpWhileTheFirstRunStillUnpacksSaysSo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc"));
        Path cache = tmp.resolve("cache");
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 1.0.0
                service:
                  port: %d
                  env: {SLIPWAY_CACHE_DIR: "%s"}
                  readiness: {path: /health/ready, interval: 200ms, timeout: 2s}
                """.formatted(freePort(), cache));
        // What a first run shows while it unpacks (see unpack.c): its stub's key, and the tree
        // being written under a name with the unpacker's pid. This one never gets to the app.
        Release slow = release(dir, "1.0.0", """
                #!/bin/sh
                slipway_key='svc-0123456789abcdef'
                mkdir -p "$SLIPWAY_CACHE_DIR/run/svc-0123456789abcdef.tmp.$$"
                exec sleep 60
                """);
        SlipwayException e = assertThrows(SlipwayException.class, () -> target(dir, new StringWriter()).deploy(slow, false));
        assertEquals(1, e.exitCode());
        assertTrue(e.getMessage().contains("note: the first run of 1.0.0 was still unpacking the payload when the gate gave up,"
                + " so the app had not started yet; give it more time with service.readiness.timeout (now 2.0 s) or"
                + " service.readiness.startupGrace (now 0.0 s)"), e.getMessage());
    }

    /**
     * An app that answers 404 at the readiness path serves, just not there (a context path or a
     * router's mount point in front of its health route): the gate's failure names the setting to
     * change, service.readiness.path, not only the timeout (new-user finding).
     */
    @Test
    void aGateThatEndsOnA404NamesTheReadinessPath() throws Exception {
        Path dir = service(freePort());
        Files.writeString(dir.resolve("slipway.yaml"), Files.readString(dir.resolve("slipway.yaml")).replace("timeout: 20s", "timeout: 15s"));
        SlipwayException e = assertThrows(SlipwayException.class, () -> target(dir, new StringWriter())
                .deploy(release(dir, "1.0.0", "#!/bin/sh\n" + server(dir, 404)), false));
        assertEquals(1, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("/health/ready did not pass within 15.0 s: HTTP 404: ok; the app answers, but serves"
                + " nothing at that path: set service.readiness.path in slipway.yaml"), e.getMessage());
    }

    @Test
    void shipWithThePortHeldByAnotherProcessFailsBeforeItBuilds() throws Exception {
        try (ServerSocket foreign = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path dir = service(foreign.getLocalPort());
            CliRunner.Run ship = CliRunner.run("ship", dir.toString());
            assertEquals(2, ship.code(), ship.toString());
            assertTrue(ship.err().contains("port " + foreign.getLocalPort() + " on 127.0.0.1 is already in use by another"
                    + " process"), ship.toString());
            // It names the holder (here this test's JVM, which CliRunner runs slipway in).
            assertTrue(ship.err().contains("; it is pid " + ProcessHandle.current().pid() + " ("), ship.toString());
            assertTrue(ship.err().contains("nothing was built or deployed"), ship.toString());
            assertFalse(Files.exists(dir.resolve("built.marker")), "the build command ran: " + ship);
            assertFalse(Files.exists(dir.resolve("dist")), ship.toString());
        }
    }

    /**
     * Deploys 1.0.0 ({@link #okServer}) with {@code service.port: a}, then sets {@code service.port: b}.
     *
     * @return a target opened from the changed slipway.yaml
     */
    private LocalTarget deployThenChangePort(Path dir, int a, int b) throws Exception {
        service(a);
        target(dir, new StringWriter()).deploy(release(dir, "1.0.0", "#!/bin/sh\n" + okServer(dir)), false);
        service(b);
        return target(dir, new StringWriter());
    }

    @Test
    void aFailedDeployWhoseRollbackFailsTooForLackOfADatabaseSaysNothingServesAndWhatKeepsTheOldServing()
            throws Exception {
        Path dir = service(freePort());
        // Both releases need "the database" (a file here) at startup, as a Spring Boot app with
        // Flyway needs PostgreSQL; the old one keeps serving once it has started.
        Path db = Files.writeString(tmp.resolve("db"), "up");
        String needsDb = "#!/bin/sh\n[ -f '" + db + "' ] || { echo 'Caused by: java.net.ConnectException: Connection"
                + " refused'; exit 1; }\n";
        LocalTarget t = target(dir, new StringWriter());
        try {
            t.deploy(release(dir, "1.0.0", needsDb + okServer(dir)), false);
            Files.delete(db);
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> t.deploy(release(dir, "2.0.0", needsDb + okServer(dir)), false));
            assertEquals(1, e.exitCode());
            assertTrue(e.getMessage().contains("\nrolled back: 1.0.0 restarted but is not ready"), e.getMessage());
            assertTrue(e.getMessage().contains("\nnote: nothing serves now: without deploy.local.proxy the release that"
                    + " served is stopped before the new one starts"), e.getMessage());
            assertTrue(e.getMessage().contains("run 'slipway start'"), e.getMessage());

            Files.writeString(db, "up");
            assertEquals(0, CliRunner.run("start", dir.toString()).code(), "the database is back: start serves 1.0.0");
            assertEquals("1.0.0", t.status().version());
        } finally {
            t.stop();
        }
    }

    @Test
    void afterAPortChangeTheRollbackOfAFailedDeployGatesTheOldReleaseOnItsOwnPort() throws Exception {
        int a = freePort();
        Path dir = tmp.resolve("svc");
        LocalTarget t = deployThenChangePort(dir, a, freePort());
        try {
            Release bad = release(dir, "2.0.0", "#!/bin/sh\necho 'no database'\nexit 3\n");
            SlipwayException e = assertThrows(SlipwayException.class, () -> t.deploy(bad, false));
            assertEquals(1, e.exitCode());
            // 1.0.0 was started with its own service.env (PORT=a): its gate must look there, not on b.
            assertTrue(e.getMessage().contains("\nrolled back: 1.0.0 serves again\n"), e.getMessage());
            assertEquals(200, get(a), "1.0.0 serves on its recorded port");

            CliRunner.Run status = CliRunner.run("status", dir.toString());
            assertEquals(0, status.code(), "1.0.0 serves: " + status);
            assertTrue(status.out().contains("  version    1.0.0\n"), status.toString());
            assertTrue(status.out().contains("  url        http://127.0.0.1:" + a + "/\n"), status.toString());
            assertTrue(status.out().contains("  readiness  ready (HTTP 200"), status.toString());
        } finally {
            t.stop();
        }
        assertFalse(t.status().pid() >= 0, "stop stopped the instance on the old port");
    }

    @Test
    void afterAPortChangeRollbackAndStartRunTheOldReleaseOnItsOwnPort() throws Exception {
        int a = freePort();
        int b = freePort();
        Path dir = tmp.resolve("svc");
        LocalTarget t = deployThenChangePort(dir, a, b);
        try {
            t.deploy(release(dir, "2.0.0", "#!/bin/sh\n" + okServer(dir)), false);
            assertEquals(200, get(b), "a deploy uses the new service.port");
            assertEquals("http://127.0.0.1:" + b + "/", t.url().toString());

            CliRunner.Run rollback = CliRunner.run("rollback", dir.toString());
            assertEquals(0, rollback.code(), rollback.toString());
            assertTrue(rollback.toString().contains("1.0.0 (commit 0123456) is ready at http://127.0.0.1:" + a + "/"),
                    rollback.toString());
            assertEquals(200, get(a), "1.0.0 serves on its recorded port");
            CliRunner.Run status = CliRunner.run("status", dir.toString());
            assertEquals(0, status.code(), status.toString());
            assertTrue(status.out().contains("  version    1.0.0\n"), status.toString());
            assertTrue(status.out().contains("  url        http://127.0.0.1:" + a + "/\n"), status.toString());

            // stop and start are plans of the target: --dry-run prints them and changes nothing.
            CliRunner.Run planStop = CliRunner.run("stop", dir.toString(), "--dry-run");
            assertEquals(0, planStop.code(), planStop.toString());
            assertTrue(planStop.out().startsWith("stop "), planStop.toString());
            assertTrue(planStop.out().contains(". stop ") && planStop.out().contains("1.0.0 (pid ")
                    && planStop.out().contains("SIGTERM, SIGKILL after"), planStop.toString());
            assertTrue(planStop.out().endsWith("dry run: nothing was changed\n"), planStop.toString());
            assertEquals(200, get(a), "a dry run stops nothing");
            CliRunner.Run stop = CliRunner.run("stop", dir.toString());
            assertEquals(0, stop.code(), stop.toString());
            CliRunner.Run planStart = CliRunner.run("start", dir.toString(), "--dry-run");
            assertEquals(0, planStart.code(), planStart.toString());
            assertTrue(planStart.out().contains(". start releases/1.0.0/"), planStart.toString());
            assertTrue(planStart.out().contains(". wait for readiness http://127.0.0.1:" + a + "/"), planStart.toString());
            assertTrue(planStart.out().endsWith("dry run: nothing was changed\n"), planStart.toString());
            assertFalse(t.status().pid() >= 0, "a dry run starts nothing");
            CliRunner.Run kube = CliRunner.run("start", dir.toString(), "--to", "kubernetes", "--dry-run");
            assertEquals(2, kube.code(), kube.toString());
            assertTrue(kube.err().contains("'slipway start' works with --to local, hosts, swarm only"), kube.toString());
            CliRunner.Run start = CliRunner.run("start", dir.toString());
            assertEquals(0, start.code(), start.toString());
            assertTrue(start.toString().contains("is ready at http://127.0.0.1:" + a + "/"), start.toString());
            assertEquals(200, get(a), "start runs the current release on its recorded port");
        } finally {
            t.stop();
        }
    }
}

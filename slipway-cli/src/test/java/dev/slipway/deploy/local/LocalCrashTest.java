package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.build.Builder;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.History;
import dev.slipway.deploy.local.LocalTarget;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of slipway before every plan step of a local deploy and rollback ({@code SLIPWAY_CRASH_AT},
 * which halts as kill -9 does): after each, exactly one instance of the service runs and serves the
 * old or the new release, and the next run converges (the new release serves, {@code status}
 * reports it ready, and the history records the killed run as {@code interrupted} whenever it had
 * taken the lock and not recorded itself). The releases are a small real HTTP server (a compiled
 * class started by a shell script) so that a round takes seconds.
 *
 * <p>With {@code deploy.local.proxy} (a real nginx on loopback in front of two instances), the
 * kill points include the new steps (start beside the old one, proxy, stop the old one): after
 * each, nginx sends traffic to one healthy release (a second instance may still run), and the next
 * run converges to exactly one instance behind nginx.
 */
class LocalCrashTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;
    private Path dir;
    private int port;
    private String marker;
    /** nginx in front, for the proxy variant; {@code null} otherwise. */
    private dev.slipway.cli.LocalNginx nginx;
    /** The port requests go to: nginx's with a proxy, else the service's. */
    private int front;

    @AfterEach
    void stop() throws Exception {
        if (dir != null) {
            target().stop();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private LocalTarget target() {
        return new LocalTarget(ConfigLoader.loadFromDir(dir), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void setUp() throws Exception {
        setUp(false);
    }

    /** @param proxy whether nginx runs in front of two instances ({@code deploy.local.proxy}) */
    private void setUp(boolean proxy) throws Exception {
        port = freePort();
        front = port;
        marker = "slipway.crashtest=" + System.nanoTime();
        dir = Files.createDirectories(tmp.resolve("svc"));
        String yaml = """
                name: svc
                version: 1.0.0
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 100ms, timeout: 30s}
                """.formatted(port);
        if (proxy) {
            front = freePort();
            nginx = dev.slipway.cli.LocalNginx.start(tmp.resolve("nginx"), front, "svc", "127.0.0.1:" + port);
            yaml += """
                    deploy:
                      local:
                        proxy:
                          config: %s
                          listen: 127.0.0.1:%d
                          ports: [%d, %d]
                          test: %s -t -q
                          reload: %s -s reload
                    """.formatted(nginx.dir().resolve("upstream.conf"), front, port, freePort(), nginx.command(),
                    nginx.command());
        }
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        Path src = Files.createDirectories(tmp.resolve("src")).resolve("App.java");
        Files.writeString(src, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class App {
                    public static void main(String[] a) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                                Integer.parseInt(System.getenv("PORT"))), 0);
                        byte[] body = a[0].getBytes();
                        s.createContext("/", x -> { x.sendResponseHeaders(200, body.length); x.getResponseBody().write(body); x.close(); });
                        s.start();
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> s.stop(0)));
                    }
                }
                """);
        Path classes = compile(src, tmp.resolve("classes"));
        for (String v : List.of("1.0.0", "2.0.0")) {
            executable(dir, v, marker, classes, "App " + v);
        }
    }

    /**
     * Compiles one source file with this JDK's compiler.
     *
     * @param src     the {@code .java} file
     * @param classes the output directory (made)
     * @return {@code classes}
     */
    static Path compile(Path src, Path classes) throws IOException {
        Files.createDirectories(classes);
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()), "javac " + src);
        return classes;
    }

    /**
     * Writes {@code dist/svc-VERSION}: a shell script that runs {@code command} (a main class and its
     * arguments) on this JVM's java with {@code classes}, marked by {@code -DMARKER} so that the test
     * finds its processes.
     *
     * @param dir     the service directory
     * @param version the release version
     * @param marker  a system property unique to the test run
     * @param classes the class path
     * @param command the main class and its arguments, as shell words
     */
    static void executable(Path dir, String version, String marker, Path classes, String command) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc-" + version);
        Files.writeString(exe, "#!/bin/sh\nexec '" + java + "' -D" + marker + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + classes + "' " + command + "\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Makes {@code version} the last build, as a build records it. */
    private Release use(String version) throws IOException {
        return use(dir, version);
    }

    /**
     * Makes {@code dist/svc-VERSION} of the service {@code svc} in {@code dir} the last build, as a
     * build records it ({@code dist/artifacts.json}).
     *
     * @param dir     the service directory
     * @param version the version whose executable is in {@code dist/}
     * @return the release
     */
    static Release use(Path dir, String version) throws IOException {
        Path exe = dir.resolve("dist/svc-" + version);
        Files.writeString(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH), """
                {"name": "svc", "version": "%s", "commit": "%s", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/%s", "sha256": "%s"}]}
                """.formatted(version, COMMIT, dev.slipway.build.Platform.host(), exe.getFileName(), dev.slipway.util.Hashing.sha256(exe)));
        return new Release("svc", version, COMMIT, exe, dev.slipway.util.Hashing.sha256(exe));
    }

    /** Runs {@link Child} in a new JVM with {@code SLIPWAY_CRASH_AT}; returns its exit status and output. */
    private String child(String crashAt, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(dev.slipway.LauncherJvm.command(Child.class.getName(), dir.toString()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("child-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SLIPWAY_CRASH_AT", crashAt);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), crashAt);
        return p.exitValue() + "\n" + Files.readString(out);
    }

    /** The process a crash test starts: a deploy of the last build, or a rollback to a version. */
    public static final class Child {
        private Child() {}

        /** @param a the service directory, then {@code deploy} or {@code rollback VERSION} */
        public static void main(String[] a) {
            Console console = new Console(new PrintWriter(System.out, true), new PrintWriter(System.err, true), false);
            LocalTarget t = new LocalTarget(ConfigLoader.loadFromDir(Path.of(a[0])), console);
            try {
                if (a[1].equals("deploy")) {
                    t.deploy(Release.fromDist(t.config()), false);
                } else {
                    t.rollback(a[2]);
                }
            } catch (dev.slipway.SlipwayException e) {
                System.err.println("slipway: " + e.getMessage());
                System.exit(e.exitCode());
            }
            System.exit(0);
        }
    }

    /** @return the instances of this test's service that run now */
    private List<ProcessHandle> instances() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(args -> List.of(args).contains("-D" + marker)).orElse(false)).toList();
    }

    /** Waits until the port answers; returns the version it serves. */
    private String serving() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + "/"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
                last = new IOException("HTTP " + r.statusCode() + ": " + r.body());
                Thread.sleep(100);
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing serves on port " + front, last);
    }

    private void assertOneServes(String point, String... allowed) throws Exception {
        String v = serving();
        assertTrue(List.of(allowed).contains(v), point + ": serves " + v);
        if (nginx != null) {
            // nginx sends traffic to one instance; a killed run may have left the other running
            // (its new one before the switch, its old one after), which the next run stops.
            String upstream = Files.readString(nginx.dir().resolve("upstream.conf"));
            assertEquals(1, upstream.lines().filter(l -> l.strip().startsWith("server ") && !l.contains(" down")).count(),
                    point + ": nginx sends traffic to one instance: " + upstream);
            assertTrue(instances().size() >= 1 && instances().size() <= 2, point + ": " + instances());
            return;
        }
        // The instance a restart helper is starting may still be coming up: wait for it to settle.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (instances().size() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1, instances().size(), point + ": exactly one instance runs: " + instances());
    }

    private void assertConverged(String point, String version, int historyBefore, boolean interruptedLine) throws Exception {
        assertEquals(version, serving(), point);
        assertEquals(1, instances().size(), point + ": " + instances());
        Report status = new LocalDeployTarget(target()).status();
        assertEquals(0, status.exitCode(), point + ": " + status);
        assertEquals(version, status.version(), point + ": " + status);
        List<Revision> added = target().history().subList(historyBefore, target().history().size());
        boolean interrupted = added.stream().anyMatch(e -> e.outcome().equals(History.INTERRUPTED)
                && e.note().contains("ended during its "));
        assertEquals(interruptedLine, interrupted, point + ": the history after the next run: " + added);
        assertTrue(Files.notExists(dir.resolve(".slipway/local/lock")), point + ": the lock is released");
        try (var s = Files.list(dir.resolve(".slipway/local/releases"))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    point + ": no temporary install is left");
        }
    }

    @Test
    void killDashNineBeforeEveryStepOfDeployAndRollbackLeavesOneReleaseServingAndTheNextRunConverges() throws Exception {
        setUp();
        target().deploy(use("1.0.0"), false);
        assertOneServes("first deploy", "1.0.0");
        String old = "1.0.0";
        for (String point : List.of("lock", "upload", "env", "prepare", "switch", "restart", "gate", "record", "prune", "unlock")) {
            String next = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            use(next);
            int before = target().history().size();
            String r = child(point, "deploy");
            assertTrue(r.startsWith("137\n"), point + ": halted; its output:\n" + r);
            assertOneServes("deploy halted before " + point, old, next);
            String again = child("none", "deploy");
            assertTrue(again.startsWith("0\n"), point + ": the next deploy; its output:\n" + again);
            // Halted before the lock, nothing was under way; after the record (prune, unlock), the run recorded itself.
            assertConverged("deploy halted before " + point, next, before, !List.of("lock", "prune", "unlock").contains(point));
            old = next;
        }
        for (String point : List.of("lock", "prepare", "switch", "restart", "gate", "record", "unlock")) {
            String back = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            int before = target().history().size();
            String r = child(point, "rollback", back);
            assertTrue(r.startsWith("137\n"), point + ": halted; its output:\n" + r);
            assertOneServes("rollback halted before " + point, old, back);
            String again = child("none", "rollback", back);
            // A rollback that got as far as starting its release is done: the next one finds it serving.
            assertTrue(again.startsWith("0\n") || again.startsWith("2\n") && again.contains(back
                    + " is already the current release"), point + ": the next rollback; its output:\n" + again);
            assertConverged("rollback halted before " + point, back, before, !point.equals("lock") && !point.equals("unlock"));
            old = back;
        }
    }

    @Test
    void withNginxInFrontKillDashNineBeforeEveryStepLeavesOneHealthyReleaseBehindNginxAndTheNextRunConverges()
            throws Exception {
        setUp(true);
        target().deploy(use("1.0.0"), false);
        assertConverged("first deploy", "1.0.0", 0, false);
        String old = "1.0.0";
        for (String point : List.of("lock", "upload", "env", "prepare", "start", "gate", "proxy", "switch", "stop", "record",
                "prune", "unlock")) {
            String next = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            use(next);
            int before = target().history().size();
            String r = child(point, "deploy");
            assertTrue(r.startsWith("137\n"), point + ": halted; its output:\n" + r);
            assertOneServes("deploy halted before " + point, old, next);
            String again = child("none", "deploy");
            assertTrue(again.startsWith("0\n"), point + ": the next deploy; its output:\n" + again);
            assertConverged("deploy halted before " + point, next, before, !List.of("lock", "prune", "unlock").contains(point));
            old = next;
        }
        for (String point : List.of("lock", "prepare", "start", "gate", "proxy", "switch", "stop", "record", "unlock")) {
            String back = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            int before = target().history().size();
            String r = child(point, "rollback", back);
            assertTrue(r.startsWith("137\n"), point + ": halted; its output:\n" + r);
            assertOneServes("rollback halted before " + point, old, back);
            String again = child("none", "rollback", back);
            // A rollback that got as far as switching nginx is done: the next one finds it serving.
            assertTrue(again.startsWith("0\n") || again.startsWith("2\n") && again.contains(back
                    + " is already the current release"), point + ": the next rollback; its output:\n" + again);
            assertConverged("rollback halted before " + point, back, before, !point.equals("lock") && !point.equals("unlock"));
            old = back;
        }
    }
    /**
     * The CLI's order through the {@link Target} interface: the plan is made first, while a killed
     * run's lock and its second instance are still there, then applied. Applying clears the lock
     * (the killed run is recorded, the instance nginx does not send traffic to is stopped) and makes
     * the plan again, so the run and its report act on what is there now, not on the stale plan.
     */
    @Test
    void aPlanMadeBeforeAKilledRunsLockIsClearedIsMadeAgainWhenApplied() throws Exception {
        setUp(true);
        target().deploy(use("1.0.0"), false);
        use("2.0.0");
        String r = child("stop", "deploy");
        assertTrue(r.startsWith("137\n"), "halted before the old instance's stop; its output:\n" + r);
        assertEquals(2, instances().size(), "the killed run left the old instance beside the new one: " + instances());
        int before = target().history().size();
        LocalDeployTarget t = new LocalDeployTarget(target());
        var plan = t.plan(new Target.DeployRequest(null, Duration.ZERO, true));
        assertTrue(plan.stepLines().stream().anyMatch(l -> l.contains("left on :")),
                "the plan made before the lock is cleared stops what the killed run left: " + plan.stepLines());
        Report report = t.apply(plan);
        assertEquals(0, report.exitCode(), report.toString());
        assertTrue(report.steps().stream().noneMatch(l -> l.contains("left on :")),
                "the run was planned again once the old instance was stopped: " + report.steps());
        assertConverged("a plan made before the lock was cleared", "2.0.0", before, true);
    }
}

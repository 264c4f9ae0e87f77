package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.Release;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed local deploy run from a shell that lacks a variable the serving release needs (a
 * database URL exported in the terminal of the first deploy, as 12-factor apps take it): the new
 * release fails for want of it, and the restore of the release that served must not fail the same
 * way. It is restarted with the environment it ran with (read from {@code /proc/PID/environ}), so the
 * service still serves; the error names the variable (never its value) and where to set it.
 */
class LocalRestoreEnvTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String SECRET = "jdbc:postgresql://127.0.0.1/orders?password=s3cr3t";

    @TempDir
    Path tmp;
    private Path dir;

    @AfterEach
    void stop() {
        if (dir != null) {
            target(new StringWriter()).stop();
        }
    }

    private LocalTarget target(StringWriter err) {
        return new LocalTarget(ConfigLoader.loadFromDir(dir), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(err), false));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Makes {@code version} the last build, as a build records it. */
    private void use(String version) throws Exception {
        Path exe = dir.resolve("dist/svc-" + version);
        Files.writeString(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH), """
                {"name": "svc", "version": "%s", "commit": "%s", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/%s", "sha256": "%s"}]}
                """.formatted(version, COMMIT, dev.slipway.build.Platform.host(), exe.getFileName(),
                dev.slipway.util.Hashing.sha256(exe)));
    }

    /**
     * Writes the service (slipway.yaml on a free port) and its releases 1.0.0 and 2.0.0: an HTTP
     * server answering its version, which exits with status 3 instead when {@code exitWhen} (a Java
     * expression over {@code System.getenv}) holds.
     *
     * @return the port
     */
    private int service(String exitWhen) throws Exception {
        int port = freePort();
        dir = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 1.0.0
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 100ms, timeout: 8s}
                """.formatted(port));
        Path src = Files.createDirectories(tmp.resolve("src")).resolve("App.java");
        Files.writeString(src, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class App {
                    public static void main(String[] a) throws Exception {
                        if (%s) {
                            System.err.println("refusing to start: %s");
                            System.exit(3);
                        }
                        HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                                Integer.parseInt(System.getenv("PORT"))), 0);
                        byte[] body = a[0].getBytes();
                        s.createContext("/", x -> { x.sendResponseHeaders(200, body.length); x.getResponseBody().write(body); x.close(); });
                        s.start();
                    }
                }
                """.formatted(exitWhen, exitWhen.replace("\"", "'")));
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String v : List.of("1.0.0", "2.0.0")) {
            Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc-" + v);
            Files.writeString(exe, "#!/bin/sh\nexec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '" + classes
                    + "' App " + v + "\n");
            Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return port;
    }

    /** Deploys the last build from another JVM whose environment has {@code extra} besides this one's. */
    private Process deployFromAnotherShell(Map<String, String> extra, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), LocalCrashTest.Child.class.getName(), dir.toString(), "deploy"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(extra);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the deploy ends");
        return p;
    }

    @Test
    void aFailedDeployFromAShellWithoutTheDatabaseUrlRestoresTheServingReleaseWithIts() throws Exception {
        assertEquals(null, System.getenv("ORDERS_DB_URL"), "the test JVM must not have the variable");
        int port = service("System.getenv(\"ORDERS_DB_URL\") == null");

        // v1 from a terminal that exported the database URL (another JVM with it in its environment).
        use("1.0.0");
        Path out = tmp.resolve("first.log");
        Process p = deployFromAnotherShell(Map.of("ORDERS_DB_URL", SECRET), out);
        assertEquals(0, p.exitValue(), Files.readString(out));
        assertEquals("1.0.0", get(port));

        // v2 from this JVM, which lacks it: v2 exits; v1 must serve again.
        use("2.0.0");
        StringWriter err = new StringWriter();
        SlipwayException e = assertThrows(SlipwayException.class, () -> target(err).deploy(Release.fromDist(
                target(new StringWriter()).config()), false));
        assertEquals(1, e.exitCode());
        assertTrue(e.getMessage().contains("rolled back: 1.0.0 serves again"), e.getMessage());
        assertTrue(e.getMessage().contains("note: the release that served ran with ORDERS_DB_URL, which this shell does"
                + " not set"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t") || err.toString().contains("s3cr3t"), "never the value: " + e.getMessage());
        assertEquals("1.0.0", get(port));
    }

    /**
     * The other way round: the shell of the failed deploy sets a variable that makes the app refuse
     * to start (a switch exported to try the new release), which the release that served ran
     * without. The restore must not pass it on: the release that served comes back with its own
     * environment and serves, and the error names the variable.
     */
    @Test
    void aFailedDeployFromAShellWithAnExtraVariableRestoresTheServingReleaseWithout() throws Exception {
        assertEquals(null, System.getenv("SVC_BROKEN"), "the test JVM must not have the variable");
        int port = service("System.getenv(\"SVC_BROKEN\") != null");
        use("1.0.0");
        target(new StringWriter()).deploy(Release.fromDist(target(new StringWriter()).config()), false);
        assertEquals("1.0.0", get(port));

        use("2.0.0");
        Path out = tmp.resolve("second.log");
        Process p = deployFromAnotherShell(Map.of("SVC_BROKEN", "1"), out);
        String log = Files.readString(out);
        assertEquals(1, p.exitValue(), log);
        assertTrue(log.contains("rolled back: 1.0.0 serves again"), log);
        assertTrue(log.contains("note: this shell sets SVC_BROKEN, which the release that served ran without;"
                + " the new release started with it, the restored one without it"), log);
        assertEquals("1.0.0", get(port));
    }

    private static String get(int port) throws Exception {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

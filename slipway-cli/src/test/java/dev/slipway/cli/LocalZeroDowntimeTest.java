package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.Tools;
import dev.slipway.util.Hashing;
import dev.slipway.util.Json;
import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero downtime on the local target (issue 18): a real nginx on loopback (per-run ports) in front of
 * the local target's two instances ({@code deploy.local.proxy}), and {@code wrk} through nginx for
 * the whole of a deploy of 2.0.0, a rollback to 1.0.0 and a failed deploy of a 3.0.0 that never
 * becomes ready: 0 non-2xx answers and 0 socket errors in each. The same load over the old
 * stop-then-start (no proxy configured; nginx in front of the one instance) loses requests, so the
 * measurement can fail. The releases are a small real HTTP server (a compiled class started by a
 * shell script) that drains its requests on SIGTERM, as a service should.
 *
 * <p>nginx's front server has {@code keepalive_timeout 0}: a reload closes the idle keep-alive
 * connections of nginx's old workers, and a client that sends its next request on one in that
 * instant gets a reset, whatever Slipway does (docs/local-deploy.md, "What is still not zero").
 */
class LocalZeroDowntimeTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;
    private Path dir;
    private String marker;
    private LocalNginx nginx;
    private int front;

    @AfterEach
    void stop() throws Exception {
        if (dir != null) {
            CliRunner.run("stop", dir.toString());
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Makes the service, its three releases and nginx; {@code proxy} says whether slipway.yaml configures it. */
    private void setUp(boolean proxy) throws Exception {
        Tools.require("nginx");
        Tools.require("wrk");
        int p1 = freePort();
        int p2 = freePort();
        front = freePort();
        marker = "slipway.zerodowntime=" + System.nanoTime();
        dir = Files.createDirectories(tmp.resolve("svc"));
        Path nginxDir = tmp.resolve("nginx");
        nginx = LocalNginx.start(nginxDir, front, "svc", "127.0.0.1:" + p1, "keepalive_timeout 0;");
        String yaml = """
                name: svc
                version: 1.0.0
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 100ms, timeout: 6s}
                """.formatted(p1);
        if (proxy) {
            yaml += """
                    deploy:
                      local:
                        proxy:
                          config: %s
                          listen: 127.0.0.1:%d
                          ports: [%d, %d]
                          test: %s -t -q
                          reload: %s -s reload
                    """.formatted(nginxDir.resolve("upstream.conf"), front, p1, p2, nginx.command(), nginx.command());
        }
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        Path src = Files.createDirectories(tmp.resolve("src")).resolve("App.java");
        // 3.x never becomes ready: its readiness answers 503 (its other paths would answer 200).
        Files.writeString(src, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class App {
                    public static void main(String[] a) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                                Integer.parseInt(System.getenv("PORT"))), 128);
                        byte[] body = a[0].getBytes();
                        boolean ready = !a[0].startsWith("3.");
                        s.createContext("/", x -> {
                            x.getRequestBody().readAllBytes();
                            int code = x.getRequestURI().getPath().equals("/health/ready") && !ready ? 503 : 200;
                            x.sendResponseHeaders(code, body.length);
                            x.getResponseBody().write(body);
                            x.close();
                        });
                        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
                        s.start();
                        // SIGTERM: stop accepting, let the requests in flight finish (up to 1 s), exit.
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> s.stop(1)));
                    }
                }
                """);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String v : List.of("1.0.0", "2.0.0", "3.0.0")) {
            Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc-" + v);
            Files.writeString(exe, "#!/bin/sh\nexec '" + java + "' -D" + marker + " -Xshare:auto -XX:TieredStopAtLevel=1"
                    + " -Xmx64m -cp '" + classes + "' App " + v + "\n");
            Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Makes {@code version} the last build, as a build records it. */
    private void use(String version) throws IOException {
        Path exe = dir.resolve("dist/svc-" + version);
        Files.writeString(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH), """
                {"name": "svc", "version": "%s", "commit": "%s", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/%s", "sha256": "%s"}]}
                """.formatted(version, COMMIT, dev.slipway.build.Platform.host(), exe.getFileName(), Hashing.sha256(exe)));
    }

    /** What wrk counted. */
    record Load(long requests, long non2xx, long socketErrors, String output) {
        @Override
        public String toString() {
            return requests + " requests, " + non2xx + " non-2xx, " + socketErrors + " socket errors\n" + output;
        }
    }

    /** wrk through nginx, paced (5 ms between requests on each of 4 connections), until {@link #finish}. */
    private Process startLoad() throws Exception {
        Path script = tmp.resolve("pace.lua");
        Files.writeString(script, "function delay()\n  return 5\nend\n");
        loadOut = tmp.resolve("wrk-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder("wrk", "-t1", "-c4", "-d600s", "--timeout", "10s", "-s", script.toString(),
                "http://127.0.0.1:" + front + "/").redirectErrorStream(true).redirectOutput(loadOut.toFile()).start();
        Thread.sleep(1000); // it has been sending before the command starts
        return p;
    }

    /** Stops wrk with SIGINT (it then prints its summary) and reads it. */
    private Load finish(Process wrk, Path out) throws Exception {
        Thread.sleep(1000); // and it goes on sending after the command ended
        new ProcessBuilder("kill", "-INT", String.valueOf(wrk.pid())).start().waitFor();
        assertTrue(wrk.waitFor(30, TimeUnit.SECONDS), "wrk stopped");
        String text = Files.readString(out);
        Matcher total = Pattern.compile("(\\d+) requests in").matcher(text);
        assertTrue(total.find(), text);
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
        Matcher sock = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(text);
        long errors = 0;
        if (sock.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(sock.group(i));
            }
        }
        return new Load(Long.parseLong(total.group(1)), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors, text);
    }

    /** Runs slipway with wrk through nginx for the whole of it; returns the run and what wrk counted. */
    private Load underLoad(String what, int code, String... args) throws Exception {
        Process wrk = startLoad();
        Path out = loadOut;
        CliRunner.Run r = CliRunner.run(args);
        Load load = finish(wrk, out);
        assertEquals(code, r.code(), what + ": " + r);
        System.out.printf("%s under wrk through nginx: %s%n", what, load.toString().lines().findFirst().orElse(""));
        lastRun = r;
        return load;
    }

    private CliRunner.Run lastRun;
    private Path loadOut;

    /** @return the instances of this test's service that run now */
    private List<ProcessHandle> instances() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains("-D" + marker)).orElse(false)).toList();
    }

    private String throughNginx() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + "/")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void assertOneInstanceServes(String point, String version) throws Exception {
        assertEquals(version, throughNginx(), point);
        assertEquals(1, instances().size(), point + ": exactly one instance runs: " + instances());
        CliRunner.Run status = CliRunner.run("status", dir.toString());
        assertEquals(0, status.code(), point + ": " + status);
        assertTrue(status.out().contains("  version    " + version + "\n"), point + ": " + status);
    }

    @Test
    void withNginxInFrontDeployRollbackAndAFailedDeployLoseNoRequest() throws Exception {
        setUp(true);
        use("1.0.0");
        CliRunner.Run first = CliRunner.run("deploy", dir.toString());
        assertEquals(0, first.code(), first.toString());
        assertOneInstanceServes("first deploy", "1.0.0");

        use("2.0.0");
        Load deploy = underLoad("deploy of 2.0.0", 0, "deploy", dir.toString(), "--json");
        JsonNode report = Json.MAPPER.readTree(lastRun.out());
        assertEquals("ok", report.path("outcome").asText(), lastRun.out());
        List<String> kinds = new ArrayList<>();
        report.path("steps").forEach(s -> kinds.add(s.asText().replaceAll("[ :].*", "")));
        assertEquals(List.of("lock", "upload", "env", "prepare", "start", "gate", "proxy", "switch", "stop", "record", "prune",
                "unlock"), kinds, lastRun.out());
        assertEquals(kinds.size(), report.path("stepMs").size(), lastRun.out());
        report.path("stepMs").forEach(ms -> assertTrue(ms.asLong() >= 0, lastRun.out()));
        assertTrue(report.path("stepMs").get(kinds.indexOf("gate")).asLong() > 0, lastRun.out());
        assertOneInstanceServes("deploy of 2.0.0", "2.0.0");
        CliRunner.Run status = CliRunner.run("status", dir.toString());
        assertTrue(status.out().contains("  url        http://127.0.0.1:" + front + "/\n"), status.toString());
        Matcher up = Pattern.compile("  nginx      upstream svc -> 127\\.0\\.0\\.1:(\\d+) ").matcher(status.out());
        assertTrue(up.find(), status.toString());
        assertTrue(status.out().contains("  instance   :" + up.group(1) + " 2.0.0 pid "), status.toString());

        Load rollback = underLoad("rollback to 1.0.0", 0, "rollback", dir.toString(), "--version", "1.0.0");
        assertOneInstanceServes("rollback to 1.0.0", "1.0.0");

        use("3.0.0");
        Load failed = underLoad("failed deploy of 3.0.0", 1, "deploy", dir.toString());
        assertTrue(lastRun.err().contains("1.0.0 kept serving on :"), lastRun.toString());
        assertOneInstanceServes("failed deploy of 3.0.0", "1.0.0");
        CliRunner.Run history = CliRunner.run("history", dir.toString());
        assertTrue(history.out().lines().reduce((a, b) -> b).orElse("").contains("rolled-back"), history.toString());

        // A typo in slipway.yaml must not hide the instance that serves on the proxy's other port:
        // status and stop work from the recorded state (a new user saw "was not running", exit 0).
        CliRunner.Run back = CliRunner.run("rollback", dir.toString(), "--version", "2.0.0");
        assertEquals(0, back.code(), back.toString());
        Matcher live = Pattern.compile("  nginx      upstream svc -> 127\\.0\\.0\\.1:(\\d+) ")
                .matcher(CliRunner.run("status", dir.toString()).out());
        assertTrue(live.find());
        String yaml = Files.readString(dir.resolve("slipway.yaml"));
        Files.writeString(dir.resolve("slipway.yaml"), yaml + "\nbroken: [\n");
        CliRunner.Run brokenStatus = CliRunner.run("status", dir.toString());
        assertEquals(0, brokenStatus.code(), brokenStatus.toString());
        assertTrue(brokenStatus.out().contains("  instance   :" + live.group(1) + " 2.0.0 pid "), brokenStatus.toString());
        CliRunner.Run brokenStop = CliRunner.run("stop", dir.toString());
        assertEquals(0, brokenStop.code(), brokenStop.toString());
        assertFalse(brokenStop.out().contains("was not running"), brokenStop.toString());
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        CliRunner.Run after = CliRunner.run("status", dir.toString());
        assertEquals(1, after.code(), "nothing runs after the stop: " + after);

        for (Load l : List.of(deploy, rollback, failed)) {
            assertTrue(l.requests() > 100, "wrk sent requests throughout: " + l);
            assertEquals(0, l.non2xx(), "no answer other than 2xx: " + l);
            assertEquals(0, l.socketErrors(), "no socket error: " + l);
        }
    }

    @Test
    void withoutAProxyTheStopThenStartLosesRequests() throws Exception {
        setUp(false);
        use("1.0.0");
        CliRunner.Run first = CliRunner.run("deploy", dir.toString());
        assertEquals(0, first.code(), first.toString());
        CliRunner.Run dry = CliRunner.run("deploy", dir.toString(), "--dry-run");
        assertTrue(dry.out().contains("no proxy (deploy.local.proxy): the old process stops before the new one starts"),
                dry.toString());
        use("2.0.0");
        Load deploy = underLoad("deploy of 2.0.0 without a proxy", 0, "deploy", dir.toString());
        assertEquals("2.0.0", throughNginx());
        // nginx answers 502 while nothing listens (proxy_next_upstream off: no retry hides it).
        assertTrue(deploy.non2xx() + deploy.socketErrors() > 0, "the stop-then-start loses requests: " + deploy);
    }
}

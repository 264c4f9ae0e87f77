package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.analysis.PrometheusServer;
import dev.slipway.build.Platform;
import dev.slipway.deploy.ServiceProcess;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway status} and {@code slipway stop} on the local target while the local canary's
 * instances serve (issue 23): status shows them as what serves (not "nothing deployed ... pid not
 * running") and exits 0 when they are ready; stop stops them, stable and canary. Real parts: the
 * service is a JDK HTTP server run from source (a release per version, as {@code slipway canary}
 * deploys it), a real nginx splits the traffic, a real Prometheus is asked (it has no request
 * counter of this service, so the canary's analysis has no data and the canary pauses, drained,
 * its instance running).
 */
class LocalCanaryStatusStopTest {
    static final List<String> STABLE = List.of("127.0.7.1", "127.0.7.2");
    static final String CANARY = "127.0.7.3";

    @TempDir
    Path dir;

    private LocalNginx nginx;
    private PrometheusServer prometheus;
    private int port;

    private static final String SERVER = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            public class Serve {
                public static void main(String[] args) throws Exception {
                    HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                            Integer.parseInt(System.getenv("PORT"))), 16);
                    byte[] body = ("version " + args[0] + " track " + System.getenv("TRACK") + "\\n").getBytes();
                    s.createContext("/", x -> { x.sendResponseHeaders(200, body.length); x.getResponseBody().write(body); x.close(); });
                    s.start();
                }
            }
            """;

    @AfterEach
    void tearDown() throws Exception {
        for (String a : List.of(STABLE.get(0), STABLE.get(1), CANARY)) {
            new ServiceProcess(dir.resolve("svc/.slipway/local/canary/instances/" + a + "/pid")).stop(Duration.ofSeconds(5));
        }
        if (nginx != null) {
            nginx.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** A release of {@code version} as the last build: a single file that serves and names its version. */
    private void build(Path service, String version) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path exe = Files.createDirectories(service.resolve("dist")).resolve("svc");
        Files.writeString(exe, "#!/bin/sh\nexec '" + java + "' '" + service.resolve("Serve.java") + "' " + version + "\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(service.resolve("dist/artifacts.json"), "{\"name\": \"svc\", \"version\": \"" + version + "\","
                + " \"commit\": \"0123abc\", \"artifacts\": [{\"kind\": \"single-file\", \"platform\": \""
                + Platform.host() + "\", \"path\": \"dist/svc\", \"sha256\": \"" + Hashing.sha256(exe) + "\"}]}");
    }

    private Path setUp() throws Exception {
        Tools.require("prometheus");
        port = PrometheusServer.freePort();
        int proxyPort = PrometheusServer.freePort();
        nginx = LocalNginx.start(dir.resolve("nginx"), proxyPort, "svc", STABLE.get(0) + ":" + port);
        prometheus = PrometheusServer.start(dir.resolve("prometheus"), "svc",
                List.of(STABLE.get(0) + ":" + port, STABLE.get(1) + ":" + port, CANARY + ":" + port));

        Path service = Files.createDirectories(dir.resolve("svc"));
        Files.writeString(service.resolve("Serve.java"), SERVER);
        String nginxCmd = nginx.command();
        Files.writeString(service.resolve("slipway.yaml"), "name: svc\nservice:\n  port: " + port + "\n  drainTimeout: 5s\n"
                + "  readiness: {path: /ready, interval: 200ms, timeout: 30s}\n"
                + "canary:\n  prometheus: " + prometheus.url() + "\n  scrapeInterval: 1s\n"
                + "  steps:\n    - {weight: 50, analysis: true}\n"
                + "  metrics:\n    - {name: error-rate, interval: 1s, count: 1}\n"
                + "  nginx:\n    config: " + nginx.dir().resolve("upstream.conf") + "\n    reload: " + nginxCmd + " -s reload\n"
                + "    test: " + nginxCmd + " -t -q\n"
                + "  local:\n    stable: [" + String.join(", ", STABLE) + "]\n    canary: [" + CANARY + "]\n");
        this.proxy = URI.create("http://127.0.0.1:" + proxyPort + "/");
        return service;
    }

    private URI proxy;

    @Test
    void statusShowsTheCanaryInstancesAsWhatServesAndStopStopsThem() throws Exception {
        Path service = setUp();
        build(service, "1.0.0");
        CliRunner.Run r = CliRunner.run("canary", service.toString());
        assertEquals(0, r.code(), "the first release goes to the stable instances: " + r);
        assertTrue(get(proxy).contains("version 1.0.0 track stable"), "nginx sends the traffic to the stable instances");

        // Nothing was deployed with 'slipway deploy', but the stable instances serve.
        r = CliRunner.run("status", service.toString());
        System.out.println("status after the first release:\n" + r.out());
        assertEquals(0, r.code(), "the stable instances serve and are ready: " + r);
        assertFalse(r.out().contains("(nothing deployed)"), r.out());
        assertFalse(r.out().contains("pid        not running"), r.out());
        assertTrue(r.out().startsWith("svc on local: the canary's instances serve, behind nginx ("), r.out());
        for (String a : STABLE) {
            assertTrue(r.out().matches("(?s).*\n  " + a.replace(".", "\\.") + ":" + port
                    + " +stable +1\\.0\\.0 +running \\(pid \\d+\\) +in pool +ready \\(HTTP 200.*"), r.out());
        }
        assertTrue(r.out().matches("(?s).*\n  " + CANARY.replace(".", "\\.") + ":" + port + " +canary +- +stopped +drained +-\n.*"),
                r.out());

        // A canary that pauses (no data: Prometheus has no request counter of this service), drained,
        // its instance running: stable and canary instances both listed, once.
        build(service, "1.1.0");
        r = CliRunner.run("canary", service.toString());
        assertEquals(3, r.code(), "paused, inconclusive: " + r);
        r = CliRunner.run("status", service.toString());
        System.out.println("status of a paused canary:\n" + r.out());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("(?s).*\n  " + CANARY.replace(".", "\\.") + ":" + port
                + " +canary +1\\.1\\.0 +running \\(pid \\d+\\) +drained +ready \\(HTTP 200.*"), r.out());
        assertEquals(1, r.out().split(CANARY.replace(".", "\\.") + ":" + port, -1).length - 1, "listed once: " + r.out());
        assertTrue(r.out().contains("nginx upstream svc: canary 0 % of traffic"), r.out());
        assertTrue(r.out().contains("canary     1.1.0 paused, step 1/1, weight 0 %"), r.out());
        assertTrue(listening(CANARY));

        // Not while a canary command drives them (it holds canary.lock): nothing is stopped.
        try (FileChannel lock = FileChannel.open(service.resolve(".slipway/local/canary.lock"), StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            r = CliRunner.run("stop", service.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("a 'slipway canary' or 'slipway promote' runs on local"), r.err());
            assertTrue(listening(STABLE.get(0)) && listening(CANARY), "nothing was stopped");
        }

        // stop: the stable and the canary instances, each named.
        r = CliRunner.run("stop", service.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("svc canary instance " + CANARY + ":" + port + " (1.1.0) stopped\n"
                + "svc stable instance " + STABLE.get(0) + ":" + port + " (1.0.0) stopped\n"
                + "svc stable instance " + STABLE.get(1) + ":" + port + " (1.0.0) stopped\n", r.out());
        for (String a : List.of(STABLE.get(0), STABLE.get(1), CANARY)) {
            assertFalse(listening(a), a + " still answers after stop");
        }
        r = CliRunner.run("status", service.toString());
        assertEquals(1, r.code(), "nothing serves after stop: " + r);
        assertFalse(r.out().contains("running (pid"), r.out());
        r = CliRunner.run("stop", service.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("svc was not running\n", r.out());
    }

    @Test
    void afterAPortChangeTheStableInstancesAreFoundOnThePortTheyWereStartedOn() throws Exception {
        Path service = setUp();
        build(service, "1.0.0");
        CliRunner.Run r = CliRunner.run("canary", service.toString());
        assertEquals(0, r.code(), r.toString());
        int old = port;
        int changed = PrometheusServer.freePort();
        Files.writeString(service.resolve("slipway.yaml"), Files.readString(service.resolve("slipway.yaml"))
                .replace("  port: " + old + "\n", "  port: " + changed + "\n"));

        // The stable instances still listen on the old port: status probes them there.
        r = CliRunner.run("status", service.toString());
        assertEquals(0, r.code(), r.toString());
        for (String a : STABLE) {
            assertTrue(r.out().matches("(?s).*\n  " + a.replace(".", "\\.") + ":" + old
                    + " +stable +1\\.0\\.0 +running \\(pid \\d+\\) +in pool +ready \\(HTTP 200.*"), r.out());
        }

        // The next canary starts on the new port; nginx keeps the stable instances on theirs, so the
        // service keeps answering through it.
        build(service, "1.1.0");
        r = CliRunner.run("canary", service.toString());
        assertEquals(3, r.code(), "paused, inconclusive: " + r);
        assertTrue(get(proxy).contains("version 1.0.0 track stable"), "stable still serves through nginx");
        String upstream = Files.readString(nginx.dir().resolve("upstream.conf"));
        assertTrue(upstream.contains(STABLE.get(0) + ":" + old) && upstream.contains(CANARY + ":" + changed), upstream);
        r = CliRunner.run("stop", service.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("svc canary instance " + CANARY + ":" + changed + " (1.1.0) stopped\n"
                + "svc stable instance " + STABLE.get(0) + ":" + old + " (1.0.0) stopped\n"
                + "svc stable instance " + STABLE.get(1) + ":" + old + " (1.0.0) stopped\n", r.out());
    }

    private boolean listening(String address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}

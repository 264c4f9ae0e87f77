package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.build.Platform;
import dev.slipway.util.Hashing;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A typo in slipway.yaml must not leave a service on the local target unmanageable: {@code status}
 * and {@code stop} warn with the error's file:line:col and act on the recorded state; other
 * commands keep refusing the file. The service is a real HTTP server (JDK's, run from source),
 * deployed by {@code slipway deploy} like any release.
 */
class StopWithBadConfigTest {
    @TempDir
    Path dir;

    private Optional<ProcessHandle> service = Optional.empty();

    @AfterEach
    void killTheService() {
        service.ifPresent(ProcessHandle::destroyForcibly);
    }

    private static final String SERVER = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            public class Serve {
                public static void main(String[] args) throws Exception {
                    HttpServer s = HttpServer.create(new InetSocketAddress(System.getenv("ADDR"),
                            Integer.parseInt(System.getenv("PORT"))), 16);
                    s.createContext("/", x -> { x.sendResponseHeaders(200, -1); x.close(); });
                    s.start();
                }
            }
            """;

    private Path deployed(int port) throws Exception {
        Files.writeString(dir.resolve("Serve.java"), SERVER);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc");
        Files.writeString(exe, "#!/bin/sh\nexec '" + java + "' '" + dir.resolve("Serve.java") + "'\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("dist/artifacts.json"), "{\"name\": \"svc\", \"version\": \"1.0.0\","
                + " \"commit\": \"0123abc\", \"artifacts\": [{\"kind\": \"single-file\", \"platform\": \""
                + Platform.host() + "\", \"path\": \"dist/svc\", \"sha256\": \"" + Hashing.sha256(exe) + "\"}]}");
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservice:\n  port: " + port + "\n  drainTimeout: 5s\n");
        var r = CliRunner.run("deploy", dir.toString());
        assertEquals(0, r.code(), r.toString());
        String pid = Files.readString(dir.resolve(".slipway/local/svc.pid")).trim().split(" ")[0];
        service = ProcessHandle.of(Long.parseLong(pid));
        assertTrue(service.isPresent() && service.get().isAlive(), "deployed and running: " + r);
        return dir.resolve("slipway.yaml");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void stopAndStatusWorkOnTheRecordedStateWhenSlipwayYamlHasATypo() throws Exception {
        int port = freePort();
        Path yaml = deployed(port);
        Files.writeString(yaml, "name: svc\nservice:\n  port: " + port + "\n  drainTimout: 5s\n");
        String warning = "slipway: warning: " + yaml + ":4:3: unknown key 'drainTimout' in 'service'";

        var r = CliRunner.run("deploy", dir.toString());
        assertEquals(2, r.code(), "other commands still refuse the file: " + r);
        assertTrue(r.err().startsWith("slipway: " + yaml + ":4:3: unknown key 'drainTimout'"), r.toString());
        r = CliRunner.run("stop", dir.toString(), "--to", "hosts");
        assertEquals(2, r.code(), "only the local target has recorded state to act on: " + r);

        r = CliRunner.run("status", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().startsWith(warning), r.toString());
        assertTrue(r.err().contains("'status' uses the state recorded under " + dir.resolve(".slipway/local")), r.toString());
        assertTrue(r.out().contains("svc on local\n  version    1.0.0\n  commit     0123abc\n"), r.toString());
        assertTrue(r.out().contains("  pid        " + service.get().pid() + " (running)\n"), r.toString());
        assertTrue(r.out().contains("  url        http://127.0.0.1:" + port + "/\n  readiness  ready"), r.toString());

        r = CliRunner.run("stop", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().startsWith(warning), r.toString());
        assertEquals("svc stopped\n", r.out());
        service.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(service.get().isAlive());

        r = CliRunner.run("stop", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("svc was not running\n", r.out());
    }

    @Test
    void withNothingDeployedABadConfigIsStillAnError() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservce: {}\n");
        for (String command : new String[] {"stop", "status"}) {
            var r = CliRunner.run(command, dir.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().startsWith("slipway: " + dir.resolve("slipway.yaml") + ":2:1: unknown key 'servce'"),
                    r.toString());
        }
    }
}

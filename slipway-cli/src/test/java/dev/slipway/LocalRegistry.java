package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free port of a loopback address, with
 * its storage, config and access log in a test's directory; optional htpasswd basic auth. Engines
 * treat 127.0.0.0/8 registries as insecure (plain HTTP) by default, so {@code docker pull} works.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final String address;
    private final Path log;

    private LocalRegistry(Process process, String address, Path log) {
        this.process = process;
        this.address = address;
        this.log = log;
    }

    /**
     * Starts a registry and waits (at most 30 s) until it answers {@code /v2/}.
     *
     * @param dir      a directory of the test's own
     * @param host     the loopback address to listen on ({@code 127.0.3.1})
     * @param htpasswd an htpasswd file's text (bcrypt), or {@code null} for no auth
     * @return the running registry
     */
    public static LocalRegistry start(Path dir, String host, String htpasswd) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            port = s.getLocalPort();
        }
        String address = host + ":" + port;
        String auth = "";
        if (htpasswd != null) {
            Files.writeString(dir.resolve("htpasswd"), htpasswd);
            auth = "auth:\n  htpasswd: {realm: slipway-test, path: " + dir.resolve("htpasswd") + "}\n";
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log: {level: info, formatter: text}
                storage:
                  filesystem: {rootdirectory: %s}
                http:
                  addr: %s
                """.formatted(dir.resolve("data"), address) + auth);
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalRegistry r = new LocalRegistry(p, address, log);
        int want = htpasswd == null ? 200 : 401;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (status("http://" + address + "/v2/") != want) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                r.close();
                assertTrue(false, "the registry did not start:\n" + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(100);
        }
        return r;
    }

    /** @return {@code host:port} */
    public String address() {
        return address;
    }

    /** @return the registry's log (its access log included) */
    public Path log() {
        return log;
    }

    /** Stops the registry (SIGTERM, SIGKILL after 10 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** @return the HTTP status of a GET, or -1 when nothing answers */
    public static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }
}

package dev.slipway.analysis;

import dev.slipway.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code prometheus}) for tests: loopback only, a free port, its own
 * storage directory, a 1 s scrape interval over the given targets (job = {@code job}).
 */
public final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private PrometheusServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts Prometheus and waits (at most 30 s) until it is ready.
     *
     * @param dir     a fresh directory for config, storage and log
     * @param job     the scrape job's name
     * @param targets {@code host:port} of each scraped instance
     * @return the running server
     */
    public static PrometheusServer start(Path dir, String job, List<String> targets) throws Exception {
        Tools.require("prometheus");
        int port = freePort();
        StringBuilder cfg = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: " + job + "\n    scrape_interval: 1s\n    scrape_timeout: 900ms\n"
                + "    static_configs:\n      - targets: [");
        cfg.append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("]\n");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("prometheus.yml"), cfg);
        ProcessBuilder pb = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile());
        Process p = pb.start();
        PrometheusServer server = new PrometheusServer(p, port, dir);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.url().resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        server.close();
        throw new AssertionError("prometheus not ready in 30 s: " + Files.readString(dir.resolve("prometheus.log")));
    }

    /** @return a free TCP port on 127.0.0.1 */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return the root URL, {@code http://127.0.0.1:PORT/} */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the log so far */
    public String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    /** Stops Prometheus (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

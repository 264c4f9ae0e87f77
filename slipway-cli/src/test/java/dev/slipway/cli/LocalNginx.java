package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx on loopback for the local canary's and the local proxy's tests: it includes {@code DIR/upstream.conf}
 * (the file Slipway renders and reloads) and proxies {@code 127.0.0.1:PORT} to that upstream, with
 * keep-alive to the instances, no retry on another server ({@code proxy_next_upstream off}, so a
 * failing instance's answers are seen) and the answering instance in {@code X-Upstream}.
 */
public final class LocalNginx implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private LocalNginx(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts nginx in the foreground of a child process and waits (at most 10 s) for its pid file.
     *
     * @param dir         a fresh directory for its configuration, logs and temporary files
     * @param port        the port it listens on, on 127.0.0.1
     * @param upstream    the upstream's name
     * @param firstServer the upstream's server ({@code host:port}) until Slipway renders the file
     * @return the running nginx
     */
    public static LocalNginx start(Path dir, int port, String upstream, String firstServer) throws Exception {
        return start(dir, port, upstream, firstServer, "");
    }

    /**
     * {@link #start(Path, int, String, String)} with more directives in its {@code server} block,
     * e.g. {@code keepalive_timeout 0;}.
     */
    public static LocalNginx start(Path dir, int port, String upstream, String firstServer, String serverDirectives)
            throws Exception {
        Tools.require("nginx");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("upstream.conf"), "upstream " + upstream + " { server " + firstServer + "; }\n");
        Files.writeString(dir.resolve("nginx.conf"), """
                %s
                worker_processes 1;
                pid %s/nginx.pid;
                error_log %s/error.log;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %s/body;
                  proxy_temp_path %s/proxy;
                  include %s/upstream.conf;
                  server {
                    listen 127.0.0.1:%d;
                    %s
                    location / {
                      proxy_pass http://%s;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_next_upstream off;
                      add_header X-Upstream $upstream_addr always;
                    }
                  }
                }
                """.formatted(Tools.root() ? "user root;" : "", dir, dir, dir, dir, dir, port, serverDirectives, upstream));
        Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        LocalNginx nginx = new LocalNginx(dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(dir.resolve("nginx.pid")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(p.isAlive(), () -> CanaryEndToEndTest.read(dir.resolve("nginx.out")));
        return nginx;
    }

    /** @return its directory; {@code upstream.conf} in it is the file to render */
    public Path dir() {
        return dir;
    }

    /** @return the command that addresses this nginx, e.g. {@code nginx -p DIR -c DIR/nginx.conf} (add {@code -s reload}) */
    public String command() {
        return "nginx -p " + dir + " -c " + dir.resolve("nginx.conf");
    }

    /** Stops nginx (SIGTERM, at most 10 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}

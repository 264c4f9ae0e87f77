package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client address is logged correctly behind a real nginx: nginx (on 127.0.0.1, trusted) adds
 * the client (127.0.0.2) to X-Forwarded-For; a forged hop sent by the client is ignored; the same
 * header sent straight to myapp from an untrusted peer is ignored too.
 */
class BehindNginxTest {
    private static final String NOTE = "/api/notes/424242";

    @Test
    void clientAddressComesThroughNginxAndForgedHopsAreIgnored(@TempDir Path dir) throws Exception {
        Path nginx = Tools.require("/usr/sbin/nginx");
        try (ChildApp app = ChildApp.start(dir, Map.of("TRUSTED_PROXIES", "127.0.0.1/32"), List.of())) {
            app.awaitReady();
            int proxyPort = Tools.freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, """
                    %s
                    pid %s/nginx.pid;
                    error_log %s/error.log;
                    events { worker_connections 64; }
                    http {
                      access_log off;
                      client_body_temp_path %s/body;
                      proxy_temp_path %s/proxy;
                      upstream myapp { server 127.0.0.1:%d; keepalive 4; }
                      server {
                        listen 127.0.0.1:%d;
                        location / {
                          proxy_pass http://myapp;
                          proxy_http_version 1.1;
                          proxy_set_header Connection "";
                          proxy_set_header Host $host;
                          proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                          proxy_set_header X-Forwarded-Proto $scheme;
                        }
                      }
                    }
                    """.formatted(Tools.root() ? "user root;" : "", dir, dir, dir, dir, app.port, proxyPort));
            Process proxy = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            try {
                awaitPort(proxyPort, proxy, dir);
                // Unknown notes answer 404 and are logged at info level, unlike health probes.
                assertEquals(404, status(proxyPort, NOTE, ""));
                assertEquals("127.0.0.2", clientOfRequest(app, 1), "the client's own address, passed on by nginx");

                assertEquals(404, status(proxyPort, NOTE, "X-Forwarded-For: 203.0.113.66\r\n"));
                assertEquals("127.0.0.2", clientOfRequest(app, 2), "a hop the client forged is ignored");

                assertEquals(404, status(app.port, NOTE, "X-Forwarded-For: 203.0.113.66\r\n"));
                assertEquals("127.0.0.2", clientOfRequest(app, 3), "from an untrusted peer the header is ignored");
            } finally {
                proxy.destroy();
                proxy.waitFor(10, TimeUnit.SECONDS);
                proxy.destroyForcibly();
            }
        }
    }

    /** One HTTP/1.1 GET from 127.0.0.2; returns the status code. */
    private static int status(int port, String path, String extraHeaders) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    /** The client= field of the n-th note request in the log (1-based); waits up to 5 s for it. */
    private static String clientOfRequest(ChildApp app, int n) throws Exception {
        Pattern line = Pattern.compile("request .*route=/api/notes/\\{id\\}.* client=(\\S+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<String> clients = app.output().lines().map(line::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
            if (clients.size() >= n) {
                return clients.get(n - 1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no request line " + n + " in:\n" + app.output());
    }

    private static void awaitPort(int port, Process proxy, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("nginx.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nginx did not listen on " + port);
    }
}

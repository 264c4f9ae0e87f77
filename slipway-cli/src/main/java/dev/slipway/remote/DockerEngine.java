package dev.slipway.remote;

import dev.slipway.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.SlipwayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client of the Docker Engine API (version {@value #API}, served by dockerd 20.10 and later) over
 * the engine's UNIX socket, with the JDK only: HTTP/1.1, one connection per request
 * ({@code Connection: close}), bodies by {@code Content-Length}, answers read whole (plain or
 * chunked). Reference: the Engine API's OpenAPI description, {@code docs/api/v1.41.yaml} of the
 * engine's source.
 *
 * <p>The socket is {@code DOCKER_HOST} ({@code unix:///path}) or {@value #DEFAULT_SOCKET}. Every
 * request is bounded in time: the connection is closed when the deadline passes.
 */
public final class DockerEngine {
    /** The API version every path is prefixed with. */
    public static final String API = "v1.41";
    /** The engine's socket when {@code DOCKER_HOST} is not set. */
    public static final String DEFAULT_SOCKET = "/var/run/docker.sock";
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-engine-deadline");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    /** @param socket the engine's UNIX socket */
    public DockerEngine(Path socket) {
        this.socket = socket;
    }

    /**
     * The engine {@code DOCKER_HOST} names.
     *
     * @param env reads environment variables
     * @return the engine client (not yet connected)
     * @throws SlipwayException exit 2 when {@code DOCKER_HOST} is not a {@code unix://} address
     */
    public static DockerEngine fromEnv(Function<String, String> env) {
        String host = env.apply("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            return new DockerEngine(Path.of(DEFAULT_SOCKET));
        }
        if (!host.startsWith("unix://")) {
            throw SlipwayException.usage("DOCKER_HOST=" + host + ": Slipway talks to the engine over its UNIX socket only"
                    + " (unix:///path/docker.sock)");
        }
        return new DockerEngine(Path.of(host.substring("unix://".length())));
    }

    /** @return the engine's socket */
    public Path socket() {
        return socket;
    }

    /**
     * An engine's answer.
     *
     * @param status the HTTP status code
     * @param body   the body, de-chunked
     */
    public record Response(int status, byte[] body) {
        /** @return the body as UTF-8 text */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** @return the body parsed as JSON ({@code null} node when empty) */
        public JsonNode json() {
            try {
                return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw SlipwayException.failed("the Docker engine answered " + status + " with no JSON: " + text(), e);
            }
        }

        /** @return whether the status is 2xx */
        public boolean ok() {
            return status / 100 == 2;
        }

        /** @return the engine's error message ({@code message} of its error body) or the body */
        public String message() {
            try {
                JsonNode m = JSON.readTree(body).path("message");
                return m.isTextual() ? m.asText() : text().strip();
            } catch (IOException e) {
                return text().strip();
            }
        }
    }

    /**
     * One request.
     *
     * @param method      GET, POST, DELETE ...
     * @param path        the API path after the version, with its query ({@code /info})
     * @param contentType the body's media type, or {@code null} without a body
     * @param body        the body's bytes (from a file or memory), or {@code null}
     * @param timeout     the whole request's deadline
     * @return the answer (any status)
     * @throws SlipwayException exit 1 when the engine cannot be reached or the deadline passes
     */
    public Response request(String method, String path, String contentType, Body body, Duration timeout) {
        if (!Files.exists(socket)) {
            throw SlipwayException.failed("no Docker engine at " + socket + " (set DOCKER_HOST=unix:///path/docker.sock)");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            var deadline = TIMER.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                OutputStream out = Channels.newOutputStream(ch);
                StringBuilder head = new StringBuilder(method + " /" + API + path + " HTTP/1.1\r\nHost: docker\r\n"
                        + "User-Agent: slipway\r\nConnection: close\r\n");
                if (body != null) {
                    head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length())
                            .append("\r\n");
                }
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    body.writeTo(out);
                }
                out.flush();
                return read(Channels.newInputStream(ch));
            } finally {
                deadline.cancel(false);
            }
        } catch (IOException e) {
            throw SlipwayException.failed("the Docker engine at " + socket + " did not answer " + method + " " + path
                    + " within " + timeout.toSeconds() + " s: " + e.getMessage(), e);
        }
    }

    /** GET, 2xx required; the JSON answer. */
    public JsonNode get(String path) {
        return expectOk("GET", path, request("GET", path, null, null, Duration.ofSeconds(60))).json();
    }

    /** POST of a JSON body (or none), 2xx required; the JSON answer. */
    public JsonNode post(String path, Object json, Duration timeout) {
        Body b = null;
        if (json != null) {
            try {
                b = Body.of(JSON.writeValueAsBytes(json));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return expectOk("POST", path, request("POST", path, "application/json", b, timeout)).json();
    }

    /** @return the response when 2xx; else exit 1 with the engine's message */
    public static Response expectOk(String method, String path, Response r) {
        if (!r.ok()) {
            throw SlipwayException.failed("the Docker engine refused " + method + " " + path.replaceFirst("\\?.*", "")
                    + " (" + r.status() + "): " + r.message());
        }
        return r;
    }

    /**
     * The engine's platform, as Slipway names it ({@code linux-amd64}), from {@code /version}.
     *
     * @return {@code Os-Arch}
     */
    public String platform() {
        JsonNode v = get("/version");
        return v.path("Os").asText().toLowerCase(Locale.ROOT) + "-" + v.path("Arch").asText().toLowerCase(Locale.ROOT);
    }

    /** A request body: its length, written once. */
    public interface Body {
        /** @return the length in bytes */
        long length();

        /** Writes the body. */
        void writeTo(OutputStream out) throws IOException;

        /** @return a body of these bytes */
        static Body of(byte[] bytes) {
            return new Body() {
                public long length() {
                    return bytes.length;
                }

                public void writeTo(OutputStream out) throws IOException {
                    out.write(bytes);
                }
            };
        }

        /** @return a body read from this file */
        static Body of(Path file) throws IOException {
            long size = Files.size(file);
            return new Body() {
                public long length() {
                    return size;
                }

                public void writeTo(OutputStream out) throws IOException {
                    Files.copy(file, out);
                }
            };
        }
    }

    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        boolean chunked = false;
        long length = -1;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            } else if (name.equals("content-length")) {
                length = Long.parseLong(value);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n = Long.parseLong(line(in).split(";")[0].trim(), 16); n > 0;
                 n = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes((int) n));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else if (code != 204 && code != 304) {
            in.transferTo(body);
        }
        return new Response(code, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the engine closed the connection mid-answer");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}

package dev.slipway.remote;

import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The readiness gate of every target, in the manner of a Kubernetes readiness probe: wait the
 * startup grace, then try every interval until an attempt passes, the service stops running (it
 * crashed), or the timeout passes. An attempt of an {@code http} probe is a GET of the path that
 * passes on a 2xx answer; of a {@code tcp} probe, a TCP connection that passes when the port accepts
 * it (as Kubernetes' {@code tcpSocket} probe: closed at once, nothing sent).
 *
 * <p>Where the attempts come from is a {@link Prober}, the gate's one seam:
 * <ul>
 *   <li>{@link #here}: from this JVM (the local target, a canary's local instances, the build's
 *       training run), the service's liveness told by a {@link BooleanSupplier};</li>
 *   <li>{@link #onHost}: on a {@link Host}, so it needs no route from the deploy machine to the
 *       service and nothing but {@code bash} (its {@code /dev/tcp}) and {@code timeout} there: the
 *       whole wait is one command (one SSH round trip per gate), and the service's state comes from
 *       its service manager ({@code deploy/ServiceManager.stateCommand}: {@code systemctl show} for a
 *       unit, whose automatic restarts during the wait end it too). An HTTP attempt is HTTP/1.1 (RFC 9112) with {@code Connection: close}.</li>
 * </ul>
 * Both give the same {@link Verdict}, so a failed gate reads the same on every target.
 *
 * <p>It lives in {@code remote/} (it needs only {@link Host}, {@link Shell} and the probe's
 * configuration), as {@link Lock} does, so that the build's training run waits for its service
 * without importing {@code deploy/}.
 */
public final class Gate {
    /**
     * The HTTP client of the gates from here, made on their first use ({@link #probeOnce(URI, Duration)}),
     * not when this class loads: a JDK {@link HttpClient} starts a selector thread that waits in
     * {@code epoll_wait}, and at {@code System.exit} the JVM (17) waits about 0.3 s for a thread in
     * native code to come back (HotSpot's {@code VM_Exit::wait_for_threads_in_native_to_block});
     * the hosts target's gates run on the host and never need it.
     */
    private static final class Client {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private Gate() {}

    /** The detail of a passed TCP attempt. */
    public static final String ACCEPTED = "TCP connection accepted";

    /**
     * The start of the detail of an attempt that reached another process on the service's port
     * ({@link #here} with a pid): the probe passed, but the listener is not the service's, which
     * (usually) failed to bind the port; the gate ends at once, not ready.
     */
    public static final String OTHER_LISTENER = "another process answers on port ";

    /**
     * The start of the detail of an {@code http} attempt ({@link #here}) on a port that accepted the
     * connection but answered no HTTP, and that completes a TLS handshake: the service listens for
     * HTTPS only, and the probe speaks plain HTTP (RFC 9110 section 4.2.1: "http" URIs), so no
     * attempt can pass; the gate ends at once, not ready.
     */
    public static final String TLS_ONLY = "the port speaks TLS (HTTPS) only";

    /**
     * The detail of a {@code process} probe that passed: the service's process still ran at the end
     * of the settle window (for one attempt: when asked).
     */
    public static final String PROCESS_RUNNING = "the process is running";

    /** The detail of a gate that ended because the service's process exited ({@link #here}). */
    public static final String EXITED = "the process exited";

    /**
     * How often a gate looks at the service during its startup grace, in milliseconds: the grace
     * defers the attempts, not the watch, so a release that exits (or, on a host, that systemd
     * restarts or gives up on) within it ends the gate there, not after the grace.
     */
    public static final long GRACE_WATCH_MS = 500;

    /** How much of an answer's body {@link Verdict#brief()} keeps, in characters. */
    public static final int BRIEF_BODY = 40;

    /** Service states in which a failing attempt is tried again (systemd's words; {@code ""}: not told). */
    private static final Set<String> RUNNING = Set.of("", "active", "activating", "reloading");

    /**
     * The verdict of a gate or of one attempt.
     *
     * @param ready   whether an attempt passed in time
     * @param status  the last HTTP status, or 0 when nothing answered (and for a TCP probe)
     * @param detail  the last answer's body (trimmed, at most 300 characters), {@link #ACCEPTED}, the
     *                connection error, or {@link #EXITED}
     * @param state   the service's state when the gate ended as its manager tells it ({@code active},
     *                {@code failed}, ...), or {@code ""} when not told (a gate from here)
     * @param elapsed time from the start of the wait to the verdict
     */
    public record Verdict(boolean ready, int status, String detail, String state, Duration elapsed) {
        /**
         * A verdict whose service state is not told.
         *
         * @param ready   whether an attempt passed
         * @param status  the HTTP status or 0
         * @param detail  body or error
         * @param elapsed time to the verdict
         */
        public Verdict(boolean ready, int status, String detail, Duration elapsed) {
            this(ready, status, detail, "", elapsed);
        }

        /** @return whether the gate ended because the service stopped running (it exited or its unit failed) */
        public boolean exited() {
            return !ready && (detail.equals(EXITED) || !RUNNING.contains(state));
        }

        /** @return a one-line account of the last attempt, and the service's state when it does not run */
        public String describe() {
            return withState(line(detail));
        }

        /**
         * @return {@link #describe()} on one line, an HTTP answer's body cut to {@link #BRIEF_BODY}
         *         characters: for {@code slipway status}, where a health endpoint's whole JSON
         *         document (Quarkus, Spring Boot actuator: many lines) does not fit a line
         */
        public String brief() {
            String d = detail.strip().replaceAll("\\s+", " ");
            if (status != 0 && d.length() > BRIEF_BODY) {
                d = d.substring(0, BRIEF_BODY) + "…";
            }
            return withState(line(d));
        }

        /**
         * @return for a gate that ended on HTTP 404 (RFC 9110 section 15.5.5: no resource at that
         *         path), what to change: the app answers, so no longer timeout helps, the probe's path
         *         does; else the empty string. Starts with "; " to follow a sentence.
         */
        public String pathHint() {
            return ready || status != 404 || detail.startsWith(OTHER_LISTENER) ? ""
                    : "; the app answers, but serves nothing at that path: set service.readiness.path in slipway.yaml to"
                            + " the health path it serves (after its context path or a router's mount point), or"
                            + " service.readiness.type: tcp";
        }

        private String line(String d) {
            if (d.startsWith(OTHER_LISTENER) || d.startsWith(TLS_ONLY) || d.startsWith(GRPC_ANSWER) || d.startsWith(EXITED)) {
                return d;
            }
            if (status == 0) {
                return ready ? d : d.isEmpty() ? "no answer" : "no answer (" + d + ")";
            }
            return "HTTP " + status + (d.isEmpty() ? "" : ": " + d);
        }

        private String withState(String s) {
            // A crash's detail already says what the unit's state says ("restarted", "auto-restart").
            return state.isEmpty() || state.equals("active") || s.startsWith(EXITED) && (!state.equals("failed") || s.endsWith("(start limit hit)")) ? s : s + "; unit " + state;
        }
    }

    /**
     * Where a gate's attempts come from: the seam between the one gate and a target.
     */
    public interface Prober {
        /**
         * One attempt.
         *
         * @param probe   the probe (its type and path)
         * @param timeout the attempt's timeout
         * @return the attempt's verdict
         */
        Verdict attempt(SlipwayConfig.Probe probe, Duration timeout);

        /** @return whether the service still runs; asked before each attempt */
        boolean alive();

        /**
         * The whole gate: by default {@link Gate#poll} over {@link #attempt} and {@link #alive}.
         *
         * @param probe type, path, interval, timeout and startup grace
         * @return the verdict; never throws for a failing service
         */
        default Verdict await(SlipwayConfig.Probe probe) {
            return poll(probe, this::alive, t -> attempt(probe, t));
        }
    }

    // ---- from here -------------------------------------------------------------------------------

    /**
     * @param host  the host name or address the service answers on (IPv6 without brackets works too)
     * @param port  the port
     * @param alive whether the service's process still runs
     * @return a prober that tries from this JVM
     */
    public static Prober here(String host, int port, BooleanSupplier alive) {
        return here(host, port, alive, () -> -1);
    }

    /**
     * A prober from this JVM that also checks whose the listener is: an attempt that passes (or gets
     * any HTTP answer, such as another app's 404) while
     * another process listens on the port and the service's own process tree does not
     * ({@link dev.slipway.util.Listeners#other}) does not pass; its detail starts with
     * {@link #OTHER_LISTENER} and names that process, and the gate ends there. Without this check a
     * {@code tcp} probe (or an {@code http} one that the other process answers with 2xx) passes
     * against a process that took the port between Slipway's port check and the start, while the
     * service itself exits with "Address already in use".
     *
     * @param host  the host name or address the service answers on (IPv6 without brackets works too)
     * @param port  the port
     * @param alive whether the service's process still runs
     * @param pid   the service's process id now, or 0 or less when unknown (then no check)
     * @return a prober that tries from this JVM
     */
    public static Prober here(String host, int port, BooleanSupplier alive, java.util.function.LongSupplier pid) {
        boolean[] tlsAsked = {false}; // whether the port was asked for TLS once: a handshake per attempt would slow a slow start
        return new Prober() {
            @Override
            public Verdict attempt(SlipwayConfig.Probe probe, Duration timeout) {
                Verdict v = switch (probe.type()) {
                    case TCP -> connectOnce(host, port, timeout);
                    case GRPC -> grpcHealthOnce(host, port, probe.service(), timeout);
                    case HTTP -> probeOnce(url(host, port, probe.path()), timeout);
                    case PROCESS -> alive.getAsBoolean() ? new Verdict(true, 0, PROCESS_RUNNING, Duration.ZERO)
                            : new Verdict(false, 0, EXITED, Duration.ZERO);
                };
                if (probe.process()) {
                    return v;
                }
                if (probe.http() && !v.ready() && v.status() == 0 && !v.detail().startsWith("ConnectException")
                        && !tlsAsked[0] && (tlsAsked[0] = true) && speaksTls(host, port, timeout)) {
                    return new Verdict(false, 0, TLS_ONLY + " and the readiness probe speaks plain HTTP (" + v.detail()
                            + "): set service.scheme: https and service.readiness.type: tcp (and liveness) in"
                            + " slipway.yaml, or serve the health path over plain HTTP too", v.elapsed());
                }
                // Any answer, not only a passing one: another app's 404 is not this one's.
                long own = v.ready() || v.status() > 0 ? pid.getAsLong() : -1;
                if (own > 0) {
                    java.util.Optional<String> other = dev.slipway.util.Listeners.other(own, port);
                    if (other.isPresent()) {
                        return new Verdict(false, v.status(), OTHER_LISTENER + port + ": " + other.get()
                                + ", not the service's process (pid " + own + "), which does not listen there",
                                v.elapsed());
                    }
                }
                return v;
            }

            @Override
            public boolean alive() {
                return alive.getAsBoolean();
            }
        };
    }

    /**
     * Polls a probe of either type on {@code host:port} from here until ready, timed out, or
     * {@code alive} turns false ({@link #here}).
     *
     * @param host  the host name or address (IPv6 without brackets works too)
     * @param port  the port
     * @param probe type, path, interval, timeout and startup grace
     * @param alive whether the process still runs; checked before each attempt
     * @return the verdict; never throws for a failing service
     */
    public static Verdict await(String host, int port, SlipwayConfig.Probe probe, BooleanSupplier alive) {
        return here(host, port, alive).await(probe);
    }

    /**
     * One attempt of a probe of either type, from here.
     *
     * @param host    the host name or address
     * @param port    the port
     * @param probe   the probe (its type and path)
     * @param timeout the attempt's timeout
     * @return the verdict of the attempt
     */
    public static Verdict probeOnce(String host, int port, SlipwayConfig.Probe probe, Duration timeout) {
        return here(host, port, () -> true).attempt(probe, timeout);
    }

    /**
     * @param host a host name or address; an IPv6 address gets brackets
     * @param port the port
     * @param path the path, starting with {@code /}
     * @return {@code http://host:port/path}
     */
    public static URI url(String host, int port, String path) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port + path);
    }

    /**
     * One TCP connection attempt: connect, then close at once.
     *
     * @param host    the host name or address
     * @param port    the port
     * @param timeout the connect timeout
     * @return a verdict whose {@code ready} is true when the connection was accepted; status is 0
     */
    public static Verdict connectOnce(String host, int port, Duration timeout) {
        long t0 = System.nanoTime();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return new Verdict(true, 0, ACCEPTED, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            return new Verdict(false, 0, error(e), Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * One GET.
     *
     * @param url     the URL
     * @param timeout the request timeout
     * @return a verdict whose {@code ready} is true for a 2xx status
     */
    public static Verdict probeOnce(URI url, Duration timeout) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = Client.CLIENT.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            // A pretty-printed health document (Quarkus's, 4-space indents) on one line, as the gate
            // on a host shows it: its indents used up the 300 characters before the check's message
            // (the driver's cause) came.
            return new Verdict(r.statusCode() / 100 == 2, r.statusCode(),
                    cut(r.body() == null ? "" : r.body().strip().replaceAll("\\s+", " ")),
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            return new Verdict(false, 0, error(e), Duration.ofNanos(System.nanoTime() - t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(false, 0, "interrupted", Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Whether the port completes a TLS handshake (RFC 8446): a client hello with no certificate
     * check (only the protocol is asked, nothing is sent after the handshake).
     *
     * @param host    the host name or address
     * @param port    the port
     * @param timeout the attempt's timeout; connect and read wait at least 5 s
     * @return true when the handshake completed
     */
    public static boolean speaksTls(String host, int port, Duration timeout) {
        int ms = (int) Math.max(5000, timeout.toMillis()); // asked once per gate: room for a busy machine's handshake
        try (java.net.Socket raw = new java.net.Socket()) {
            raw.connect(new java.net.InetSocketAddress(host, port), ms);
            raw.setSoTimeout(ms);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                    // not a client's check
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                    // any certificate: this only asks whether the port speaks TLS
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                    .createSocket(raw, host, port, false)) {
                s.startHandshake();
                return true;
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The gRPC health service's method (grpc-health-probe's; grpc/doc/health-checking.md). */
    public static final String GRPC_HEALTH_CHECK = "/grpc.health.v1.Health/Check";

    /**
     * The serving statuses of grpc.health.v1's {@code HealthCheckResponse.ServingStatus}, by number
     * (health.proto: UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3, the last for Watch only).
     */
    public static final java.util.List<String> GRPC_SERVING_STATUSES =
            java.util.List.of("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN");

    /** The start of the detail of a gRPC health check that the server answered. */
    public static final String GRPC_ANSWER = "gRPC ";

    /** The detail of a passed gRPC health check. */
    public static final String SERVING = GRPC_ANSWER + "health status SERVING";

    /** The gRPC status codes by number (grpc's doc/statuscodes.md). */
    private static final java.util.List<String> GRPC_STATUS_CODES = java.util.List.of("OK", "CANCELLED", "UNKNOWN",
            "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
            "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

    /**
     * Whether the port answers a gRPC health check over cleartext HTTP/2 at all, whatever its
     * status ({@link #grpcHealthOnce}): an UNIMPLEMENTED from a server without the health service
     * counts too. Like an HTTP 404 for the training run, the call went through the server's stack.
     *
     * @param host    the host name or address
     * @param port    the port
     * @param timeout connect and read timeout; at least 5 s
     * @return true when a HEADERS frame for the call's stream came back
     */
    public static boolean answersGrpc(String host, int port, Duration timeout) {
        return grpcCheck(host, port, "", Math.max(5000, timeout.toMillis())).answered();
    }

    /**
     * One gRPC health check (the attempt of a {@code grpc} probe, Kubernetes' {@code grpc} probe and
     * grpc-health-probe's check): {@code grpc.health.v1.Health/Check} over cleartext HTTP/2 ("prior
     * knowledge", RFC 9113 section 3.3), as a gRPC server without TLS takes it. It sends the client
     * connection preface and an empty SETTINGS frame (section 3.4), then {@code POST
     * /grpc.health.v1.Health/Check} on stream 1 (HEADERS with HPACK literals, RFC 7541 section
     * 6.2.2; {@code content-type: application/grpc}, {@code te: trailers}, per gRPC's
     * PROTOCOL-HTTP2.md) and a DATA frame with the {@code HealthCheckRequest} (a 5-byte length
     * prefix, then field 1, {@code service}, when not empty). It passes when the answer's
     * {@code HealthCheckResponse} says {@code SERVING} (field 1; an empty message is
     * {@code UNKNOWN}, proto3's default). {@code NOT_SERVING}, {@code UNKNOWN}, a call that ends
     * without a message (a {@code grpc-status} such as NOT_FOUND for a service the health server does
     * not know, or UNIMPLEMENTED without the health service), a GOAWAY, a reset stream, a closed
     * connection or no answer in time fail; the detail says which.
     *
     * @param host    the host name or address
     * @param port    the port
     * @param service the grpc.health.v1 service name; {@code ""} for the whole server
     * @param timeout connect and read timeout (at least 200 ms)
     * @return a verdict whose {@code ready} is true for SERVING; status is 0; detail is the serving
     *         status's name ({@link #SERVING}, {@code NOT_SERVING}, ...) or what else came back
     */
    public static Verdict grpcHealthOnce(String host, int port, String service, Duration timeout) {
        long t0 = System.nanoTime();
        GrpcAnswer a = grpcCheck(host, port, service, Math.max(200, timeout.toMillis()));
        String detail = a.detail();
        return new Verdict(SERVING.equals(detail), 0, detail, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * What a gRPC health check got back; the same for a check from here and one on a host (the
     * on-host gate's script prints these fields, {@link #parse} reads them).
     *
     * @param answered   whether a HEADERS frame for the call came back (the server took the call)
     * @param health     the {@code HealthCheckResponse}'s serving status number, or -1 when none came
     * @param grpcStatus the {@code grpc-status} of a call that ended without a response, or {@code ""}
     *                   when not read
     * @param failure    what ended the check otherwise (a connection error, a GOAWAY)
     */
    private record GrpcAnswer(boolean answered, int health, String grpcStatus, String failure) {
        /** @return the gate's detail: {@link #SERVING}, another status, or what came instead */
        String detail() {
            if (health >= 0) {
                return GRPC_ANSWER + "health status " + (health < GRPC_SERVING_STATUSES.size()
                        ? GRPC_SERVING_STATUSES.get(health) : String.valueOf(health));
            }
            if (answered) {
                return GRPC_ANSWER + "call ended without a health status" + (grpcStatus.isEmpty() ? ""
                        : ": grpc-status " + grpcStatus + (grpcStatus.matches("[0-9]{1,2}") && Integer.parseInt(grpcStatus)
                        < GRPC_STATUS_CODES.size() ? " " + GRPC_STATUS_CODES.get(Integer.parseInt(grpcStatus)) : "")
                        + (grpcStatus.equals("5") ? " (the health server does not know this service)"
                        : grpcStatus.equals("12") ? " (no grpc.health.v1 service)" : ""));
            }
            return failure;
        }
    }

    private static GrpcAnswer grpcCheck(String host, int port, String service, long timeoutMs) {
        int ms = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
        boolean answered = false;
        int health = -1;
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), ms);
            s.setSoTimeout(ms);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS, empty
            java.io.ByteArrayOutputStream headers = new java.io.ByteArrayOutputStream();
            headers.write(0x83); // :method POST (static table index 3)
            headers.write(0x86); // :scheme http (index 6)
            literal(headers, 4, null, GRPC_HEALTH_CHECK); // :path, name from index 4
            literal(headers, 1, null, (host.contains(":") ? "[" + host + "]" : host) + ":" + port); // :authority, index 1
            literal(headers, 0, "content-type", "application/grpc");
            literal(headers, 0, "te", "trailers");
            frame(out, 0x1, 0x4, 1, headers.toByteArray()); // HEADERS, END_HEADERS
            frame(out, 0x0, 0x1, 1, healthCheckRequest(service)); // DATA, END_STREAM
            s.getOutputStream().write(out.toByteArray());
            s.getOutputStream().flush();
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            for (int frames = 0; frames < 64; frames++) {
                int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (payload.length < length) {
                    break;
                }
                if (type == 0x7) { // GOAWAY: not an HTTP/2 server that takes this request
                    return new GrpcAnswer(answered, health, "", "GOAWAY");
                }
                if (type == 0x4 && (flags & 0x1) == 0) {
                    frame(s.getOutputStream(), 0x4, 0x1, 0, new byte[0]); // acknowledge the server's SETTINGS
                }
                if (stream != 1) {
                    continue;
                }
                if (type == 0x3) { // RST_STREAM
                    return new GrpcAnswer(answered, health, "", "RST_STREAM");
                }
                if (type == 0x1) {
                    answered = true;
                    if ((flags & 0x1) != 0) { // trailers (or a trailers-only answer): the call is over
                        return new GrpcAnswer(true, health, grpcStatus(payload), "");
                    }
                }
                if (type == 0x0 && health < 0) {
                    int from = (flags & 0x8) != 0 && payload.length > 0 ? 1 : 0; // PADDED: pad length first
                    health = servingStatus(payload, from);
                }
            }
            return new GrpcAnswer(answered, health, "", "no end of the call");
        } catch (IOException e) {
            return new GrpcAnswer(answered, health, "", error(e));
        }
    }

    /**
     * A length-prefixed {@code HealthCheckRequest} (gRPC's PROTOCOL-HTTP2.md: compressed flag 0, a
     * 4-byte big-endian length, the message; protobuf encoding: field 1 with wire type 2 is tag
     * {@code 0x0a}, a varint length, the UTF-8 bytes).
     */
    private static byte[] healthCheckRequest(String service) {
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        byte[] name = service.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (name.length > 0) {
            message.write(0x0a);
            for (int n = name.length; ; n >>>= 7) {
                if (n < 0x80) {
                    message.write(n);
                    break;
                }
                message.write((n & 0x7f) | 0x80);
            }
            message.writeBytes(name);
        }
        byte[] m = message.toByteArray();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(5 + m.length);
        b.put((byte) 0).putInt(m.length).put(m);
        return b.array();
    }

    /**
     * The serving status of a length-prefixed {@code HealthCheckResponse} in a DATA frame's payload:
     * field 1 (tag {@code 0x08}, a one-byte varint), 0 (UNKNOWN) when absent (proto3's default).
     */
    private static int servingStatus(byte[] payload, int from) {
        int end = payload.length < from + 5 ? from
                : Math.min(payload.length, from + 5 + Math.max(0, java.nio.ByteBuffer.wrap(payload, from + 1, 4).getInt()));
        for (int i = from + 5; i + 1 < end; i++) {
            if (payload[i] == 0x08) {
                return payload[i + 1] & 0x7f;
            }
        }
        return 0;
    }

    /**
     * The {@code grpc-status} of a trailers block, read where the server sent it as an HPACK literal
     * without Huffman coding (as grpc-java's Netty transport does for short values); else {@code ""}.
     */
    private static String grpcStatus(byte[] block) {
        String code = literalValue(block, "grpc-status");
        return code == null ? "" : code;
    }

    /** The value after a literal header name in an HPACK block, when neither is Huffman-coded and the value is under 128 bytes. */
    private static String literalValue(byte[] block, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 1; i + n.length < block.length; i++) {
            if (block[i - 1] == n.length && java.util.Arrays.equals(block, i, i + n.length, n, 0, n.length)) {
                int at = i + n.length;
                int len = block[at] & 0xff;
                if ((len & 0x80) == 0 && at + 1 + len <= block.length) {
                    return new String(block, at + 1, len, java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    /** Writes one HTTP/2 frame (RFC 9113 section 4.1): 24-bit length, type, flags, 31-bit stream id. */
    private static void frame(java.io.OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(head);
        out.write(payload);
    }

    /**
     * An HPACK "literal header field without indexing" (RFC 7541 section 6.2.2): the name from the
     * static table ({@code index} 1-14, fitting the 4-bit prefix) or, with index 0, as a string;
     * strings without Huffman coding, shorter than 127 bytes (a 7-bit length).
     */
    private static void literal(java.io.ByteArrayOutputStream out, int index, String name, String value) {
        out.write(index);
        if (index == 0) {
            string(out, name);
        }
        string(out, value);
    }

    private static void string(java.io.ByteArrayOutputStream out, String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(b.length);
        out.writeBytes(b);
    }

    private static String error(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String cut(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    /**
     * The gate's loop in this JVM: waits the startup grace (asking {@code alive} every
     * {@link #GRACE_WATCH_MS}, so that a process that exits in it ends the gate at once, {@link #EXITED}),
     * then attempts every interval until one
     * passes, {@code alive} turns false ({@link #EXITED}), or the next attempt would start after
     * grace plus timeout. An attempt waits as long as one on a host does ({@link #attemptSeconds}:
     * a readiness endpoint runs its checks, and a database check that fails answers slowly), but
     * not past the deadline, and at least the interval (200 ms to 2 s): Quarkus's readiness with a
     * wrong database password answered 503 after 1.03-1.2 s, so with 1 s attempts every one timed
     * out and the gate said "no answer" instead of the answer that names the failure.
     *
     * @param probe interval, timeout and startup grace
     * @param alive whether the service still runs
     * @param once  one attempt, given its timeout
     * @return the verdict
     */
    static Verdict poll(SlipwayConfig.Probe probe, BooleanSupplier alive, Function<Duration, Verdict> once) {
        long start = System.nanoTime();
        long deadline = start + probe.startupGrace().toNanos() + probe.timeout().toNanos();
        if (probe.process()) {
            return settle(probe, alive, start, deadline);
        }
        // The startup grace defers the attempts, not the watch: a release that exits in it ends the gate there.
        long graceEnd = start + probe.startupGrace().toNanos();
        for (long now = System.nanoTime(); now < graceEnd && !Thread.currentThread().isInterrupted(); now = System.nanoTime()) {
            if (!alive.getAsBoolean()) {
                return new Verdict(false, 0, EXITED, Duration.ofNanos(now - start));
            }
            sleep(Duration.ofNanos(Math.min(graceEnd - now, GRACE_WATCH_MS * 1_000_000L)));
        }
        Verdict last = new Verdict(false, 0, "not tried", Duration.ZERO);
        Verdict answered = null; // the last attempt that got an HTTP status
        while (true) {
            if (!alive.getAsBoolean()) {
                return new Verdict(false, last.status(), EXITED, Duration.ofNanos(System.nanoTime() - start));
            }
            long floorMs = Math.min(2000, Math.max(200, probe.interval().toMillis()));
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            last = once.apply(Duration.ofMillis(Math.max(floorMs, Math.min(leftMs, attemptSeconds(probe) * 1000))));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (last.ready()) {
                return new Verdict(true, last.status(), last.detail(), last.state(), elapsed);
            }
            if (last.detail().startsWith(OTHER_LISTENER) || last.detail().startsWith(TLS_ONLY)) {
                return new Verdict(false, last.status(), last.detail(), last.state(), elapsed);
            }
            if (last.status() != 0) {
                answered = last;
            }
            if (System.nanoTime() + probe.interval().toNanos() > deadline) {
                // The final attempt, cut short by the deadline, may miss an answer the earlier ones got.
                Verdict shown = last.status() == 0 && answered != null ? answered : last;
                return new Verdict(false, shown.status(), shown.detail(), shown.state(), elapsed);
            }
            sleep(probe.interval());
        }
    }

    /**
     * A {@code process} probe's gate: checks every interval, from the start, that the process still
     * runs; it passes once grace plus timeout (the settle window) passed with the process running,
     * and fails ({@link #EXITED}) as soon as it is not.
     *
     * @param probe    interval, timeout (the settle window) and startup grace
     * @param alive    whether the service still runs
     * @param start    when the gate began, {@link System#nanoTime}
     * @param deadline the end of the window, {@link System#nanoTime}
     * @return the verdict
     */
    private static Verdict settle(SlipwayConfig.Probe probe, BooleanSupplier alive, long start, long deadline) {
        while (true) {
            if (!alive.getAsBoolean()) {
                return new Verdict(false, 0, EXITED, Duration.ofNanos(System.nanoTime() - start));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Verdict(true, 0, PROCESS_RUNNING, Duration.ofNanos(System.nanoTime() - start));
            }
            sleep(Duration.ofNanos(Math.min(left, Math.max(50_000_000L, probe.interval().toNanos()))));
            if (Thread.currentThread().isInterrupted()) {
                return new Verdict(false, 0, "interrupted", Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /**
     * Sleeps; an interrupt ends the sleep and stays set.
     *
     * @param d how long; zero or negative: not at all
     */
    public static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- on a host -------------------------------------------------------------------------------

    /**
     * @param host         the machine the service runs on
     * @param stateCommand a shell command that prints the service's state ({@code active} while it
     *                     runs), from {@code deploy/ServiceManager.stateCommand}
     * @param address      where the service answers on that machine
     * @param port         its port
     * @return a prober that runs the whole gate on the host in one command
     */
    public static Prober onHost(Host host, String stateCommand, String address, int port) {
        return new Prober() {
            @Override
            public Verdict attempt(SlipwayConfig.Probe probe, Duration timeout) {
                return await(probe.with(Duration.ZERO, Duration.ZERO));
            }

            @Override
            public boolean alive() {
                String out = host.run(stateCommand + " 2>/dev/null", Duration.ofSeconds(30)).stdout().strip();
                return RUNNING.contains(out.split(" ", 2)[0]);
            }

            @Override
            public Verdict await(SlipwayConfig.Probe probe) {
                Duration limit = probe.startupGrace().plus(probe.timeout()).plusSeconds(attemptSeconds(probe) + 30);
                Host.CommandResult r = host.run("bash -c " + Shell.quote(script(stateCommand, address, port, probe)), limit);
                return parse(r.stdout(), r.stderr());
            }
        };
    }

    /** One attempt on a host may take a while: a readiness endpoint may run its checks (myapp: up to 2 s). */
    private static long attemptSeconds(SlipwayConfig.Probe probe) {
        long intervalMs = Math.max(50, probe.interval().toMillis());
        return Math.max(5, Math.min(10, (intervalMs + 999) / 1000 + 1));
    }

    /**
     * The on-host gate's check that a passed attempt reached the service, as {@link #here} does with
     * a pid: bash function {@code other}, which prints {@code pid N (command line)} when every TCP
     * socket listening on port {@code $p} is held by a process outside the tree of {@code $mp} (the
     * unit's main process and its descendants, by each holder's parent chain; with {@code $mp} 0 the
     * unit runs no process, so any holder is another), and nothing otherwise. It reads only
     * {@code /proc} (proc(5)): the listening rows (state {@code 0A}) of {@code /proc/net/tcp} and
     * {@code tcp6} with that local port and, for an IPv4 probe address {@code $a}, with that local
     * address or a wildcard one ({@code 0.0.0.0}, {@code ::}, {@code ::ffff:$a}): the sockets that
     * can have accepted the probe, not those of other machines sharing the network namespace (as
     * containers on loopback addresses do); their socket inodes among {@code /proc/PID/fd} (one
     * {@code ls -l}), and {@code /proc/PID/stat}'s parent pid; bash and coreutils, no {@code ss} or
     * {@code lsof}. A listening socket whose holder is not among the processes it can see is another
     * process's when the unit's own descriptors could be read (or it runs no process): the holder
     * runs in another PID namespace on the host's network (a container or a machine sharing the
     * network namespace, as test hosts on loopback addresses do), and it prints {@code a process
     * this host cannot see (…)}. When the unit's descriptors cannot be read either (a process of
     * another user, with a login that is not root) it prints nothing: the attempt passes as before,
     * and nothing false is said.
     * Each table is read whole first ({@code $(...)}): bash's {@code read} straight from a
     * {@code /proc/net} file seeks back after every line, which makes the kernel generate the table
     * again each time (minutes for the tens of thousands of rows of a loaded machine), and from a
     * pipe it reads one byte per system call.
     */
    private static final String OTHER_LISTENER_SCRIPT = """
            other() {
              local hex ah o la st ino inos=' ' found=' ' held='' line cur h x k cmd
              hex=$(printf '%04X' "$p"); ah=
              if [[ $a =~ ^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$ ]]; then
                IFS=. read -r -a o <<< "$a"; ah=$(printf '%02X%02X%02X%02X' "${o[3]}" "${o[2]}" "${o[1]}" "${o[0]}")
              fi
              while read -r _ la _ st _ _ _ _ _ ino _; do
                [ "$st" = 0A ] && [ "${la##*:}" = "$hex" ] && [ "$ino" != 0 ] || continue
                case ${ah:+x}${la%:*} in
                  "x$ah"|x00000000|x00000000000000000000000000000000|x0000000000000000FFFF0000"$ah"|[!x]*) inos="$inos$ino " ;;
                esac
              done <<< "$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
              [ "$inos" != ' ' ] || return 0
              while read -r line; do
                case $line in
                  /proc/*/fd:) cur=${line#/proc/}; cur=${cur%/fd:} ;;
                  *'-> socket:['*) ino=${line##*socket:[}; ino=${ino%]}
                    case $inos in *" $ino "*) found="$found$ino "; held="$held $cur" ;; esac ;;
                esac
              done <<< "$(LC_ALL=C ls -l /proc/[0-9]*/fd 2>/dev/null)"
              for h in $held; do
                x=$h
                for k in {1..64}; do
                  [ "$x" = "$mp" ] && return 0
                  [ "$x" -gt 1 ] 2>/dev/null || break
                  read -r line 2>/dev/null < "/proc/$x/stat" || break
                  line=${line##*) }; set -- $line; x=$2
                done
              done
              for ino in $inos; do
                case $found in *" $ino "*) ;; *)
                  [ "$mp" = 0 ] || ls /proc/"$mp"/fd > /dev/null 2>&1 || return 0
                  [ -n "$held" ] || { echo "a process this host cannot see (another PID namespace on its network)"; return 0; } ;;
                esac
              done
              set -- $held; h=$1
              cmd=$(tr '\\0' ' ' 2>/dev/null < "/proc/$h/cmdline")
              x=$(grep -o '[^/]*[.]service$' "/proc/$h/cgroup" 2>/dev/null | head -n 1)
              echo "pid $h (${cmd:0:200})${x:+ of $x}"
            }
            """;

    /**
     * The on-host gate's gRPC health check ({@link #grpcHealthOnce} in bash, for hosts that have
     * nothing but bash): {@code bash -c "$grpc" ADDRESS PORT SERVICE} writes the same bytes as
     * {@link #grpcCheck} to {@code /dev/tcp} (bash's {@code printf} escapes, NUL bytes included) and
     * reads the frames back a byte at a time ({@code read -d '' -n 1}: an empty read is a NUL byte),
     * acknowledging the server's SETTINGS. It prints one line, {@code @@grpc answered=0|1
     * health=<serving status number or -1> status=<grpc-status or empty> failure=<what ended it>},
     * which {@link #parse} turns into the same detail as a check from here. A service name is ASCII
     * under 128 bytes (the configuration's check), so its protobuf length is one byte.
     */
    private static final String GRPC_SCRIPT = """
            read -r -d '' grpc <<'GRPC'
            export LC_ALL=C
            exec 3<>"/dev/tcp/$0/$1" || exit 7
            b() { local x; for x; do printf "\\\\x$(printf %02x "$x")"; done; }
            s() { b ${#1}; printf %s "$1"; }
            fr() { b $(($1>>16&255)) $(($1>>8&255)) $(($1&255)) $2 $3 0 0 0 $4; }
            case $0 in *:*) au="[$0]:$1";; *) au="$0:$1";; esac
            pa=/grpc.health.v1.Health/Check; sv=$2; ml=0; [ -z "$sv" ] || ml=$(( 2 + ${#sv} ))
            { printf 'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n'; fr 0 4 0 0
              fr $(( 2 + 2 + ${#pa} + 2 + ${#au} + 31 + 13 )) 1 4 1; b 131 134 4; s "$pa"; b 1; s "$au"
              b 0; s content-type; s application/grpc; b 0; s te; s trailers
              fr $(( 5 + ml )) 0 1 1; b 0 0 0 0 $ml; [ $ml = 0 ] || { b 10; s "$sv"; }; } >&3
            rd() { B=(); local i c; for ((i = 0; i < $1; i++)); do IFS= read -r -d '' -n 1 -u 3 c || return 1
              if [ -z "$c" ]; then B+=(0); else printf -v c %d "'$c"; B+=("$c"); fi; done; }
            ans=0; h=-1; end() { echo "@@grpc answered=$ans health=$h status=$1 failure=$2"; exit 0; }
            for ((f = 0; f < 64; f++)); do
              rd 9 || break
              n=$(( B[0] << 16 | B[1] << 8 | B[2] )); t=${B[3]}; fl=${B[4]}; id=$(( (B[5] & 127) << 24 | B[6] << 16 | B[7] << 8 | B[8] ))
              rd $n || break
              [ $t != 7 ] || end '' GOAWAY
              [ $t != 4 ] || [ $(( fl & 1 )) = 1 ] || fr 0 4 1 0 >&3
              [ $id = 1 ] || continue
              [ $t != 3 ] || end '' RST_STREAM
              if [ $t = 1 ]; then
                ans=1
                if [ $(( fl & 1 )) = 1 ]; then
                  hex=$(printf %02x "${B[@]}"); st=
                  if [[ $hex =~ 0b677270632d737461747573(0[1-3])(.*) ]]; then
                    for ((k = 0; k < 16#${BASH_REMATCH[1]}; k++)); do st=$st${BASH_REMATCH[2]:k*2+1:1}; done
                  fi
                  end "$st" ''
                fi
              fi
              if [ $t = 0 ] && [ $h = -1 ]; then
                o=0; [ $(( fl & 8 )) = 0 ] || o=1; h=0
                for ((i = o + 5; i + 1 < n; i++)); do [ ${B[i]} != 8 ] || { h=$(( B[i+1] & 127 )); break; }; done
              fi
            done
            end '' 'no end of the call'
            GRPC
            """;

    /**
     * The on-host gate's bash script. Its last line of output is
     * {@code @@gate result=ready|down|timeout|other code=<HTTP status or 0> state=<service state> elapsed=<ms>
     * restarts=<n> status=<exit status> port=<port> pid=<main pid, or empty when not told> unit=<the unit's
     * Result, or empty when not told>}, after the
     * last answer (or connection error, or for {@code other} the listener that answered). A zero timeout
     * makes one attempt. An attempt that passes while the state command names a main process (a
     * fourth field) but another process holds the port ({@link #OTHER_LISTENER_SCRIPT}) ends the gate
     * as {@code other}, not ready. The service is down when its state is not a running one, or when its
     * manager restarted it during the wait (state {@code restarted} while systemd says it runs: a
     * crash loop under {@code Restart=on-failure} looks like a slow start otherwise). The startup grace
     * defers the attempts, not that watch: the state is read every {@link #GRACE_WATCH_MS} in it, and
     * a service that is down there ends the gate at once (before, a crash loop went unseen for the
     * whole grace, and with a grace of 20 s systemd had given up on the unit long before).
     *
     * @param stateCommand prints the service's state ({@code STATE [RESTARTS [STATUS [MAINPID [RESULT]]]]})
     * @param address      where the service answers on the host
     * @param port         its port
     * @param probe        the probe
     * @return the script text
     */
    static String script(String stateCommand, String address, int port, SlipwayConfig.Probe probe) {
        long intervalMs = Math.max(50, probe.interval().toMillis());
        long attemptS = attemptSeconds(probe);
        String attempt = probe.process()
                ? "  r=no; resp=; code=\n" // a process probe asks nothing: only the unit's state, then the window's end
                : probe.tcp()
                ? "  if resp=$(timeout " + attemptS + " bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$a\" \"$p\" 2>&1);"
                        + " then r=ready; else r=no; fi; code=\n"
                : probe.grpc()
                ? "  resp=$(timeout " + attemptS + " bash -c \"$grpc\" \"$a\" \"$p\" \"$q\" 2>&1); code=\n"
                        + "  case \"$resp\" in *'@@grpc answered=1 health=1 '*) r=ready;; *) r=no;; esac\n"
                : "  resp=$(timeout " + attemptS + " bash -c 'exec 3<>\"/dev/tcp/$0/$1\" || exit 7; "
                        + "printf \"GET %s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n\" \"$2\" \"$0\" >&3; cat <&3'"
                        + " \"$a\" \"$p\" \"$q\" 2>&1)\n"
                        + "  code=$(printf '%s\\n' \"$resp\" | head -n 1 | cut -d' ' -f2)\n"
                        + "  case \"$code\" in 2[0-9][0-9]) r=ready;; *) r=no;; esac\n";
        return "a=" + Shell.quote(address) + "; p=" + port + (probe.tcp() || probe.process() ? ""
                : "; q=" + Shell.quote(probe.grpc() ? probe.service() : probe.path())) + "\n"
                + (probe.grpc() ? GRPC_SCRIPT : "")
                + "state() { set -- $(" + stateCommand + " 2>/dev/null); st=$1; nr=${2:-0}; xs=${3:-0}; mp=${4:-}; ur=${5:-};"
                + " case $nr in *[!0-9]*|'') nr=0;; esac; case $mp in *[!0-9]*) mp=;; esac; case $ur in *[!a-z-]*) ur=;; esac; }\n"
                + OTHER_LISTENER_SCRIPT
                + "now() { echo $(( $(date +%s%N) / 1000000 )); }\n"
                // down: the unit was restarted automatically since the gate began (it crashed; the state of a
                // running one becomes "restarted"), or it is in no running state (failed, auto-restart, inactive)
                + "down() { if [ \"$nr\" -gt \"$n0\" ]; then case $st in active|activating|reloading) st=restarted;; esac; fi;"
                + " case $st in active|activating|reloading) return 1;; esac; }\n"
                + "out() { printf '%s\\n' \"$resp\" | tail -c 2000; echo; "
                + "echo \"@@gate result=$r code=${code:-0} state=$st elapsed=$(( $(now) - start )) restarts=$(( nr - n0 )) status=$xs port=$p pid=$mp unit=$ur\"; exit 0; }\n"
                + "state; n0=$nr\n"
                + "start=$(now); end=$(( start + " + (probe.startupGrace().toMillis() + probe.timeout().toMillis()) + " ))\n"
                + (probe.startupGrace().isZero() || probe.process() ? ""
                        : "grace=$(( start + " + probe.startupGrace().toMillis() + " ))\n"
                        + "while t=$(( grace - $(now) )) && [ $t -gt 0 ]; do\n"
                        + "  state; if down; then r=down; resp=; out; fi\n"
                        + "  [ $t -le " + GRACE_WATCH_MS + " ] || t=" + GRACE_WATCH_MS + "\n"
                        + "  sleep $(( t / 1000 )).$(printf %03d $(( t % 1000 )))\n"
                        + "done\n")
                + "while :; do\n"
                + attempt
                + "  state\n"
                // Any answer (a passing one, or an HTTP status that is not 2xx: another app's 404) is checked for whose it is.
                + "  case $r:$code in ready:*|no:[1-5][0-9][0-9]) if [ -n \"$mp\" ] && o=$(other) && [ -n \"$o\" ]; then r=other; resp=$o; code=; fi;; esac\n"
                + "  if [ $r = no ] && down; then r=down; fi\n"
                + "  if [ $r = no ] && [ $(now) -ge $end ]; then r=" + (probe.process() ? "ready; resp=" + Shell.quote(PROCESS_RUNNING) : "timeout") + "; fi\n"
                + "  if [ $r != no ]; then out; fi\n"
                + "  sleep " + seconds(intervalMs) + "\n"
                + "done\n";
    }

    /**
     * Reads the on-host gate's output.
     *
     * @param out its standard output, ending with the {@code @@gate} line
     * @param err its standard error
     * @return the verdict; not ready with the output as detail when the line is missing (the script failed)
     */
    static Verdict parse(String out, String err) {
        int at = out.lastIndexOf("@@gate ");
        if (at < 0) {
            return new Verdict(false, 0, ("gate script failed: " + out + err).strip(), "", Duration.ZERO);
        }
        String tail = out.substring(at + 7).strip();
        String result = field(tail, "result");
        int code = 0;
        try {
            code = Integer.parseInt(field(tail, "code"));
        } catch (NumberFormatException ignored) {
            // not an HTTP answer
        }
        String resp = out.substring(0, at);
        String body;
        int sep = resp.indexOf("\r\n\r\n");
        if (code > 0) {
            body = sep >= 0 ? resp.substring(sep + 4) : "";
            if (sep >= 0 && java.util.regex.Pattern.compile("(?im)^transfer-encoding:.*\\bchunked\\b")
                    .matcher(resp.substring(0, sep)).find()) {
                body = dechunk(body);
            }
        } else if (resp.contains("@@grpc ")) {
            body = grpcAnswer(resp.substring(resp.indexOf("@@grpc ") + 7).strip()).detail();
        } else {
            body = resp.replace("bash: line 1: ", "").replace("connect: ", "");
        }
        body = cut(body.strip().replaceAll("\\s+", " "));
        long elapsed = 0;
        try {
            elapsed = Long.parseLong(field(tail, "elapsed"));
        } catch (NumberFormatException ignored) {
            // unknown
        }
        boolean ready = result.equals("ready");
        String state = field(tail, "state");
        int restarts = number(field(tail, "restarts"));
        int status = number(field(tail, "status"));
        boolean gaveUp = field(tail, "unit").equals(START_LIMIT_HIT);
        if (result.equals("down") && (restarts > 0 || state.equals("auto-restart") || status != 0 || gaveUp)) {
            // It crashed: the service manager's account says more than the refused connection.
            body = crashed(status, restarts, state, gaveUp);
        }
        if (result.equals("other")) {
            // The attempt reached another process on the port (the script's function other): the gate ends there.
            String holder = resp.strip().replaceAll("\\s+", " ");
            String unit = "";
            java.util.regex.Matcher of = java.util.regex.Pattern.compile("\\) of (\\S+[.]service)$").matcher(holder);
            if (of.find()) {
                unit = " of " + of.group(1);
                holder = holder.substring(0, of.start() + 1);
            }
            int open = holder.indexOf(" (");
            if (open > 0 && holder.endsWith(")")) {
                String cmd = holder.substring(open + 2, holder.length() - 1).strip();
                holder = holder.substring(0, open) + " (" + (cmd.isEmpty() ? "?" : cmd.length() > 80 ? cmd.substring(0, 79) + "…" : cmd) + ")";
            }
            holder += unit;
            long own = number(field(tail, "pid"));
            body = OTHER_LISTENER + field(tail, "port") + ": " + holder + ", not the service's process"
                    + (own > 0 ? " (pid " + own + "), which does not listen there" : ": its unit runs no process");
        }
        if (result.equals("down") && state.isEmpty()) {
            state = "unknown"; // the manager printed no state: the script took it for not running
        }
        return new Verdict(ready, code, ready && code == 0 && !body.equals(SERVING) && !body.equals(PROCESS_RUNNING) ? ACCEPTED : body, state,
                Duration.ofMillis(elapsed));
    }

    /**
     * systemd's {@code Result} of a unit it stopped restarting: it was started more than
     * {@code StartLimitBurst=} times within {@code StartLimitIntervalSec=} (systemd.unit(5)).
     */
    public static final String START_LIMIT_HIT = "start-limit-hit";

    /**
     * The detail of an on-host gate that ended because the service crashed, from its manager's
     * account: {@link #EXITED}, then {@code with exit code N} (systemd's {@code ExecMainStatus}; left
     * out when 0), then what systemd did about it: {@code systemd restarted it N times} (its
     * {@code NRestarts} since the gate began: {@code Restart=on-failure} restarts a process that
     * exited with a failure, systemd.service(5)), then {@code and then gave up (start limit hit)}
     * when the unit's {@code Result} is {@link #START_LIMIT_HIT}, or {@code systemd is about to
     * restart it} while the unit waits {@code RestartSec=}.
     *
     * @param status   the main process's last exit status, 0 when unknown
     * @param restarts automatic restarts during the gate
     * @param state    the unit's state when the gate ended ({@code auto-restart}, {@code failed}, ...)
     * @param gaveUp   whether systemd stopped restarting it ({@link #START_LIMIT_HIT})
     * @return e.g. {@code the process exited with exit code 1; systemd restarted it 4 times, then gave
     *         up (start limit hit)}
     */
    public static String crashed(int status, int restarts, String state, boolean gaveUp) {
        String restarted = restarts == 0 ? "" : restarts == 1 ? "systemd restarted it once" : "systemd restarted it " + restarts + " times";
        return EXITED + (status != 0 ? " with exit code " + status : "")
                + (gaveUp ? "; " + (restarted.isEmpty() ? "systemd" : restarted + ", then") + " gave up (start limit hit)"
                : !restarted.isEmpty() ? "; " + restarted
                : state.equals("auto-restart") ? "; systemd is about to restart it" : "");
    }

    /** Reads the on-host gRPC check's line ({@link #GRPC_SCRIPT}): {@code answered=.. health=.. status=.. failure=...}. */
    private static GrpcAnswer grpcAnswer(String line) {
        int f = line.indexOf("failure=");
        String head = f < 0 ? line : line.substring(0, f);
        String health = field(head, "health");
        return new GrpcAnswer(field(head, "answered").equals("1"), health.matches("[0-9]{1,3}") ? Integer.parseInt(health) : -1,
                field(head, "status"), f < 0 ? "" : line.substring(f + 8).strip());
    }

    /**
     * Decodes a chunked message body (RFC 9112 section 7.1): each chunk is a hexadecimal size
     * (with optional extensions after {@code ;}), CRLF, that many octets, CRLF; a zero size ends it
     * (trailers are dropped). Sizes count octets; the text here was read as characters, which is
     * the same for the ASCII bodies of health endpoints (a size that overruns takes what is left).
     *
     * @param body the raw body after the header block
     * @return the decoded body, or {@code body} unchanged when it does not start with a chunk size
     */
    static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            String size = body.substring(i, eol);
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                return out.length() == 0 ? body : out.toString();
            }
            if (n == 0) {
                break;
            }
            int from = eol + 2;
            int to = Math.min(body.length(), from + n);
            out.append(body, from, to);
            i = to + 2;
        }
        return out.toString();
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String field(String tail, String key) {
        for (String kv : tail.split(" ")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        return "";
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}

package dev.slipway.deploy;

import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a readiness probe to pass, in the manner of a Kubernetes readiness probe: wait the
 * startup grace, then try every interval until an attempt passes or the timeout passes. An
 * attempt of an {@code http} probe is a GET that passes on a 2xx answer; of a {@code tcp} probe,
 * a TCP connection that passes when the port accepts it (as Kubernetes' {@code tcpSocket} probe:
 * the connection is closed at once, nothing is sent).
 */
public final class HealthGate {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

    private HealthGate() {}

    /**
     * The verdict of a gate.
     *
     * @param ready   whether a 2xx answer came in time
     * @param status  the last HTTP status, or 0 when nothing answered
     * @param detail  the last body (trimmed) or connection error
     * @param elapsed time from the start of the wait to the verdict
     */
    public record Verdict(boolean ready, int status, String detail, Duration elapsed) {
        /** @return a one-line account of the last attempt */
        public String describe() {
            if (status == 0) {
                return ready ? detail : "no answer (" + detail + ")";
            }
            return "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
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
            if (status == 0) {
                return ready ? d : "no answer (" + d + ")";
            }
            return "HTTP " + status + (d.isEmpty() ? "" : ": " + d);
        }
    }

    /** How much of an answer's body {@link Verdict#brief()} keeps, in characters. */
    public static final int BRIEF_BODY = 40;

    /** The detail of a passed TCP attempt. */
    public static final String ACCEPTED = "TCP connection accepted";

    /**
     * Polls a probe of either type on {@code host:port} until ready, timed out, or {@code alive}
     * turns false: {@link #await(URI, SlipwayConfig.Probe, BooleanSupplier)} on
     * {@code http://host:port<path>} for an http probe; TCP connections for a tcp probe.
     *
     * @param host  the host name or address (IPv6 without brackets works too)
     * @param port  the port
     * @param probe type, path, interval, timeout and startup grace
     * @param alive whether the process still runs; checked before each attempt
     * @return the verdict; never throws for a failing service
     */
    public static Verdict await(String host, int port, SlipwayConfig.Probe probe, BooleanSupplier alive) {
        if (!probe.tcp()) {
            return await(url(host, port, probe.path()), probe, alive);
        }
        return poll(probe, alive, attempt -> connectOnce(host, port, attempt));
    }

    /**
     * One attempt of a probe of either type.
     *
     * @param host    the host name or address
     * @param port    the port
     * @param probe   the probe (its type and path)
     * @param timeout the attempt's timeout
     * @return the verdict of the attempt
     */
    public static Verdict probeOnce(String host, int port, SlipwayConfig.Probe probe, Duration timeout) {
        return probe.tcp() ? connectOnce(host, port, timeout) : probeOnce(url(host, port, probe.path()), timeout);
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
            return new Verdict(false, 0, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Polls until ready, timed out, or {@code alive} turns false.
     *
     * @param url   the readiness URL
     * @param probe interval, timeout and startup grace
     * @param alive whether the process still runs; checked before each attempt
     * @return the verdict; never throws for a failing service
     */
    public static Verdict await(URI url, SlipwayConfig.Probe probe, BooleanSupplier alive) {
        return poll(probe, alive, attempt -> probeOnce(url, attempt));
    }

    private static Verdict poll(SlipwayConfig.Probe probe, BooleanSupplier alive,
                                java.util.function.Function<Duration, Verdict> once) {
        long start = System.nanoTime();
        long deadline = start + probe.startupGrace().toNanos() + probe.timeout().toNanos();
        sleep(probe.startupGrace());
        Verdict last = new Verdict(false, 0, "not tried", Duration.ZERO);
        while (true) {
            if (!alive.getAsBoolean()) {
                return new Verdict(false, last.status(), "the process exited", Duration.ofNanos(System.nanoTime() - start));
            }
            last = once.apply(Duration.ofMillis(Math.min(2000, Math.max(200, probe.interval().toMillis()))));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (last.ready()) {
                return new Verdict(true, last.status(), last.detail(), elapsed);
            }
            if (System.nanoTime() + probe.interval().toNanos() > deadline) {
                return new Verdict(false, last.status(), last.detail(), elapsed);
            }
            sleep(probe.interval());
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
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = r.body() == null ? "" : r.body().strip();
            if (body.length() > 300) {
                body = body.substring(0, 300) + "…";
            }
            return new Verdict(r.statusCode() / 100 == 2, r.statusCode(), body, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            return new Verdict(false, 0, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), Duration.ofNanos(System.nanoTime() - t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(false, 0, "interrupted", Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

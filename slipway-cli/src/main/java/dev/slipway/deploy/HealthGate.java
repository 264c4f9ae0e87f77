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
 * startup grace, then GET the URL every interval until it answers 2xx or the timeout passes.
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
            return status == 0 ? "no answer (" + detail + ")" : "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
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
        long start = System.nanoTime();
        long deadline = start + probe.startupGrace().toNanos() + probe.timeout().toNanos();
        sleep(probe.startupGrace());
        Verdict last = new Verdict(false, 0, "not tried", Duration.ZERO);
        while (true) {
            if (!alive.getAsBoolean()) {
                return new Verdict(false, last.status(), "the process exited", Duration.ofNanos(System.nanoTime() - start));
            }
            last = probeOnce(url, Duration.ofMillis(Math.min(2000, Math.max(200, probe.interval().toMillis()))));
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

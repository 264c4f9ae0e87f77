package dev.slipway.analysis;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One metric an analysis measures: a PromQL template, a success condition and a schedule, in the
 * shape of Argo Rollouts' AnalysisTemplate metrics.
 *
 * <p>The schedule: the first measurement is taken {@code initialDelay} after the analysis starts,
 * then one every {@code interval}, {@code count} in all. The metric fails as soon as more than
 * {@code failureLimit} measurements failed, or more than {@code errorLimit} measurements in a row
 * got no answer from Prometheus. Its duration is therefore at most
 * {@code initialDelay + interval × (count - 1)}.
 *
 * <p>Enough evidence: a measurement taken while the canary has answered fewer than
 * {@code minRequests} requests since the analysis window started is inconclusive, whatever the
 * metric's value (a ratio over 6 requests judges nothing). At the end, more than
 * {@code inconclusiveLimit} inconclusive measurements make the metric inconclusive (Argo Rollouts'
 * {@code inconclusiveLimit}).
 *
 * @param name         the metric's name in reports, e.g. {@code error-rate}
 * @param query        the PromQL template; {@code {{service}}}, {@code {{track}}},
 *                     {@code {{interval}}} and user variables are replaced (see {@link QueryTemplate})
 * @param min          the smallest passing value, or {@code null} for no lower bound
 * @param max          the largest passing value, or {@code null} for no upper bound
 * @param interval     time between two measurements; also the value of {@code {{interval}}}
 * @param count        how many measurements, at least 1
 * @param failureLimit how many failed measurements are tolerated (0: the first failure fails)
 * @param errorLimit   how many consecutive errors (Prometheus unreachable, query rejected) are
 *                     tolerated; one more fails the metric
 * @param initialDelay the wait before the first measurement, e.g. for the first scrapes of a new canary
 * @param onNoData     what a measurement without data counts as
 * @param minRequests  the fewest requests the canary must have answered in the window for a
 *                     measurement to judge anything; 0 turns the check off
 * @param inconclusiveLimit how many inconclusive measurements are tolerated; one more makes the
 *                     metric inconclusive
 */
public record MetricCheck(String name, String query, Double min, Double max, Duration interval, int count,
                          int failureLimit, int errorLimit, Duration initialDelay, OnNoData onNoData, int minRequests,
                          int inconclusiveLimit) {

    /** Name of the built-in 5xx ratio metric. */
    public static final String ERROR_RATE = "error-rate";
    /** Name of the built-in 99th percentile latency metric (seconds). */
    public static final String LATENCY_P99 = "latency-p99";

    /**
     * The request paths of scrapes and probes, left out of the built-in queries as a regular
     * expression over the {@code route} (myapp) or {@code uri} (Micrometer) label: myapp's
     * {@code /metrics} and {@code /health/*}, Spring Boot Actuator's {@code /actuator/*}
     * ({@code /actuator/prometheus}, {@code /actuator/health/readiness}), Quarkus' {@code /q/*}
     * ({@code /q/metrics}, {@code /q/health/ready}), Micronaut's {@code /prometheus} and {@code /health}.
     * A scrape or probe always answers, so counting it would dilute the error rate.
     */
    public static final String SCRAPES_AND_PROBES = "/metrics|/prometheus|/health(/.*)?|/actuator(/.*)?|/q/.*";

    /** The requests myapp counts ({@code http_requests_total}, label {@code route}), a selector template. */
    private static String myappRequests(String status) {
        return "http_requests_total{job=\"{{job}}\",track=\"{{track}}\"," + status + "route!~\"" + SCRAPES_AND_PROBES
                + "\"}";
    }

    /**
     * The requests Micrometer's {@code http.server.requests} timer counts (Spring Boot, Quarkus,
     * Micronaut with the Prometheus registry: {@code http_server_requests_seconds_count}, label
     * {@code uri}), a selector template.
     */
    private static String micrometerRequests(String status) {
        return "http_server_requests_seconds_count{job=\"{{job}}\",track=\"{{track}}\"," + status + "uri!~\""
                + SCRAPES_AND_PROBES + "\"}";
    }

    /** The request counters the built-in queries read, either of which a service may export. */
    public static final java.util.Set<String> REQUEST_COUNTERS =
            java.util.Set.of("http_requests_total", "http_server_requests_seconds_count");

    private static final String FIVE_XX = "status=~\"5..\",";

    /**
     * The built-in request count: how many requests the {@code {{track}}} instances answered since
     * the analysis window started, leaving out scrapes and probes ({@link #SCRAPES_AND_PROBES}):
     * from myapp's counter {@code http_requests_total}, or, when the service has none, from
     * Micrometer's {@code http_server_requests_seconds_count} (PromQL's {@code or} of two sums
     * without labels keeps the first that has a value). Every series counts from the window's
     * start, a series that appeared during the window from 0 ({@link QueryTemplate#SINCE_START}),
     * so the first request of a new series counts. Compared with {@code minRequests}.
     */
    public static final String REQUESTS_QUERY = "sum(since_start(" + myappRequests("") + "))"
            + " or sum(since_start(" + micrometerRequests("") + "))";

    /**
     * The built-in {@code error-rate} query: the share of requests answered 5xx since the analysis
     * window started (the step's weight change), from myapp's {@code http_requests_total} or, when
     * the service has none, from Micrometer's {@code http_server_requests_seconds_count} (each
     * ratio from one source, never a numerator from one and a denominator from the other).
     * Counting from the window's start, a missing start meaning 0, counts the first 5xx of a series
     * that did not exist before (Micrometer registers a {@code status="500"} series at the first
     * 500; {@code rate()} and {@code increase()} cannot see a series' first sample). {@code sum}
     * makes one series; the numerator falls back to 0 when there is no 5xx at all. With no requests
     * the ratio is empty or NaN: no data. The Prometheus job is {@code {{job}}}, which defaults to
     * the service name.
     */
    public static final String ERROR_RATE_QUERY = errorRatio(myappRequests(FIVE_XX), myappRequests(""))
            + " or " + errorRatio(micrometerRequests(FIVE_XX), micrometerRequests(""));

    private static String errorRatio(String errors, String all) {
        return "((sum(since_start(" + errors + ")) or vector(0)) / sum(since_start(" + all + ")))";
    }

    /**
     * The built-in {@code latency-p99} query: the 99th percentile request duration in seconds since
     * the analysis window started, from the histogram {@code http_server_requests_seconds_bucket}
     * that myapp and Micrometer share (each bucket counted from the window's start like the error
     * rate), leaving out scrapes and probes by either label. Micrometer publishes the buckets only
     * when told to (Spring Boot:
     * {@code management.metrics.distribution.percentiles-histogram.http.server.requests=true}).
     * No requests: NaN, no data.
     */
    public static final String LATENCY_P99_QUERY =
            "histogram_quantile(0.99, sum by (le) (since_start(http_server_requests_seconds_bucket{job=\"{{job}}\","
            + "track=\"{{track}}\",route!~\"" + SCRAPES_AND_PROBES + "\",uri!~\"" + SCRAPES_AND_PROBES + "\"})))";

    /** Default limit for {@code error-rate}: more than 1 % of requests answered 5xx fails. */
    public static final double ERROR_RATE_MAX = 0.01;
    /** Default limit for {@code latency-p99}: 0.5 s. */
    public static final double LATENCY_P99_MAX = 0.5;

    /**
     * The default {@code minRequests}: 100, the fewest requests at which one error alone does not
     * exceed the default {@code error-rate} limit of 1 %.
     */
    public static final int DEFAULT_MIN_REQUESTS = 100;

    /**
     * A metric without a request minimum and with {@code inconclusiveLimit} 0.
     *
     * @see #MetricCheck(String, String, Double, Double, Duration, int, int, int, Duration, OnNoData, int, int)
     */
    public MetricCheck(String name, String query, Double min, Double max, Duration interval, int count,
                       int failureLimit, int errorLimit, Duration initialDelay, OnNoData onNoData) {
        this(name, query, min, max, interval, count, failureLimit, errorLimit, initialDelay, onNoData, 0, 0);
    }

    /** Validates the fields; see the record description. */
    public MetricCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(onNoData, "onNoData");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException(name + ": interval must be more than 0");
        }
        if (count < 1 || failureLimit < 0 || errorLimit < 0 || initialDelay.isNegative() || minRequests < 0
                || inconclusiveLimit < 0) {
            throw new IllegalArgumentException(name + ": count must be at least 1, limits and delay not negative");
        }
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException(name + ": min " + min + " is more than max " + max);
        }
    }

    /**
     * A built-in metric with its query and default threshold.
     *
     * @param name {@link #ERROR_RATE} or {@link #LATENCY_P99}
     * @param interval time between measurements
     * @param count    number of measurements
     * @return the metric with failure limit 0, error limit 3, an initial delay of one interval,
     *         {@code onNoData: inconclusive} and {@link #DEFAULT_MIN_REQUESTS}
     * @throws IllegalArgumentException for another name
     */
    public static MetricCheck builtin(String name, Duration interval, int count) {
        return switch (name) {
            case ERROR_RATE -> new MetricCheck(name, ERROR_RATE_QUERY, null, ERROR_RATE_MAX, interval, count, 0, 3,
                    interval, OnNoData.INCONCLUSIVE, DEFAULT_MIN_REQUESTS, 0);
            case LATENCY_P99 -> new MetricCheck(name, LATENCY_P99_QUERY, null, LATENCY_P99_MAX, interval, count, 0, 3,
                    interval, OnNoData.INCONCLUSIVE, DEFAULT_MIN_REQUESTS, 0);
            default -> throw new IllegalArgumentException("'" + name + "' is not a built-in metric; built-ins are "
                    + ERROR_RATE + " and " + LATENCY_P99);
        };
    }

    /** @return whether {@code name} is a built-in metric */
    public static boolean isBuiltin(String name) {
        return ERROR_RATE.equals(name) || LATENCY_P99.equals(name);
    }

    /** @return the built-in queries by name */
    public static Map<String, String> builtinQueries() {
        return Map.of(ERROR_RATE, ERROR_RATE_QUERY, LATENCY_P99, LATENCY_P99_QUERY);
    }

    /**
     * @param value a measured value, not NaN
     * @return whether it meets the success condition ({@code min <= value <= max})
     */
    public boolean passes(double value) {
        return (min == null || value >= min) && (max == null || value <= max);
    }

    /** @return the success condition for messages, e.g. {@code <= 0.01} or {@code 0 .. 1} */
    public String condition() {
        if (min != null && max != null) {
            return fmt(min) + " .. " + fmt(max);
        }
        if (max != null) {
            return "<= " + fmt(max);
        }
        return min != null ? ">= " + fmt(min) : "any value";
    }

    /** @return {@code initialDelay + interval × (count - 1)}: how long this metric's measurements take at most */
    public Duration duration() {
        return initialDelay.plus(interval.multipliedBy(count - 1L));
    }

    /**
     * @param d a value
     * @return it for people: whole numbers as such, others with 4 significant digits and no
     *         exponent ({@code 0.006739}, {@code 0.00099}), never {@code 0.006738847819999999} or {@code 9.9E-4}
     */
    public static String fmt(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return String.valueOf(d);
        }
        return new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}

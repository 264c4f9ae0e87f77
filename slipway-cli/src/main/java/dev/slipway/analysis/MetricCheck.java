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
 */
public record MetricCheck(String name, String query, Double min, Double max, Duration interval, int count,
                          int failureLimit, int errorLimit, Duration initialDelay, OnNoData onNoData) {

    /** Name of the built-in 5xx ratio metric. */
    public static final String ERROR_RATE = "error-rate";
    /** Name of the built-in 99th percentile latency metric (seconds). */
    public static final String LATENCY_P99 = "latency-p99";

    /**
     * The built-in {@code error-rate} query: the share of requests answered 5xx over the last
     * interval, from myapp's counter {@code http_requests_total} (labels {@code status},
     * {@code route}, {@code track}), leaving out the scrapes and probes themselves. The numerator
     * falls back to 0 when there is no 5xx series yet; with no requests at all the ratio is
     * {@code 0/0 = NaN} or empty: no data. The Prometheus job is {@code {{job}}}, which defaults
     * to the service name.
     */
    public static final String ERROR_RATE_QUERY =
            "(sum(rate(http_requests_total{job=\"{{job}}\",track=\"{{track}}\",status=~\"5..\","
            + "route!~\"/metrics|/health/.*\"}[{{interval}}])) or vector(0))"
            + " / sum(rate(http_requests_total{job=\"{{job}}\",track=\"{{track}}\","
            + "route!~\"/metrics|/health/.*\"}[{{interval}}]))";

    /**
     * The built-in {@code latency-p99} query: the 99th percentile request duration in seconds over
     * the last interval, from myapp's histogram {@code http_server_requests_seconds_bucket},
     * leaving out scrapes and probes. No requests: NaN, no data.
     */
    public static final String LATENCY_P99_QUERY =
            "histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{job=\"{{job}}\","
            + "track=\"{{track}}\",route!~\"/metrics|/health/.*\"}[{{interval}}])))";

    /** Default limit for {@code error-rate}: more than 1 % of requests answered 5xx fails. */
    public static final double ERROR_RATE_MAX = 0.01;
    /** Default limit for {@code latency-p99}: 0.5 s. */
    public static final double LATENCY_P99_MAX = 0.5;

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
        if (count < 1 || failureLimit < 0 || errorLimit < 0 || initialDelay.isNegative()) {
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
     * @return the metric with failure limit 0, error limit 3, no initial delay and
     *         {@code onNoData: inconclusive}
     * @throws IllegalArgumentException for another name
     */
    public static MetricCheck builtin(String name, Duration interval, int count) {
        return switch (name) {
            case ERROR_RATE -> new MetricCheck(name, ERROR_RATE_QUERY, null, ERROR_RATE_MAX, interval, count, 0, 3,
                    Duration.ZERO, OnNoData.INCONCLUSIVE);
            case LATENCY_P99 -> new MetricCheck(name, LATENCY_P99_QUERY, null, LATENCY_P99_MAX, interval, count, 0, 3,
                    Duration.ZERO, OnNoData.INCONCLUSIVE);
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

    static String fmt(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        return String.valueOf(d);
    }
}

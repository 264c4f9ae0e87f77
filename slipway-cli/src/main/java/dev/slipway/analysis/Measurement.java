package dev.slipway.analysis;

import java.time.Instant;

/**
 * One measurement of one metric, as recorded in the JSON report.
 *
 * @param metric  the metric's name
 * @param time    when the query was evaluated (UTC)
 * @param query   the rendered PromQL
 * @param value   the value, or {@code null} when there was none (no data, or an error)
 * @param verdict pass, fail, inconclusive (no data) or error (no answer)
 * @param message why: {@code 0.004 <= 0.01}, {@code no data (empty result)},
 *                {@code Prometheus at ... is unreachable: ...}
 */
public record Measurement(String metric, Instant time, String query, Double value, Verdict verdict, String message) {}

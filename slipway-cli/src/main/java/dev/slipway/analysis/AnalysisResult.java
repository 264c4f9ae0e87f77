package dev.slipway.analysis;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of {@link Analysis#run}: the overall verdict, each metric's summary and every
 * measurement in time order (the JSON report).
 *
 * @param verdict      {@link Verdict#FAIL} when any metric failed; else
 *                     {@link Verdict#INCONCLUSIVE} when any was inconclusive; else {@link Verdict#PASS}
 * @param started      when the analysis started
 * @param finished     when it ended (early on the first failing metric)
 * @param metrics      one summary per metric, in the order given
 * @param measurements every measurement, in time order
 * @param message      one line for the user, e.g. {@code error-rate failed: 0.31 > 0.01 (1 of 3 failed, limit 0)}
 */
public record AnalysisResult(Verdict verdict, Instant started, Instant finished, List<MetricResult> metrics,
                             List<Measurement> measurements, String message) {

    /**
     * A metric's summary.
     *
     * @param name         the metric's name
     * @param verdict      pass, fail or inconclusive
     * @param measured     measurements taken
     * @param failed       measurements that failed
     * @param inconclusive measurements without data under {@code onNoData: inconclusive}
     * @param errors       measurements without an answer from Prometheus
     * @param lastValue    the last value measured, or {@code null}
     * @param message      why this verdict
     */
    public record MetricResult(String name, Verdict verdict, int measured, int failed, int inconclusive, int errors,
                               Double lastValue, String message) {}
}

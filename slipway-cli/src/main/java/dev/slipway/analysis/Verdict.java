package dev.slipway.analysis;

/**
 * The outcome of one measurement, of one metric, or of a whole analysis, with the names Argo
 * Rollouts and Flagger use. {@link #ERROR} exists only for measurements: no answer from Prometheus.
 */
public enum Verdict {
    /** The value is inside the success condition (or no data under {@code onNoData: pass}). */
    PASS,
    /** The value is outside the success condition (or no data under {@code onNoData: fail}). */
    FAIL,
    /** No data (empty result or NaN) under {@code onNoData: inconclusive}: nobody can tell. */
    INCONCLUSIVE,
    /** Prometheus did not answer or rejected the query; counted against the metric's error limit. */
    ERROR;

    /** @return the lower-case name used in reports and config: {@code pass}, {@code fail}, ... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

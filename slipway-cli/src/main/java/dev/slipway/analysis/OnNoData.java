package dev.slipway.analysis;

/**
 * What a measurement with no data (an empty result, or NaN such as {@code 0/0} when there was no
 * traffic) counts as. No data is never silent: it is always recorded as such in the report, and
 * the default makes the analysis {@link Verdict#INCONCLUSIVE}, which pauses a canary.
 */
public enum OnNoData {
    /** No data is an inconclusive measurement: the analysis ends inconclusive (exit 3). The default. */
    INCONCLUSIVE,
    /** No data is a failed measurement, counted against {@code failureLimit}. */
    FAIL,
    /** No data is a passed measurement (e.g. an error count that is absent when there are no errors). */
    PASS;

    /**
     * @param text {@code inconclusive}, {@code fail} or {@code pass}
     * @return the policy
     * @throws IllegalArgumentException for any other text
     */
    public static OnNoData parse(String text) {
        return switch (text) {
            case "inconclusive" -> INCONCLUSIVE;
            case "fail" -> FAIL;
            case "pass" -> PASS;
            default -> throw new IllegalArgumentException("'" + text + "' is not one of inconclusive, fail, pass");
        };
    }

    /** @return the verdict of a no-data measurement under this policy */
    public Verdict verdict() {
        return switch (this) {
            case INCONCLUSIVE -> Verdict.INCONCLUSIVE;
            case FAIL -> Verdict.FAIL;
            case PASS -> Verdict.PASS;
        };
    }
}

package dev.slipway.deploy.kubernetes;

import dev.slipway.SlipwayException;

/**
 * How a canary weight becomes replica counts when the only traffic split is the Service's
 * round robin over ready pods: the weight a canary really gets is {@code canary / (canary +
 * stable)}, which is rarely the weight asked for (argo-rollouts#2281). The report states both.
 *
 * <p>Rule: the pods the stable Deployment had ({@code total}) are shared out; the canary gets
 * {@code round(total × weight / 100)} (half up), at least 1 and, when {@code total ≥ 2}, at most
 * {@code total − 1}; the stable Deployment keeps the rest. With one pod the canary is added
 * beside it (1 + 1). Examples: 10 pods at 10 % give 1 + 9 (10 %); 3 pods at 10 % give 1 + 2
 * (33.3 %); 2 pods at 10 % give 1 + 1 (50 %).
 *
 * @param total           the stable replica count before the canary
 * @param requestedPercent the weight asked for, 1-99
 * @param canary          canary replicas
 * @param stable          stable replicas while the canary runs
 */
public record CanarySplit(int total, int requestedPercent, int canary, int stable) {

    /**
     * @param total         the stable replica count before the canary, at least 1
     * @param weightPercent the requested weight, 1-99
     * @return the split
     * @throws SlipwayException (exit 2) for a weight outside 1-99 or a total below 1
     */
    public static CanarySplit of(int total, int weightPercent) {
        if (weightPercent < 1 || weightPercent > 99) {
            throw SlipwayException.usage("a canary weight is 1-99 percent, not " + weightPercent);
        }
        if (total < 1) {
            throw SlipwayException.usage("the stable Deployment has no replicas to share with a canary");
        }
        if (total == 1) {
            return new CanarySplit(1, weightPercent, 1, 1);
        }
        int c = (int) ((long) total * weightPercent * 2 + 100) / 200; // round half up of total*w/100
        c = Math.max(1, Math.min(total - 1, c));
        return new CanarySplit(total, weightPercent, c, total - c);
    }

    /** @return the weight the canary really gets, in percent: canary / (canary + stable) × 100 */
    public double realPercent() {
        return 100.0 * canary / (canary + stable);
    }

    /** @return e.g. {@code "1 canary + 2 stable pods: real weight 33.3% (requested 10%)"} */
    public String describe() {
        return canary + " canary + " + stable + " stable pod" + (stable == 1 ? "" : "s") + ": real weight "
                + String.format(java.util.Locale.ROOT, "%.1f%%", realPercent()) + " (requested " + requestedPercent + "%)";
    }
}

package dev.slipway.deploy.kubernetes;

/**
 * How a canary weight becomes a pod count when the only traffic split is the Service's round
 * robin over ready pods: the canary's real weight is {@code canary / (canary + stable)}, which is
 * rarely the weight asked for (argo-rollouts#2281). Every report states both.
 *
 * <p>Surge: the stable Deployment never shrinks during a canary (a canary must not drop
 * capacity); the canary's pods are added beside its {@code stable} pods. For a weight {@code w}
 * the canary gets {@code round(stable × w / (100 − w))} pods (half up), at least 1 and at most
 * {@code stable} (so at most 50 % real weight: the canary at most doubles the pods); weight 0
 * gives 0 canary pods. Examples: 10 pods at 10 % give 1 + 10 (9.1 %); 3 pods at 10 % give 1 + 3
 * (25 %); 3 pods at 50 % give 3 + 3 (50 %); 10 pods at 25 % give 3 + 10 (23.1 %).
 *
 * @param stable           the stable pods, which stay as they are
 * @param requestedPercent the weight asked for, 0-100
 * @param canary           canary pods
 */
public record CanarySplit(int stable, int requestedPercent, int canary) {

    /**
     * @param stable        the stable pods, at least 1
     * @param weightPercent the requested weight, 0-100
     * @return the split
     * @throws IllegalArgumentException for a weight outside 0-100 or fewer than 1 stable pod
     */
    public static CanarySplit surge(int stable, int weightPercent) {
        if (weightPercent < 0 || weightPercent > 100) {
            throw new IllegalArgumentException("a canary weight is 0-100 percent, not " + weightPercent);
        }
        if (stable < 1) {
            throw new IllegalArgumentException("the stable Deployment has no pods to add a canary to");
        }
        if (weightPercent == 0) {
            return new CanarySplit(stable, 0, 0);
        }
        if (weightPercent == 100) {
            return new CanarySplit(stable, 100, stable);
        }
        long c = ((long) stable * weightPercent * 2 + (100 - weightPercent)) / (2L * (100 - weightPercent)); // half up
        return new CanarySplit(stable, weightPercent, (int) Math.max(1, Math.min(stable, c)));
    }

    /** @return the weight the canary really gets, in percent: canary / (canary + stable) × 100 */
    public double realPercent() {
        return 100.0 * canary / (canary + stable);
    }

    /** @return e.g. {@code "1 canary pod beside 3 stable: real weight 25.0% (requested 10%)"} */
    public String describe() {
        return canary + " canary pod" + (canary == 1 ? "" : "s") + " beside " + stable + " stable: real weight "
                + String.format(java.util.Locale.ROOT, "%.1f%%", realPercent()) + " (requested " + requestedPercent + "%)";
    }
}

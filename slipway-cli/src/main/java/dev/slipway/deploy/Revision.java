package dev.slipway.deploy;

import java.time.Instant;

/**
 * One revision of a target, the same columns on every target: a numbered deploy, rollback,
 * canary step or promotion of a release, as {@code slipway history} prints it.
 *
 * @param revision the revision number, from 1 (per target; on hosts per host, on Kubernetes the
 *                 Deployment's {@code deployment.kubernetes.io/revision})
 * @param version  the release version
 * @param commit   its commit, or {@code ""}
 * @param time     when it was recorded (UTC)
 * @param outcome  what happened, one of {@link History#OUTCOMES}: {@code deployed}, {@code rolled-back},
 *                 {@code failed}, {@code interrupted}, {@code rollback}, {@code skipped}, {@code canary},
 *                 {@code promoted}, {@code canary-aborted}, {@code current}
 * @param who      {@code user@machine} that ran it, or {@code ""} when unknown
 * @param where    the host or instance it applies to, or {@code ""} for the whole target
 * @param note     free text, e.g. why it went back
 * @see History the file format and the outcomes
 */
public record Revision(int revision, String version, String commit, Instant time, String outcome, String who,
                       String where, String note) {
    /**
     * @return whether this revision left its version serving, so that a rollback may return to it:
     *         {@code deployed}, {@code rollback}, {@code promoted}, {@code current}, and
     *         {@code canary-aborted} back to a stable version (not {@code -})
     */
    public boolean serving() {
        return switch (outcome) {
            case History.DEPLOYED, History.ROLLBACK, History.PROMOTED, History.CURRENT -> true;
            case History.CANARY_ABORTED -> !version.equals("-");
            default -> false;
        };
    }
}

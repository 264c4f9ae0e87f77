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
 * @param outcome  what happened: {@code deployed}, {@code rolled-back}, {@code failed},
 *                 {@code interrupted}, {@code rollback}, {@code canary}, {@code promoted}, {@code canary-aborted}
 * @param who      {@code user@machine} that ran it, or {@code ""} when unknown
 * @param where    the host or instance it applies to, or {@code ""} for the whole target
 * @param note     free text, e.g. why it went back
 */
public record Revision(int revision, String version, String commit, Instant time, String outcome, String who,
                       String where, String note) {}

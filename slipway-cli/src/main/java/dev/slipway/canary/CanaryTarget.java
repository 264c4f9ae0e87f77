package dev.slipway.canary;

import dev.slipway.deploy.Release;
import java.util.List;

/**
 * Where a canary runs: the hosts target (instances behind nginx), the local target (loopback
 * processes behind a local nginx), or Kubernetes. {@link CanaryRun} drives it through the steps;
 * the target only changes instances and the traffic split. Every method is idempotent, because
 * a rerun after a crash repeats the step that was interrupted.
 */
public interface CanaryTarget {

    /** @return the target's name, e.g. {@code local}; names the state directory {@code .slipway/<name>/} */
    String name();

    /** @return the version the stable instances run, or {@code null} when nothing was deployed yet */
    String stableVersion();

    /**
     * Deploys {@code release} to the stable instances directly (the first release of a service, with
     * no stable version to compare a canary with), gated on readiness, and routes all traffic to them.
     *
     * @param release the release
     * @throws dev.slipway.SlipwayException (exit 1) when an instance does not become ready
     */
    void deployStable(Release release);

    /**
     * Starts the canary instances with {@code release} and {@code TRACK=canary}, gated on readiness,
     * with weight 0 (no traffic yet). The stable instances are not touched.
     *
     * @param release the canary release
     * @throws dev.slipway.SlipwayException (exit 1) when a canary instance does not become ready
     */
    void deployCanary(Release release);

    /**
     * Sends {@code percent} % of requests to the canary instances, the rest to stable, and returns
     * once the split is in effect. On local and hosts the weight is exact (nginx upstream weights);
     * on Kubernetes it is a pod ratio, and the target says the real weight.
     *
     * @param percent 0-100
     * @throws CanaryNotReady when the canary's instances did not become ready at that weight (the
     *                        run aborts the canary)
     */
    void setWeight(int percent);

    /**
     * The canary's instances did not become ready when its weight was applied (Kubernetes starts
     * the canary's pods with its first step): the canary failed and is aborted. Exit 1.
     */
    final class CanaryNotReady extends dev.slipway.SlipwayException {
        /** @param message what did not become ready, and why */
        public CanaryNotReady(String message) {
            super(dev.slipway.SlipwayException.FAILED, message);
        }
    }

    /**
     * Where the canary's state is kept.
     *
     * @param stateFile the state file on the deploy machine ({@code .slipway/<target>/canary.json})
     * @return by default the state file itself; Kubernetes keeps it on the canary Deployment
     */
    default CanaryStore store(java.nio.file.Path stateFile) {
        return CanaryStore.file(stateFile);
    }

    /**
     * Promotes: the stable instances get {@code release} one at a time (each taken out of the
     * proxy, restarted with {@code TRACK=stable}, gated, put back), then the canary instances
     * leave the pool and traffic is all stable.
     *
     * @param release the canary's release
     * @throws dev.slipway.SlipwayException (exit 1) when a stable instance does not become ready
     *                                      with the new release; it is restarted with the old one
     */
    void promote(Release release);

    /**
     * Aborts and converges: weight 0 (at once when the stable instances are fine), the canary
     * instances stopped or back on the stable release, and every stable instance running
     * {@code stableVersion}, ready and in the proxy's pool — also after a crash in the middle of a
     * promotion, which may have left a stable instance stopped, drained or on the canary's release.
     * Idempotent. No steps, no analysis. After a finished promotion (a failed bake, see
     * {@code canary.bake}) this undoes the release: the stable instances go back to
     * {@code stableVersion}.
     *
     * @param stableVersion the stable release recorded when the canary started, or {@code null}
     *                      to use the target's own record
     * @throws dev.slipway.SlipwayException (exit 1) when an instance cannot be brought back
     */
    void abort(String stableVersion);

    /**
     * Checks that nothing of a canary is left: every stable instance runs {@code stableVersion},
     * is ready and in the pool, no canary instance takes traffic. {@link CanaryRun} checks it after
     * every abort and before a new canary starts after an aborted one.
     *
     * @param stableVersion the stable release, or {@code null} when none is recorded
     * @return what is wrong, one line each; empty when the target converged
     */
    default List<String> problems(String stableVersion) {
        return List.of();
    }

    /**
     * {@code slipway status} with a canary on this target: the one path of every target
     * ({@link CanaryTargets#status}). It reads files and probes this machine's processes only: status
     * reaches nothing beyond what the deploy target's own status does. By default {@code plain} with
     * {@code stateLines} after its lines (kubernetes and swarm show their canary in the deploy
     * target's status, read from the cluster, and keep no state file).
     *
     * @param plain      the deploy target's report
     * @param stateLines the canary's lines from its state file ({@code CanaryTargets.stateLines}), not empty
     * @return the report to print
     */
    default dev.slipway.deploy.Report status(dev.slipway.deploy.Report plain, List<String> stateLines) {
        return plain.withLines(stateLines);
    }

    /** @return one line per instance for {@code slipway status}: address, track, version, running */
    List<String> describe();

    /**
     * Gives the target a check to run between the instances of a long operation (a promotion):
     * it throws when another process aborted the canary meanwhile. By default unused.
     *
     * @param check throws an unchecked exception when the canary must stop
     */
    default void checkpoints(Runnable check) {}

    /**
     * Checks, before a canary is resumed or promoted, that the target can still deploy
     * {@code version} (the hosts target deploys the last build, which may have changed since).
     *
     * @param version the canary's release
     * @throws dev.slipway.SlipwayException (exit 2) when it cannot; nothing was changed
     */
    default void checkResumable(String version) {}
}

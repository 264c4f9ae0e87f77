package dev.slipway.deploy;

import java.util.List;

/**
 * A place a service is deployed to: {@code local}, {@code hosts}, {@code kubernetes}, and later
 * ones, each one folder under {@code deploy/}. Every command that acts on a target opens it with
 * {@link Targets#open} and makes one call; plans are values ({@link DeployPlan})
 * that {@code --dry-run} prints and {@link #apply} runs, so the same guarantees (lock, gate,
 * history, rollback on failure) hold on every target.
 */
public interface Target extends AutoCloseable {

    /** @return the target's name, e.g. {@code hosts} */
    String name();

    /**
     * Plans a deploy of the last build. Reads the target (facts), changes nothing.
     *
     * @param request what to deploy and how
     * @return the plan
     * @throws dev.slipway.SlipwayException (exit 2) when the build does not fit the target (no file
     *                                      for a host's platform, no image digest, ...); nothing changed
     */
    DeployPlan plan(DeployRequest request);

    /**
     * Whether this target runs the release's OCI image, which its nodes pull from a registry
     * ({@code swarm}, {@code kubernetes}), rather than the single file ({@code local}, {@code hosts}).
     * {@code slipway ship} then builds the image and pushes it after the build, since a build starts
     * a new {@code dist/artifacts.json} with no image in it.
     *
     * @return {@code true} for a target that deploys an image by digest; by default {@code false}
     */
    default boolean runsImage() {
        return false;
    }

    /**
     * The image the configuration pins for a target that {@link #runsImage() runs an image}
     * ({@code deploy.swarm.image}, {@code deploy.kubernetes.image}), which a deploy takes over the
     * one {@code slipway image --push} recorded.
     *
     * @return the reference, or empty when none is set (and by default)
     */
    default java.util.Optional<String> configuredImage() {
        return java.util.Optional.empty();
    }

    /**
     * Plans a rollback to a retained release. Changes nothing.
     *
     * @param to which release: a version, a revision, or the previous one
     * @return the plan
     * @throws dev.slipway.SlipwayException (exit 2) when that release is not retained or is current
     *                                      (every target refuses such input the same way); nothing changed
     */
    DeployPlan rollback(RollbackTo to);

    /**
     * Plans a start of the current release where it does not run ({@code slipway start}); an empty
     * run (lock, unlock) when it runs. Reads the target, changes nothing.
     *
     * @return the plan, action {@link DeployPlan.Action#START}; its run refuses a held lock at once
     * @throws dev.slipway.SlipwayException as {@link #planStart(java.time.Duration)}
     */
    default DeployPlan planStart() {
        return planStart(java.time.Duration.ZERO);
    }

    /**
     * Plans a start as {@link #planStart()}, whose run waits for another run's lock.
     *
     * @param lockWait how long the run waits for another run's lock ({@code --lock-wait}; zero: refuse at once)
     * @return the plan, action {@link DeployPlan.Action#START}
     * @throws dev.slipway.SlipwayException (exit 2) when nothing is deployed, the current release is
     *                                      incomplete or its port is taken; by default, on a target
     *                                      without {@code start} ({@link Targets#STARTS}); nothing changed
     */
    default DeployPlan planStart(java.time.Duration lockWait) {
        throw dev.slipway.SlipwayException.usage(Targets.onlyStarts("start"));
    }

    /**
     * Plans a stop (drain) of every instance of the service that runs ({@code slipway stop}): one
     * {@link DeployPlan.Kind#STOP} step each, none when nothing runs. Reads the target, changes nothing.
     *
     * @return the plan, action {@link DeployPlan.Action#STOP}; its run refuses a held lock at once
     * @throws dev.slipway.SlipwayException as {@link #planStop(java.time.Duration)}
     */
    default DeployPlan planStop() {
        return planStop(java.time.Duration.ZERO);
    }

    /**
     * Plans a stop as {@link #planStop()}, whose run waits for another run's lock.
     *
     * @param lockWait how long the run waits for another run's lock ({@code --lock-wait}; zero: refuse at once)
     * @return the plan, action {@link DeployPlan.Action#STOP}
     * @throws dev.slipway.SlipwayException (exit 2) by default, on a target without {@code stop}
     *                                      ({@link Targets#STARTS}); nothing changed
     */
    default DeployPlan planStop(java.time.Duration lockWait) {
        throw dev.slipway.SlipwayException.usage(Targets.onlyStarts("stop"));
    }

    /**
     * Runs a plan this target made.
     *
     * @param plan the plan
     * @return what happened
     * @throws dev.slipway.SlipwayException (exit 1) when a step failed; the target went back to the
     *                                      release it served before, and the history says so
     */
    Report apply(DeployPlan plan);

    /**
     * What runs now, one value for {@code slipway status}; reads the target, changes nothing. The
     * exit code means the same on every target, so that scripts can rely on it: 0 when a release
     * serves (and, where the target can tell, is ready), 1 when nothing is deployed, nothing runs
     * or it is not ready.
     *
     * @return the report: {@code version} and {@code revision} of what serves, {@code outcome} how
     */
    Report status();

    /** @return the revisions, oldest first */
    List<Revision> history();

    /**
     * @return what the last {@link #history()} could not read, one line per place (on {@code hosts}:
     *         {@code web2: unreachable: <cause>}); empty when it read everything. The default is empty.
     */
    default List<String> historyProblems() {
        return List.of();
    }

    /**
     * What a deploy can tell before its release exists, so that {@code slipway ship} fails before
     * minutes of building rather than after (a taken port on {@code local}, a canary in progress on
     * {@code hosts}); {@link #plan} checks again. The default checks nothing.
     *
     * @throws dev.slipway.SlipwayException (exit 2) when a deploy could not go ahead; nothing changed
     */
    default void preflight() {}

    /**
     * The text {@code --dry-run} prints for a plan this target made: by default
     * {@link DeployPlan#describe()}; a target may add what the steps act on (Kubernetes: the manifests).
     *
     * @param plan the plan
     * @return the text, ending with a line break
     */
    default String describe(DeployPlan plan) {
        return plan.describe();
    }

    /**
     * A plan made from the configuration alone, for a {@code --dry-run} whose target could not be
     * read, and the one line that says why.
     *
     * @param plan  the plan: what the configuration says will be applied, without what the target holds
     * @param cause why the target could not be read, one line, for the exit 1 that follows the plan
     */
    record UnreadPlan(DeployPlan plan, String cause) {}

    /**
     * The plan of a deploy from the configuration alone, when {@link #plan} failed because the
     * target could not be reached (no cluster, no engine answered): a dry run prints it, then
     * fails with its cause. The default has none.
     *
     * @param request what to deploy and how
     * @param why     how {@link #plan} failed
     * @return the plan and the cause, or empty when {@code why} is not that the target could not be
     *         reached, or this target cannot plan without reading itself
     * @throws dev.slipway.SlipwayException (exit 2) when the configuration or the build does not fit the target
     */
    default java.util.Optional<UnreadPlan> planUnread(DeployRequest request, dev.slipway.SlipwayException why) {
        return java.util.Optional.empty();
    }

    /** Closes connections (SSH, API clients); the default has none. */
    @Override
    default void close() {}

    /**
     * What a deploy takes besides the configuration.
     *
     * @param image    the image reference to deploy ({@code NAME@sha256:...}) for image targets, or
     *                 {@code null} for the recorded one
     * @param lockWait how long to wait for another deploy's lock (zero: fail at once)
     * @param rollbackOnFailure whether a failed rollout goes back (Kubernetes {@code --no-rollback} clears it)
     * @param adopt    whether a target may take over objects another tool manages (Kubernetes {@code --adopt})
     */
    record DeployRequest(String image, java.time.Duration lockWait, boolean rollbackOnFailure, boolean adopt) {
        /**
         * A request that adopts nothing.
         *
         * @param image             the image reference, or {@code null}
         * @param lockWait          how long to wait for another deploy's lock
         * @param rollbackOnFailure whether a failed rollout goes back
         */
        public DeployRequest(String image, java.time.Duration lockWait, boolean rollbackOnFailure) {
            this(image, lockWait, rollbackOnFailure, false);
        }
    }

    /**
     * Which release a rollback returns to: {@code version}, else {@code revision}, else the release
     * served before the current one.
     *
     * @param version  a retained release version, or {@code null}
     * @param revision a revision number of the target's history, or {@code null}
     * @param lockWait how long to wait for another deploy's lock
     */
    record RollbackTo(String version, Integer revision, java.time.Duration lockWait) {}
}

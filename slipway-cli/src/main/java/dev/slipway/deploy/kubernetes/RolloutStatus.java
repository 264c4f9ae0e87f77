package dev.slipway.deploy.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/**
 * One reading of a Deployment's rollout, with the rules of {@code kubectl rollout status}
 * (kubectl's DeploymentStatusViewer): the controller must have observed the current generation;
 * then the Progressing condition with reason {@code ProgressDeadlineExceeded} fails it; then all
 * desired replicas must be updated, no old replica may remain, and every updated replica must be
 * available.
 *
 * @param state   the verdict
 * @param message what kubectl would print
 * @param progress a fingerprint of the counters; a change means the rollout made progress
 */
public record RolloutStatus(State state, String message, String progress) {

    /** The verdict of one reading. */
    public enum State {
        /** Still rolling out. */
        WAITING,
        /** Every replica is updated and available. */
        DONE,
        /** The controller reported {@code ProgressDeadlineExceeded}. */
        DEADLINE_EXCEEDED,
        /**
         * A failure no wait mends, reported before the deadline: the ReplicaSet cannot create pods
         * ({@code ReplicaFailure}), or a new pod cannot start its container
         * ({@code CreateContainerConfigError}, {@code InvalidImageName}, an image pull failing
         * beyond its grace).
         */
        FAILED
    }

    /**
     * @param d the Deployment as read from the API server
     * @return the reading
     */
    public static RolloutStatus of(Deployment d) {
        String name = d.getMetadata().getName();
        DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int updated = n(s.getUpdatedReplicas());
        int replicas = n(s.getReplicas());
        int available = n(s.getAvailableReplicas());
        String progress = observed + "/" + updated + "/" + replicas + "/" + available + "/" + n(s.getReadyReplicas());
        if (generation > observed) {
            return new RolloutStatus(State.WAITING, "waiting for the deployment spec update to be observed", progress);
        }
        for (DeploymentCondition c : s.getConditions() == null ? java.util.List.<DeploymentCondition>of() : s.getConditions()) {
            if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                return new RolloutStatus(State.DEADLINE_EXCEEDED, "deployment \"" + name
                        + "\" exceeded its progress deadline", progress);
            }
        }
        if (updated < desired) {
            return new RolloutStatus(State.WAITING, updated + " out of " + desired
                    + " new replicas have been updated", progress);
        }
        if (replicas > updated) {
            return new RolloutStatus(State.WAITING, (replicas - updated) + " old replicas are pending termination",
                    progress);
        }
        if (available < updated) {
            return new RolloutStatus(State.WAITING, available + " of " + updated + " updated replicas are available",
                    progress);
        }
        return new RolloutStatus(State.DONE, "deployment \"" + name + "\" successfully rolled out", progress);
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}

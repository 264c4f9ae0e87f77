package dev.slipway.deploy;

import java.util.List;
import java.util.Locale;

/**
 * What a deploy, rollback, start or stop on a target will do, as a plain value: made by
 * {@link Target#plan} or {@link Target#rollback} from the configuration, the artifacts and the
 * facts found on the target only (so it is tested without hosts or clusters), printed by
 * {@code --dry-run} through {@link #describe()}, and run step by step by the target's executor
 * ({@link Target#apply}). Kamal's {@code commands/} and this project's hosts plan are the model.
 *
 * @param target  the target's name ({@code local}, {@code hosts}, {@code kubernetes}, ...)
 * @param action  what the plan does
 * @param service the service name
 * @param version the release the target ends on
 * @param commit  that release's commit, or {@code ""}
 * @param facts   what was found on the target before planning, one line each (printed above the steps)
 * @param steps   the steps, in execution order
 * @param detail  the target's own plan value (for example the per-host plans), read only by the
 *                target that made it; {@code null} when it has none
 * @param back    the going-back steps ({@link Kind#BACK}, one per place), outside the order of
 *                {@code steps}: the executor runs them, in this order, only after a step failed once
 *                the target began to change what serves ({@link Executor.StepFailed}); each puts back
 *                on its place what the run changed there, or nothing where it changed nothing
 */
public record DeployPlan(String target, Action action, String service, String version, String commit,
                         List<String> facts, List<Step> steps, Object detail, List<Step> back) {

    /** Copies the lists, so the value stays immutable. */
    public DeployPlan {
        facts = List.copyOf(facts);
        steps = List.copyOf(steps);
        back = List.copyOf(back);
    }

    /** A plan with nothing to go back to on a failure (a stop, a start that changes nothing served, a rollout a controller runs). */
    public DeployPlan(String target, Action action, String service, String version, String commit,
                      List<String> facts, List<Step> steps, Object detail) {
        this(target, action, service, version, commit, facts, steps, detail, List.of());
    }

    /**
     * @param facts  the facts
     * @param steps  the steps
     * @param detail the target's own plan value
     * @return this plan with other facts, steps and detail, and the same going-back steps
     */
    public DeployPlan with(List<String> facts, List<Step> steps, Object detail) {
        return new DeployPlan(target, action, service, version, commit, facts, steps, detail, back);
    }

    /** What a plan does. */
    public enum Action {
        /** Roll the last build out. */
        DEPLOY,
        /** Return to a retained release (a new revision). */
        ROLLBACK,
        /** Start the current release where it does not run. */
        START,
        /** Stop the service, draining it. */
        STOP;

        /** @return the lower-case verb, e.g. {@code deploy} */
        public String verb() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The closed set of step kinds every target's plan is made of; {@code SLIPWAY_CRASH_AT} names
     * them by {@link #id()} (a test hook that halts the process just before that step, as kill -9 would).
     */
    public enum Kind {
        /** Take the target's deploy lock. */
        LOCK,
        /** Put the release's file where the target runs it ({@code releases/<version>/}), sha256 verified. */
        UPLOAD,
        /** Write the release's environment file (mode 0600). */
        ENV,
        /** Install the service unit (systemd) or its local equivalent. */
        UNIT,
        /** Make the release's first run ahead, while the old release still serves. */
        PREPARE,
        /** Point {@code current} at the release (new link, then rename(2)). */
        SWITCH,
        /** Start the release beside the one serving. */
        START,
        /** Restart the service with the release {@code current} names. */
        RESTART,
        /** Wait for readiness. */
        GATE,
        /** Point the proxy in front of the service (nginx's upstream) at other instances, then reload it. */
        PROXY,
        /** Stop (drain) an instance. */
        STOP,
        /** Wait between two batches. */
        DELAY,
        /** Apply manifests or a service spec (Kubernetes, a container engine). */
        APPLY,
        /** Wait for a rollout to converge (Kubernetes, a container engine). */
        ROLLOUT,
        /** Append the revision to the history. */
        RECORD,
        /** Remove releases beyond retention (never current or previous). */
        PRUNE,
        /** Release the deploy lock. */
        UNLOCK,
        /**
         * Go back on one place after a failed step ({@link DeployPlan#back()}; never in the plan's
         * order): put the release served before back where this run changed what serves.
         */
        BACK;

        /** @return the lower-case id used by {@code SLIPWAY_CRASH_AT} and {@code --json}, e.g. {@code gate} */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One step.
     *
     * @param kind        what it does
     * @param where       the host, instance or object it acts on, or {@code null} for the target as a whole
     * @param batch       the rollout batch, from 1, or 0 outside the rollout phase
     * @param description one line for {@code --dry-run}
     */
    public record Step(Kind kind, String where, int batch, String description) {}

    /**
     * @param kind a step kind
     * @return whether a step of that kind is in the plan (a stop plan without {@link Kind#STOP}: nothing runs)
     */
    public boolean has(Kind kind) {
        return steps.stream().anyMatch(s -> s.kind() == kind);
    }

    /** @return the steps as {@code kind where: description}, the form of {@link Report#steps()} */
    public List<String> stepLines() {
        return steps.stream().map(s -> s.kind().id() + (s.where() == null ? "" : " " + s.where()) + ": " + s.description())
                .toList();
    }

    /** @return the plan as text: a title line, the facts indented, the numbered steps, then the going-back steps */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(action.verb()).append(' ').append(service).append(' ').append(version).append(" to ").append(target)
                .append('\n');
        facts.forEach(f -> sb.append("  ").append(f).append('\n'));
        describeSteps(sb, steps, back);
        return sb.toString();
    }

    /**
     * Appends the numbered steps, then, when there are any, the going-back steps under a line of
     * their own (the form of every target's {@code --dry-run}).
     *
     * @param sb    where to append
     * @param steps the steps in execution order
     * @param back  the going-back steps ({@link #back()})
     */
    public static void describeSteps(StringBuilder sb, List<Step> steps, List<Step> back) {
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("%3d. %s%n", i + 1, steps.get(i).description()));
        }
        if (!back.isEmpty()) {
            sb.append("  if a step fails once what serves began to change, go back:\n");
            back.forEach(b -> sb.append("     - ").append(b.description()).append('\n'));
        }
    }
}

package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.Targets;

/**
 * Base of {@code slipway start} and {@code stop}: they open the target, ask it for a plan
 * ({@link Target#planStart}, {@link Target#planStop}) and print it ({@code --dry-run}) or apply it,
 * with the same options as {@code deploy} and {@code rollback} ({@code --dry-run},
 * {@code --lock-wait}, {@code --json}).
 */
abstract class LifecycleCommand extends ChangeCommand {
    @Override
    final void run(Context c) {
        java.time.Duration lockWait = change.lockWait(); // a typo is exit 2 before anything is opened
        try (Target t = openLifecycle(c)) {
            planOrApply(c, t, plan(t, lockWait));
        }
    }

    /**
     * @param t        the opened target
     * @param lockWait {@code --lock-wait}
     * @return the command's plan ({@link Target#planStart} or {@link Target#planStop})
     */
    abstract DeployPlan plan(Target t, java.time.Duration lockWait);

    /**
     * Opens the target, refusing first (without connecting to anything) a target that has no
     * {@code start} or {@code stop} ({@link Targets#STARTS}).
     *
     * @param c the command's context
     * @return the target; close it
     * @throws SlipwayException (exit 2) for an unknown target, one without {@code start} and
     *                          {@code stop}, or {@code --role} on one other than hosts
     */
    Target openLifecycle(Context c) {
        Targets.requireKnown(targetName());
        if (!Targets.STARTS.contains(targetName())) {
            throw SlipwayException.usage(Targets.onlyStarts(spec.name()));
        }
        return open(c);
    }
}

package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.Targets;
import picocli.CommandLine.Option;

/**
 * Base of {@code slipway start} and {@code stop}: they open the target, ask it for a plan
 * ({@link Target#planStart}, {@link Target#planStop}), and print it ({@code --dry-run}) or apply it
 * as {@code deploy} and {@code rollback} do.
 */
abstract class LifecycleCommand extends TargetCommand {
    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

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

    /**
     * With {@code --dry-run}: prints the plan and "dry run: nothing was changed".
     *
     * @param c    the command's context
     * @param t    the target that made the plan
     * @param plan the plan
     * @return whether it printed (the command then changes nothing)
     */
    boolean dryRun(Context c, Target t, DeployPlan plan) {
        if (dryRun) {
            printPlan(c, t, plan);
        }
        return dryRun;
    }
}

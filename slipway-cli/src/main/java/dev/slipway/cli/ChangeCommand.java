package dev.slipway.cli;

import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Mixin;

/**
 * A command that changes a target ({@code deploy}, {@code rollback}, {@code ship}): besides
 * {@code --json}, the {@link ChangeOptions} ({@code --dry-run}, {@code --lock-wait}), and one way
 * to end: print the plan, or apply it and print what happened.
 */
abstract class ChangeCommand extends ReportCommand {
    @Mixin
    ChangeOptions change;

    /**
     * Prints the plan ({@code --dry-run}) or applies it and prints the report.
     *
     * @param c    the command's context
     * @param t    the target that made the plan
     * @param plan the plan
     * @throws dev.slipway.SlipwayException when applying it failed (after printing its report)
     */
    void planOrApply(Context c, Target t, DeployPlan plan) {
        if (change.dryRun) {
            printPlan(c, t, plan);
            return;
        }
        print(t.apply(plan));
    }
}

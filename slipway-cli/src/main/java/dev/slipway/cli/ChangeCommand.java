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
     * Opens the target; unless {@code --dry-run}, a hosts plan's look takes the locks for the run
     * that applies it ({@link dev.slipway.deploy.Targets.Options#lockAhead()}).
     */
    @Override
    Target open(Context c) {
        return dev.slipway.deploy.Targets.open(targetName(), c.config(), c.console(),
                new dev.slipway.deploy.Targets.Options(target.roles, !change.dryRun));
    }

    /**
     * Refuses a service with no port ({@code readiness.type: process}) on a target that
     * {@link Target#runsImage() runs the image}, before anything else is looked for (the image, the
     * engine, the cluster): what it would find cannot run there anyway.
     *
     * @param c       the command's context
     * @param t       the opened target
     * @param nothing what was left undone, closing the message ({@code nothing was changed})
     * @throws dev.slipway.config.ConfigException (exit 2) at {@code service.readiness.type}
     */
    static void refuseWithoutPort(Context c, Target t, String nothing) {
        if (t.runsImage()) {
            dev.slipway.config.SlipwayConfig.Probe.refuseWithoutPort(c.config(),
                    dev.slipway.config.SlipwayConfig.Probe.noPortRefusal(t.name()) + "; " + nothing);
        }
    }

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
        apply(c, t, plan);
    }

    /**
     * Plans a deploy. For {@code --dry-run} on a target that could not be reached (no cluster, no
     * engine), prints the plan the configuration alone gives ({@link Target#planUnread}) and then
     * fails with the one-line cause (exit 1).
     *
     * @param c       the command's context
     * @param t       the target
     * @param request what to deploy
     * @return the plan
     * @throws dev.slipway.SlipwayException as {@link Target#plan}; exit 1 after printing an unread plan
     */
    DeployPlan plan(Context c, Target t, Target.DeployRequest request) {
        try {
            return t.plan(request);
        } catch (dev.slipway.SlipwayException e) {
            if (!change.dryRun) {
                throw e;
            }
            Target.UnreadPlan unread = t.planUnread(request, e).orElseThrow(() -> e);
            DeployPlan plan = unread.plan();
            if (json()) {
                dev.slipway.deploy.Report planned = Reports.planned(plan);
                print(new dev.slipway.deploy.Report(planned.target(), planned.action(), planned.service(), planned.version(), 0,
                        "failed", dev.slipway.SlipwayException.FAILED, null, planned.steps(), java.util.Map.of(),
                        planned.lines(), unread.cause()));
            } else {
                c.console().out().print(t.describe(plan));
                c.console().println("dry run: nothing was changed");
            }
            throw dev.slipway.SlipwayException.failed(unread.cause(), e);
        }
    }

    /**
     * Applies a plan and prints the report. When the run fails, the note on a {@code +fingerprint}
     * release it installed ({@link Reports#versionNote}) goes to stderr before the error: that run
     * recorded it, and the report that would carry the note is not printed.
     *
     * @param c    the command's context
     * @param t    the target that made the plan
     * @param plan the plan
     * @throws dev.slipway.SlipwayException when applying it failed
     */
    void apply(Context c, Target t, DeployPlan plan) {
        dev.slipway.deploy.Report report;
        try {
            report = t.apply(plan);
        } catch (dev.slipway.SlipwayException e) {
            Reports.versionNote(plan.target(), plan.stepLines()).ifPresent(c.console()::progress);
            throw e;
        }
        print(report);
    }
}

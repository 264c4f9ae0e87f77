package dev.slipway.cli;

import dev.slipway.canary.CanaryRun;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway deploy}: rolls the last build out to a target, or with {@code --canary},
 * {@code --promote} or {@code --abort} hands the one call to the canary driver ({@link CanaryCommands#run}).
 */
@Command(name = "deploy", footerHeading = "%nExample:%n", footer = {"  slipway deploy examples/myapp --dry-run",
        "  slipway deploy examples/myapp --to kubernetes --json > deploy.json"},
        description = "Deploy the last build to a target, gated on readiness; roll back on failure.")
public final class DeployCommand extends ChangeCommand {
    @Option(names = "--no-rollback", description = "kubernetes: leave a rollout that missed its progress deadline as it is.")
    boolean noRollback;

    @Option(names = "--adopt", description = "kubernetes: take over objects of the same name that another tool manages"
            + " (app.kubernetes.io/managed-by not slipway); without it they are refused (exit 2).")
    boolean adopt;

    @Option(names = "--image", paramLabel = "NAME@sha256:DIGEST",
            description = "kubernetes: the image to deploy (default: deploy.kubernetes.image, then dist/artifacts.json).")
    String image;

    @picocli.CommandLine.ArgGroup(exclusive = true)
    CanaryAction canary;

    /**
     * The canary actions of {@code slipway deploy}, at most one: the same as {@code slipway canary},
     * {@code promote --full} and {@code abort} with the same {@code --to}.
     */
    static final class CanaryAction {
        @Option(names = "--canary", description = "Release as a canary through canary.steps, with analysis, as"
                + " 'slipway canary'; exit 0 promoted, 1 aborted, 3 paused.")
        boolean canary;

        @Option(names = "--promote", description = "Promote the running canary now, as 'slipway promote --full'.")
        boolean promote;

        @Option(names = "--abort", description = "Abort the running canary (weight 0 at once), as 'slipway abort'.")
        boolean abort;

        CanaryRun.Action action() {
            return canary ? CanaryRun.Action.CANARY : promote ? CanaryRun.Action.PROMOTE_FULL : CanaryRun.Action.ABORT;
        }
    }

    @Override
    void run(Context c) {
        var request = new Target.DeployRequest(image, change.lockWait(), !noRollback, adopt);
        if (canary != null) {
            int code = CanaryCommands.run(targetName(), c.config(), SlipwayCli.console(spec), new CanaryCommands.Request(
                    canary.action(), false, image, change.dryRun, json(), true));
            if (code != 0) { // with --json: the canary's report is on stdout, and is the one report
                reported();
                throw new dev.slipway.SlipwayException(code, "the canary was not promoted (exit " + code
                        + "; the report says why)");
            }
            return;
        }
        try (Target t = open(c)) {
            refuseWithoutPort(c, t, "nothing was changed");
            planOrApply(c, t, plan(c, t, request));
        }
    }
}

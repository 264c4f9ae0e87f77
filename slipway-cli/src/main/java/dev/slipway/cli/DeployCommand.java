package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway deploy}: rolls the last build out to a target ({@code local}, {@code hosts} or {@code kubernetes}). */
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

    /** The canary actions of {@code slipway deploy --to kubernetes}; at most one. */
    static final class CanaryAction {
        @Option(names = "--canary", description = "kubernetes: release as a canary through canary.steps, with analysis;"
                + " exit 0 promoted, 1 aborted, 3 paused.")
        boolean canary;

        @Option(names = "--promote", description = "kubernetes: promote the running canary now.")
        boolean promote;

        @Option(names = "--abort", description = "kubernetes: abort the running canary (scaled to 0 at once).")
        boolean abort;

        String action() {
            return canary ? "canary" : promote ? "promote" : "abort";
        }
    }

    @Override
    void run(Context c) {
        var request = new Target.DeployRequest(image, change.lockWait(), !noRollback, adopt);
        try (Target t = open(c)) {
            if (canary != null) {
                if (!(t instanceof KubernetesTarget k) || change.dryRun) {
                    throw SlipwayException.usage("--canary, --promote and --abort work with --to kubernetes only, without --dry-run");
                }
                CanaryCommands.deployKubernetes(c.config(), c.console(), canary.action(), image, json());
                return;
            }
            planOrApply(c, t, plan(c, t, request));
        }
    }
}

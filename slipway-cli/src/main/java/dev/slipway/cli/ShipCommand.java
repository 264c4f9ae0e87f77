package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.build.Builder;
import dev.slipway.deploy.Target;
import dev.slipway.image.ImageBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slipway ship}: build (for this machine's platform on {@code local}), then deploy. The main job.
 * On a target that runs the image ({@code swarm}, {@code kubernetes}) it also builds the OCI image of
 * that build and pushes it ({@code --push}, else {@code image.repository}) before the deploy, which
 * then runs the image just pushed, pinned by digest.
 */
@Command(name = "ship", footerHeading = "%nExample:%n", footer = {"  slipway ship examples/myapp --version 0.2.0",
        "  slipway ship --to swarm --push 127.0.0.1:5000/acme/myapp"},
        description = "Build, then deploy (default target: local) and print where it serves.")
public final class ShipCommand extends ChangeCommand {
    @Mixin
    BuildCommand.BuildOptions build;

    @Option(names = "--push", paramLabel = "REGISTRY/REPOSITORY",
            description = "On a target that runs the image (swarm, kubernetes): push the image of this build there"
                    + " (default: image.repository in slipway.yaml); its nodes pull it by digest.")
    String push;

    @Override
    boolean builds() {
        return true;
    }

    @Override
    void run(Context c) {
        var request = new Target.DeployRequest(null, change.lockWait(), true);
        try (Target t = open(c)) {
            t.preflight(); // a taken port or a running canary fails now, not after the build
            String pushTo = imagePushTarget(c, t);
            if (change.dryRun) {
                c.console().progress("dry run: 'slipway ship' would build " + c.config().name() + " first"
                        + (pushTo == null ? "" : ", then build its image and push it to "
                        + (pushTo.isEmpty() ? c.config().image().repository() : pushTo))
                        + "; the plan below is for the last build");
                try {
                    printPlan(c, t, plan(c, t, request));
                } catch (SlipwayException e) {
                    if (e.exitCode() != SlipwayException.USAGE || json()) {
                        throw e;
                    }
                    c.console().println("nothing to plan yet (" + e.getMessage().lines().findFirst().orElse("") + ")");
                    c.console().println("dry run: nothing was built or changed");
                }
                return;
            }
            Builder.build(c.config(), t.name().equals("local") ? build.hostOnly() : build.options(), c.console());
            if (pushTo != null) {
                var image = ImageBuilder.fromDist(c.config(), new ImageBuilder.Options(null, ImageBuilder.OCI_ARCHIVE, pushTo,
                        java.util.List.of(), null), c.console(), System::getenv);
                String pushed = image.pushed() == null ? null : image.pushed().refs().stream()
                        .filter(r -> r.contains("@sha256:")).findFirst().orElse(null);
                request = new Target.DeployRequest(pushed, change.lockWait(), true);
            }
            apply(c, t, t.plan(request));
        }
    }

    /**
     * Where {@code ship} pushes the image of its build, before anything is built: a build writes a new
     * {@code dist/artifacts.json} with no image in it, so on a target that {@link Target#runsImage() runs
     * the image} a ship that did not push would find none to deploy (it said "run 'slipway image'", and
     * the next ship's build dropped that image again).
     *
     * @return {@code --push}'s reference; {@code ""} for {@code image.repository}; {@code null} for no
     *         image step (a target that runs the single file, or an image the configuration pins)
     * @throws SlipwayException (exit 2, nothing built) for {@code --push} on a single-file target, an
     *                          image target with no registry to push to, or a service with no port
     *                          ({@code readiness.type: process}) on an image target
     */
    private String imagePushTarget(Context c, Target t) {
        // Refused here, before a build and a push made for nothing (SwarmSpec and Manifests refuse it too).
        refuseWithoutPort(c, t, "nothing was built or changed");
        if (!t.runsImage()) {
            if (push != null) {
                throw SlipwayException.usage("--push is for a target that runs the image (swarm, kubernetes); --to "
                        + t.name() + " deploys the single file; nothing was built or changed");
            }
            return null;
        }
        if (push != null) {
            return push;
        }
        if (c.config().image().repository() != null) {
            return "";
        }
        if (t.configuredImage().isPresent()) {
            return null;
        }
        throw SlipwayException.usage("'slipway ship --to " + t.name() + "' deploys the image of its build, which the "
                + t.name() + " nodes pull from a registry, and has no registry to push it to: give --push"
                + " REGISTRY/REPOSITORY (e.g. --push 127.0.0.1:5000/acme/" + c.config().name() + "), or set image.repository"
                + " in slipway.yaml; nothing was built or changed");
    }
}

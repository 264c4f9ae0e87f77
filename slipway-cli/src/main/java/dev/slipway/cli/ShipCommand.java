package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.build.Builder;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway ship}: build (for this machine's platform on {@code local}), then deploy. The main job. */
@Command(name = "ship", footerHeading = "%nExample:%n", footer = {"  slipway ship examples/myapp --version 0.2.0"},
        description = "Build, then deploy (default target: local) and print where it serves.")
public final class ShipCommand extends ChangeCommand {
    @Mixin
    BuildCommand.BuildOptions build;

    @Override
    boolean builds() {
        return true;
    }

    @Override
    void run(Context c) {
        var request = new Target.DeployRequest(null, change.lockWait(), true);
        try (Target t = open(c)) {
            t.preflight(); // a taken port or a running canary fails now, not after the build
            if (change.dryRun) {
                c.console().progress("dry run: 'slipway ship' would build " + c.config().name() + " first; the plan below"
                        + " is for the last build");
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
            apply(c, t, t.plan(request));
        }
    }
}

package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.build.Builder;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import dev.slipway.deploy.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway ship}: build for this machine's platform, then deploy (to {@code local} by default). The main job. */
@Command(name = "ship", footerHeading = "%nExample:%n", footer = {"  slipway ship examples/myapp --version 0.2.0"},
        description = "Build, then deploy (default target: local) and print where it serves.")
public final class ShipCommand extends TargetCommand {
    @Mixin
    BuildCommand.BuildOptions build;

    @Override
    void runHosts(HostsContext c) {
        HostsCli.printDeployed(c, HostsCli.outsideCanary(c.config(), "ship", false, () -> {
            Builder.build(c.config(), build.options(), c.console());
            return c.target().deploy(java.time.Duration.ZERO, false);
        }));
    }

    @Override
    void run(Context c) {
        c.target().checkBeforeBuild(); // a taken port fails now, not after the build
        Builder.build(c.config(), build.hostOnly(), c.console());
        printReady(c.console(), c.config(), c.target().deploy(Release.fromDist(c.config()), false));
    }

    static void printReady(Console console, SlipwayConfig config, LocalTarget.Outcome o) {
        console.println(config.name() + " " + o.revision().version() + " (commit "
                + o.revision().commit().substring(0, Math.min(7, o.revision().commit().length())) + ") is ready at "
                + o.url() + " (revision " + o.revision().revision() + ", pid " + o.pid() + ")");
    }
}

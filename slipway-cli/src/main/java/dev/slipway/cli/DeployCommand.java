package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import dev.slipway.deploy.Release;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway deploy}: rolls the last build out to a target (today: {@code local}). */
@Command(name = "deploy", description = "Deploy the last build to a target, gated on readiness; roll back on failure.")
public final class DeployCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    TargetOption target;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        LocalTarget local = target.local(config, SlipwayCli.console(spec));
        LocalTarget.Outcome o = local.deploy(Release.fromDist(config), dryRun);
        if (o != null) {
            ShipCommand.printReady(SlipwayCli.console(spec), config, o);
        }
    }

    /** The {@code --to TARGET} option; only {@code local} exists today. */
    public static final class TargetOption {
        @Option(names = "--to", paramLabel = "TARGET", defaultValue = "local",
                description = "The target: local (default). hosts and kubernetes are planned.")
        String to;

        LocalTarget local(SlipwayConfig config, dev.slipway.Console console) {
            if (!to.equals("local")) {
                throw SlipwayException.usage("unknown target '" + to + "'; available today: local");
            }
            return new LocalTarget(config, console);
        }
    }
}

package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import dev.slipway.deploy.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway deploy}: rolls the last build out to a target (today: {@code local}). */
@Command(name = "deploy", footerHeading = "%nExample:%n", footer = {"  slipway deploy examples/myapp --dry-run"},
        description = "Deploy the last build to a target, gated on readiness; roll back on failure.")
public final class DeployCommand extends TargetCommand {
    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "hosts: wait this long (e.g. 2m) for another deploy's lock (default: fail at once).")
    String lockWait;

    @Override
    void runHosts(HostsContext c) {
        HostsCli.printDeployed(c, c.target().deploy(HostsCli.duration("--lock-wait", lockWait), dryRun));
    }

    @Override
    void run(Context c) {
        LocalTarget.Outcome o = c.target().deploy(Release.fromDist(c.config()), dryRun);
        if (o != null) {
            ShipCommand.printReady(c.console(), c.config(), o);
        }
    }

    /** The {@code --to TARGET} option: {@code local} or {@code hosts}. */
    public static final class TargetOption {
        @Option(names = "--to", paramLabel = "TARGET", defaultValue = "local",
                description = "The target: local (default) or hosts (deploy.hosts). kubernetes is planned.")
        String to;

        LocalTarget local(SlipwayConfig config, dev.slipway.Console console) {
            if (!to.equals("local")) {
                throw SlipwayException.usage("unknown target '" + to + "'; available today: local, hosts");
            }
            return new LocalTarget(config, console);
        }
    }
}

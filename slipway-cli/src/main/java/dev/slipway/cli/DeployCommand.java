package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import dev.slipway.deploy.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway deploy}: rolls the last build out to a target ({@code local}, {@code hosts} or {@code kubernetes}). */
@Command(name = "deploy", footerHeading = "%nExample:%n", footer = {"  slipway deploy examples/myapp --dry-run",
        "  slipway deploy examples/myapp --to kubernetes"},
        description = "Deploy the last build to a target, gated on readiness; roll back on failure.")
public final class DeployCommand extends TargetCommand {
    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "hosts: wait this long (e.g. 2m) for another deploy's lock (default: fail at once).")
    String lockWait;

    @Override
    void runHosts(HostsContext c) {
        if (noRollback || image != null || canary != null) {
            throw SlipwayException.usage("--no-rollback, --image, --canary, --promote and --abort work with --to kubernetes only");
        }
        HostsCli.printDeployed(c, HostsCli.outsideCanary(c.config(), "deploy", dryRun,
                () -> c.target().deploy(HostsCli.duration("--lock-wait", lockWait), dryRun)));
    }

    @Option(names = "--no-rollback", description = "kubernetes: leave a rollout that missed its progress deadline as it is.")
    boolean noRollback;

    @Option(names = "--image", paramLabel = "NAME@sha256:DIGEST",
            description = "kubernetes: the image to deploy (default: deploy.kubernetes.image, then dist/artifacts.json).")
    String image;

    @picocli.CommandLine.ArgGroup(exclusive = true)
    KubernetesCli.CanaryAction canary;

    @Override
    void runKubernetes(SlipwayConfig config, dev.slipway.Console console) {
        if (dryRun) {
            throw SlipwayException.usage("--dry-run with --to kubernetes: use 'slipway render kubernetes' to see the manifests");
        }
        KubernetesCli.deploy(config, console, image, !noRollback, canary);
    }

    @Override
    void run(Context c) {
        if (noRollback || image != null || canary != null) {
            throw SlipwayException.usage("--no-rollback, --image, --canary, --promote and --abort work with --to kubernetes only");
        }
        LocalTarget.Outcome o = c.target().deploy(Release.fromDist(c.config()), dryRun);
        if (o != null) {
            ShipCommand.printReady(c.console(), c.config(), o);
        }
    }

    /** The {@code --to TARGET} option: {@code local}, {@code hosts} or {@code kubernetes}. */
    public static final class TargetOption {
        @Option(names = "--to", paramLabel = "TARGET", defaultValue = "local",
                description = "The target: local (default), hosts (deploy.hosts) or kubernetes (deploy.kubernetes).")
        String to;

        @Option(names = "--role", paramLabel = "ROLE", split = ",",
                description = "hosts: only the servers with this role (deploy.hosts.servers[].roles); repeatable.")
        java.util.List<String> roles = new java.util.ArrayList<>();

        /** @return whether the target is {@code kubernetes} */
        boolean isKubernetes() {
            return "kubernetes".equals(to);
        }

        LocalTarget local(SlipwayConfig config, dev.slipway.Console console) {
            if (!to.equals("local")) {
                throw SlipwayException.usage("unknown target '" + to + "'; available today: local, hosts, kubernetes");
            }
            return new LocalTarget(config, console);
        }
    }
}

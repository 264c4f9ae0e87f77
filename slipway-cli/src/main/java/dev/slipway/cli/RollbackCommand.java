package dev.slipway.cli;

import dev.slipway.config.SlipwayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slipway rollback}: back to the previous release, or to {@code --to VERSION}. Here
 * {@code --to} names a version, as in {@code kubectl rollout undo --to-revision}; the target is
 * {@code --target}.
 */
@Command(name = "rollback", footerHeading = "%nExample:%n", footer = {"  slipway rollback examples/myapp --to 1.1.0"},
        description = "Switch back to the previous release (or --to VERSION) and restart it, gated on readiness.")
public final class RollbackCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Option(names = "--to", paramLabel = "VERSION", description = "The retained release to return to (default: the previous one); with --target kubernetes a revision number.")
    String version;

    @Option(names = "--target", paramLabel = "TARGET", defaultValue = "local", description = "The target: local (default), hosts or kubernetes.")
    String targetName;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "hosts: wait this long for another deploy's lock (default: fail at once).")
    String lockWait;

    @Option(names = "--dry-run", description = "hosts: print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--role", paramLabel = "ROLE", split = ",",
            description = "hosts: only the servers with this role (deploy.hosts.servers[].roles); repeatable.")
    java.util.List<String> roles = new java.util.ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        var console = SlipwayCli.console(spec);
        switch (targetName) {
            case "hosts" -> {
                var target = HostsCli.target(config, console, roles);
                HostsCli.printDeployed(new TargetCommand.HostsContext(config, target, console), HostsCli.outsideCanary(config,
                        "roll back", dryRun, () -> target.rollback(version, HostsCli.duration("--lock-wait", lockWait), dryRun)));
            }
            case "kubernetes" -> {
                requireNoRoles();
                KubernetesCli.rollback(config, console, version);
            }
            default -> {
                requireNoRoles();
                DeployCommand.TargetOption local = new DeployCommand.TargetOption();
                local.to = targetName; // 'local', or an unknown name that local() reports (exit 2)
                ShipCommand.printReady(console, config, local.local(config, console).rollback(version));
            }
        }
    }

    private void requireNoRoles() {
        if (!roles.isEmpty()) {
            throw dev.slipway.SlipwayException.usage("--role works with --target hosts only");
        }
    }
}

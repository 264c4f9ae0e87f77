package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.local.LocalTarget;
import dev.slipway.remote.Lock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code slipway lock release --force}: clears the deploy lock of the local target and of every host
 * of the hosts target (the two targets with a Slipway lock; Swarm and Kubernetes serialise updates
 * with the object's version and need none).
 */
@Command(name = "lock", description = "Deploy locks of the local and hosts targets.", footerHeading = "%nExample:%n",
        footer = {"  slipway lock release examples/myapp --force", "  slipway lock release examples/myapp --to local --force"},
        subcommands = {LockCommand.Release.class})
public final class LockCommand extends GroupCommand {
    /** {@code slipway lock release --force [--to local|hosts] [DIR]}. */
    @Command(name = "release", footerHeading = "%nExample:%n", footer = {"  slipway lock release examples/myapp --force"},
            description = "Remove the deploy lock, whoever holds it (needs --force): of the local target and, when"
                    + " deploy.hosts is set, of every host; --to picks one of them.")
    public static final class Release implements Runnable {
        @Mixin
        ServiceArg service;

        @Option(names = "--force", description = "Required: the lock may belong to a deploy that still runs.")
        boolean force;

        @Option(names = "--to", paramLabel = "TARGET",
                description = "local or hosts (default: both; hosts only when deploy.hosts is set).")
        String to;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (to != null && !to.equals("local") && !to.equals("hosts")) {
                throw SlipwayException.usage("--to " + to + ": only the local and hosts targets hold a Slipway lock"
                        + " (swarm and kubernetes refuse an update made from a stale spec instead)");
            }
            if (!force) {
                throw SlipwayException.usage("lock release removes another deploy's lock; check that it is gone,"
                        + " then run it with --force");
            }
            SlipwayConfig config = service.load();
            var console = SlipwayCli.console(spec);
            if (to != null && to.equals("hosts") && config.hosts() == null) {
                throw SlipwayException.usage("--to hosts: slipway.yaml has no deploy.hosts");
            }
            Map<String, Optional<Lock.Holder>> released = new LinkedHashMap<>();
            if (to == null || to.equals("local")) {
                released.put("local", new LocalTarget(config, console).releaseLock());
            }
            if (to != null ? to.equals("hosts") : config.hosts() != null) {
                released.putAll(dev.slipway.deploy.hosts.SshConnector.target(config, console, java.util.List.of()).releaseLocks());
            }
            released.forEach((where, holder) -> console.println(where + ": "
                    + holder.map(h -> "released the lock of " + h.describe()).orElse("was not locked")));
        }
    }
}

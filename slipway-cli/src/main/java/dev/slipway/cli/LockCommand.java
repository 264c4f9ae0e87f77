package dev.slipway.cli;

import dev.slipway.SlipwayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway lock release --force}: clears the deploy lock on every host of the hosts target. */
@Command(name = "lock", description = "Deploy locks of the hosts target.", footerHeading = "%nExample:%n",
        footer = {"  slipway lock release examples/myapp --force"},
        subcommands = {LockCommand.Release.class})
public final class LockCommand extends GroupCommand {
    /** {@code slipway lock release --force [DIR]}. */
    @Command(name = "release", footerHeading = "%nExample:%n", footer = {"  slipway lock release examples/myapp --force"},
            description = "Remove the deploy lock on every host, whoever holds it (needs --force).")
    public static final class Release implements Runnable {
        @Mixin
        ServiceArg service;

        @Option(names = "--force", description = "Required: the lock may belong to a deploy that still runs.")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (!force) {
                throw SlipwayException.usage("lock release removes another deploy's lock; check that it is gone,"
                        + " then run it with --force");
            }
            var config = service.load();
            var console = SlipwayCli.console(spec);
            dev.slipway.deploy.hosts.SshConnector.target(config, console, java.util.List.of()).releaseLocks().forEach((host, holder) -> console.println(host + ": "
                    + holder.map(h -> "released the lock of " + h.describe()).orElse("was not locked")));
        }
    }
}

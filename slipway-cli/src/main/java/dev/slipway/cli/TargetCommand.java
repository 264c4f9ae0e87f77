package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * Base of the commands that act on a deploy target: they take the service directory and
 * {@code --to TARGET}, load the configuration, and hand the target to {@link #run(Context)}.
 */
abstract class TargetCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    DeployCommand.TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * What a target command works with.
     *
     * @param config  the loaded configuration
     * @param target  the deploy target
     * @param console the command's output
     */
    record Context(SlipwayConfig config, LocalTarget target, Console console) {}

    /**
     * What a target command works with on the hosts target.
     *
     * @param config  the loaded configuration
     * @param target  the hosts target
     * @param console the command's output
     */
    record HostsContext(SlipwayConfig config, dev.slipway.deploy.hosts.HostsTarget target, Console console) {}

    @Override
    public final void run() {
        SlipwayConfig config = service.load();
        Console console = SlipwayCli.console(spec);
        if (target.to.equals("hosts")) {
            runHosts(new HostsContext(config, HostsCli.target(config, console), console));
            return;
        }
        if (target.isKubernetes()) {
            runKubernetes(config, console);
            return;
        }
        run(new Context(config, target.local(config, console), console));
    }

    /** Does the command's work on the {@code kubernetes} target; by default the command has none. */
    void runKubernetes(SlipwayConfig config, Console console) {
        throw dev.slipway.SlipwayException.usage("'slipway " + spec.name() + "' does not work with --to kubernetes");
    }

    /** Does the command's work; throws {@code SlipwayException} on failure. */
    abstract void run(Context c);

    /** Does the command's work on the hosts target; by default the command does not support it. */
    void runHosts(HostsContext c) {
        throw dev.slipway.SlipwayException.usage("'" + spec.name() + "' does not support --to hosts");
    }
}

package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.config.ConfigException;
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
     * @param recorded whether slipway.yaml had an error and {@code config} was rebuilt from the
     *                 target's recorded state ({@link LocalTarget#recorded}): only name, port,
     *                 address and drain timeout are the service's own
     */
    record Context(SlipwayConfig config, LocalTarget target, Console console, boolean recorded) {}

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
        Console console = SlipwayCli.console(spec);
        SlipwayConfig config;
        try {
            config = service.load();
        } catch (ConfigException e) {
            runOnRecordedState(e, console);
            return;
        }
        if (target.to.equals("hosts")) {
            runHosts(new HostsContext(config, HostsCli.target(config, console, target.roles), console));
            return;
        }
        if (!target.roles.isEmpty()) {
            throw dev.slipway.SlipwayException.usage("--role works with --to hosts only");
        }
        if (target.isKubernetes()) {
            runKubernetes(config, console);
            return;
        }
        run(new Context(config, target.local(config, console), console, false));
    }

    /**
     * Whether the command still works on the local target when slipway.yaml has an error, from the
     * state the target recorded ({@link LocalTarget#recorded}), so that a typo in the file cannot
     * leave a running service unmanageable; by default a command refuses a bad configuration.
     */
    boolean worksOnRecordedState() {
        return false;
    }

    /** Rethrows {@code error} unless the command works on the local target's recorded state; then warns and runs. */
    private void runOnRecordedState(ConfigException error, Console console) {
        LocalTarget recorded = worksOnRecordedState() && target.to.equals("local")
                ? LocalTarget.recorded(service.dir.toAbsolutePath().normalize(), console).orElse(null) : null;
        if (recorded == null) {
            throw error;
        }
        console.progress("slipway: warning: " + error.getMessage());
        console.progress("slipway: warning: '" + spec.name() + "' uses the state recorded under " + recorded.stateDir()
                + "; fix " + error.file().getFileName() + " before the next deploy");
        run(new Context(recorded.config(), recorded, console, true));
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

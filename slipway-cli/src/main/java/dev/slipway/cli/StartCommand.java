package dev.slipway.cli;

import dev.slipway.config.SlipwayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway start}: starts the current release if it is not running. */
@Command(name = "start", description = "Start the current release (if stopped) and wait for readiness.")
public final class StartCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    DeployCommand.TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        var o = target.local(config, SlipwayCli.console(spec)).start();
        SlipwayCli.console(spec).println(config.name() + " is ready at " + o.url() + " (pid " + o.pid() + ")");
    }
}

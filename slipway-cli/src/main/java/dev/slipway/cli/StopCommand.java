package dev.slipway.cli;

import dev.slipway.config.SlipwayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout). */
@Command(name = "stop", description = "Stop the service: SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    DeployCommand.TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        boolean was = target.local(config, SlipwayCli.console(spec)).stop();
        SlipwayCli.console(spec).println(was ? config.name() + " stopped" : config.name() + " was not running");
    }
}

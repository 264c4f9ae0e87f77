package dev.slipway.cli;

import dev.slipway.config.SlipwayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway check}: validates slipway.yaml; errors are {@code file:line:col} with exit 2. */
@Command(name = "check", footerHeading = "%nExample:%n", footer = {"  slipway check examples/myapp"},
        description = "Validate slipway.yaml (errors as file:line:col, exit code 2).")
public final class CheckCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        SlipwayCli.console(spec).println(config.file() + ": ok (service " + config.name() + ")");
    }
}

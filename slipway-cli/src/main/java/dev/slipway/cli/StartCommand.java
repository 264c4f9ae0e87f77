package dev.slipway.cli;

import picocli.CommandLine.Command;

/** {@code slipway start}: starts the current release if it is not running (local target). */
@Command(name = "start", footerHeading = "%nExample:%n", footer = {"  slipway start examples/myapp"},
        description = "Start the current release (if stopped) and wait for readiness.")
public final class StartCommand extends TargetCommand {
    @Override
    void run(Context c) {
        var o = local(c).start();
        c.console().println(c.config().name() + " is ready at " + o.url() + " (pid " + o.pid() + ")");
    }
}

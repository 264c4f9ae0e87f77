package dev.slipway.cli;

import picocli.CommandLine.Command;

/** {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout; local target). */
@Command(name = "stop", footerHeading = "%nExample:%n", footer = {"  slipway stop examples/myapp"},
        description = "Stop the service: SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand extends TargetCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        String name = c.config().name();
        c.console().println(local(c).stop() ? name + " stopped" : name + " was not running");
    }
}

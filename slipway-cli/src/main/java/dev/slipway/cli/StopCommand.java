package dev.slipway.cli;

import dev.slipway.canary.LocalCanaryTarget;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout;
 * local target): the process {@code slipway deploy} started and every instance of the local canary
 * (stable and canary), each named as it stops.
 */
@Command(name = "stop", footerHeading = "%nExample:%n", footer = {"  slipway stop examples/myapp"},
        description = "Stop the service (and the local canary's instances): SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand extends TargetCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        String name = c.config().name();
        boolean[] plain = new boolean[1];
        List<String> instances = LocalCanaryTarget.stopInstances(c.config(), () -> plain[0] = local(c).stop());
        if (plain[0]) {
            c.console().println(name + " stopped");
        }
        instances.forEach(i -> c.console().println(name + " " + i + " stopped"));
        if (!plain[0] && instances.isEmpty()) {
            c.console().println(name + " was not running");
        }
    }
}

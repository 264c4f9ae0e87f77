package dev.slipway.cli;

import dev.slipway.canary.LocalCanaryTarget;
import dev.slipway.deploy.local.LocalTarget;
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
        LocalTarget local = local(c);
        LocalCanaryTarget.Stopped stopped = LocalCanaryTarget.stopInstances(c.config(), local::stop);
        if (stopped.process()) {
            c.console().println(name + " stopped");
        }
        stopped.instances().forEach(i -> c.console().println(name + " " + i + " stopped"));
        if (!stopped.process() && stopped.instances().isEmpty()) {
            c.console().println(name + " was not running");
        }
    }
}

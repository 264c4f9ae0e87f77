package dev.slipway.cli;

import dev.slipway.canary.LocalCanaryTarget;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/**
 * {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout),
 * as a plan of the target ({@link Target#planStop}): on {@code local} the process {@code slipway deploy}
 * started and every instance of the local canary (stable and canary), each named as it stops; on
 * {@code hosts} every unit of the service that runs on each server.
 */
@Command(name = "stop", footerHeading = "%nExample:%n", footer = {"  slipway stop examples/myapp"},
        description = "Stop the service (local: also the local canary's instances; hosts: its units on each server):"
                + " SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand extends LifecycleCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        String name = c.config().name();
        try (Target t = openLifecycle(c)) {
            DeployPlan planned = t.planStop();
            if (dryRun(c, t, planned)) {
                return;
            }
            if (!t.name().equals("local")) { // the local canary's instances are the local target's only
                c.console().println(t.apply(planned).message());
                return;
            }
            LocalCanaryTarget.Stopped stopped = LocalCanaryTarget.stopInstances(c.config(), () -> {
                DeployPlan plan = t.planStop();
                t.apply(plan);
                return plan.has(DeployPlan.Kind.STOP);
            });
            if (stopped.process()) {
                c.console().println(name + " stopped");
            }
            stopped.instances().forEach(i -> c.console().println(name + " " + i + " stopped"));
            if (!stopped.process() && stopped.instances().isEmpty()) {
                c.console().println(name + " was not running");
            }
        }
    }
}

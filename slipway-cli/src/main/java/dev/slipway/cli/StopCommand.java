package dev.slipway.cli;

import dev.slipway.canary.LocalCanaryTarget;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/**
 * {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout;
 * local target), as a plan of the target ({@link Target#planStop}): the process {@code slipway deploy}
 * started and every instance of the local canary (stable and canary), each named as it stops.
 */
@Command(name = "stop", footerHeading = "%nExample:%n", footer = {"  slipway stop examples/myapp"},
        description = "Stop the service (and the local canary's instances): SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand extends LifecycleCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        String name = c.config().name();
        try (Target t = openLifecycle(c)) {
            if (dryRun(c, t, t.planStop())) {
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

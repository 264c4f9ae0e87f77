package dev.slipway.cli;

import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/**
 * {@code slipway stop}: stops the service gracefully (SIGTERM, then SIGKILL after the drain timeout),
 * as a plan of the target ({@link Target#planStop}): on {@code local} the process {@code slipway deploy}
 * started and every instance of the local canary (stable and canary), each named as it stops; on
 * {@code hosts} every unit of the service that runs on each server; on {@code swarm} the service
 * scaled to 0 tasks (refused while a canary service runs beside it).
 */
@Command(name = "stop", footerHeading = "%nExample:%n", footer = {"  slipway stop examples/myapp",
        "  slipway stop examples/myapp --to hosts --lock-wait 2m --json"},
        description = "Stop the service (local: also the local canary's instances; hosts: its units on each server;"
                + " swarm: scaled to 0 tasks): SIGTERM, then SIGKILL after the drain timeout.")
public final class StopCommand extends LifecycleCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    DeployPlan plan(Target t, java.time.Duration lockWait) {
        return t.planStop(lockWait);
    }
}

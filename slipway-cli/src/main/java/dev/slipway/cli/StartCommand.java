package dev.slipway.cli;

import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/** {@code slipway start}: starts the current release if it is not running, as a plan of the target ({@link Target#planStart}). */
@Command(name = "start", footerHeading = "%nExample:%n", footer = {"  slipway start examples/myapp",
        "  slipway start examples/myapp --to hosts --lock-wait 2m --json"},
        description = "Start the current release (if stopped) and wait for readiness.")
public final class StartCommand extends LifecycleCommand {
    @Override
    DeployPlan plan(Target t, java.time.Duration lockWait) {
        return t.planStart(lockWait);
    }
}

package dev.slipway.cli;

import dev.slipway.canary.CanaryTargets;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/**
 * {@code slipway status}: what runs on a target (version, revision, readiness), and a canary's
 * state. On the local target the canary's instances, when they run, are what serves (through nginx).
 * The target and its canary make one report ({@link CanaryTargets#status}); with {@code --json}
 * it is one JSON object (exit 0: it serves and is ready; 1: nothing serves or it is not ready), the
 * canary's lines among its {@code lines}.
 */
@Command(name = "status", footerHeading = "%nExample:%n", footer = {"  slipway status examples/myapp",
        "  slipway status examples/myapp --to kubernetes --json"},
        description = "Show what runs: version, commit, pid, URL and readiness.")
public final class StatusCommand extends ReportCommand {

    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        try (Target t = open(c)) {
            // Exit 0 means something serves: nothing running (stopped, a failed first deploy, a killed
            // run) or not ready is exit 1, so that scripts and CI can rely on it. A canary's steps are in
            // the configuration, which a recorded state does not have.
            print(CanaryTargets.status(t, c.config(), !c.recorded()));
        }
    }
}

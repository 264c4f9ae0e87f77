package dev.slipway.cli;

import dev.slipway.deploy.Report;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/** {@code slipway status}: what runs on a target (version, revision, readiness), and a canary's state. */
@Command(name = "status", footerHeading = "%nExample:%n", footer = {"  slipway status examples/myapp"},
        description = "Show what runs: version, commit, pid, URL and readiness.")
public final class StatusCommand extends TargetCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void run(Context c) {
        Report report;
        try (Target t = open(c)) {
            report = t.status();
        }
        try {
            // Exit 0 means something serves: nothing running (stopped, a failed first deploy, a killed
            // run) or not ready is exit 1, so that scripts and CI can rely on it.
            print(report);
        } finally {
            // A canary's steps are in the configuration, which a recorded state does not have.
            if (targetName().equals("local") && !c.recorded()) {
                CanaryCommands.status(c.config()).forEach(c.console()::println);
            } else if (targetName().equals("hosts")) {
                CanaryCommands.hostsStatus(c.config()).forEach(c.console()::println);
            }
        }
    }
}

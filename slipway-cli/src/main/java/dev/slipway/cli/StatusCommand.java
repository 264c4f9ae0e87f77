package dev.slipway.cli;

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
        try (Target t = open(c)) {
            print(t.status());
        }
        // A canary's steps are in the configuration, which a recorded state does not have.
        if (targetName().equals("local") && !c.recorded()) {
            CanaryCommands.status(c.config()).forEach(c.console()::println);
        } else if (targetName().equals("hosts")) {
            CanaryCommands.hostsStatus(c.config()).forEach(c.console()::println);
        }
    }
}

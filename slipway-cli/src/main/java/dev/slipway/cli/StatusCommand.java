package dev.slipway.cli;

import dev.slipway.deploy.Report;
import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/**
 * {@code slipway status}: what runs on a target (version, revision, readiness), and a canary's
 * state. On the local target the canary's instances, when they run, are what serves (through nginx).
 * With {@code --json}, one report (exit 0: it serves and is ready; 1: nothing serves or it is not
 * ready); the canary's lines then go to stderr.
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
        Report report;
        try (Target t = open(c)) {
            report = t.status();
        }
        // A canary's steps are in the configuration, which a recorded state does not have.
        java.util.List<String> canary = java.util.List.of();
        if (targetName().equals("local") && !c.recorded()) {
            CanaryCommands.LocalStatus s = CanaryCommands.localStatus(c.config(), report);
            report = s.report();
            canary = s.lines();
        } else if (targetName().equals("hosts")) {
            canary = CanaryCommands.hostsStatus(c.config());
        }
        try {
            // Exit 0 means something serves: nothing running (stopped, a failed first deploy, a killed
            // run) or not ready is exit 1, so that scripts and CI can rely on it.
            print(report);
        } finally {
            canary.forEach(c.console()::println);
        }
    }
}

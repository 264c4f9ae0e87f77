package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.deploy.History;
import dev.slipway.deploy.LocalTarget;
import picocli.CommandLine.Command;

/** {@code slipway status}: version, commit, pid, URL and readiness of what runs. */
@Command(name = "status", footerHeading = "%nExample:%n", footer = {"  slipway status examples/myapp"},
        description = "Show what runs: version, commit, pid, URL and readiness.")
public final class StatusCommand extends TargetCommand {
    @Override
    boolean worksOnRecordedState() {
        return true;
    }

    @Override
    void runHosts(HostsContext ctx) {
        HostsCli.printStatus(ctx);
        CanaryCommands.hostsStatus(ctx.config()).forEach(ctx.console()::println);
    }

    @Override
    void runKubernetes(dev.slipway.config.SlipwayConfig config, Console console) {
        KubernetesCli.status(config, console);
    }

    @Override
    void run(Context ctx) {
        Console c = ctx.console();
        LocalTarget.Status s = ctx.target().status();
        c.println(ctx.config().name() + " on local");
        if (s.failed() != null) {
            c.println("  version    (nothing runs: the last deploy failed and there was no release to roll back to)");
        } else {
            c.println("  version    " + (s.version() == null ? "(nothing deployed)" : s.version()));
        }
        c.println("  commit     " + (s.commit() == null ? "-" : s.commit()));
        c.println("  revision   " + (s.revision() == 0 ? "-" : String.valueOf(s.revision())));
        c.println("  pid        " + (s.pid() < 0 ? "not running" : s.pid() + " (running)"));
        c.println("  url        " + s.url());
        c.println("  readiness  " + (s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                + s.readiness().brief() + ")"));
        if (s.failed() != null) {
            History.Entry f = s.failed();
            c.println("  last deploy " + f.version() + " (revision " + f.revision() + ") failed: " + f.note());
        }
        if (!ctx.recorded()) { // a canary's steps are in the configuration
            CanaryCommands.status(ctx.config()).forEach(c::println);
        }
        // Exit 0 means something serves: nothing running (stopped, a failed first deploy, a killed
        // run) or not ready is exit 1, so that scripts and CI can rely on it.
        if (s.pid() < 0 || s.readiness() == null || !s.readiness().ready()) {
            throw dev.slipway.SlipwayException.failed(ctx.config().name() + " does not serve on local ("
                    + (s.pid() < 0 ? "not running" : "not ready") + ")");
        }
    }
}

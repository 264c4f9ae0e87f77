package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.LocalTarget;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway status}: version, commit, pid, URL and readiness of what runs. */
@Command(name = "status", description = "Show what runs: version, commit, pid, URL and readiness.")
public final class StatusCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    DeployCommand.TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        SlipwayConfig config = service.load();
        Console c = SlipwayCli.console(spec);
        LocalTarget.Status s = target.local(config, c).status();
        c.println(config.name() + " on local");
        c.println("  version    " + (s.version() == null ? "(nothing deployed)" : s.version()));
        c.println("  commit     " + (s.commit() == null ? "-" : s.commit()));
        c.println("  revision   " + (s.revision() == 0 ? "-" : String.valueOf(s.revision())));
        c.println("  pid        " + (s.pid() < 0 ? "not running" : s.pid() + " (running)"));
        c.println("  url        " + s.url());
        c.println("  readiness  " + (s.readiness() == null ? "-" : s.readiness().ready() ? "ready (" + s.readiness().describe() + ")"
                : "not ready (" + s.readiness().describe() + ")"));
    }
}

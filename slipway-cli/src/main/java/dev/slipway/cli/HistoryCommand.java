package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.deploy.History;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway history}: the revisions of a target, oldest first. */
@Command(name = "history", description = "List the revisions deployed to a target: number, version, commit, time, outcome.")
public final class HistoryCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    DeployCommand.TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var config = service.load();
        Console c = SlipwayCli.console(spec);
        var entries = target.local(config, c).history();
        c.println(String.format("%-9s %-24s %-8s %-21s %-12s %s", "REVISION", "VERSION", "COMMIT", "TIME", "OUTCOME", "NOTE"));
        for (History.Entry e : entries) {
            c.println(String.format("%-9d %-24s %-8s %-21s %-12s %s", e.revision(), e.version(),
                    e.commit().substring(0, Math.min(7, e.commit().length())), e.time(), e.outcome(), e.note()));
        }
    }
}

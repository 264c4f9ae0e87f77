package dev.slipway.cli;

import dev.slipway.deploy.History;
import picocli.CommandLine.Command;

/** {@code slipway history}: the revisions of a target, oldest first. */
@Command(name = "history", footerHeading = "%nExample:%n", footer = {"  slipway history examples/myapp"},
        description = "List the revisions deployed to a target: number, version, commit, time, outcome.")
public final class HistoryCommand extends TargetCommand {
    @Override
    void runHosts(HostsContext c) {
        HostsCli.printHistory(c);
    }

    @Override
    void runKubernetes(dev.slipway.config.SlipwayConfig config, dev.slipway.Console console) {
        KubernetesCli.history(config, console);
    }

    @Override
    void run(Context c) {
        String format = "%-9s %-24s %-8s %-21s %-12s %s";
        c.console().println(String.format(format, "REVISION", "VERSION", "COMMIT", "TIME", "OUTCOME", "NOTE"));
        for (History.Entry e : c.target().history()) {
            c.console().println(String.format(format, e.revision(), e.version(),
                    e.commit().substring(0, Math.min(7, e.commit().length())), e.time(), e.outcome(), e.note()));
        }
    }
}

package dev.slipway.cli;

import dev.slipway.deploy.Target;
import picocli.CommandLine.Command;

/** {@code slipway history}: the revisions of a target, oldest first, the same columns on every target. */
@Command(name = "history", footerHeading = "%nExample:%n", footer = {"  slipway history examples/myapp"},
        description = "List the revisions deployed to a target: number, version, commit, time, outcome.")
public final class HistoryCommand extends TargetCommand {
    @Override
    void run(Context c) {
        try (Target t = open(c)) {
            Reports.history(c.console(), t.history());
        }
    }
}

package dev.slipway.cli;

import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code slipway history}: the revisions of a target, oldest first, the same columns on every
 * target; with {@code --json} one report whose {@code revisions} field lists them. A place it could
 * not read (a host that is unreachable) gets a line of its own after the others' revisions, and
 * the command then exits 1, as {@code slipway status} does.
 */
@Command(name = "history", footerHeading = "%nExample:%n", footer = {"  slipway history examples/myapp",
        "  slipway history examples/myapp --to hosts --json"},
        description = "List the revisions deployed to a target: number, version, commit, time, outcome.")
public final class HistoryCommand extends ReportCommand {

    @Override
    void run(Context c) {
        try (Target t = open(c)) {
            List<Revision> all = t.history();
            print(Reports.history(t.name(), c.config().name(), all, t.historyProblems()), all);
        }
    }
}

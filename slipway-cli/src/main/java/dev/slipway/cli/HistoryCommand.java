package dev.slipway.cli;

import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code slipway history}: the revisions of a target, oldest first, the same columns on every
 * target; with {@code --json} one report whose {@code revisions} field lists them.
 */
@Command(name = "history", footerHeading = "%nExample:%n", footer = {"  slipway history examples/myapp",
        "  slipway history examples/myapp --to hosts --json"},
        description = "List the revisions deployed to a target: number, version, commit, time, outcome.")
public final class HistoryCommand extends ReportCommand {

    @Override
    void run(Context c) {
        try (Target t = open(c)) {
            List<Revision> all = t.history();
            print(Reports.history(t.name(), c.config().name(), all), all);
        }
    }
}

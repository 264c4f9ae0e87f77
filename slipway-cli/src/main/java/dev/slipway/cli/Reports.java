package dev.slipway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** How the commands print what a target reported: text lines, one JSON object, a history table. */
final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    /**
     * Writes a report as one JSON object: the {@link Report} components, plus {@code exitMeaning}.
     *
     * @param out    standard output
     * @param report the report
     */
    static void json(PrintWriter out, Report report) {
        ObjectNode n = JSON.valueToTree(report);
        n.put("exitMeaning", report.exitMeaning());
        try {
            out.println(JSON.writeValueAsString(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // a record of strings, numbers, lists and maps always serializes
        }
        out.flush();
    }

    /**
     * The report of a command that failed: exit code and its meaning, and the cause line.
     *
     * @param target  the target's name (as given)
     * @param action  the command
     * @param service the service name, or {@code null} when the configuration could not be read
     * @param error   what failed
     * @return the report
     */
    static Report failure(String target, String action, String service, SlipwayException error) {
        String message = error.getMessage() == null ? "" : error.getMessage();
        List<String> lines = message.lines().toList();
        return new Report(target, action, service, null, 0, error.exitCode() == SlipwayException.USAGE ? "refused" : "failed",
                error.exitCode(), null, List.of(), Map.of(), lines, lines.isEmpty() ? "" : lines.get(0));
    }

    /**
     * The report of a dry run: the plan's steps, nothing done.
     *
     * @param plan the plan
     * @return the report, outcome {@code planned}, exit 0
     */
    static Report planned(DeployPlan plan) {
        List<String> steps = plan.steps().stream().map(s -> s.kind().id() + (s.where() == null ? "" : " " + s.where())
                + ": " + s.description()).toList();
        return new Report(plan.target(), plan.action().verb(), plan.service(), plan.version(), 0, "planned", 0, null, steps,
                Map.of(), plan.facts(), "dry run: nothing was changed");
    }

    /**
     * Prints a history, oldest first, one line per revision: {@code HOST} first when revisions name
     * where they apply (hosts), {@code WHO} when any says who ran it.
     *
     * @param console the output
     * @param all     the revisions
     */
    static void history(Console console, List<Revision> all) {
        boolean where = all.stream().anyMatch(r -> !r.where().isEmpty());
        boolean who = all.stream().anyMatch(r -> !r.who().isEmpty());
        String format = (where ? "%-16s " : "%s") + "%-9s %-24s %-8s %-21s %-15s " + (who ? "%-20s " : "%s") + "%s";
        console.println(String.format(format, where ? "HOST" : "", "REVISION", "VERSION", "COMMIT", "TIME", "OUTCOME",
                who ? "WHO" : "", "NOTE").stripTrailing());
        for (Revision r : all) {
            String note = r.note().length() > 160 ? r.note().substring(0, 157) + "..." : r.note();
            console.println(String.format(format, r.where(), r.revision(), r.version(),
                    r.commit().substring(0, Math.min(7, r.commit().length())), r.time() == null ? "-" : r.time(), r.outcome(),
                    r.who(), note).stripTrailing());
        }
    }
}

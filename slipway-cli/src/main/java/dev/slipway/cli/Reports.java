package dev.slipway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.SlipwayException;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** How the commands print what a target reported: text lines, one JSON object, a history table. */
final class Reports {
    /** The --json mapper, made on first use: a text report (status without --json) needs no Jackson. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private Reports() {}

    /**
     * Writes a report as one JSON object: the {@link Report} components, plus {@code exitMeaning}.
     *
     * @param out    standard output
     * @param report the report
     */
    static void json(PrintWriter out, Report report) {
        json(out, report, null);
    }

    /**
     * Writes a report as one JSON object: the {@link Report} components, {@code exitMeaning}, and
     * for {@code history} the revisions.
     *
     * @param out       standard output
     * @param report    the report
     * @param revisions {@code history}: the revisions, oldest first, as the field {@code revisions}
     *                  ({@link Revision}'s components; {@code time} in ISO-8601 UTC or {@code null});
     *                  {@code null} for other commands (no such field)
     */
    static void json(PrintWriter out, Report report, List<Revision> revisions) {
        ObjectNode n = Mapper.JSON.valueToTree(report);
        n.put("exitMeaning", report.exitMeaning());
        if (revisions != null) {
            var array = n.putArray("revisions");
            for (Revision r : revisions) {
                ObjectNode o = array.addObject();
                o.put("revision", r.revision()).put("version", r.version()).put("commit", r.commit())
                        .put("time", r.time() == null ? null : r.time().toString()).put("outcome", r.outcome())
                        .put("who", r.who()).put("where", r.where()).put("note", r.note());
            }
        }
        try {
            out.println(Mapper.JSON.writeValueAsString(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // a record of strings, numbers, lists and maps always serializes
        }
        out.flush();
    }

    /**
     * The report of a command that failed: exit code and its meaning, and the cause line; its outcome
     * is {@code refused} (exit 2), {@code interrupted} (exit 130: Ctrl-C) or {@code failed}.
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
        return new Report(target, action, service, null, 0, error.exitCode() == SlipwayException.USAGE ? "refused"
                        : error.exitCode() == SlipwayException.INTERRUPTED ? "interrupted" : "failed",
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

    /** A release directory name the local target made unique: {@code VERSION+<8 hex digits>}. */
    private static final java.util.regex.Pattern SUFFIXED =
            java.util.regex.Pattern.compile("([0-9A-Za-z][0-9A-Za-z._-]*)\\+([0-9a-f]{8})(?![0-9A-Za-z])");

    /**
     * Says what a {@code +fingerprint} suffix on a version means, once: in the report of the
     * command that installed such a release (a local deploy or ship whose {@code upload} step
     * installs {@code releases/VERSION+<hex>}). The local target installs a release as
     * {@code releases/VERSION}, and a build of the same version with other bytes, environment or
     * readiness probe as {@code releases/VERSION+<first 8 hex digits of its fingerprint>}, so that
     * an installed release is never overwritten (docs/cli.md, "Versions with +"). {@code history}
     * and {@code status}, which show such versions every time, do not repeat it.
     *
     * @param report a report
     * @return the report with one more line when its steps install a release with the suffix; else the same
     */
    static Report explainVersion(Report report) {
        return versionNote(report.target(), report.steps()).map(note -> {
            List<String> lines = new java.util.ArrayList<>(report.lines());
            lines.add(note);
            return new Report(report.target(), report.action(), report.service(), report.version(), report.revision(),
                    report.outcome(), report.exitCode(), report.url(), report.steps(), report.timingMs(), lines,
                    report.message(), report.stepMs());
        }).orElse(report);
    }

    /**
     * @param target the target's name
     * @param steps  a plan's steps, {@code kind where: description}
     * @return the note on a {@code +fingerprint} release when a step installs one on the local
     *         target (see {@link #explainVersion}); else empty
     */
    static java.util.Optional<String> versionNote(String target, List<String> steps) {
        if (!"local".equals(target)) {
            return java.util.Optional.empty();
        }
        for (String step : steps) {
            java.util.regex.Matcher m = SUFFIXED.matcher(step);
            if (step.startsWith("upload") && step.contains(": install ") && m.find()) {
                return java.util.Optional.of("(" + m.group() + ": version " + m.group(1) + " built again with other bytes,"
                        + " environment or readiness probe; '+" + m.group(2) + "' is the start of its fingerprint, which keeps"
                        + " it apart from the " + m.group(1) + " installed before)");
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The report of {@code slipway history}: the table as its lines, the newest revision's number as
     * {@code revision} ({@code version} stays {@code null}: the newest revision may have failed;
     * {@code status} says what serves).
     *
     * @param target  the target's name
     * @param service the service name
     * @param all     the revisions, oldest first
     * @return the report, outcome {@code ok}, exit 0
     */
    static Report history(String target, String service, List<Revision> all) {
        return history(target, service, all, List.of());
    }

    /**
     * {@link #history(String, String, List)} with the places the history could not be read: each
     * gets its line after the table, and the report then fails (outcome {@code failed}, exit 1, as
     * {@code slipway status} with an unreachable host: a script must not take a part for the whole).
     *
     * @param target   the target's name
     * @param service  the service name
     * @param all      the revisions that could be read, oldest first
     * @param problems one line per place not read ({@code web2: unreachable: <cause>}); may be empty
     * @return the report
     */
    static Report history(String target, String service, List<Revision> all, List<String> problems) {
        int newest = all.isEmpty() ? 0 : all.get(all.size() - 1).revision();
        List<String> lines = new java.util.ArrayList<>(all.isEmpty() && !problems.isEmpty() ? List.of() : historyLines(all));
        lines.addAll(problems);
        String summary = all.isEmpty() ? "no revisions yet" : all.size() + " revision" + (all.size() == 1 ? "" : "s") + ", the newest "
                + newest;
        return problems.isEmpty()
                ? new Report(target, "history", service, null, newest, "ok", 0, null, List.of(), Map.of(), lines, summary)
                : new Report(target, "history", service, null, newest, "failed", 1, null, List.of(), Map.of(), lines,
                "history not read from " + String.join("; ", problems) + (all.isEmpty() ? "" : " (the lines above are the others')"));
    }

    /**
     * A history as text, oldest first, one line per revision after a header: {@code HOST} first
     * when revisions name where they apply (hosts), {@code WHO} when any says who ran it. Each
     * column is as wide as its longest cell (a long version such as {@code 0.0.0-1965be1-dirty+19f2291e}
     * does not push the rest of its row out of line); the last column, the note, is not padded.
     *
     * @param all the revisions
     * @return the lines
     */
    static List<String> historyLines(List<Revision> all) {
        boolean where = all.stream().anyMatch(r -> !r.where().isEmpty());
        boolean who = all.stream().anyMatch(r -> !r.who().isEmpty());
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(historyRow(where, who, "HOST", "REVISION", "VERSION", "COMMIT", "TIME", "OUTCOME", "WHO", "NOTE"));
        for (Revision r : all) {
            String note = r.note().length() > 160 ? r.note().substring(0, 157) + "..." : r.note();
            rows.add(historyRow(where, who, r.where(), String.valueOf(r.revision()), r.version(),
                    r.commit().substring(0, Math.min(7, r.commit().length())), r.time() == null ? "-" : r.time().toString(),
                    r.outcome(), r.who(), note));
        }
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        List<String> lines = new java.util.ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                line.append(cell);
                if (c < columns - 1) {
                    line.append(" ".repeat(width[c] - cell.length() + 2));
                }
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** One history row's cells, without the host and who columns when the history has none. */
    private static List<String> historyRow(boolean where, boolean who, String host, String revision, String version,
                                           String commit, String time, String outcome, String by, String note) {
        List<String> cells = new java.util.ArrayList<>();
        if (where) {
            cells.add(host);
        }
        cells.addAll(List.of(revision, version, commit, time, outcome));
        if (who) {
            cells.add(by);
        }
        cells.add(note);
        return cells;
    }
}

package dev.slipway.deploy;

import java.util.List;
import java.util.Map;

/**
 * What a command did (or, for a dry run and for {@code status}, would do or sees), as one value:
 * the CLI prints it as text, and as JSON with {@code --json} for CI (one object; field names are
 * this record's components).
 *
 * @param target   the target's name
 * @param action   {@code deploy}, {@code rollback}, {@code start}, {@code stop}, {@code status},
 *                 {@code canary}, {@code promote} or {@code abort}
 * @param service  the service name
 * @param version  the release the target serves after the command, or {@code null} when none
 * @param revision the revision the command recorded (or the current one for {@code status}), 0 for none
 * @param outcome  {@code ok}, {@code planned} (dry run), {@code failed}, {@code rolled-back},
 *                 {@code inconclusive}, or a history outcome
 * @param exitCode the process exit code this report ends with: 0 ok, 1 failed (and rolled back),
 *                 2 usage or configuration error (nothing changed), 3 analysis inconclusive
 * @param url      where the service answers, or {@code null}
 * @param steps    the plan's steps that ran (or would run), as {@code kind where: description}
 * @param timingMs wall time per step kind, milliseconds
 * @param lines    human-readable lines (per host, per instance, per pod), printed as they are
 * @param message  a one-line summary, or the error's cause line
 * @param stepMs   wall time of each of {@code steps}, milliseconds, in the same order (-1 for a step
 *                 that did not run); empty when the target does not measure its steps one by one
 */
public record Report(String target, String action, String service, String version, int revision, String outcome,
                     int exitCode, String url, List<String> steps, Map<String, Long> timingMs, List<String> lines,
                     String message, List<Long> stepMs) {

    /** Copies the collections, so the value stays immutable. */
    public Report {
        steps = List.copyOf(steps);
        timingMs = Map.copyOf(timingMs);
        lines = List.copyOf(lines);
        stepMs = List.copyOf(stepMs);
    }

    /**
     * @param more lines to print after this report's
     * @return this report with {@code more} after its lines; everything else (exit code, outcome) kept
     */
    public Report withLines(List<String> more) {
        List<String> all = new java.util.ArrayList<>(lines);
        all.addAll(more);
        return new Report(target, action, service, version, revision, outcome, exitCode, url, steps, timingMs, all, message,
                stepMs);
    }

    /** A report without per-step timings (see {@link #stepMs}). */
    public Report(String target, String action, String service, String version, int revision, String outcome,
                  int exitCode, String url, List<String> steps, Map<String, Long> timingMs, List<String> lines,
                  String message) {
        this(target, action, service, version, revision, outcome, exitCode, url, steps, timingMs, lines, message, List.of());
    }

    /** @return the meaning of {@link #exitCode}, for the JSON report */
    public String exitMeaning() {
        return switch (exitCode) {
            case 0 -> "ok";
            case 1 -> "failed";
            case 2 -> "usage or configuration error; nothing changed";
            case 3 -> "analysis inconclusive";
            case 130 -> "interrupted (Ctrl-C)";
            default -> "exit " + exitCode;
        };
    }
}

package dev.slipway.deploy;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The line of a service's log that says why it stopped, for the report of a failed gate: a crash
 * loop's last journal lines are often just the banner of the next try, so the report names the
 * cause line too. The rules, first match wins, each looking for the last such line (the latest run):
 * <ol>
 *   <li>Spring Boot's failure analysis ({@code APPLICATION FAILED TO START}): the text after its
 *       {@code Description:} line;</li>
 *   <li>the last {@code Caused by: ...} line of a Java stack trace (its root cause);</li>
 *   <li>a line naming an exception or an error ({@code ...Exception}, {@code ...Error},
 *       {@code Error:}, {@code ERROR}, {@code FATAL});</li>
 *   <li>the service's last line before systemd's {@code Main process exited, code=..., status=...}
 *       line, else that line.</li>
 * </ol>
 * The rules apply to the newest run first (runs begin at systemd's {@code Starting}/{@code Started <unit>} lines),
 * and systemd's own lines about the unit are not causes.
 */
public final class CrashCause {
    private CrashCause() {}

    /** At most this many characters of the cause line are kept. */
    public static final int MAX = 300;

    private static final Pattern ERROR = Pattern.compile(
            "\\b[A-Za-z_$][\\w$.]*(Exception|Error)\\b|\\bError:|\\bERROR\\b|\\bFATAL\\b");

    /**
     * @param log a service's log, oldest line first ({@code journalctl -o cat} on a host, the log file on the local target)
     * @return the cause line, stripped and cut to {@link #MAX} characters, or empty when no line looks like one
     */
    public static Optional<String> of(String log) {
        List<String> all = log.lines().map(String::strip).toList();
        // One run per segment, each beginning at systemd's "Starting/Started <unit>" line: the newest run
        // that says anything decides, so an older run's warning never stands for this run's cause.
        List<Integer> starts = new java.util.ArrayList<>(List.of(0));
        for (int i = 0; i < all.size(); i++) {
            if (i > 0 && STARTING.matcher(all.get(i)).find()) {
                starts.add(i);
            }
        }
        for (int s = starts.size() - 1; s >= 0; s--) {
            int end = s + 1 < starts.size() ? starts.get(s + 1) : all.size();
            Optional<String> cause = inRun(all.subList(starts.get(s), end));
            if (cause.isPresent()) {
                return cause;
            }
        }
        return Optional.empty();
    }

    /** systemd's lines for a unit's start ({@code journalctl -o cat}). */
    private static final Pattern STARTING = Pattern.compile("^(Starting|Started) \\S+\\.service\\b");

    /** A line systemd itself writes about a unit, not the service. */
    private static final Pattern SYSTEMD = Pattern.compile("^(\\S+\\.service: |(Starting|Started|Stopping|Stopped) \\S+\\.service\\b)");

    private static final Pattern EXITED = Pattern.compile("Main process exited, code=");

    /** The rules over the lines of one run. */
    private static Optional<String> inRun(List<String> run) {
        List<String> lines = run.stream().filter(l -> !SYSTEMD.matcher(l).find() || EXITED.matcher(l).find()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("APPLICATION FAILED TO START")) {
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith("Description:")) {
                        String d = lines.get(j).substring("Description:".length()).strip();
                        for (int k = j + 1; d.isEmpty() && k < lines.size(); k++) {
                            d = lines.get(k);
                        }
                        if (!d.isEmpty()) {
                            return Optional.of(cut(d));
                        }
                    }
                }
            }
        }
        for (Pattern p : List.of(Pattern.compile("^Caused by: "), ERROR)) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (!l.startsWith("at ") && !EXITED.matcher(l).find() && p.matcher(l).find()) {
                    return Optional.of(cut(l));
                }
            }
        }
        // The service's last line before its exit, else systemd's exit line itself.
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (EXITED.matcher(lines.get(i)).find()) {
                for (int j = i - 1; j >= 0; j--) {
                    if (!lines.get(j).isEmpty() && !lines.get(j).startsWith("at ")) {
                        return Optional.of(cut(lines.get(j)));
                    }
                }
                return Optional.of(cut(lines.get(i)));
            }
        }
        return Optional.empty();
    }

    /**
     * systemd's bookkeeping of a unit's restarts ({@code journalctl -o cat}): the lines that repeat
     * at each turn of a crash loop and say nothing the exit line and the service's own lines do not.
     */
    private static final Pattern BOOKKEEPING = Pattern.compile("^((Starting|Started|Stopping|Stopped) \\S+\\.service\\b"
            + "|\\S+\\.service: (Scheduled restart job|Failed with result|Deactivated successfully|Consumed ))");

    /**
     * The last lines of a crashed service's log, for the report of its failed gate: the service's own
     * lines and systemd's lines on its exits ({@code Main process exited, code=exited, status=1/FAILURE})
     * and on giving up ({@code Start request repeated too quickly}, {@code Failed to start}), without
     * systemd's bookkeeping of each restart ({@code Scheduled restart job}, {@code Starting},
     * {@code Stopped}, ...), which fills the last lines of a crash loop's journal otherwise.
     *
     * @param log   the service's log, oldest line first
     * @param lines at most how many lines to keep (the last ones)
     * @return those lines, joined by newlines
     */
    public static String lastLines(String log, int lines) {
        List<String> kept = log.lines().filter(l -> !BOOKKEEPING.matcher(l.strip()).find()).toList();
        return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    }

    private static String cut(String s) {
        return s.length() > MAX ? s.substring(0, MAX) + "…" : s;
    }
}

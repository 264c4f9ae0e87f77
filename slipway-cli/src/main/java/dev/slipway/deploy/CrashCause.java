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
 *   <li>systemd's {@code Main process exited, code=..., status=...} line.</li>
 * </ol>
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
        List<String> lines = log.lines().map(String::strip).toList();
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
        for (Pattern p : List.of(Pattern.compile("^Caused by: "), ERROR, Pattern.compile("Main process exited, code="))) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (!l.startsWith("at ") && p.matcher(l).find()) {
                    return Optional.of(cut(l));
                }
            }
        }
        return Optional.empty();
    }

    private static String cut(String s) {
        return s.length() > MAX ? s.substring(0, MAX) + "…" : s;
    }
}

package example.myapp;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Minimal timestamped logger. Lines look like
 * {@code 2026-01-01T00:00:00.123Z INFO  listening on http://0.0.0.0:8080}.
 * Info and warnings go to stdout, errors to stderr.
 */
public final class Log {
    private Log() {
    }

    /**
     * Logs an informational line to stdout.
     *
     * @param message the message (no trailing newline)
     */
    public static void info(String message) {
        write(System.out, "INFO ", message);
    }

    /**
     * Logs a warning line to stdout.
     *
     * @param message the message (no trailing newline)
     */
    public static void warn(String message) {
        write(System.out, "WARN ", message);
    }

    /**
     * Logs an error line to stderr.
     *
     * @param message the message (no trailing newline)
     */
    public static void error(String message) {
        write(System.err, "ERROR", message);
    }

    private static void write(java.io.PrintStream out, String level, String message) {
        String line = Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + level + " " + message;
        synchronized (Log.class) {
            out.println(line);
            out.flush();
        }
    }
}

package example.myapp;

import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

/**
 * Logging for myapp, through SLF4J and Logback. The format is picked once, before the first log
 * line, by {@link #configure(String)}: {@code human} lines
 * ({@code 2026-01-01T00:00:00.123Z INFO  listening on ...}) or {@code json}, one JSON object a
 * line from Logback's {@code JsonEncoder}; see {@link LogSetup}. Everything goes to stdout.
 */
public final class Log {
    /** Holder: Logback starts on first use, which must come after {@link #configure(String)}. */
    private static final class Holder {
        static final Logger LOG = LoggerFactory.getLogger("myapp");
    }

    private Log() {
    }

    /**
     * Chooses the log format. Must run before the first logger is created, so call it first thing
     * in {@code main}; later calls have no effect.
     *
     * @param format {@code human} or {@code json}
     */
    public static void configure(String format) {
        System.setProperty(LogSetup.FORMAT_PROPERTY, format);
    }

    /**
     * Sets the level of all loggers (the root logger); takes effect at once.
     *
     * @param level trace, debug, info, warn or error (case-insensitive)
     * @throws IllegalArgumentException if the level is unknown
     */
    public static void setLevel(String level) {
        Level l = Level.toLevel(level.toUpperCase(Locale.ROOT), null);
        if (l == null) {
            throw new IllegalArgumentException("unknown log level " + level);
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(l);
        }
    }

    /**
     * Returns the current level of the root logger.
     *
     * @return e.g. {@code info}, or {@code unknown} if Logback is not the SLF4J backend
     */
    public static String level() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            return ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel().toString().toLowerCase(Locale.ROOT);
        }
        return "unknown";
    }

    /**
     * Returns whether debug lines are logged.
     *
     * @return whether the {@code myapp} logger is enabled at debug level
     */
    public static boolean isDebug() {
        return Holder.LOG.isDebugEnabled();
    }

    /**
     * Logs one finished request, with key-value pairs {@code method}, {@code route},
     * {@code status}, {@code duration_ms}, {@code client} and {@code proto}.
     *
     * @param debug      log at debug level instead of info (for health probes)
     * @param method     request method
     * @param route      route template
     * @param status     response status, or -1 if none was sent
     * @param durationMs duration in milliseconds
     * @param client     client address (see {@link ProxyTrust#clientAddress})
     * @param proto      {@code http} or {@code https}
     */
    public static void request(boolean debug, String method, String route, int status, double durationMs,
                               String client, String proto) {
        (debug ? Holder.LOG.atDebug() : Holder.LOG.atInfo())
                .addKeyValue("method", method)
                .addKeyValue("route", route)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", Math.round(durationMs * 100) / 100.0)
                .addKeyValue("client", client)
                .addKeyValue("proto", proto)
                .log("request");
    }

    /**
     * Logs at debug level.
     *
     * @param message the message (no trailing newline)
     */
    public static void debug(String message) {
        Holder.LOG.debug(message);
    }

    /**
     * Logs at info level.
     *
     * @param message the message (no trailing newline)
     */
    public static void info(String message) {
        Holder.LOG.info(message);
    }

    /**
     * Logs a warning.
     *
     * @param message the message (no trailing newline)
     */
    public static void warn(String message) {
        Holder.LOG.warn(message);
    }

    /**
     * Logs an error.
     *
     * @param message the message (no trailing newline)
     */
    public static void error(String message) {
        Holder.LOG.error(message);
    }

}

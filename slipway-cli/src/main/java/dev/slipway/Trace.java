package dev.slipway;

import java.io.PrintStream;
import java.time.Instant;

/**
 * A timing trace of one command, for finding where its wall time goes: with {@code --debug} (or
 * the environment variable {@code SLIPWAY_TRACE=1}) each {@link #mark} prints one line on stderr,
 * {@code trace +1.234 s (+0.056): what}, where the first figure counts from the start of the
 * process (the operating system's start time of the JVM process, so the JVM's own start counts)
 * and the second from the previous mark. Without it a mark costs one volatile read.
 *
 * <p>Marks are made from any thread (the hosts target connects and looks at hosts at once); each
 * line is printed whole.
 */
public final class Trace {
    private static final boolean BY_ENVIRONMENT = System.getenv("SLIPWAY_TRACE") != null
            && !System.getenv("SLIPWAY_TRACE").isEmpty() && !System.getenv("SLIPWAY_TRACE").equals("0");
    private static volatile boolean on = BY_ENVIRONMENT;
    private static long last;
    private static long origin;
    private static PrintStream err = System.err;

    private Trace() {}

    /**
     * Sets the trace for one command (a test JVM runs many): on with {@code --debug} or
     * {@code SLIPWAY_TRACE}, else off; marks the JVM's entry into {@code main}.
     *
     * @param debug whether the command line has {@code --debug}
     */
    public static void enable(boolean debug) {
        on = debug || BY_ENVIRONMENT;
        mark("main (the JVM started, Slipway's classes load from here)");
    }

    /** @return whether marks print */
    public static boolean on() {
        return on;
    }

    /**
     * Prints one trace line when the trace is on.
     *
     * @param what what was reached, e.g. {@code "config loaded"} or {@code "hb1: connected"}
     */
    public static void mark(String what) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        synchronized (Trace.class) {
            if (origin == 0) {
                // nanoTime has no epoch: translate the process's start (wall clock, 10 ms steps) once.
                long sinceStart = ProcessHandle.current().info().startInstant()
                        .map(s -> java.time.Duration.between(s, Instant.now()).toNanos()).orElse(0L);
                origin = now - Math.max(0, sinceStart);
                last = origin;
            }
            err.printf("trace +%.3f s (+%.3f): %s%n", (now - origin) / 1e9, (now - last) / 1e9, what);
            err.flush();
            last = now;
        }
    }
}

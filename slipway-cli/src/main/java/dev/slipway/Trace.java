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
                // nanoTime has no epoch: translate the process's age once.
                origin = now - Math.max(0, sinceProcessStart());
                last = origin;
            }
            err.printf("trace +%.3f s (+%.3f): %s%n", (now - origin) / 1e9, (now - last) / 1e9, what);
            err.flush();
            last = now;
        }
    }

    /**
     * How long this process has run, in nanoseconds: on Linux from {@code /proc/self/stat} field 22
     * (start time in clock ticks since boot, 100 per second on every Linux ABI Slipway runs on) and
     * {@code /proc/uptime} (seconds since boot, 10 ms steps), see proc(5). Both count from boot, so
     * the age is exact to a tick; {@link ProcessHandle.Info#startInstant} adds the boot time, which
     * the kernel gives in whole seconds, and so was up to a second off. Elsewhere that is the
     * fallback; 0 when neither is known.
     */
    static long sinceProcessStart() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            String uptime = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/uptime"));
            double upSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Math.round((upSeconds - startTicks / 100.0) * 1e9);
        } catch (java.io.IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant()
                    .map(s -> java.time.Duration.between(s, Instant.now()).toNanos()).orElse(0L);
        }
    }
}

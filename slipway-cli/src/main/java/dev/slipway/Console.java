package dev.slipway;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Where commands print: results to {@code out}, progress and warnings to {@code err}.
 *
 * @param out         results, the output a script may read
 * @param err         progress, warnings and errors
 * @param interactive whether {@code err} is a terminal, so progress may redraw one line
 */
public record Console(PrintWriter out, PrintWriter err, boolean interactive) {

    /** Prints one result line to {@code out}. */
    public void println(String line) {
        out.println(line);
        out.flush();
    }

    /** Prints one progress line to {@code err}. */
    public void progress(String line) {
        err.println(line);
        err.flush();
    }

    /**
     * Runs a long step and shows that it is alive: on a terminal a ticking seconds counter, else one
     * line when it starts and one with its duration when it ends.
     *
     * @param label what is being done, e.g. {@code linking runtime}
     * @param work  the step
     * @param <T>   its result type
     * @return the step's result
     * @throws SlipwayException whatever the step throws, unchanged
     */
    public <T> T timed(String label, Callable<T> work) {
        long start = System.nanoTime();
        Thread ticker = null;
        if (interactive) {
            ticker = new Thread(() -> {
                try {
                    while (true) {
                        err.print("\r  " + label + " … " + seconds(System.nanoTime() - start));
                        err.flush();
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "progress");
            ticker.setDaemon(true);
            ticker.start();
        } else {
            progress("  " + label + " …");
        }
        try {
            T result = work.call();
            stop(ticker);
            progress((interactive ? "\r" : "") + "  " + label + " done in " + seconds(System.nanoTime() - start));
            return result;
        } catch (SlipwayException e) {
            stop(ticker);
            if (interactive) {
                progress("");
            }
            throw e;
        } catch (Exception e) {
            stop(ticker);
            Throwable cause = SlipwayException.unwrap(e);
            if (cause instanceof SlipwayException s) {
                throw s;
            }
            throw SlipwayException.failed(label + " failed: " + SlipwayException.causeLine(cause), cause);
        }
    }

    private static void stop(Thread ticker) {
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return a duration in nanoseconds as seconds with one decimal, e.g. {@code 3.2 s} */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** @return a duration as seconds with one decimal */
    public static String seconds(Duration d) {
        return seconds(d.toNanos());
    }

    /** @return a byte count in MB (10^6) with one decimal, e.g. {@code 31.4 MB} */
    public static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}

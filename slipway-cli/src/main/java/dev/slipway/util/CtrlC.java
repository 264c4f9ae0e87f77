package dev.slipway.util;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Takes Ctrl-C (SIGINT) over for a while, instead of the JVM's own handling (which runs the
 * shutdown hooks and exits with 130): each SIGINT calls a handler with its count (1 for the first),
 * and the process goes on. Closing the handle gives SIGINT back to what handled it before.
 *
 * <p>It uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, in every JDK): the only way
 * for Java code to catch a signal without ending the process. When SIGINT is ignored (a process
 * started in the background by a shell without job control; see {@code signal(7)}), the JVM keeps
 * it ignored and the handler is never called. When the handler cannot be installed (a JVM started
 * with {@code -Xrs}), {@link #take} returns a handle that does nothing, and SIGINT keeps its default.
 */
public final class CtrlC implements AutoCloseable {
    private final Object previous;

    private CtrlC(Object previous) {
        this.previous = previous;
    }

    /**
     * Installs {@code handler} for SIGINT until {@link #close}.
     *
     * @param handler called on the JVM's signal thread with the number of SIGINTs received since
     *                {@link #take} (1, 2, ...); it must not block for long (the next SIGINT waits for it
     *                to return)
     * @return the handle that gives SIGINT back
     */
    public static CtrlC take(IntConsumer handler) {
        AtomicInteger count = new AtomicInteger();
        try {
            sun.misc.Signal sig = new sun.misc.Signal("INT");
            sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, s -> {
                int n = count.incrementAndGet();
                // The second SIGINT arrives while the first's handler may still run: each on its own thread.
                Thread t = new Thread(() -> handler.accept(n), "slipway-ctrl-c-" + n);
                t.setDaemon(true);
                t.start();
            });
            if (old == sun.misc.SignalHandler.SIG_IGN) {
                // SIGINT was ignored: keep it so (the JVM reports an ignored signal this way).
                sun.misc.Signal.handle(sig, old);
                return new CtrlC(null);
            }
            return new CtrlC(old);
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return new CtrlC(null);
        }
    }

    /** @return whether SIGINT is taken over (false: it was ignored, or cannot be handled here) */
    public boolean taken() {
        return previous != null;
    }

    /** Gives SIGINT back to the handler it had before {@link #take}. Never throws. */
    @Override
    public void close() {
        if (previous == null) {
            return;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), (sun.misc.SignalHandler) previous);
        } catch (RuntimeException ignored) {
            // the process is exiting
        }
    }
}

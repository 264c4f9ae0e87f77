package example.myapp;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP server's executor, bounded and fair to clients that send whole requests.
 *
 * <p>The JDK server ({@code com.sun.net.httpserver}) hands a connection to a worker as soon as its
 * first bytes arrive, and the worker then blocks reading the rest of the request line and headers.
 * A slowloris client (headers sent a byte at a time, or never finished) so holds a worker until
 * {@code sun.net.httpserver.maxReqTime} cuts the connection; with every worker held, the server
 * refuses new connections (connection reset). Go's {@code http.Server} has a goroutine per
 * connection and {@code ReadHeaderTimeout}; here workers are bounded ({@code max} running,
 * {@code max} more waiting), and when they are all taken a new request takes the worker of the
 * connection that has been reading its headers longest: that worker is interrupted, which closes
 * its channel ({@link java.nio.channels.ClosedByInterruptException}), as the header timeout would
 * have later. A request whose headers are read ({@link #headersRead()}, called first by the
 * request filter) is never interrupted. Beyond {@code 2 * max} waiting and running requests a new
 * one is rejected, and the JDK server closes its connection.
 *
 * <p>On JDK 21 and later each request runs on its own virtual thread (no pool), with the same
 * bound and the same eviction.
 */
final class HttpWorkers extends AbstractExecutorService {
    private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();

    private final ExecutorService delegate;
    private final int max;
    private final AtomicInteger taken = new AtomicInteger(); // running or waiting
    private final ConcurrentLinkedDeque<Task> reading = new ConcurrentLinkedDeque<>(); // oldest first
    private final AtomicInteger evicted = new AtomicInteger();
    private final AtomicInteger evicting = new AtomicInteger(); // evicted, not yet ended

    /**
     * @param max     requests running at once; as many more may wait
     * @param virtual whether to run each request on a virtual thread (JDK 21+), else a pool of
     *                {@code max} platform threads (idle ones end after 30 s)
     */
    HttpWorkers(int max, boolean virtual) {
        this.max = max;
        if (virtual) {
            try {
                delegate = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("virtual threads unavailable: " + e, e);
            }
        } else {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(max), new WorkerThreadFactory());
            pool.allowCoreThreadTimeOut(true);
            delegate = pool;
        }
    }

    /**
     * Marks the current request's headers as read, so that it is no longer a candidate for
     * eviction. Call it first thing for every request.
     *
     * @return {@code false} when the request was evicted just before: its connection is closed,
     *         and it must not be handled
     */
    static boolean headersRead() {
        Task t = CURRENT.get();
        return t == null || t.handling();
    }

    /** @return how many connections were cut while reading headers, to free a worker */
    int evicted() {
        return evicted.get();
    }

    @Override
    public void execute(Runnable exchange) {
        taken.incrementAndGet();
        // Free a worker for every request beyond max, so that none waits behind slow readers
        // (evicted workers count as free: they end within moments).
        while (taken.get() - evicting.get() > max && evictOldestReader()) {
            // one more evicted
        }
        if (taken.get() > 2 * max) {
            taken.decrementAndGet();
            throw new java.util.concurrent.RejectedExecutionException("more than " + (2 * max) + " requests at once");
        }
        try {
            delegate.execute(new Task(exchange));
        } catch (RuntimeException e) {
            taken.decrementAndGet();
            throw e;
        }
    }

    /** @return whether a reader was evicted; {@code false} when no request is reading its headers */
    private boolean evictOldestReader() {
        Task t;
        while ((t = reading.pollFirst()) != null) {
            if (t.evict()) {
                evicted.incrementAndGet();
                return true;
            }
        }
        return false;
    }

    /** One request: reading its headers until {@link #headersRead()}, then handling. */
    private final class Task implements Runnable {
        private static final int WAITING = 0;
        private static final int READING = 1;
        private static final int HANDLING = 2;
        private static final int EVICTED = 3;
        private static final int DONE = 4;

        private final Runnable exchange;
        private int state = WAITING; // guarded by this
        private Thread thread;

        Task(Runnable exchange) {
            this.exchange = exchange;
        }

        @Override
        public void run() {
            synchronized (this) {
                thread = Thread.currentThread();
                state = READING;
            }
            reading.addLast(this);
            CURRENT.set(this);
            try {
                exchange.run();
            } finally {
                boolean wasEvicted;
                synchronized (this) {
                    wasEvicted = state == EVICTED;
                    state = DONE; // no interrupt can come after this
                }
                if (wasEvicted) {
                    evicting.decrementAndGet();
                }
                reading.remove(this);
                CURRENT.remove();
                Thread.interrupted(); // an eviction's interrupt must not reach the next request
                taken.decrementAndGet();
            }
        }

        synchronized boolean handling() {
            if (state == EVICTED) {
                return false;
            }
            state = HANDLING;
            reading.remove(this);
            return true;
        }

        synchronized boolean evict() {
            if (state != READING) {
                return false;
            }
            state = EVICTED;
            evicting.incrementAndGet();
            thread.interrupt(); // closes the channel the worker blocks on
            return true;
        }
    }

    private static final class WorkerThreadFactory implements ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "http-worker-" + n.incrementAndGet());
            t.setDaemon(false);
            return t;
        }
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }
}

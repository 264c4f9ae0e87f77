package example.myapp;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates or migrates the schema on its own thread while the server already listens, retrying
 * with backoff (250 ms doubling to 5 s) until it succeeds or {@link #stop} is called. Readiness
 * answers 503 with {@link #error()} until then.
 */
final class Schema {
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile String error = "starting";

    private Schema() {
    }

    /**
     * @param db the database to migrate
     * @return the schema, being made on the daemon thread {@code schema}
     */
    static Schema start(Database db) {
        Schema s = new Schema();
        Thread t = new Thread(() -> s.run(db), "schema");
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** Stops retrying. */
    void stop() {
        stop.set(true);
    }

    /** @return whether the schema is in place */
    boolean ready() {
        return ready.get();
    }

    /** @return why it is not ready yet (the last attempt's error), or {@code null} when ready */
    String error() {
        return error;
    }

    /**
     * @param timeoutMs longest wait, milliseconds
     * @return whether the schema became ready in time
     * @throws InterruptedException if interrupted
     */
    boolean await(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!ready.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return ready.get();
    }

    private void run(Database db) {
        long backoffMs = 250;
        String lastLogged = null;
        for (int attempt = 1; !stop.get(); attempt++) {
            try {
                int applied = db.migrate();
                ready.set(true);
                error = null;
                Log.info("schema ready (" + applied + " migration(s) applied, attempt " + attempt + ")");
                return;
            } catch (SQLException | RuntimeException e) {
                error = Http.oneLine(e);
                if (!error.equals(lastLogged)) {
                    Log.warn("schema not ready, retrying: " + error);
                    lastLogged = error;
                }
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(5_000, backoffMs * 2);
        }
    }
}

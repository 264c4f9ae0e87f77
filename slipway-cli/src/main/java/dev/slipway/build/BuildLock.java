package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.remote.LocalHost;
import dev.slipway.remote.Lock;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * One build at a time per service directory: two builds at once (two {@code slipway ship} in two
 * terminals) ran two Maven builds into the same {@code target/} and wrote the same {@code dist/},
 * and failed after minutes with a half-written jar ({@code zip END header not found}, Quarkus'
 * {@code NoSuchFileException: ...runner.tmp}).
 *
 * <p>The lock is the deploy lock's protocol ({@link Lock}, over {@link LocalHost}): the directory
 * {@code <cache>/locks/build-<hash>/lock} ({@link #dir}: Slipway's cache directory, keyed by the
 * service directory's real path, so that a build that stops on bad input leaves the service
 * directory untouched), made with an atomic {@code mkdir}, with its holder's {@code info} (who,
 * pid, machine, since, version, what). It is held for the whole build, from before the build
 * command to {@code dist/artifacts.json}. A second build waits for it, saying so once ("waiting for
 * the build of pid N to finish"), up to {@link #WAIT}, then refuses with exit 2 naming the holder
 * ({@link Lock#held}: nothing was built). A lock whose holder is gone (a kill -9 or a power cut:
 * its pid no longer runs on this machine, or runs a process started after the lock was taken) is
 * taken over at once, and the build says so; Ctrl-C and SIGTERM release it on the way out.
 */
public final class BuildLock implements AutoCloseable {
    /** How long a build waits for another: longer than the build command's own limit (30 min). */
    public static final Duration WAIT = Duration.ofMinutes(40);
    /** A build waits for another however long it has run (up to {@link #WAIT}): builds have no stale age. */
    private static final Duration NEVER_STALE = Duration.ofDays(36500);

    private final LocalHost host;
    private final String dir;
    private final Lock.Holder me;
    private final Thread onExit;

    private BuildLock(LocalHost host, String dir, Lock.Holder me) {
        this.host = host;
        this.dir = dir;
        this.me = me;
        this.onExit = new Thread(this::release, "build-lock-release");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * The lock's directory of a service directory.
     *
     * @param serviceDir the service directory
     * @return {@code <cache>/locks/build-<first 16 hex digits of the sha256 of its real path>}; the
     *         lock itself is its {@code lock} subdirectory
     */
    public static Path dir(Path serviceDir) {
        Path real;
        try {
            real = serviceDir.toRealPath();
        } catch (IOException e) {
            real = serviceDir.toAbsolutePath().normalize();
        }
        return Builder.cacheDir().resolve("locks").resolve("build-" + Hashing.sha256Hex(real.toString()).substring(0, 16));
    }

    /**
     * Takes the build lock of a service directory, waiting for another build that holds it.
     *
     * @param serviceDir the service directory
     * @param name       the service's name, recorded for a waiting build
     * @param console    where the one waiting line (and a take-over line) goes
     * @param wait       the longest to wait; zero: don't wait
     * @return the lock; close it when the build ends
     * @throws SlipwayException exit 2 when another build still holds it after {@code wait} (nothing
     *                          was built); exit 1 when the lock directory cannot be made
     */
    public static BuildLock acquire(Path serviceDir, String name, Console console, Duration wait) {
        LocalHost host = new LocalHost("localhost");
        String dir = dir(serviceDir).toString();
        Lock.Holder me = Lock.me("-", "build of " + name);
        // The one rule of every Slipway lock (Lock.judge); a build is never refused for the age of another.
        Lock.acquire(host, dir, me, wait, Duration.ofMillis(200), NEVER_STALE,
                o -> "another build of " + serviceDir + " holds " + dir + "/lock: " + o.describe()
                        + (wait.isZero() ? "" : " (waited " + Console.seconds(wait) + ")") + "; wait for it or stop it; nothing was built",
                o -> console.progress("waiting for the build of pid " + o.pid() + " to finish (" + o.describe() + ")"),
                o -> console.progress("the build lock " + dir + "/lock was left by " + o.describe() + ", which is gone; taking it over"));
        return new BuildLock(host, dir, me);
    }

    /** @return who holds this lock: this process */
    public Lock.Holder holder() {
        return me;
    }

    /** Releases the lock (the directory {@code <dir>/lock} goes; {@code <dir>} stays). */
    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException exiting) {
            // The JVM is shutting down: the hook runs (or ran) release(), which is idempotent.
        }
    }

    private void release() {
        try {
            Lock.release(host, dir, me.id());
        } catch (RuntimeException ignored) {
            // A lock left behind is taken over by the next build: its holder is gone.
        }
    }
}

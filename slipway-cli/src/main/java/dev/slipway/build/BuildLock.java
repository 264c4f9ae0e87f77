package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One build at a time per service directory: two builds at once (two {@code slipway ship} in two
 * terminals) ran two Maven builds into the same {@code target/} and wrote the same {@code dist/},
 * and failed after minutes with a half-written jar ({@code zip END header not found}, Quarkus'
 * {@code NoSuchFileException: ...runner.tmp}).
 *
 * <p>The lock is an exclusive {@link FileLock} (fcntl(2) {@code F_SETLK} on Linux) on
 * {@code <cache>/locks/build-<hash>.lock} ({@link #file}: Slipway's cache directory, keyed by the
 * service directory's real path, so that a build that stops on bad input leaves the service
 * directory untouched), held for the whole build from before the build command
 * to {@code dist/artifacts.json}. The file records the holder (pid, user, start, version) for the
 * waiting side to name. A second build waits for it, saying so once ("waiting for the build of pid
 * N to finish"), up to {@link #WAIT}, then fails with exit 1 naming the holder. The operating
 * system releases the lock of a process that dies (even by SIGKILL), so there is never a stale
 * lock to remove; the file itself stays.
 */
public final class BuildLock implements AutoCloseable {
    /**
     * The lock file of a service directory.
     *
     * @param serviceDir the service directory
     * @return {@code <cache>/locks/build-<first 16 hex digits of the sha256 of its real path>.lock}
     */
    public static Path file(Path serviceDir) {
        Path dir;
        try {
            dir = serviceDir.toRealPath();
        } catch (IOException e) {
            dir = serviceDir.toAbsolutePath().normalize();
        }
        return Builder.cacheDir().resolve("locks")
                .resolve("build-" + Hashing.sha256Hex(dir.toString()).substring(0, 16) + ".lock");
    }
    /** How long a build waits for another: longer than the build command's own limit (30 min). */
    public static final Duration WAIT = Duration.ofMinutes(40);
    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    private final RandomAccessFile file;
    private final FileLock lock;

    private BuildLock(RandomAccessFile file, FileLock lock) {
        this.file = file;
        this.lock = lock;
    }

    /**
     * Takes the build lock of a service directory, waiting for another build that holds it.
     *
     * @param serviceDir the service directory
     * @param what       what this build is, recorded for a waiting build (e.g. {@code build myapp 1.2.0})
     * @param console    where the one waiting line goes
     * @param wait       the longest to wait
     * @return the lock; close it when the build ends
     * @throws SlipwayException (exit 1) when another build still holds it after {@code wait}, or
     *                          the lock file cannot be written
     */
    public static BuildLock acquire(Path serviceDir, String what, Console console, Duration wait) {
        Path path = file(serviceDir);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean said = false;
        try {
            Files.createDirectories(path.getParent());
            RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw");
            try {
                while (true) {
                    FileLock l;
                    try {
                        l = raf.getChannel().tryLock();
                    } catch (OverlappingFileLockException e) {
                        l = null; // this JVM builds the same service in another thread
                    }
                    if (l != null) {
                        raf.setLength(0);
                        raf.write(("pid " + ProcessHandle.current().pid() + ", user " + System.getProperty("user.name")
                                + ", since " + Instant.now() + ", " + what + "\n").getBytes(StandardCharsets.UTF_8));
                        return new BuildLock(raf, l);
                    }
                    String holder = Files.readString(path, StandardCharsets.UTF_8).strip();
                    if (System.nanoTime() > deadline) {
                        throw SlipwayException.failed("another build of " + serviceDir + " still holds " + path
                                + " after " + wait.toMinutes() + " min" + (holder.isEmpty() ? "" : ": " + holder)
                                + "; wait for it or stop it");
                    }
                    if (!said) {
                        Matcher m = PID.matcher(holder);
                        console.progress("waiting for the build of " + (m.find() ? "pid " + m.group(1) : "another slipway")
                                + " to finish (" + path + (holder.isEmpty() ? "" : ": " + holder) + ")");
                        said = true;
                    }
                    Thread.sleep(200);
                }
            } catch (IOException | RuntimeException e) {
                raf.close();
                throw e;
            } catch (InterruptedException e) {
                raf.close();
                Thread.currentThread().interrupt();
                throw SlipwayException.failed("interrupted while waiting for another build of " + serviceDir);
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot lock " + path + ": " + e.getMessage(), e);
        }
    }

    /** Releases the lock (the file stays, emptied). */
    @Override
    public void close() {
        try {
            file.setLength(0);
            lock.release();
            file.close();
        } catch (IOException ignored) {
            // Closing the file releases the lock anyway.
        }
    }
}

package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.remote.Lock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build lock is the deploy lock's protocol ({@link Lock}) in the cache: a held lock refuses
 * with exit 2 after the wait, a lock whose holder is gone is taken over, and closing releases it.
 */
class BuildLockTest {
    @TempDir
    Path service;

    final StringWriter progress = new StringWriter();
    final Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(progress, true), false);

    /** Writes a lock as another holder would have left it. */
    Path leave(long pid, Instant since) throws Exception {
        Path lock = Files.createDirectories(BuildLock.dir(service).resolve("lock"));
        Files.writeString(lock.resolve("info"), "id=other\nwho=ann@ci\nmachine=" + Lock.machineName() + "\npid=" + pid
                + "\nsince=" + since.truncatedTo(ChronoUnit.SECONDS) + "\nversion=-\nmessage=build of svc\n");
        return lock;
    }

    @Test
    void aSecondBuildWaitsThenRefusesWithExitTwoNamingTheHolder() throws Exception {
        try (BuildLock first = BuildLock.acquire(service, "svc", console, Duration.ZERO)) {
            assertTrue(Files.isRegularFile(BuildLock.dir(service).resolve("lock/info")));
            long start = System.nanoTime();
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> BuildLock.acquire(service, "svc", console, Duration.ofMillis(600)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(600), "it waited");
            assertEquals(SlipwayException.USAGE, e.exitCode());
            assertTrue(e.getMessage().startsWith("another build of " + service + " holds " + BuildLock.dir(service)
                    + "/lock: " + first.holder().who() + " (pid " + ProcessHandle.current().pid() + " on "), e.getMessage());
            assertTrue(e.getMessage().endsWith(", build of svc (waited 0.6 s); wait for it or stop it; nothing was built"),
                    e.getMessage());
            assertTrue(progress.toString().contains("waiting for the build of pid " + ProcessHandle.current().pid()
                    + " to finish ("), progress.toString());
        }
        assertFalse(Files.exists(BuildLock.dir(service).resolve("lock")), "closing released it");
        BuildLock.acquire(service, "svc", console, Duration.ZERO).close();
    }

    @Test
    void aLockWhoseHolderIsGoneIsTakenOver() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
        leave(dead.pid(), Instant.now());
        try (BuildLock lock = BuildLock.acquire(service, "svc", console, Duration.ZERO)) {
            assertTrue(Files.readString(BuildLock.dir(service).resolve("lock/info")).contains("id=" + lock.holder().id()));
        }
        assertTrue(progress.toString().contains("(pid " + dead.pid() + " on " + Lock.machineName()
                + ") since "), progress.toString());
        assertTrue(progress.toString().contains("which is gone; taking it over"), progress.toString());
    }

    @Test
    void aPidReusedByANewerProcessDoesNotKeepTheLock() throws Exception {
        Process newer = new ProcessBuilder("sleep", "60").start();
        try {
            leave(newer.pid(), Instant.now().minus(Duration.ofHours(1)));
            BuildLock.acquire(service, "svc", console, Duration.ZERO).close();
            assertTrue(progress.toString().contains("which is gone; taking it over"), progress.toString());
        } finally {
            newer.destroyForcibly();
        }
    }

    @Test
    void aLiveHolderKeepsItsLockAndALockWithoutInfoIsTakenOverAfterAWhile() throws Exception {
        Path lock = leave(ProcessHandle.current().pid(), Instant.now());
        SlipwayException e = assertThrows(SlipwayException.class, () -> BuildLock.acquire(service, "svc", console, Duration.ZERO));
        assertEquals(2, e.exitCode());
        assertTrue(Files.readString(lock.resolve("info")).contains("id=other"), "another holder's lock stays");
        Files.delete(lock.resolve("info")); // its holder died between the mkdir and the info
        long start = System.nanoTime();
        BuildLock.acquire(service, "svc", console, Duration.ofSeconds(60)).close();
        assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(5), "a lock without info gets a few seconds");
    }
}

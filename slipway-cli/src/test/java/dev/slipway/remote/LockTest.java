package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The deploy lock's errors: a held lock refuses (exit 2), a failed command always names its cause. */
class LockTest {
    /** A host whose every command ends with the given result. */
    static Host answering(Host.CommandResult result) {
        return new Host() {
            @Override
            public String name() {
                return "web1";
            }

            @Override
            public CommandResult run(String command, Duration timeout) {
                return result;
            }

            @Override
            public void upload(Path local, String remotePath, int mode, Progress progress) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] content, String remotePath, int mode) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void aFailedLockCommandNamesItsCauseEvenWithoutOutput() {
        Lock.Holder me = Lock.me("1.0.0", "deploy");
        SlipwayException silent = assertThrows(SlipwayException.class,
                () -> Lock.tryAcquire(answering(new Host.CommandResult(1, "", "")), "/opt/svc", me));
        assertEquals("web1: cannot take the lock in /opt/svc: exit status 1, with no output", silent.getMessage());
        assertEquals(1, silent.exitCode());
        SlipwayException killed = assertThrows(SlipwayException.class,
                () -> Lock.tryAcquire(answering(new Host.CommandResult(137, "", "  \n")), "/opt/svc", me));
        assertTrue(killed.getMessage().endsWith(": killed by signal 9 (exit status 137), with no output"), killed.getMessage());
        SlipwayException said = assertThrows(SlipwayException.class,
                () -> Lock.tryAcquire(answering(new Host.CommandResult(1, "", "mkdir: No space left on device\n")), "/opt/svc", me));
        assertTrue(said.getMessage().endsWith("/opt/svc: mkdir: No space left on device"), said.getMessage());
        assertEquals("exit status 2: held", Lock.cause(new Host.CommandResult(2, "held\n", "")));
    }

    @Test
    void aHeldLockRefusesWithExitTwo() {
        SlipwayException e = Lock.held("web1 is locked by ann@ci; nothing was changed");
        assertEquals(SlipwayException.USAGE, e.exitCode());
        assertEquals("web1 is locked by ann@ci; nothing was changed", e.getMessage());
    }

    @Test
    void aLockWithoutInfoIsHeldByAnUnknownHolderNotAnError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("lock")); // its holder died between the mkdir and the info
        var holder = Lock.tryAcquire(new dev.slipway.remote.LocalHost("localhost"), dir.toString(), Lock.me("1.0.0", "deploy"));
        assertTrue(holder.isPresent());
        assertTrue(holder.get().describe().startsWith("an unknown holder"), holder.get().describe());
    }

    @Test
    void statusCallsALockWhoseHolderHereIsGoneStale() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        java.time.Instant since = java.time.Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Lock.Holder dead = new Lock.Holder("x", "u@" + Lock.machineName(), Lock.machineName(), p.pid(), since, "1.0.0", "deploy");
        assertEquals("; stale: pid " + p.pid() + " is not running on this machine ('slipway lock release --force' clears it)",
                dead.goneNote(java.time.Instant.now()));
        Lock.Holder live = Lock.me("1.0.0", "deploy");
        assertEquals("", live.goneNote(java.time.Instant.now()), "this process runs");
        Lock.Holder elsewhere = new Lock.Holder("x", "u@other", "other-machine-name", p.pid(), since, "1.0.0", "deploy");
        assertEquals("", elsewhere.goneNote(java.time.Instant.now()), "a pid on another machine cannot be checked");
    }
}

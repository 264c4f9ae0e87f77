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
        assertEquals("; stale: pid " + p.pid() + " is not running on this machine (the next deploy or rollback takes it over)",
                dead.goneNote(java.time.Instant.now()));
        Lock.Holder live = Lock.me("1.0.0", "deploy");
        assertEquals("", live.goneNote(java.time.Instant.now()), "this process runs");
        Lock.Holder elsewhere = new Lock.Holder("x", "u@other", "other-machine-name", p.pid(), since, "1.0.0", "deploy");
        assertEquals("", elsewhere.goneNote(java.time.Instant.now()), "a pid on another machine cannot be checked");
    }

    /**
     * The one lock rule (docs/local-deploy.md, docs/hosts.md), over a real lock directory: a gone
     * holder of this machine is taken over and the take-over is reported to the target; a live
     * holder and one on another machine are refused with their details after the wait; one on
     * another machine older than staleAfter is refused at once; a lock without info is taken over
     * once it has had none for longer than {@link Lock#NO_INFO}.
     */
    @Test
    void oneRuleTakesOverAGoneHolderHereAndRefusesLiveOrForeignOnes(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        LocalHost host = new LocalHost("localhost");
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Lock.Holder dead = new Lock.Holder("d1", "u@" + Lock.machineName(), Lock.machineName(), p.pid(), now, "2.0.0", "deploy");
        Lock.Holder live = new Lock.Holder("l1", "ann@ci", Lock.machineName(), ProcessHandle.current().pid(), now, "2.0.0", "deploy");
        Lock.Holder foreign = new Lock.Holder("f1", "bob@laptop", "laptop", 5, now, "2.0.0", "rollback");
        Lock.Holder oldForeign = new Lock.Holder("f2", "bob@laptop", "laptop", 5, now.minusSeconds(700), "2.0.0", "deploy");
        Duration ten = Duration.ofMinutes(10);
        assertEquals(Lock.Held.TAKE_OVER, Lock.judge(dead, ten, java.time.Instant.now(), Duration.ZERO));
        assertEquals(Lock.Held.WAIT, Lock.judge(live, ten, java.time.Instant.now(), Duration.ZERO));
        assertEquals(Lock.Held.WAIT, Lock.judge(foreign, ten, java.time.Instant.now(), Duration.ZERO));
        assertEquals(Lock.Held.REFUSE, Lock.judge(oldForeign, ten, java.time.Instant.now(), Duration.ZERO));
        assertEquals(Lock.Held.WAIT, Lock.judge(oldForeign, Duration.ofMinutes(20), java.time.Instant.now(), Duration.ZERO));
        Lock.Holder noInfo = Lock.parse("held\n");
        assertEquals(Lock.Held.WAIT, Lock.judge(noInfo, ten, java.time.Instant.now(), Duration.ofSeconds(1)));
        assertEquals(Lock.Held.TAKE_OVER, Lock.judge(noInfo, ten, java.time.Instant.now(), Duration.ofSeconds(6)));

        String d = dir.toString();
        java.util.List<String> said = new java.util.ArrayList<>();
        Lock.Holder me = Lock.me("3.0.0", "deploy");
        // A gone holder: taken over, and the target hears of it while it holds the lock.
        assertTrue(Lock.tryAcquire(host, d, dead).isEmpty());
        Lock.acquire(host, d, me, Duration.ZERO, Duration.ofMillis(50), ten, o -> "refused " + o.id(), o -> said.add("wait " + o.id()),
                o -> said.add("took " + o.id() + " held by me: " + Lock.read(host, d).map(Lock.Holder::id).orElse("none")));
        assertEquals(java.util.List.of("took d1 held by me: " + me.id()), said);
        assertTrue(Lock.release(host, d, me.id()));
        // Live and foreign holders: refused with their details (exit 2), the lock left as it was.
        for (Lock.Holder h : java.util.List.of(live, foreign, oldForeign)) {
            assertTrue(Lock.tryAcquire(host, d, h).isEmpty());
            SlipwayException e = assertThrows(SlipwayException.class, () -> Lock.acquire(host, d, me, h == oldForeign
                    ? Duration.ofMinutes(5) : Duration.ofMillis(300), Duration.ofMillis(50), ten,
                    o -> "refused: " + o.describe(), o -> said.add("wait " + o.id()), o -> said.add("took " + o.id())));
            assertEquals(2, e.exitCode());
            assertEquals("refused: " + h.describe(), e.getMessage());
            assertEquals(h.id(), Lock.read(host, d).orElseThrow().id(), "a refused run leaves the lock alone");
            assertTrue(Lock.forceRelease(host, d).isPresent());
        }
        assertEquals(java.util.List.of("took d1 held by me: " + me.id(), "wait l1", "wait f1"), said, "an old lock is refused at once");
        // No info: watched for NO_INFO, then taken over.
        java.nio.file.Files.createDirectories(dir.resolve("lock"));
        long t = System.nanoTime();
        Lock.acquire(host, d, me, Duration.ZERO, Duration.ofMillis(200), ten, o -> "refused", o -> said.add("wait no info"),
                o -> said.add("took no info"));
        assertTrue(System.nanoTime() - t >= Lock.NO_INFO.toNanos(), "a lock without info is waited for first");
        assertEquals("took no info", said.get(said.size() - 1));
        assertEquals(me.id(), Lock.read(host, d).orElseThrow().id());
    }
}

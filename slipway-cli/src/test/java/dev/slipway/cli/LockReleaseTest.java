package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.remote.LocalHost;
import dev.slipway.remote.Lock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway lock release}: the local target's lock is released like the hosts target's, only
 * with {@code --force}, and the command says whose it was; targets without a Slipway lock are refused.
 */
class LockReleaseTest {
    @TempDir
    Path dir;

    @Test
    void forceReleasesTheLocalLockOfALiveHolderAndNamesIt() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservice:\n  port: 18999\n");
        Path state = Files.createDirectories(dir.resolve(".slipway/local"));
        // A live holder on this machine: the next deploy would wait for it, not take it over.
        Lock.Holder live = new Lock.Holder("7", "ann@elsewhere", Lock.machineName(), ProcessHandle.current().pid(),
                Instant.now(), "2.0.0", "deploy");
        try (LocalHost host = new LocalHost("localhost")) {
            assertTrue(Lock.tryAcquire(host, state.toString(), live).isEmpty(), "the test's lock is taken");
        }

        var refused = CliRunner.run("lock", "release", dir.toString(), "--to", "local");
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(Files.isDirectory(state.resolve("lock")), "without --force the lock stays");

        var other = CliRunner.run("lock", "release", dir.toString(), "--to", "kubernetes", "--force");
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("only the local and hosts targets hold a Slipway lock"), other.toString());

        var noHosts = CliRunner.run("lock", "release", dir.toString(), "--to", "hosts", "--force");
        assertEquals(2, noHosts.code(), noHosts.toString());
        assertTrue(noHosts.err().contains("no deploy.hosts"), noHosts.toString());
        assertTrue(Files.isDirectory(state.resolve("lock")), "refused commands change nothing");

        // Without --to: every target with a lock; here only local (no deploy.hosts).
        var released = CliRunner.run("lock", "release", dir.toString(), "--force");
        assertEquals(0, released.code(), released.toString());
        assertTrue(released.out().contains("local: released the lock of ann@elsewhere"), released.toString());
        assertFalse(Files.exists(state.resolve("lock")), "the lock is gone");

        var again = CliRunner.run("lock", "release", dir.toString(), "--to", "local", "--force");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("local: was not locked"), again.toString());
    }
}

package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first run at work is seen by the names the unpacker works under, here and through the sh
 * command a host runs, only while their process lives; the cache root follows the stub's rule.
 */
class FirstRunTest {
    private static final String KEY = "svc-0123456789abcdef";

    @TempDir
    Path tmp;

    @Test
    void theCacheRootFollowsTheStub() {
        assertEquals(Optional.of(Path.of("/c")), FirstRun.cacheRoot(Map.of("SLIPWAY_CACHE_DIR", "/c", "XDG_CACHE_HOME", "/x", "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/x/slipway")), FirstRun.cacheRoot(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/h/.cache/slipway")), FirstRun.cacheRoot(Map.of("HOME", "/h")));
        assertEquals(Optional.empty(), FirstRun.cacheRoot(Map.of("HOME", "/")));
    }

    @Test
    void unpackingAndDumpingAreSeenWhileTheirProcessLives() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(10, TimeUnit.SECONDS));
        long live = ProcessHandle.current().pid();

        Files.createDirectories(run.resolve(KEY + ".tmp." + dead.pid()));
        assertEquals(Optional.empty(), FirstRun.inProgress(tmp, KEY), "a killed run's leftover is no work");
        assertEquals("", probe());

        Files.createDirectories(run.resolve(KEY + ".tmp." + live));
        assertEquals(Optional.of(FirstRun.Stage.UNPACKING), FirstRun.inProgress(tmp, KEY));
        assertEquals("unpacking", probe());
        Files.delete(run.resolve(KEY + ".tmp." + live));

        Files.createDirectories(run.resolve(KEY + "/app"));
        Files.createFile(run.resolve(KEY + "/app/app.jsa.tmp." + live));
        assertEquals(Optional.of(FirstRun.Stage.DUMPING), FirstRun.inProgress(tmp, KEY));
        assertEquals("dumping", probe());
        assertEquals(Optional.of(FirstRun.Stage.DUMPING), FirstRun.parse(probe()));
        assertEquals(Optional.empty(), FirstRun.inProgress(tmp, "other-0123456789abcdef"));

        assertEquals("note: the first run of 2.0.0 was still dumping the class-data archive when the gate gave up, so the"
                + " app had not started yet; give it more time with T, or prepare the release before its start (a single"
                + " file built by this Slipway is prepared by every deploy)", FirstRun.note("2.0.0", FirstRun.Stage.DUMPING, "T"));
    }

    /** The host's command, run by this machine's sh (the processes are this machine's). */
    private String probe() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", FirstRun.probeCommand(tmp.toString(), KEY)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }
}

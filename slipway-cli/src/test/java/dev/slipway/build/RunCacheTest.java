package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning unpacked single files: per service the newest trees stay, and a tree that a running
 * process maps (a real process started from it) is never removed, however old.
 */
class RunCacheTest {
    @TempDir
    Path root;

    private Path tree(String name, int ageMinutes) throws Exception {
        Path t = Files.createDirectories(root.resolve(name).resolve("runtime/bin"));
        Files.write(t.resolve("payload"), new byte[1000]);
        Files.createFile(root.resolve(name + ".lock"));
        Files.setLastModifiedTime(root.resolve(name), FileTime.from(Instant.now().minusSeconds(60L * ageMinutes)));
        return root.resolve(name);
    }

    @Test
    void keepsTheNewestPerServiceAndEveryTreeARunningProcessMaps() throws Exception {
        tree("myapp-00000000000000a1", 50);
        Path oldest = tree("myapp-00000000000000a2", 40);
        tree("myapp-00000000000000a3", 30);
        tree("myapp-00000000000000a4", 20);
        tree("other-00000000000000b1", 90);
        Files.createDirectories(root.resolve("myapp-00000000000000a9.tmp.123")); // an unpack in progress: not a tree
        // a real process whose executable lives in the oldest tree: its /proc/PID/maps names the tree
        Path sleep = oldest.resolve("runtime/bin/sleep");
        Files.copy(Path.of("/bin/sleep"), sleep);
        sleep.toFile().setExecutable(true);
        Files.setLastModifiedTime(oldest, FileTime.from(Instant.now().minusSeconds(60L * 40)));
        Process p = new ProcessBuilder(sleep.toString(), "60").start();
        try {
            RunCache cache = new RunCache(root);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!cache.mappedTrees().contains("myapp-00000000000000a2") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            RunCache.Pruned r = cache.prune(1);
            assertEquals(List.of("myapp-00000000000000a3", "myapp-00000000000000a1"), r.removed(),
                    "newest first kept (a4); a2 is in use; the others go");
            assertEquals(List.of("myapp-00000000000000a2"), r.inUse());
            assertEquals(2000, r.bytes(), "two payloads of 1000 bytes");
            assertTrue(Files.isDirectory(root.resolve("myapp-00000000000000a4")));
            assertTrue(Files.isDirectory(oldest), "in use: kept");
            assertTrue(Files.isDirectory(root.resolve("other-00000000000000b1")), "the only tree of its service");
            assertTrue(Files.isDirectory(root.resolve("myapp-00000000000000a9.tmp.123")), "not a published tree");
            assertFalse(Files.exists(root.resolve("myapp-00000000000000a1.lock")), "its lock file went with it");
            assertTrue(p.isAlive(), "the running process was not disturbed");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        RunCache.Pruned after = new RunCache(root).prune(0);
        assertTrue(after.removed().contains("myapp-00000000000000a2"), "no longer in use: removed with --keep 0");
        assertTrue(after.inUse().isEmpty());
    }
}

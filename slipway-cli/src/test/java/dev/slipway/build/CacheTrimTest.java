package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trim every build does: unpacked trees beyond three per service go after each build, and the
 * content-keyed entries unused for five days at most once a day (the marker's time), with one line
 * said only when something went.
 */
class CacheTrimTest {
    @TempDir
    Path cache;

    private final StringWriter err = new StringWriter();
    private final Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err), false);

    private Path tree(String name, int ageMinutes) throws Exception {
        Path t = Files.createDirectories(cache.resolve("run").resolve(name).resolve("runtime/bin"));
        Files.write(t.resolve("java"), new byte[500_000]);
        Files.setLastModifiedTime(cache.resolve("run").resolve(name), FileTime.from(Instant.now().minusSeconds(60L * ageMinutes)));
        return cache.resolve("run").resolve(name);
    }

    private Path entry(String folder, String name, Duration age, Instant now) throws Exception {
        Path e = Files.createDirectories(cache.resolve(folder)).resolve(name);
        Files.write(e, new byte[1000]);
        Files.setLastModifiedTime(e, FileTime.from(now.minus(age)));
        return e;
    }

    @Test
    void keepsTheThreeNewestTreesPerServiceAfterEveryBuild() throws Exception {
        for (int i = 1; i <= 5; i++) {
            tree("myapp-000000000000000" + i, 60 - i);
        }
        tree("other-00000000000000b1", 600);
        CacheTrim.afterBuild(cache, console, Instant.now());
        assertFalse(Files.exists(cache.resolve("run/myapp-0000000000000001")), "the oldest of five goes");
        assertFalse(Files.exists(cache.resolve("run/myapp-0000000000000002")));
        for (String kept : new String[] {"myapp-0000000000000003", "myapp-0000000000000004", "myapp-0000000000000005",
                "other-00000000000000b1"}) {
            assertTrue(Files.isDirectory(cache.resolve("run").resolve(kept)), kept);
        }
        assertTrue(err.toString().contains("slipway: removed 2 unpacked single file(s) of older builds (1.0 MB) from "
                + cache.resolve("run") + ", keeping the 3 newest per service and any in use"), err.toString());

        err.getBuffer().setLength(0);
        CacheTrim.afterBuild(cache, console, Instant.now());
        assertEquals("", err.toString(), "nothing removed, nothing said");
    }

    @Test
    void trimsEntriesUnusedForFiveDaysAtMostOnceADay() throws Exception {
        Instant now = Instant.now();
        Path stale = entry("training", "a1b2", Duration.ofDays(6), now);
        Path fresh = entry("layers", "c3d4.tar.gz", Duration.ofDays(4), now);
        CacheTrim.afterBuild(cache, console, now);
        assertFalse(Files.exists(stale), "unused for six days");
        assertTrue(Files.exists(fresh), "used four days ago");
        assertTrue(err.toString().contains("slipway: removed 1 cache entry (0.0 MB) not used for 5 days from " + cache),
                err.toString());
        assertEquals(now.toEpochMilli() / 1000,
                Files.getLastModifiedTime(cache.resolve(CacheTrim.MARKER)).toInstant().toEpochMilli() / 1000);

        // Within the day: another stale entry stays until the next trim.
        Path staleToo = entry("stored-1", "e5f6.jar", Duration.ofDays(9), now);
        CacheTrim.afterBuild(cache, console, now.plus(Duration.ofHours(23)));
        assertTrue(Files.exists(staleToo), "trimmed at most once a day");
        CacheTrim.afterBuild(cache, console, now.plus(Duration.ofHours(25)));
        assertFalse(Files.exists(staleToo), "a day later it goes");
    }

    @Test
    void aCacheThatCannotBeTrimmedDoesNotFailTheBuild() throws Exception {
        Path root = cache.resolve("not-a-dir");
        Files.writeString(root, "a file where the cache should be");
        CacheTrim.afterBuild(root, console, Instant.now());
        assertTrue(Files.isRegularFile(root));
    }
}

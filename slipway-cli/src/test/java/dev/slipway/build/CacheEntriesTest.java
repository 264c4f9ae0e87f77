package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning the caches kept by content (training, re-written jars, image layers): an entry goes when
 * it has not been used for the given time, a use marks it, and a folder entry goes whole while a
 * symbolic link inside one is removed, never what it points to.
 */
class CacheEntriesTest {
    @TempDir
    Path dir;

    private static void age(Path p, Duration age, Instant now) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(now.minus(age)));
    }

    @Test
    void removesWhatWasNotUsedForTheGivenTimeAndKeepsWhatAHitMarked() throws Exception {
        Instant now = Instant.now();
        Path root = Files.createDirectories(dir.resolve("training"));
        Path old = Files.createDirectories(root.resolve("0123old"));
        Files.write(old.resolve("app.classlist"), new byte[700]);
        Files.write(Files.createDirectories(old.resolve("sub")).resolve("x"), new byte[300]);
        Path outside = Files.write(dir.resolve("outside.txt"), new byte[5]);
        Files.createSymbolicLink(old.resolve("link"), outside);
        age(old, Duration.ofDays(6), now);
        Path recent = Files.createDirectories(root.resolve("4567recent"));
        Files.write(recent.resolve("app.aot"), new byte[50]);
        age(recent, Duration.ofDays(4), now);
        Path hit = Files.createDirectories(root.resolve("89abhit"));
        Files.write(hit.resolve("app.built.jsa"), new byte[20]);
        age(hit, Duration.ofDays(30), now);
        CacheEntries.used(hit);
        Path jar = Files.write(root.resolve("cafe.jar"), new byte[100]);
        age(jar, Duration.ofDays(5).plusMinutes(1), now);

        CacheEntries.Pruned r = new CacheEntries(root).prune(CacheEntries.DEFAULT_UNUSED_FOR, now);

        assertEquals(2, r.removed(), "the old folder and the old jar");
        assertEquals(1100, r.bytes(), "700 + 300 in the folder, 100 the jar; the link's target is not counted");
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(jar));
        assertTrue(Files.isRegularFile(recent.resolve("app.aot")), "used 4 days ago: kept");
        assertTrue(Files.isRegularFile(hit.resolve("app.built.jsa")), "30 days old but used just now: kept");
        assertTrue(Files.isRegularFile(outside), "a link inside an entry is removed, not what it points to");

        assertEquals(2, new CacheEntries(root).prune(Duration.ZERO, Instant.now().plusSeconds(1)).removed(),
                "0 days: everything goes");
        assertEquals(new CacheEntries.Pruned(0, 0), new CacheEntries(dir.resolve("none")).prune(Duration.ZERO, now),
                "no folder, nothing to do");
    }
}

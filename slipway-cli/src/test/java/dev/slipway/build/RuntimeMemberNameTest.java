package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's compressed frame kept beside a cached runtime names the zstd level, window and job
 * size it was written with, so a Slipway that compresses otherwise writes its own frame rather than
 * taking another's; a second call finds the kept frame.
 */
class RuntimeMemberNameTest {
    @Test
    void theKeptFrameNamesItsLevelAndWindow(@TempDir Path cache) throws Exception {
        RuntimeCache rc = new RuntimeCache(cache);
        Path dir = Files.createDirectories(cache.resolve("runtimes/0123abcd/bin"));
        Files.writeString(dir.resolve("java"), "not really java");
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(cache.resolve("runtimes/0123abcd"), "0123abcd", true);
        Path frame = rc.member(runtime, Set.of(), Files.createDirectories(cache.resolve("scratch")));
        assertEquals("0123abcd.member-l" + Launcher.RUNTIME_LEVEL + "-w" + Launcher.WINDOW_LOG + "-j" + Launcher.KEPT_JOB_LOG
                + ".zst",
                frame.getFileName().toString());
        assertTrue(Files.size(frame) > 0);
        long written = Files.getLastModifiedTime(frame).toMillis();
        Files.setLastModifiedTime(frame, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        assertEquals(frame, rc.member(runtime, Set.of(), cache.resolve("scratch")));
        assertEquals(written - 60_000, Files.getLastModifiedTime(frame).toMillis(), "kept, not written again");
    }
}

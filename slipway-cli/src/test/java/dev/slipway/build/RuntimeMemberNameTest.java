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
 * size it was written with ({@link Compression#frameName}), so a build's frame (level 12) and a
 * release's (level 19) are kept side by side and a Slipway that compresses otherwise writes its own
 * frame rather than taking another's; a second call finds the kept frame.
 */
class RuntimeMemberNameTest {
    @Test
    void theKeptFrameNamesItsLevelWindowAndJobSizePerPurpose(@TempDir Path cache) throws Exception {
        RuntimeCache rc = new RuntimeCache(cache);
        Path dir = Files.createDirectories(cache.resolve("runtimes/0123abcd/bin"));
        Files.writeString(dir.resolve("java"), "not really java");
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(cache.resolve("runtimes/0123abcd"), "0123abcd", true);
        Path scratch = Files.createDirectories(cache.resolve("scratch"));
        Path frame = rc.member(runtime, Set.of(), Compression.BUILD, scratch);
        assertEquals("0123abcd.member-l12-w" + Launcher.WINDOW_LOG + ".zst", frame.getFileName().toString());
        Path release = rc.member(runtime, Set.of(), Compression.RELEASE, scratch);
        assertEquals("0123abcd.member-l19-w" + Launcher.WINDOW_LOG + "-j24.zst", release.getFileName().toString());
        assertTrue(Files.size(frame) > 0 && Files.size(release) > 0);
        assertTrue(Files.exists(frame), "the build's frame stays beside the release's");
        long written = Files.getLastModifiedTime(frame).toMillis();
        Files.setLastModifiedTime(frame, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        assertEquals(frame, rc.member(runtime, Set.of(), Compression.BUILD, scratch));
        assertEquals(written - 60_000, Files.getLastModifiedTime(frame).toMillis(), "kept, not written again");
    }
}

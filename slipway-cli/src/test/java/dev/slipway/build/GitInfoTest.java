package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.release.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git facts read ahead on a thread of their own ({@link GitInfo#readAhead}) are those read in line. */
class GitInfoTest {
    @TempDir
    Path dir;

    @Test
    void aReadAheadGivesWhatAReadInLineGivesAndIsTakenOnce() throws Exception {
        try (TestRepo repo = new TestRepo(dir)) {
            var first = repo.commit("feat: first");
            Files.writeString(dir.resolve("file-0.txt"), "changed\n");
            // The same directory by another spelling: the read ahead is found by its normalized path.
            GitInfo.readAhead(dir.resolve("sub/.."));
            GitInfo ahead = GitInfo.of(dir);
            assertEquals(first.name(), ahead.commit());
            assertTrue(ahead.dirty(), "file-0.txt changed after the commit");
            assertEquals("0.0.0-" + first.name().substring(0, 7) + "-dirty", ahead.derivedVersion());

            // Taken once: the next read is in line again and sees the new commit.
            var second = repo.commit("feat: second");
            GitInfo inLine = GitInfo.of(dir);
            assertEquals(second.name(), inLine.commit());
            assertFalse(inLine.dirty());
            assertNotEquals(ahead.commit(), inLine.commit());
        }
    }

    @Test
    void outsideARepositoryTheReadAheadGivesNone() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        GitInfo.readAhead(plain);
        assertEquals(GitInfo.NONE, GitInfo.of(plain));
    }
}

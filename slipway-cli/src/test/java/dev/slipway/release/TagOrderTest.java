package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.slipway.build.GitInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, correctness 6 (GoReleaser #4134): with several tags on one commit, the release takes
 * the highest by semantic-version precedence (semver.org, section 11), where a pre-release sorts
 * before its release.
 */
class TagOrderTest {
    @TempDir
    Path dir;

    @Test
    void precedenceOfSemverOrgSection11() {
        // The example list of section 11.4, shuffled, plus forms with a 'v' and build metadata.
        List<String> tags = new ArrayList<>(List.of("1.0.0", "v1.0.0-rc.1", "1.0.0-alpha.beta", "1.0.0-beta.11",
                "1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.1", "1.0.0-beta.2", "release-candidate", "0.9.10", "0.9.9",
                "2.0.0+build.7", "10.0.0"));
        tags.sort(Tags.PRECEDENCE);
        assertEquals(List.of("release-candidate", "0.9.9", "0.9.10", "1.0.0-alpha", "1.0.0-alpha.1",
                "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "v1.0.0-rc.1", "1.0.0",
                "2.0.0+build.7", "10.0.0"), tags);
    }

    @Test
    void aReleaseTagWinsOverItsReleaseCandidateOnTheSameCommit() throws Exception {
        try (TestRepo repo = new TestRepo(dir)) {
            repo.commit("feat: first");
            repo.tag("v1.0.0", false);
            repo.commit("feat: second");
            repo.tag("v1.1.0-rc1", true);
            repo.tag("v1.1.0", true);
            GitRelease git = GitRelease.of(dir);
            assertEquals("v1.1.0", git.tag());
            assertEquals("v1.0.0", git.previousTag());
            assertEquals("1.1.0", GitInfo.of(dir).derivedVersion());
            repo.tag("v1.1.0-rc2", false); // lightweight, made later: still below the release
            assertEquals("v1.1.0", GitRelease.of(dir).tag());
            assertEquals("1.1.0", GitInfo.of(dir).derivedVersion());
            repo.commit("fix: third");
            assertEquals("v1.1.0", GitRelease.of(dir).previousTag());
            assertEquals("1.1.0-1-g" + GitInfo.of(dir).shortCommit(), GitInfo.of(dir).derivedVersion());
        }
    }

    @Test
    void theVersionCoreComesFromTheSameRuleThatOrdersTags() {
        assertArrayEquals(new int[] {1, 2, 3}, Tags.core("v1.2.3"));
        assertArrayEquals(new int[] {1, 2, 3}, Tags.core("1.2.3-rc.1+build.7"));
        assertArrayEquals(new int[] {1, 2, 3}, Tags.core("1.2.3.4"));
        assertNull(Tags.core("release-candidate"));
        assertNull(Tags.core("1.2"));
        assertNull(Tags.core("99999999999.0.0"));
    }
}

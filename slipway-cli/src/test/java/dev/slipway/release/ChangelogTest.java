package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.slipway.config.ConfigLoader;
import dev.slipway.config.ReleaseConfig;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The changelog from a throwaway repository with tags, conventional commits and a merge. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangelogTest {
    Path dir;

    @BeforeAll
    void makeRepository(@TempDir Path tmp) throws Exception {
        dir = tmp;
        try (TestRepo repo = new TestRepo(tmp)) {
            repo.commit("feat: first feature");
            repo.commit("docs: readme");
            repo.tag("v1.0.0", true);
            repo.commit("feat: search");
            repo.commit("fix: crash on empty query");
            repo.commit("docs: explain search");
            repo.commit("chore: update docs: typo");
            // a side branch merged back: the merge commit is skipped by default
            repo.git().branchCreate().setName("side").call();
            repo.git().checkout().setName("side").call();
            repo.commit("fix: side fix");
            repo.git().checkout().setName("main").call();
            repo.commit("perf: faster");
            ObjectId side = repo.git().getRepository().resolve("side");
            repo.git().merge().include(side).setFastForward(MergeCommand.FastForwardMode.NO_FF)
                    .setCommit(false).call();
            repo.commitStaged("Merge branch 'side'");
            repo.tag("v1.1.0", false); // lightweight
        }
    }

    private static ReleaseConfig.Changelog rules(String yaml) {
        return ConfigLoader.parse(Path.of("slipway.yaml"), "name: x\nrelease:\n  changelog:\n" + yaml.indent(4))
                .release().changelog();
    }

    private List<String> subjects(String previousTag, String yaml) {
        return Changelog.of(dir, previousTag, rules(yaml)).entries().stream().map(Changelog.Entry::subject).toList();
    }

    @Test
    void previousTagIsFoundAndHeadTagExcluded() {
        GitRelease g = GitRelease.of(dir);
        assertEquals("v1.1.0", g.tag());
        assertEquals("v1.0.0", g.previousTag());
        assertEquals("1.1.1", g.snapshotFields().get("next patch"));
        assertEquals("1.2.0", g.snapshotFields().get("next minor"));
    }

    @Test
    void sincePreviousTagNewestFirstSkippingMerges() {
        assertEquals(List.of("perf: faster", "fix: side fix", "chore: update docs: typo", "docs: explain search",
                "fix: crash on empty query", "feat: search"), subjects("v1.0.0", "sort: desc"));
    }

    @Test
    void ascendingAndMergesWhenAsked() {
        List<String> s = subjects("v1.0.0", "sort: asc\nskipMerges: false");
        assertEquals("feat: search", s.get(0));
        assertEquals("Merge branch 'side'", s.get(s.size() - 1));
        assertEquals(7, s.size());
    }

    @Test
    void firstReleaseListsEveryCommit() {
        assertEquals(8, subjects(null, "{}").size()); // nine commits, one of them a merge
        Changelog log = Changelog.of(dir, null, rules("{}"));
        assertNull(log.previousTag());
        assertEquals(true, log.markdown("x", "1.0.0").contains("First release: every commit."));
    }

    @Test
    void excludePatternsAreNotAnchored() {
        // '^docs:' drops only messages that start with docs:, 'docs:' anywhere in the first line
        assertEquals(List.of("perf: faster", "fix: side fix", "chore: update docs: typo", "fix: crash on empty query",
                "feat: search"), subjects("v1.0.0", "exclude: ['^docs:']"));
        assertEquals(List.of("perf: faster", "fix: side fix", "fix: crash on empty query", "feat: search"),
                subjects("v1.0.0", "exclude: ['docs:']"));
    }

    @Test
    void includeKeepsOnlyMatches() {
        assertEquals(List.of("fix: side fix", "fix: crash on empty query", "feat: search"),
                subjects("v1.0.0", "include: ['^feat', '^fix']"));
    }

    @Test
    void groupsWithTitlesOrderAndCatchAll() {
        Changelog log = Changelog.of(dir, "v1.0.0", rules("""
                sort: asc
                exclude: ['^docs:']
                groups:
                  - {title: Other, order: 9}
                  - {title: Fixes, regex: '^fix', order: 2}
                  - {title: Features, regex: '^feat', order: 1}
                """));
        assertEquals(List.of("Features", "Fixes", "Other"), log.sections().stream().map(Changelog.Section::title).toList());
        assertEquals(List.of("fix: crash on empty query", "fix: side fix"),
                log.sections().get(1).entries().stream().map(Changelog.Entry::subject).toList());
        assertEquals(List.of("chore: update docs: typo", "perf: faster"),
                log.sections().get(2).entries().stream().map(Changelog.Entry::subject).toList());
        String md = log.markdown("x", "1.1.0");
        assertEquals(true, md.startsWith("# x 1.1.0\n\nChanges since v1.0.0.\n\n## Features\n\n- "), md);
    }

    @Test
    void commitsNoGroupTakesAreLeftOut() {
        Changelog log = Changelog.of(dir, "v1.0.0", rules("groups:\n  - {title: Features, regex: '^feat'}"));
        assertEquals(1, log.entries().size());
    }
}

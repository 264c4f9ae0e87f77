package dev.slipway.release;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What a release needs from git, read with JGit (no {@code git} binary).
 *
 * @param commit      HEAD's full id
 * @param shortCommit its first 7 characters
 * @param commitTime  HEAD's commit time
 * @param dirty       whether tracked files have uncommitted changes (untracked files do not count)
 * @param tag         the tag on HEAD, or {@code null}; with several, the highest by semantic-version
 *                    precedence ({@link Tags#PRECEDENCE}: {@code v1.1.0} above {@code v1.1.0-rc1})
 * @param previousTag the nearest tag reachable from HEAD that is not on HEAD, or {@code null}
 *                    (the first release)
 */
public record GitRelease(String commit, String shortCommit, Instant commitTime, boolean dirty, String tag,
                         String previousTag) {

    /**
     * Reads the repository that contains {@code dir}.
     *
     * @param dir a directory inside the work tree
     * @return the facts
     * @throws SlipwayException exit 2 outside a repository or without a commit; exit 1 when the
     *                          repository cannot be read
     */
    public static GitRelease of(Path dir) {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) {
            throw SlipwayException.usage(dir + " is not inside a git repository; a release is made from a commit"
                    + " (git init, commit, tag)");
        }
        try (Repository repo = builder.build(); Git git = new Git(repo); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve("HEAD");
            if (head == null) {
                throw SlipwayException.usage("the repository at " + repo.getWorkTree() + " has no commit yet");
            }
            Map<ObjectId, List<String>> tags = tagsByCommit(repo, walk);
            RevCommit headCommit = walk.parseCommit(head);
            String tag = highest(tags.get(head));
            String previous = null;
            walk.reset();
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.COMMIT_TIME_DESC, true);
            walk.markStart(headCommit);
            for (RevCommit c : walk) {
                if (!c.equals(headCommit) && tags.containsKey(c)) {
                    previous = highest(tags.get(c));
                    break;
                }
            }
            boolean dirty = git.status().call().hasUncommittedChanges();
            return new GitRelease(head.name(), head.name().substring(0, 7),
                    Instant.ofEpochSecond(headCommit.getCommitTime()), dirty, tag, previous);
        } catch (IOException | GitAPIException e) {
            throw SlipwayException.failed("cannot read the git repository at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** @return tag names by the commit they point to (annotated tags peeled) */
    public static Map<ObjectId, List<String>> tagsByCommit(Repository repo, RevWalk walk) throws IOException {
        Map<ObjectId, List<String>> out = new HashMap<>();
        for (Ref ref : repo.getRefDatabase().getRefsByPrefix("refs/tags/")) {
            ObjectId id;
            try {
                id = walk.parseCommit(ref.getObjectId()).getId();
            } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                continue; // a tag of a tree or blob
            }
            out.computeIfAbsent(id, k -> new ArrayList<>()).add(ref.getName().substring("refs/tags/".length()));
        }
        return out;
    }

    static String highest(List<String> names) {
        if (names == null || names.isEmpty()) {
            return null;
        }
        return names.stream().max(Tags.PRECEDENCE).orElseThrow();
    }

    /** @return the release version for a tag: the tag without a leading {@code v} before a digit */
    public static String versionOf(String tag) {
        return tag.length() > 1 && tag.charAt(0) == 'v' && Character.isDigit(tag.charAt(1)) ? tag.substring(1) : tag;
    }

    /**
     * The values of the snapshot version template's fields. {@code next patch} and friends count
     * from the latest tag (HEAD's own, else the previous one) when it is a version
     * ({@code [v]X.Y.Z...}), else from {@code 0.0.0}.
     *
     * @return field values by name
     */
    public Map<String, String> snapshotFields() {
        String base = tag != null ? tag : previousTag;
        int[] v = base == null ? null : Tags.core(base);
        if (v == null) {
            v = new int[] {0, 0, 0};
        }
        return Map.of("next patch", v[0] + "." + v[1] + "." + (v[2] + 1),
                "next minor", v[0] + "." + (v[1] + 1) + ".0",
                "next major", (v[0] + 1) + ".0.0",
                "short commit", shortCommit, "commit", commit,
                "previous tag", base == null ? "none" : base);
    }
}

package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What git says about the tree being built, read with JGit (no {@code git} binary needed).
 *
 * @param commit      the full commit id, or {@code unknown} outside a repository
 * @param shortCommit the first 7 characters of the commit, or {@code unknown}
 * @param describe    {@code git describe --tags --dirty} output, or {@code null} without tags
 * @param dirty       whether tracked files have uncommitted changes
 * @param commitTime  the commit time, or {@code null} outside a repository
 */
public record GitInfo(String commit, String shortCommit, String describe, boolean dirty,
                      Instant commitTime) {

    /** The value used outside a git repository. */
    public static final GitInfo NONE = new GitInfo("unknown", "unknown", null, false, null);

    /**
     * Reads the repository that contains {@code dir}, searching upwards.
     *
     * @param dir a directory inside the work tree
     * @return the info, or {@link #NONE} when {@code dir} is not inside a repository or it has no
     *         commit yet
     * @throws SlipwayException (exit 1) when the repository cannot be read
     */
    public static GitInfo of(Path dir) {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment()
                .findGitDir(dir.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) {
            return NONE;
        }
        try (Repository repo = builder.build(); Git git = new Git(repo); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve("HEAD");
            if (head == null) {
                return NONE;
            }
            RevCommit c = walk.parseCommit(head);
            boolean dirty = git.status().call().hasUncommittedChanges();
            String describe = git.describe().setTags(true).setTarget(head).call();
            if (describe != null && dirty) {
                describe = describe + "-dirty";
            }
            return new GitInfo(head.name(), head.name().substring(0, 7), describe, dirty,
                    Instant.ofEpochSecond(c.getCommitTime()));
        } catch (IOException | GitAPIException e) {
            throw SlipwayException.failed("cannot read the git repository at " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The version to use when none is configured or given, in GoReleaser's manner: the
     * {@code git describe} output without a leading {@code v}; without tags
     * {@code 0.0.0-<short commit>} (plus {@code -dirty}); outside git {@code dev}.
     *
     * @return a version string that is safe in file names
     */
    public String derivedVersion() {
        if (describe != null) {
            return describe.startsWith("v") && describe.length() > 1
                    && Character.isDigit(describe.charAt(1)) ? describe.substring(1) : describe;
        }
        if (commit.equals("unknown")) {
            return "dev";
        }
        return "0.0.0-" + shortCommit + (dirty ? "-dirty" : "");
    }
}

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
 * @param describe    {@code git describe --tags --dirty} output, or {@code null} without tags; of several
 *                    tags on one commit, the highest by semantic-version precedence
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
        Path key = dir.toAbsolutePath().normalize();
        java.util.concurrent.CompletableFuture<GitInfo> ahead = AHEAD.remove(key);
        if (ahead != null) {
            try {
                return ahead.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
        }
        return read(dir);
    }

    /** Reads started by {@link #readAhead}, by absolute normalized directory; {@link #of} takes each once. */
    private static final java.util.Map<Path, java.util.concurrent.CompletableFuture<GitInfo>> AHEAD =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Starts {@link #of} for {@code dir} on a daemon thread, so that JGit's classes load and the
     * work tree's status is read while the caller loads its configuration and looks for JDKs: in a
     * CLI run that read took 0.3-0.7 s of a warm build, all before the build command. The next
     * {@link #of} of the same directory waits for this read (and throws what it threw); a read nobody
     * takes is left to the daemon thread.
     *
     * @param dir a directory inside the work tree
     */
    public static void readAhead(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        var future = new java.util.concurrent.CompletableFuture<GitInfo>();
        if (AHEAD.putIfAbsent(key, future) != null) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                future.complete(read(key));
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            }
        }, "git status");
        t.setDaemon(true);
        t.start();
    }

    private static GitInfo read(Path dir) {
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
            String describe = highestTag(repo, walk, git.describe().setTags(true).setTarget(head).call());
            if (describe != null && dirty) {
                describe = describe + "-dirty";
            }
            return new GitInfo(head.name(), head.name().substring(0, 7), describe, dirty,
                    Instant.ofEpochSecond(c.getCommitTime()));
        } catch (IOException | GitAPIException e) {
            throw SlipwayException.failed("cannot read the git repository at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static final java.util.regex.Pattern DESCRIBED = java.util.regex.Pattern.compile("(.+)(-\\d+-g[0-9a-f]+)");

    /**
     * JGit's describe names one of the tags on the nearest tagged commit, not by version: with
     * {@code v1.1.0-rc1} and {@code v1.1.0} on one commit it may say {@code v1.1.0-rc1}. This puts
     * the highest tag of that commit by semantic-version precedence in its place.
     *
     * @param describe the describe output ({@code TAG} or {@code TAG-N-gHASH}), or {@code null}
     * @return the same with the highest tag of the tag's commit
     */
    private static String highestTag(Repository repo, RevWalk walk, String describe) throws IOException {
        if (describe == null) {
            return null;
        }
        var tags = dev.slipway.release.GitRelease.tagsByCommit(repo, walk);
        String tag = describe;
        String suffix = "";
        if (repo.findRef("refs/tags/" + describe) == null) {
            var m = DESCRIBED.matcher(describe);
            if (!m.matches()) {
                return describe;
            }
            tag = m.group(1);
            suffix = m.group(2);
        }
        var ref = repo.findRef("refs/tags/" + tag);
        if (ref == null) {
            return describe;
        }
        ObjectId commit = walk.parseCommit(ref.getObjectId()).getId();
        return tags.get(commit).stream().max(dev.slipway.release.Tags.PRECEDENCE).orElse(tag) + suffix;
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

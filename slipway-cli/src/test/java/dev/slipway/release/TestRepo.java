package dev.slipway.release;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A throwaway git repository made with JGit, with commit times one minute apart. */
public final class TestRepo implements AutoCloseable {
    private final Git git;
    private final Path dir;
    private Instant time = Instant.parse("2026-01-01T00:00:00Z");
    private int n;

    /** Creates a repository with branch {@code main} in {@code dir}. */
    public TestRepo(Path dir) throws Exception {
        this.dir = dir;
        this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    /** @return the JGit handle */
    public Git git() {
        return git;
    }

    /** @return the work tree */
    public Path dir() {
        return dir;
    }

    /** Commits every file (writing a new one first), with a deterministic author and time. */
    public RevCommit commit(String message) throws Exception {
        Files.writeString(dir.resolve("file-" + (n++) + ".txt"), message + "\n");
        git.add().addFilepattern(".").call();
        return commitStaged(message);
    }

    /** Commits what is staged. */
    public RevCommit commitStaged(String message) throws Exception {
        PersonIdent who = who();
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).setAllowEmpty(true).call();
    }

    /** @return the next author/committer identity, one minute after the previous */
    public PersonIdent who() {
        time = time.plusSeconds(60);
        return new PersonIdent("Test", "test@slipway.invalid", time, ZoneOffset.UTC);
    }

    /** Tags HEAD (annotated when {@code annotated}). */
    public void tag(String name, boolean annotated) throws Exception {
        git.tag().setName(name).setAnnotated(annotated).setTagger(annotated ? who() : null)
                .setMessage(annotated ? name : null).setSigned(false).call();
    }

    @Override
    public void close() {
        git.close();
    }
}

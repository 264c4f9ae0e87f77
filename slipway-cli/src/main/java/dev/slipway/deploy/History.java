package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit trail of a target: one tab-separated line per revision,
 * {@code revision version commit time outcome note}, appended and never rewritten.
 *
 * @param file the history file, e.g. {@code .slipway/local/history.tsv}
 */
public record History(Path file) {
    /** A deploy that passed its gate. */
    public static final String DEPLOYED = "deployed";
    /** A deploy that failed its gate; the previous release was restored. */
    public static final String ROLLED_BACK = "rolled-back";
    /** A deploy that failed with nothing to restore. */
    public static final String FAILED = "failed";
    /** A deploy stopped by Ctrl-C or SIGTERM before its gate; the previous release was restarted. */
    public static final String INTERRUPTED = "interrupted";
    /** A revision made by {@code slipway rollback}. */
    public static final String ROLLBACK = "rollback";

    /**
     * One revision.
     *
     * @param revision the revision number, from 1
     * @param version  the release version
     * @param commit   the release's commit
     * @param time     when the revision was recorded
     * @param outcome  one of the outcome constants of {@link History}
     * @param note     free text, e.g. why it was rolled back
     */
    public record Entry(int revision, String version, String commit, Instant time, String outcome, String note) {
        /** @return whether this revision left its version serving */
        public boolean serving() {
            return outcome.equals(DEPLOYED) || outcome.equals(ROLLBACK);
        }
    }

    /**
     * @return all revisions, oldest first; empty when there is no file
     * @throws SlipwayException (exit 1) when the file cannot be read or is corrupt
     */
    public List<Entry> entries() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length < 5) {
                    throw SlipwayException.failed(file + ":" + n + ": corrupt history line");
                }
                out.add(new Entry(Integer.parseInt(f[0]), f[1], f[2], Instant.parse(f[3]), f[4],
                        f.length > 5 ? f[5] : ""));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SlipwayException s) {
                throw s;
            }
            throw SlipwayException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** @return the next revision number */
    public int nextRevision() {
        List<Entry> all = entries();
        return all.isEmpty() ? 1 : all.get(all.size() - 1).revision() + 1;
    }

    /**
     * Appends a revision.
     *
     * @return the entry written
     * @throws SlipwayException (exit 1) when the file cannot be written
     */
    public Entry append(String version, String commit, String outcome, String note) {
        Entry e = new Entry(nextRevision(), version, commit, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                outcome, note.replaceAll("\\p{Cntrl}+", " "));
        String line = e.revision() + "\t" + e.version() + "\t" + e.commit() + "\t" + e.time() + "\t"
                + e.outcome() + "\t" + e.note() + "\n";
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "# revision\tversion\tcommit\ttime\toutcome\tnote\n", StandardCharsets.UTF_8);
            }
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw SlipwayException.failed("cannot write " + file + ": " + ex.getMessage(), ex);
        }
        return e;
    }
}

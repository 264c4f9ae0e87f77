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
 * The audit trail of the local target: one tab-separated line per revision in the columns of
 * {@link Revision}, the same on every target ({@code revision version commit time outcome who
 * where note}), appended and never rewritten. Files written before those columns had six
 * ({@code revision version commit time outcome note}) and are read too.
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
    /** The header line of a new file: the columns of {@link Revision}. */
    public static final String HEADER = "# revision\tversion\tcommit\ttime\toutcome\twho\twhere\tnote\n";

    /**
     * One revision.
     *
     * @param revision the revision number, from 1
     * @param version  the release version
     * @param commit   the release's commit
     * @param time     when the revision was recorded
     * @param outcome  one of the outcome constants of {@link History}
     * @param note     free text, e.g. why it was rolled back
     * @param who      {@code user@machine} that recorded it, or {@code ""} (a six-column line)
     */
    public record Entry(int revision, String version, String commit, Instant time, String outcome, String note,
                        String who) {
        /**
         * An entry with no recorder.
         */
        public Entry(int revision, String version, String commit, Instant time, String outcome, String note) {
            this(revision, version, commit, time, outcome, note, "");
        }

        /** @return this entry as a {@link Revision} of the whole target ({@code where} is empty) */
        public Revision toRevision() {
            return new Revision(revision, version, commit, time, outcome, who, "", note);
        }

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
                // Eight columns (Revision's); six in files written before them.
                boolean wide = f.length >= 8;
                out.add(new Entry(Integer.parseInt(f[0]), f[1], f[2], Instant.parse(f[3]), f[4],
                        wide ? f[7] : f.length > 5 ? f[5] : "", wide ? f[5] : ""));
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
                outcome, clean(note), clean(who()));
        String line = e.revision() + "\t" + clean(e.version()) + "\t" + clean(e.commit()) + "\t" + e.time() + "\t"
                + clean(e.outcome()) + "\t" + e.who() + "\t\t" + e.note() + "\n";
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw SlipwayException.failed("cannot write " + file + ": " + ex.getMessage(), ex);
        }
        return e;
    }

    /** @return {@code user@machine} of this process, for the {@code who} column (machine from the kernel's hostname) */
    public static String who() {
        String machine;
        try {
            machine = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            machine = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return System.getProperty("user.name", "?") + "@" + machine;
    }

    private static String clean(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}+", " ");
    }
}

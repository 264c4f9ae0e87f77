package dev.slipway.deploy.hosts;

import java.time.Instant;
import java.util.Optional;

/**
 * The audit log on each host, {@code <dir>/history.tsv}: one tab-separated line per revision in the
 * columns of {@link dev.slipway.deploy.Revision}, the same on every target ({@code revision version
 * commit time outcome who where note}), appended and never rewritten. Files written before had
 * seven columns (no {@code where}) and are read too.
 */
public final class HostHistory {
    /** A deploy whose gate passed on every host. */
    public static final String DEPLOYED = "deployed";
    /** This host was switched, then went back because a gate failed (here or on another host). */
    public static final String ROLLED_BACK = "rolled-back";
    /** This host was not switched: the deploy stopped before its batch. */
    public static final String SKIPPED = "skipped";
    /** A revision made by {@code slipway rollback}. */
    public static final String ROLLBACK = "rollback";
    /** The release started on this host as a canary ({@code TRACK=canary}); not a serving revision for rollback. */
    public static final String CANARY = "canary";
    /** The release went to this host when a canary was promoted ({@code TRACK=stable}). */
    public static final String PROMOTED = "promoted";
    /** The canary on this host was aborted; the host went back to the stable release (the entry's version). */
    public static final String CANARY_ABORTED = "canary-aborted";

    private HostHistory() {}

    /**
     * One revision on one host.
     *
     * @param revision the host's revision number, from 1
     * @param version  the release
     * @param commit   its commit
     * @param time     when it was recorded (UTC, whole seconds)
     * @param outcome  one of the constants of {@link HostHistory}
     * @param who      {@code user@machine} that ran the deploy
     * @param where    the host's name, or {@code ""} (a seven-column line)
     * @param note     free text, e.g. why it went back
     */
    public record Entry(int revision, String version, String commit, Instant time, String outcome, String who,
                        String where, String note) {
        /** @return this entry as a {@link dev.slipway.deploy.Revision} */
        public dev.slipway.deploy.Revision toRevision() {
            return new dev.slipway.deploy.Revision(revision, version, commit, time, outcome, who, where, note);
        }

        /** @return whether this revision left its version serving */
        public boolean serving() {
            return outcome.equals(DEPLOYED) || outcome.equals(ROLLBACK) || outcome.equals(PROMOTED)
                    || outcome.equals(CANARY_ABORTED) && !version.equals("-");
        }

        /** @return the line written to the file, with a newline; tabs and control characters in fields become spaces */
        public String line() {
            return revision + "\t" + clean(version) + "\t" + clean(commit) + "\t" + time + "\t" + clean(outcome) + "\t"
                    + clean(who) + "\t" + clean(where) + "\t" + clean(note) + "\n";
        }
    }

    /**
     * @param line one line of the file
     * @return the entry, or empty for a comment, blank or corrupt line
     */
    public static Optional<Entry> parseLine(String line) {
        if (line.isBlank() || line.startsWith("#")) {
            return Optional.empty();
        }
        String[] f = line.split("\t", -1);
        if (f.length < 6) {
            return Optional.empty();
        }
        try {
            // Eight columns (Revision's); seven (no 'where') in files written before them.
            boolean wide = f.length >= 8;
            return Optional.of(new Entry(Integer.parseInt(f[0]), f[1], f[2], Instant.parse(f[3]), f[4], f[5],
                    wide ? f[6] : "", wide ? f[7] : f.length > 6 ? f[6] : ""));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String clean(String s) {
        return s == null ? "" : s.replaceAll("[\\p{Cntrl}]+", " ");
    }
}

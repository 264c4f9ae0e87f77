package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import dev.slipway.remote.Lock;
import dev.slipway.remote.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one history format and the one outcome vocabulary of every target.
 *
 * <p>The format: a history file ({@code .slipway/local/history.tsv} on the local target,
 * {@code <dir>/history.tsv} on each host) holds one tab-separated line per revision in the columns
 * of {@link Revision} ({@code revision version commit time outcome who where note}), after the
 * comment line {@link #HEADER}; lines are appended and never rewritten, and tabs and control
 * characters inside a field become spaces ({@link #line}). {@link #parse} also reads the two
 * shapes written before these columns: the local target's six ({@code revision version commit time
 * outcome note}) and the hosts' seven ({@code revision version commit time outcome who note}), so
 * the files already on machines stay readable; the column count tells them apart.
 *
 * <p>The vocabulary: {@link Revision#outcome()} is one of the constants below on every target
 * (the Kubernetes and Swarm targets keep no file but use the same words). Which ones a target writes
 * depends on what it can do: {@link #FAILED} comes from the local target, {@link #INTERRUPTED} from
 * the local and hosts targets (a run whose lock was taken over, {@link #unrecorded}),
 * {@link #SKIPPED} and the canary outcomes from hosts, {@link #CURRENT} from Kubernetes.
 *
 * <p>A record of this class is the local target's file.
 *
 * @param file the history file, e.g. {@code .slipway/local/history.tsv}
 */
public record History(Path file) {
    /** A deploy whose gate passed (on hosts: on every host). */
    public static final String DEPLOYED = "deployed";
    /** A deploy whose gate failed (here or, on hosts, on another host); the previous release was restored. */
    public static final String ROLLED_BACK = "rolled-back";
    /** A deploy or rollback that failed with nothing to restore. */
    public static final String FAILED = "failed";
    /** A deploy stopped by Ctrl-C, SIGTERM or a kill before its gate; the previous release was restarted. */
    public static final String INTERRUPTED = "interrupted";
    /** A revision made by {@code slipway rollback}. */
    public static final String ROLLBACK = "rollback";
    /** Hosts: this host was not switched, the deploy stopped before its batch. */
    public static final String SKIPPED = "skipped";
    /** Hosts: the release started here as a canary ({@code TRACK=canary}); not a serving revision for rollback. */
    public static final String CANARY = "canary";
    /** Hosts: the release went here when a canary was promoted ({@code TRACK=stable}). */
    public static final String PROMOTED = "promoted";
    /** Hosts: the canary here was aborted; the host went back to the stable release (the revision's version, {@code -} when none). */
    public static final String CANARY_ABORTED = "canary-aborted";
    /** Kubernetes: the ReplicaSet revision the Deployment runs now (its other revisions read {@link #DEPLOYED}). */
    public static final String CURRENT = "current";
    /** Every outcome, the vocabulary of {@link Revision#outcome()}. */
    public static final List<String> OUTCOMES = List.of(DEPLOYED, ROLLED_BACK, FAILED, INTERRUPTED, ROLLBACK, SKIPPED,
            CANARY, PROMOTED, CANARY_ABORTED, CURRENT);
    /** The header line of a new file: the columns of {@link Revision}, with its newline. */
    public static final String HEADER = "# revision\tversion\tcommit\ttime\toutcome\twho\twhere\tnote\n";

    /**
     * Reads one line of a history file, in any of its shapes.
     *
     * @param line one line, without its newline
     * @return the revision; empty for a blank line, a comment ({@code #}) or a corrupt line (fewer
     *         than five columns, a revision that is not a number, a time that is not ISO-8601)
     */
    public static Optional<Revision> parse(String line) {
        if (line.isBlank() || line.startsWith("#")) {
            return Optional.empty();
        }
        String[] f = line.split("\t", -1);
        if (f.length < 5) {
            return Optional.empty();
        }
        // 8 columns: Revision's; 7: the hosts' before 'where'; 6: the local target's before 'who' and 'where'.
        String who = f.length >= 7 ? f[5] : "";
        String where = f.length >= 8 ? f[6] : "";
        String note = f.length >= 8 ? f[7] : f.length == 7 ? f[6] : f.length == 6 ? f[5] : "";
        try {
            return Optional.of(new Revision(Integer.parseInt(f[0]), f[1], f[2], Instant.parse(f[3]), f[4], who, where, note));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * @param r a revision
     * @return its line in Revision's eight columns, with a newline; tabs and control characters in
     *         fields become spaces, so no field can break the file
     */
    public static String line(Revision r) {
        return r.revision() + "\t" + clean(r.version()) + "\t" + clean(r.commit()) + "\t" + r.time() + "\t"
                + clean(r.outcome()) + "\t" + clean(r.who()) + "\t" + clean(r.where()) + "\t" + clean(r.note()) + "\n";
    }

    /**
     * @return all revisions of the file, oldest first; empty when there is no file
     * @throws SlipwayException (exit 1) when the file cannot be read or has a corrupt line
     */
    public List<Revision> entries() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Revision> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw SlipwayException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            Optional<Revision> r = parse(line);
            if (r.isEmpty() && !line.isBlank() && !line.startsWith("#")) {
                throw SlipwayException.failed(file + ":" + n + ": corrupt history line");
            }
            r.ifPresent(out::add);
        }
        return out;
    }

    /** @return the next revision number of the file */
    public int nextRevision() {
        List<Revision> all = entries();
        return all.isEmpty() ? 1 : all.get(all.size() - 1).revision() + 1;
    }

    /**
     * Appends a revision of the whole target (its {@code where} is empty) recorded by this process,
     * through {@link #append(Host, String, String, String, String, String, String, String)} over
     * {@link LocalHost}: the local target's file is written as a host's is.
     *
     * @param version the release version
     * @param commit  its commit
     * @param outcome one of the outcomes of {@link History}
     * @param note    free text
     * @return the revision written (as read back: control characters are spaces)
     * @throws SlipwayException (exit 1) when the file cannot be written
     */
    public Revision append(String version, String commit, String outcome, String note) {
        try (LocalHost here = new LocalHost("local")) {
            return append(here, file.toString(), "", version, commit, outcome, who(), note);
        }
    }

    /**
     * The one writer of every history file: appends one revision to {@code file} on {@code host}
     * (creating the file with {@link #HEADER}). The revision number is computed on the host when
     * the line is appended (the highest so far plus one; the caller holds the target's deploy
     * lock), not from what was read before: another process may have appended since.
     *
     * @param host    the machine the file is on ({@link LocalHost} for the local target)
     * @param file    the history file's path there, e.g. {@code /opt/slipway/myapp/history.tsv}
     * @param where   the host's name for the {@code where} column, {@code ""} for the whole target
     * @param version the release
     * @param commit  the release's commit
     * @param outcome one of the outcomes of {@link History}
     * @param who     {@code user@machine}
     * @param note    free text
     * @return the revision written (as read back: control characters are spaces); its number is 0
     *         when the host did not print one
     * @throws SlipwayException (exit 1) when the file cannot be written
     */
    public static Revision append(Host host, String file, String where, String version, String commit, String outcome,
                                  String who, String note) {
        Appending a = appending(file, where, version, commit, outcome, who, note);
        Host.CommandResult r = host.run(a.command(), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": cannot append to " + file + ": " + r.stderr().strip());
        }
        return a.written(r.stdout());
    }

    /**
     * One append of {@link #append}, as a shell command to run in a round trip with other work.
     *
     * @param command the shell command: it prints the revision's number on its own line and exits
     *                non-zero when the file cannot be written
     * @param rest    the revision's line after its number, ending in a newline
     */
    public record Appending(String command, String rest) {
        /**
         * @param printed what {@link #command} printed (the number, alone)
         * @return the revision written, its number 0 when none was printed
         */
        public Revision written(String printed) {
            String n = printed.strip();
            return parse((n.matches("\\d{1,9}") ? n : "0") + rest.substring(0, rest.length() - 1)).orElseThrow();
        }
    }

    /**
     * The command of {@link #append} (same parameters), for a caller that runs it beside other work.
     *
     * @return the command and what parses its output
     */
    public static Appending appending(String file, String where, String version, String commit, String outcome,
                                      String who, String note) {
        String line = line(new Revision(0, version, commit, Instant.now().truncatedTo(ChronoUnit.SECONDS), outcome, who,
                where, note));
        String rest = line.substring(line.indexOf('\t'));
        String f = Shell.quote(file);
        return new Appending("[ -f " + f + " ] || printf '%s' " + Shell.quote(HEADER) + " > " + f
                + "; n=$(awk -F'\\t' '!/^#/ && $1+0 > m { m = $1+0 } END { print m+1 }' " + f + ") && printf '%s%s' \"$n\" "
                + Shell.quote(rest) + " >> " + f + " && echo \"$n\"", rest);
    }

    /**
     * Whether the run of a lock holder that was taken over ({@link Lock#judge}) is missing from a
     * history: it was a deploy or rollback (the runs that change what serves) and no revision of
     * its version was written since it took the lock (a run killed after its record step recorded
     * itself). Both targets record such a run as {@link #INTERRUPTED}.
     *
     * @param entries the target's (or host's) history, any order
     * @param gone    the holder whose lock was taken over
     * @return whether to record it
     */
    public static boolean unrecorded(List<Revision> entries, Lock.Holder gone) {
        boolean changes = gone.message().equals("deploy") || gone.message().equals("rollback");
        return gone.since() != null && changes && entries.stream()
                .noneMatch(e -> e.version().equals(gone.version()) && !e.time().isBefore(gone.since()));
    }

    /** @return {@code user@machine} of this process, for the {@code who} column (machine from the kernel's hostname) */
    public static String who() {
        return System.getProperty("user.name", "?") + "@" + Lock.machineName();
    }

    private static String clean(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}+", " ");
    }
}

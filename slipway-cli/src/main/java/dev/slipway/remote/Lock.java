package dev.slipway.remote;

import dev.slipway.SlipwayException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The deploy lock of a service on one host, the same protocol on every target that has a state
 * directory (hosts over SSH, the local target over {@code LocalHost}): the directory {@code <dir>/lock}, made with an atomic
 * {@code mkdir} (POSIX.1-2017 mkdir(2) fails with EEXIST when it exists), holding {@code info}
 * with who holds it, since when, for which version and why. One deploy, rollback or lock release
 * at a time changes a host.
 *
 * <p>The build's lock ({@code build/BuildLock}) is the same protocol over {@link LocalHost}. The
 * class lives here, beside {@link Host} and {@link Shell} (all it needs), so that both the
 * targets in {@code deploy/} and the build use it without {@code build/} importing {@code deploy/}.
 */
public final class Lock {
    private Lock() {}

    /**
     * Who holds a lock.
     *
     * @param id      a random token; only the holder's own release removes the lock
     * @param who     {@code user@machine} of the holder
     * @param machine the holder's machine name (to tell whether {@code pid} can be checked)
     * @param pid     the holder's process id on {@code machine}, or -1 when unknown
     * @param since   when it was taken, or {@code null} when the info file is missing
     * @param version the version being deployed
     * @param message what the holder does ({@code deploy}, {@code rollback}, or the --message text)
     */
    public record Holder(String id, String who, String machine, long pid, Instant since, String version, String message) {
        String info() {
            return "id=" + id + "\nwho=" + one(who) + "\nmachine=" + one(machine) + "\npid=" + pid + "\nsince=" + since
                    + "\nversion=" + one(version) + "\nmessage=" + one(message) + "\n";
        }

        /**
         * Whether the lock is old: it has info, its holder is not known to be gone ({@link #gone}),
         * and it was taken longer than {@code staleAfter} ago. Age alone never lets a run take a lock
         * over (a slow rollout may hold it that long, and a holder on another machine cannot be
         * checked): an old lock is refused at once, with {@code slipway lock release --force} as the
         * way out, instead of being waited for ({@link #judge}).
         *
         * @param staleAfter the age from which such a lock is stale ({@code rollout.lockStaleAfter})
         * @param now        the current time
         * @return whether the lock is older than {@code staleAfter} and its holder not known gone
         */
        public boolean stale(Duration staleAfter, Instant now) {
            return since != null && !gone(now) && Duration.between(since, now).compareTo(staleAfter) > 0;
        }

        /** @return "pid N (deploy of 2.0.0 since T)": the run that left a lock, for a take-over line and a history note */
        public String run() {
            return since == null ? "a run that stopped while taking it"
                    : "pid " + pid + " (" + message + (version.isEmpty() || version.equals("-") ? "" : " of " + version)
                    + ", since " + since + ")";
        }

        /**
         * Whether the holder is known to be gone: it ran on this machine and its pid no longer
         * runs, or that pid now belongs to a process started after the lock was taken (the pid was
         * reused after a kill -9). A holder on another machine, or a lock without info, is not
         * known to be gone (a lock without info may be one being taken right now: its holder
         * writes the info just after the mkdir).
         *
         * @param now the current time
         * @return whether the lock can be taken over
         */
        public boolean gone(Instant now) {
            if (since == null || pid <= 0 || !machine.equals(Lock.machineName())) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty()) {
                return true;
            }
            // since is truncated to seconds; a real holder started before it.
            return p.get().info().startInstant().map(start -> start.isAfter(since.plusSeconds(1))).orElse(false);
        }

        /**
         * @param now the current time
         * @return {@code "; stale: pid N is not running on this machine (...)"} when the holder is known
         *         to be gone ({@link #gone}), else {@code ""}: for {@code slipway status}, where a lock left
         *         by a killed run must not read like a deploy in progress
         */
        public String goneNote(Instant now) {
            return gone(now) ? "; stale: pid " + pid + " is not running on this machine (the next deploy or rollback takes it over)" : "";
        }

        /**
         * @return the start of the history note of a run whose lock was taken over:
         *         {@code "slipway (pid N, ann@ci) ended during its deploy of 2.0.0 without releasing the
         *         lock (killed, or cut off from the host)"}: its process is gone, which is all that is known
         */
        public String unfinishedNote() {
            return "slipway (pid " + pid + ", " + who + ") ended during its " + message + " of " + version
                    + " without releasing the lock (killed, or cut off from the host)";
        }

        /** @return one line: who, process, since when, message and version (none when {@code -}) */
        public String describe() {
            if (since == null) {
                return "an unknown holder (the lock has no info: its holder stopped while taking it)";
            }
            return who + " (pid " + pid + " on " + machine + ") since " + since + ", " + message
                    + (version.isEmpty() || version.equals("-") ? "" : " of version " + version);
        }
    }

    /**
     * @param version the version being deployed
     * @param message what this process does
     * @return a holder for this process
     */
    public static Holder me(String version, String message) {
        return new Holder(Long.toHexString(new java.security.SecureRandom().nextLong()), System.getProperty("user.name", "?")
                + "@" + machineName(), machineName(), ProcessHandle.current().pid(),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), version, message);
    }

    /**
     * Takes the lock.
     *
     * @param host the host
     * @param dir  the service's directory on it
     * @param me   this process
     * @return empty when taken; else who holds it
     * @throws SlipwayException (exit 1) when the host cannot be reached or the directory cannot be made
     */
    public static Optional<Holder> tryAcquire(Host host, String dir, Holder me) {
        Host.CommandResult r = host.run(tryAcquireScript(dir, me), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": cannot take the lock in " + dir + ": " + cause(r));
        }
        if (r.stdout().startsWith("acquired")) {
            return Optional.empty();
        }
        return Optional.of(parse(r.stdout()));
    }

    /**
     * The shell command of {@link #tryAcquire}: it prints {@code acquired} when it took the lock,
     * else {@code held} and the holder's {@code info} lines; exit 1 when {@code dir} cannot be made.
     * (A deploy's look takes the lock in its own round trip with {@link #tryAcquireLine}.)
     *
     * @param dir the service's directory on the host
     * @param me  this process
     * @return the command, for {@code sh -c}
     */
    public static String tryAcquireScript(String dir, Holder me) {
        String d = Shell.quote(dir);
        return "mkdir -p " + d + " || exit 1\n"
                + "if " + take(d, me) + "; then echo acquired; "
                + "else echo held; cat " + d + "/lock/info 2>/dev/null || true; fi";
    }

    /**
     * @param d  the quoted service directory
     * @param me this process
     * @return the shell list that takes the lock: mkdir(2) of {@code lock/} (atomic: one run wins),
     *         then its {@code info} written beside and renamed in; true only when all of it worked
     */
    private static String take(String d, Holder me) {
        return "mkdir " + d + "/lock 2>/dev/null && printf '%s' " + Shell.quote(me.info()) + " > " + d + "/lock/info.tmp && mv "
                + d + "/lock/info.tmp " + d + "/lock/info";
    }

    /**
     * A shell line for another command's round trip (a deploy's look at a host) that takes the lock
     * as {@link #tryAcquireScript} does, without a subshell or a pipe: it prints {@code acquired}
     * (one line) when it took the lock and nothing otherwise (held by someone else, or {@code dir}
     * cannot be made), and never ends the command.
     *
     * @param dir      the service's directory on the host
     * @param me       this process
     * @param acquired the line printed when the lock was taken
     * @return shell lines, ending with a newline
     */
    public static String tryAcquireLine(String dir, Holder me, String acquired) {
        String d = Shell.quote(dir);
        return "if { [ -d " + d + " ] || mkdir -p " + d + "; } 2>/dev/null && " + take(d, me)
                + "; then echo " + Shell.quote(acquired) + "; fi\n";
    }

    /** The default of {@code rollout.lockStaleAfter}: from this age a lock whose holder cannot be checked is refused at once. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);

    /**
     * How long a lock without info is taken for one being taken right now: its holder writes the
     * info in the same shell command, just after the mkdir. Longer, the holder stopped between the
     * two (a host that lost power, an {@code sh} killed alone) and the lock is taken over.
     */
    public static final Duration NO_INFO = Duration.ofSeconds(5);

    /** What a run that wants a lock does about the run that holds it ({@link #judge}). */
    public enum Held {
        /** Wait for it (until {@code --lock-wait} is over, then refuse). */
        WAIT,
        /** Refuse now: the lock is older than {@code rollout.lockStaleAfter} and its holder cannot be checked. */
        REFUSE,
        /** Its holder is gone: clear the lock, take it, and say and record that. */
        TAKE_OVER
    }

    /**
     * The one lock rule of every Slipway lock (the deploy lock of the local and hosts targets, the
     * build lock), documented in docs/local-deploy.md and docs/hosts.md:
     * <ol>
     *   <li>a holder that ran on this machine and whose pid is gone (or was reused by a later
     *       process: {@link Holder#gone}) is taken over; so is a lock that has had no info for
     *       longer than {@link #NO_INFO} (its holder stopped while taking it);</li>
     *   <li>a lock older than {@code staleAfter} whose holder cannot be checked (another machine)
     *       is refused at once with the holder's details: age alone is no proof that it is gone,
     *       and {@code slipway lock release --force} is the way out after a look at it;</li>
     *   <li>any other holder (alive, or on another machine) is waited for up to {@code --lock-wait},
     *       then refused with its details.</li>
     * </ol>
     *
     * @param o          the holder
     * @param staleAfter {@code rollout.lockStaleAfter} ({@link #STALE_AFTER} by default)
     * @param now        the current time
     * @param noInfoFor  how long this run has seen the lock without info ({@link Duration#ZERO} when it has info)
     * @return what to do about it
     */
    public static Held judge(Holder o, Duration staleAfter, Instant now, Duration noInfoFor) {
        if (o.gone(now) || o.since() == null && noInfoFor.compareTo(NO_INFO) > 0) {
            return Held.TAKE_OVER;
        }
        return o.stale(staleAfter, now) ? Held.REFUSE : Held.WAIT;
    }

    /**
     * Takes the lock, waiting for another holder, with the one rule of {@link #judge}: the one wait
     * of every Slipway lock (the local target, each host, the build).
     *
     * @param host       the host
     * @param dir        the service's directory on it
     * @param me         this process
     * @param wait       the longest to wait for a holder that may let go; zero: refuse at once
     *                   (a lock without info is still watched for up to {@link #NO_INFO})
     * @param poll       how long to sleep between two attempts
     * @param staleAfter the age from which a lock whose holder cannot be checked is refused at once
     * @param refusal    the message for a holder that did not let go in time, or that is refused
     * @param waiting    called once per holder while waiting for it (a progress line)
     * @param tookOver   called with a gone holder once this process holds the lock in its place:
     *                   the target says so and records the run the holder was doing
     * @throws SlipwayException exit 2 ({@link #held}) when the lock is not taken; exit 1 when the host
     *                          cannot be reached, or this thread is interrupted while waiting
     */
    public static void acquire(Host host, String dir, Holder me, Duration wait, Duration poll, Duration staleAfter,
                               java.util.function.Function<Holder, String> refusal,
                               java.util.function.Consumer<Holder> waiting,
                               java.util.function.Consumer<Holder> tookOver) {
        long deadline = System.nanoTime() + wait.toNanos();
        String shown = null;
        long noInfo = 0;
        while (true) {
            Optional<Holder> other = tryAcquire(host, dir, me);
            if (other.isEmpty()) {
                return;
            }
            Holder o = other.get();
            long t = System.nanoTime();
            noInfo = o.since() != null ? 0 : noInfo == 0 ? t : noInfo;
            Held verdict = judge(o, staleAfter, Instant.now(), Duration.ofNanos(noInfo == 0 ? 0 : t - noInfo));
            if (verdict == Held.TAKE_OVER) {
                if (takeOver(host, dir, o, me)) {
                    tookOver.accept(o);
                    return;
                }
                continue;
            }
            if (verdict == Held.REFUSE || o.since() != null && t >= deadline) {
                throw held(refusal.apply(o));
            }
            if (!o.describe().equals(shown)) {
                waiting.accept(o);
                shown = o.describe();
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SlipwayException.failed("interrupted while waiting for the lock in " + dir);
            }
        }
    }

    /**
     * Takes over the lock of a gone holder ({@link #judge}): removes it only while it is still that
     * holder's (its id, or still without info), then takes it as {@code me}. Two runs that find the
     * same gone holder cannot both get the lock: the atomic mkdir picks one.
     *
     * @param host the host
     * @param dir  the service's directory on it
     * @param gone the holder found gone
     * @param me   this process
     * @return whether this process now holds the lock
     * @throws SlipwayException exit 1 when the host cannot be reached
     */
    public static boolean takeOver(Host host, String dir, Holder gone, Holder me) {
        String d = Shell.quote(dir);
        String still = gone.since() == null ? "[ -d " + d + "/lock ] && [ ! -f " + d + "/lock/info ]"
                : gone.id().isEmpty() ? "true" : "grep -qx " + Shell.quote("id=" + gone.id()) + " " + d + "/lock/info 2>/dev/null";
        Host.CommandResult r = host.run("if " + still + "; then rm -rf " + d + "/lock; fi", Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": cannot clear the lock in " + dir + ": " + cause(r));
        }
        return tryAcquire(host, dir, me).isEmpty();
    }

    /**
     * Releases this process's lock; leaves another holder's lock alone.
     *
     * @param host the host
     * @param dir  the service's directory
     * @param id   the holder id given to {@link #tryAcquire}
     * @return whether the lock was ours and is gone
     */
    public static boolean release(Host host, String dir, String id) {
        String d = Shell.quote(dir);
        Host.CommandResult r = host.run("if grep -qx " + Shell.quote("id=" + id) + " " + d + "/lock/info 2>/dev/null; then rm -rf "
                + d + "/lock && echo released; fi", Duration.ofSeconds(30));
        return r.ok() && r.stdout().contains("released");
    }

    /**
     * Reads the lock without changing it.
     *
     * @return the holder, or empty when unlocked
     */
    public static Optional<Holder> read(Host host, String dir) {
        String d = Shell.quote(dir);
        Host.CommandResult r = host.run("if [ -d " + d + "/lock ]; then echo held; cat " + d + "/lock/info 2>/dev/null; fi",
                Duration.ofSeconds(30));
        return r.stdout().startsWith("held") ? Optional.of(parse(r.stdout())) : Optional.empty();
    }

    /**
     * Removes the lock whoever holds it ({@code slipway lock release --force}).
     *
     * @return the holder it had, or empty when it was not locked
     */
    public static Optional<Holder> forceRelease(Host host, String dir) {
        Optional<Holder> h = read(host, dir);
        if (h.isPresent()) {
            Host.CommandResult r = host.run("rm -rf " + Shell.quote(dir) + "/lock", Duration.ofSeconds(30));
            if (!r.ok()) {
                throw SlipwayException.failed(host.name() + ": cannot remove " + dir + "/lock: " + cause(r));
            }
        }
        return h;
    }

    /**
     * @param out the lock's {@code info} file ({@code key=value} lines), possibly after a status line
     * @return the holder it names; missing or damaged fields read as unknown
     */
    public static Holder parse(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Instant since = null;
        try {
            since = m.containsKey("since") ? Instant.parse(m.get("since")) : null;
        } catch (RuntimeException ignored) {
            // a damaged info file reads as no info
        }
        long pid = -1;
        try {
            pid = Long.parseLong(m.getOrDefault("pid", "-1"));
        } catch (NumberFormatException ignored) {
            // unknown pid
        }
        return new Holder(m.getOrDefault("id", ""), m.getOrDefault("who", "?"), m.getOrDefault("machine", "?"), pid, since,
                m.getOrDefault("version", "?"), m.getOrDefault("message", "?"));
    }

    /**
     * The error for a lock that another run holds (after {@code --lock-wait}, if any): exit 2, like
     * every refusal before anything changed (docs/bad-input.md, docs/cli.md): the run took no lock
     * and changed nothing, and running it again later (or with {@code --lock-wait}) is the remedy,
     * not a rollback. Every lock of Slipway refuses this way: the deploy lock on every target and
     * the build lock ({@code build/BuildLock}).
     *
     * @param message who holds it and what to do; it should end with "nothing was changed"
     * @return the exception to throw (exit 2)
     */
    public static SlipwayException held(String message) {
        return new SlipwayException(SlipwayException.USAGE, message);
    }

    /**
     * Names why a command on a host failed, never an empty text: its standard error, else its
     * standard output, else its exit status (an {@code sh} killed by a signal, a full disk that
     * made a redirection fail silently, a connection that closed, ...).
     *
     * @param r the failed command's result
     * @return one line or a few, never empty
     */
    public static String cause(Host.CommandResult r) {
        String err = r.stderr() == null ? "" : r.stderr().strip();
        if (!err.isEmpty()) {
            return err;
        }
        String out = r.stdout() == null ? "" : r.stdout().strip();
        String status = r.exitCode() > 128 && r.exitCode() < 160 ? "killed by signal " + (r.exitCode() - 128)
                + " (exit status " + r.exitCode() + ")" : "exit status " + r.exitCode();
        return out.isEmpty() ? status + ", with no output" : status + ": " + out;
    }

    /** @return this machine's name, from /etc/hostname or the HOSTNAME variable */
    public static String machineName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    private static String one(String s) {
        return s == null ? "" : s.replaceAll("[\\p{Cntrl}]+", " ");
    }
}

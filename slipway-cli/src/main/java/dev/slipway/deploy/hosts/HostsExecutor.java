package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.deploy.CrashCause;
import dev.slipway.deploy.DiskSpace;
import dev.slipway.deploy.FirstRun;
import dev.slipway.config.HostsConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Executor;
import dev.slipway.remote.Gate;
import dev.slipway.deploy.Prepare;
import dev.slipway.deploy.ReleaseLayout;
import dev.slipway.deploy.ServiceManager;
import dev.slipway.deploy.Steps;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Revision;
import dev.slipway.remote.Host;
import dev.slipway.remote.Lock;
import dev.slipway.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a {@link HostsPlan} over {@link Host}s, step by step in the plan's order.
 *
 * <p>Before any switch, each host prepares the release (its first run without the app, see
 * {@link HostUnit#prepareCommand}); a host that cannot (its file cannot unpack) stops the deploy
 * with no host switched. A release whose file predates the prepare mode is started unprepared,
 * and its gate failure says that the first run happened inside the gate.
 *
 * <p>When a host's switch, restart or gate fails, the deploy stops and every host switched in
 * this deploy goes back to the release it had before (switch, restart, gate), so the fleet never
 * stays on two versions; a host that had no release before is stopped. Each host's history then
 * records the outcome, the locks are released, and a {@link SlipwayException} (exit 1) names the
 * failing host and the reason: the readiness answer, or the unit's last journal lines.
 *
 * <p>Test hook: the environment variable {@code SLIPWAY_CRASH_AT=<step>} or
 * {@code <step>:<host>} (step ids of {@link DeployPlan.Kind#id()}; see {@link Executor}) halts the process just before
 * that step, as {@code kill -9} would (no shutdown hooks, no cleanup).
 */
public final class HostsExecutor {
    private final HostsConfig config;
    private final int port;
    private final Map<String, Host> hosts;
    private final Console console;
    private final Lock.Holder me;
    private final Duration lockWait;
    private final Executor executor;
    private final Set<String> locked = new LinkedHashSet<>();
    private final List<HostsPlan.HostPlan> switched = new ArrayList<>();
    /** Proxy strategy: hosts whose new instance was started, and whose nginx was pointed at it. */
    private final List<HostsPlan.HostPlan> started = new ArrayList<>();
    private final List<HostsPlan.HostPlan> proxied = new ArrayList<>();
    /** The plan {@link #run} runs now (for {@link #stopUnswitched}), or {@code null}. */
    private HostsPlan running;
    /** Hosts whose release could not be prepared (its file predates the prepare mode). */
    private final Set<String> unprepared = new LinkedHashSet<>();
    private String outcome;
    private String note = "";
    /** The service manager of a host: systemd. */
    private final java.util.function.Function<Host, ServiceManager> managers;

    /**
     * @param config   the {@code deploy.hosts} section
     * @param port     the service's port
     * @param hosts    a connected host per host name
     * @param console  progress output
     * @param me       this process as a lock holder
     * @param lockWait how long to wait for a held lock (zero: fail at once)
     * @param crashAt  the {@code SLIPWAY_CRASH_AT} value, or {@code null}
     */
    public HostsExecutor(HostsConfig config, int port, Map<String, Host> hosts, Console console, Lock.Holder me,
                         Duration lockWait, String crashAt) {
        this.config = config;
        this.port = port;
        this.hosts = hosts;
        this.console = console;
        this.me = me;
        this.lockWait = lockWait;
        this.executor = new Executor(crashAt, console);
        this.managers = host -> new Systemd(host, config.rollout().drainTimeout());
    }

    /** Per host, the revision number this run's record step appended to its history. */
    private final Map<String, Integer> recorded = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The outcome of a successful run.
     *
     * @param plan   the plan run
     * @param timing wall time per step kind, ms (upload, switch, restart, gate, ...), summed over the
     *               hosts (steps that run at once count once per host)
     * @param hostTiming wall time per host and step kind, ms, keyed {@code <host>.<kind id>}
     * @param totalMs the whole run, ms
     * @param revisions per host, the revision number its history got
     * @param criticalPath per step kind, the wall time during which a step of that kind ran on at
     *               least one host, ms (steps that run at once count once)
     */
    public record Result(HostsPlan plan, Map<DeployPlan.Kind, Long> timing, Map<String, Long> hostTiming, long totalMs,
                         Map<String, Integer> revisions, Map<DeployPlan.Kind, Long> criticalPath) {
        /** A result without critical-path figures. */
        public Result(HostsPlan plan, Map<DeployPlan.Kind, Long> timing, Map<String, Long> hostTiming, long totalMs,
                      Map<String, Integer> revisions) {
            this(plan, timing, hostTiming, totalMs, revisions, Map.of());
        }

        /** @return the highest revision number this run recorded in a host's history, or 0 when it recorded none */
        public int revision() {
            return revisions.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * Sets what a successful run records in each host's history (a canary's own outcomes).
     *
     * @param outcome the outcome, e.g. {@link History#CANARY}, or {@code null} for {@code deployed}/{@code rollback}
     * @param note    the note
     * @return this executor
     */
    public HostsExecutor recordAs(String outcome, String note) {
        this.outcome = outcome;
        this.note = note == null ? "" : note;
        return this;
    }

    /** @return who runs this executor ({@code user@machine}), as its history lines say */
    public String who() {
        return me.who();
    }

    /** @return the id of this executor's locks */
    public String lockId() {
        return me.id();
    }

    /**
     * Ctrl-C or SIGTERM during a proxy-strategy run: on every host whose new instance was started
     * and whose nginx was not yet pointed at it, stops that instance (the old one was never
     * stopped and serves on) and records the run as {@code interrupted} in the host's history,
     * like a failed gate ({@code proxyBack}) does. Hosts already switched keep the state they reached.
     *
     * @return one line per host handled, e.g. {@code "h1: stopped myapp@8082.service; 1.0.0 kept serving"};
     *         empty when no host had an unswitched new instance
     */
    public List<String> stopUnswitched() {
        List<HostsPlan.HostPlan> touched;
        HostsPlan plan;
        synchronized (this) {
            touched = started.stream().filter(h -> !proxied.contains(h)).toList();
            plan = running;
        }
        List<String> lines = new ArrayList<>();
        for (HostsPlan.HostPlan h : touched) {
            String newUnit = HostUnit.instance(config, h.port());
            try {
                manager(h).stop(newUnit, true);
                if (plan != null) {
                    record(h, plan, History.INTERRUPTED, me.who(), "interrupted before nginx was switched; " + newUnit
                            + " stopped" + (h.previous() == null ? "" : ", " + h.previous() + " kept serving"));
                }
                lines.add(h.name() + ": stopped " + newUnit + (h.previous() == null ? "" : "; " + h.previous() + " kept serving"));
            } catch (RuntimeException e) {
                lines.add(h.name() + ": stopping " + newUnit + " failed: " + e.getMessage());
            }
        }
        return lines;
    }

    /** @return the hosts whose lock this executor holds now (for a Ctrl-C handler) */
    public synchronized Set<String> lockedHosts() {
        return Set.copyOf(locked);
    }

    /**
     * Runs the plan.
     *
     * @param plan the plan
     * @return timings
     * @throws SlipwayException (exit 1) when a step fails, after the fleet went back and the locks were released
     */
    public Result run(HostsPlan plan) {
        long start = System.nanoTime();
        recorded.clear();
        synchronized (this) {
            running = plan;
        }
        Map<String, HostsPlan.HostPlan> byName = new LinkedHashMap<>();
        plan.hosts().forEach(h -> byName.put(h.name(), h));
        synchronized (this) {
            // The look took these locks for this run (the same holder id): a failure or Ctrl-C releases them.
            plan.hosts().stream().filter(h -> h.facts().locked()).forEach(h -> locked.add(h.name()));
        }
        String who = me.who();
        GoingBack going = new GoingBack();
        executor.run(plan.steps(), plan.back(), new Executor.Parts() {
            @Override
            public void run(DeployPlan.Step step) {
                if (step.kind() == DeployPlan.Kind.BACK) {
                    going.back(plan, byName.get(step.where()));
                    return;
                }
                runStep(plan, step, step.where() == null ? null : byName.get(step.where()), who);
                dev.slipway.Trace.mark((step.where() == null ? "" : step.where() + ": ") + step.kind().id() + " done");
            }

            @Override
            public boolean inBackground(DeployPlan.Step step) {
                // The old instances of a batch no longer get requests from nginx: they are retired in
                // the background while the next batch starts, and the last batch's beside the record and
                // prune; every retirement ends before the locks are released (a failed one is reported then).
                return step.kind() == DeployPlan.Kind.STOP && config.rollout().proxySwitch();
            }

            @Override
            public boolean finishTogether() {
                // A host's record appends to history.tsv and its prune keeps the releases the plan names
                // (current and previous, from the host's facts): neither reads what the other writes.
                return true;
            }

            @Override
            public void failing(Executor.StepFailed f) {
                going.failing(f);
            }

            @Override
            public SlipwayException back(Executor.StepFailed f) {
                return failedRun(plan, byName.get(f.where()), f, who, going.undo, going.back, going.problems);
            }

            @Override
            public void unlock() {
                // Before any switch (lock, upload, env, unit, prepare) or after every gate (record, prune):
                // nothing to roll back; free the locks we hold.
                unlockAll();
            }

            @Override
            public void interrupted() {
                onInterrupt.run();
            }

            @Override
            public boolean goesBackOnCtrlC() {
                return goBackOnCtrlC;
            }

            @Override
            public void cutShort(DeployPlan.Step step) {
                // The delay and the lock's polling sleep in this JVM: the loop interrupts them.
                if (step.kind() != DeployPlan.Kind.DELAY && step.kind() != DeployPlan.Kind.LOCK
                        && step.where() != null && hosts.containsKey(step.where())) {
                    // A gate, an upload or a prepare: its command's wait ends; the going back connects anew.
                    hosts.get(step.where()).cancelRunning();
                }
            }

            @Override
            public void stopNow() {
                onStopNow.run();
            }
        });
        return new Result(plan, executor.timingMs(), executor.whereTimingMs(), (System.nanoTime() - start) / 1_000_000,
                Map.copyOf(recorded), executor.criticalPathMs());
    }

    /** What Ctrl-C or SIGTERM does during {@link #run} (the target's: it connects anew). */
    private Runnable onInterrupt = () -> { };

    /** Whether Ctrl-C makes the run go back ({@link #goBackOnCtrlC}). */
    private boolean goBackOnCtrlC;

    /** What a second Ctrl-C does ({@link #goBackOnCtrlC}). */
    private Runnable onStopNow = () -> { };

    /**
     * Makes Ctrl-C (SIGINT) during {@link #run} go back as a failed gate does (the shared loop's rule,
     * {@link Executor}): no new step starts, a running gate, upload, prepare, delay or lock wait is cut short,
     * then every host this run switched goes back to its previous release (switched back, restarted,
     * gated; a host with none before is stopped), each locked host records {@code interrupted}, the
     * locks are released, and the run ends with exit 130. A second Ctrl-C runs {@code stopNow} and
     * halts the process. SIGTERM keeps {@link #onInterrupt}.
     *
     * @param stopNow what a second Ctrl-C does: release the locks, record the run, say each host's state
     * @return this executor
     */
    public HostsExecutor goBackOnCtrlC(Runnable stopNow) {
        this.goBackOnCtrlC = true;
        this.onStopNow = stopNow;
        return this;
    }

    /**
     * @return per host this run locked, what its history gets on a second Ctrl-C: whether this run
     *         switched it, and the release it had before ({@code null}: none); in plan order
     */
    public synchronized Map<String, String> switchedFrom() {
        Map<String, String> out = new LinkedHashMap<>();
        List<HostsPlan.HostPlan> moved = config.rollout().proxySwitch() ? started : switched;
        moved.stream().filter(h -> !switchWithRestart.contains(h.name())).forEach(h -> out.put(h.name(), h.previous()));
        return out;
    }

    /** @return the plan {@link #run} runs now, or {@code null} */
    public synchronized HostsPlan running() {
        return running;
    }

    /**
     * Sets what Ctrl-C or SIGTERM does while {@link #run} lasts (a shutdown hook the shared loop,
     * {@link Executor#run}, installs).
     *
     * @param action the action, e.g. stop the unswitched instances and release the locks
     * @return this executor
     */
    public HostsExecutor onInterrupt(Runnable action) {
        this.onInterrupt = action;
        return this;
    }


    /** Hosts whose switch of {@code current} goes with their restart, in its round trip (the SWITCH step). */
    private final Set<String> switchWithRestart = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** nginx worker pids of before each host's last reload ({@code pointNginx}), by host name. */
    private final Map<String, String> oldWorkers = new java.util.concurrent.ConcurrentHashMap<>();

    private void runStep(HostsPlan plan, DeployPlan.Step step, HostsPlan.HostPlan h, String who) {
        switch (step.kind()) {
            case LOCK -> lock(plan, h);
            case UPLOAD -> upload(plan, h);
            case ENV -> env(plan, h);
            case UNIT -> unit(h);
            case PREPARE -> prepare(plan, h);
            case SWITCH -> {
                synchronized (this) {
                    switched.add(h);
                }
                // With nothing between the switch and the restart (no instance of the proxy strategy to
                // retire), the restart step sends the switch with it: one round trip per host, as the
                // proxy strategy's start does. A going back treats the host as switched either way.
                if (h.retire().isEmpty()) {
                    switchWithRestart.add(h.name());
                } else {
                    tryRollout(plan, h, () -> switchTo(h, plan.version()), "switch");
                }
            }
            case RESTART -> tryRollout(plan, h, () -> {
                if (switchWithRestart.remove(h.name())) {
                    ReleaseLayout layout = layout(h);
                    systemd(h).restartAfter(layout.switchCurrentCommand(plan.version()),
                            layout.switchCurrentFailure(plan.version()), config.service().unit());
                } else {
                    restart(h);
                }
            }, "restart");
            case START -> {
                synchronized (this) {
                    started.add(h);
                }
                tryRollout(plan, h, () -> startInstance(h, h.port(), plan.version()), "start");
            }
            // The host dropped off during the gate: it counts as a failed gate.
            case GATE -> tryRollout(plan, h, () -> gate(plan, h), "gate");
            case PROXY -> {
                synchronized (this) {
                    proxied.add(h);
                }
                tryRollout(plan, h, () -> pointNginx(plan, h, h.port() == 0 ? port : h.port(), plan.version(),
                        h.port() == 0 ? config.service().unit() + ".service" : HostUnit.instance(config, h.port())), "nginx switch");
            }
            // The restart strategy stops the proxy strategy's instances after its switch: a failure goes back.
            case STOP -> {
                if (config.rollout().proxySwitch()) {
                    stopOld(h);
                } else {
                    tryRollout(plan, h, () -> stopOld(h), "stop");
                }
            }
            case DELAY -> sleep(config.rollout().delay());
            case RECORD -> recordAndPrune(h, plan, outcome != null ? outcome
                    : plan.rollback() ? History.ROLLBACK : History.DEPLOYED, who, note);
            case PRUNE -> { } // done in the record step's round trip (recordAndPrune)
            case UNLOCK -> unlock(h.name());
            default -> throw new IllegalStateException(step.kind().name());
        }
    }

    private Host host(HostsPlan.HostPlan h) {
        return hosts.get(h.name());
    }

    /** @return the service manager of the host (the executor changes instances only through it) */
    private ServiceManager manager(HostsPlan.HostPlan h) {
        return managers.apply(host(h));
    }

    private String dir() {
        return config.dir();
    }

    private String releaseDir(HostsPlan plan) {
        return dir() + "/releases/" + plan.version();
    }

    /** Whether this run tried to take every host's lock at once ({@link #lockAllAtOnce}). */
    private boolean triedAllAtOnce;

    /**
     * Takes a host's lock. The first lock step tries every host's at once (one round trip per
     * host, in parallel; {@link #lockAllAtOnce}); when that took them all, the later lock steps
     * have nothing left to do. Otherwise the hosts are locked one after another in plan order,
     * waiting for a held lock up to {@code lockWait}, as two deployers then wait in the same order
     * and never for each other.
     */
    private void lock(HostsPlan plan, HostsPlan.HostPlan h) {
        boolean first;
        synchronized (this) {
            if (locked.contains(h.name())) {
                return;
            }
            first = !triedAllAtOnce;
            triedAllAtOnce = true;
        }
        if (first && lockAllAtOnce(plan)) {
            return;
        }
        acquire(host(h), h.name(), dir(), me, lockWait, config.rollout().lockStaleAfter(), plan.version(), plan.commit(), console);
        synchronized (this) {
            locked.add(h.name());
        }
    }

    /**
     * Tries to take every host's lock at once, without waiting.
     *
     * @return true when this run now holds every host's lock; false when a host's lock is held by
     *         someone else or could not be taken, and then this run holds none of the locks it took here
     *         (they are released: the ordered, waiting path takes them, and names the holder or the error)
     */
    private boolean lockAllAtOnce(HostsPlan plan) {
        if (plan.hosts().size() < 2) {
            return false;
        }
        Map<String, Boolean> got = Executor.each(plan.hosts(), HostsPlan.HostPlan::name, h -> {
            try {
                boolean mine = Lock.tryAcquire(host(h), dir(), me).isEmpty();
                if (mine) {
                    synchronized (this) {
                        locked.add(h.name()); // a Ctrl-C from now on releases it
                    }
                }
                return mine;
            } catch (RuntimeException e) {
                return false;
            }
        });
        if (!got.containsValue(false)) {
            dev.slipway.Trace.mark("every host locked at once");
            return true;
        }
        got.forEach((name, mine) -> {
            if (mine) {
                try {
                    unlock(name);
                } catch (RuntimeException e) {
                    // the host is unreachable: the ordered path reports it
                }
            }
        });
        return false;
    }

    /**
     * Takes one host's lock with the one rule of every Slipway lock ({@link Lock#judge}), for every
     * run that changes what a host runs (deploy, rollback, start, stop): a live holder, or one on
     * another machine, is waited for up to {@code lockWait} (polled every tenth of it, 0.1 to 1 s)
     * and then refused with {@link #lockedMessage}; one older than {@code staleAfter} that cannot be
     * checked is refused at once; one that ran on this machine and is gone (a kill -9) is taken
     * over: said on the console and its run recorded as {@code interrupted} in the host's history,
     * unless it recorded itself ({@link History#unrecorded}). The run that takes over then converges
     * the host as any run does: its plan was made from what the host holds.
     *
     * @param host       the host
     * @param name       its server name, for messages
     * @param dir        {@code deploy.hosts.dir}, where the lock file lives
     * @param me         this run
     * @param lockWait   how long to wait for a live holder (zero: refuse at once)
     * @param staleAfter {@code rollout.lockStaleAfter}
     * @param version    the version this run deploys (a taken-over run of the same version is recorded with {@code commit})
     * @param commit     that version's commit
     * @param console    where the waiting and a take-over are said
     * @throws SlipwayException exit 2 when the lock stays held or is old (nothing was changed); exit 1
     *                          when the host cannot be reached ({@link Lock#acquire})
     */
    static void acquire(Host host, String name, String dir, Lock.Holder me, Duration lockWait, Duration staleAfter,
                        String version, String commit, Console console) {
        Lock.acquire(host, dir, me, lockWait, Duration.ofMillis(Math.min(1000, Math.max(100, lockWait.toMillis() / 10))),
                staleAfter,
                other -> lockedMessage(name, other, staleAfter, lockWait),
                other -> console.progress("  " + name + ": locked by " + other.describe() + "; waiting"),
                gone -> tookOver(host, name, dir, gone, gone.version().equals(version) ? commit : "unknown", console));
    }

    /** Says that {@code gone}'s lock was taken over and records its run on the host, unless it recorded itself. */
    private static void tookOver(Host host, String name, String dir, Lock.Holder gone, String commit, Console console) {
        console.progress("  " + name + ": the lock was left by " + gone.run() + ", which is gone; taking it over");
        String file = dir + "/history.tsv";
        List<Revision> entries = host.run("tail -n 200 " + Shell.quote(file) + " 2>/dev/null", Duration.ofSeconds(30)).stdout()
                .lines().map(History::parse).flatMap(Optional::stream).toList();
        if (History.unrecorded(entries, gone)) {
            Revision r = History.append(host, file, name, gone.version(), commit, History.INTERRUPTED, gone.who(),
                    gone.unfinishedNote() + "; its lock was taken over by the next run");
            console.progress("  " + name + ": recorded revision " + r.revision() + ": " + r.note());
        }
    }

    /**
     * @return the message for a lock held by someone else: the holder's details and, for a lock
     *         older than {@code staleAfter} ({@link Lock.Holder#stale}), how to clear it
     */
    static String lockedMessage(String host, Lock.Holder other, Duration staleAfter, Duration waited) {
        String m = host + " is locked by " + other.describe();
        if (other.stale(staleAfter, Instant.now())) {
            return m + "; the lock is stale (older than " + Console.seconds(staleAfter) + ", and its holder cannot be"
                    + " checked from here); check the hosts, then clear it with 'slipway lock release --force'; nothing was changed";
        }
        return m + (waited.isZero() ? "" : " (waited " + Console.seconds(waited) + ")")
                + "; wait for it (--lock-wait DURATION) or, if it is gone, 'slipway lock release --force'; nothing was changed";
    }

    /** Hosts whose release directory this run's upload installed with its env files ({@link #upload}). */
    private final Set<String> installed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Hosts whose serving release this run gave another env, its files of before kept aside
     * ({@link HostsPlan#keepEnvCommand}): going back puts them back and restarts it.
     */
    private final Set<String> envKept = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The port each host's env of before names ({@code PORT}), read when it was put back: a
     * redeploy that changed {@code service.port} goes back to a release listening on the old one.
     */
    private final Map<String, Integer> portBefore = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Puts back the env files of before on a host of {@link #envKept} (once: the host then leaves
     * it) and removes those the run wrote that were not there; a problem is a warning.
     */
    private boolean restoreEnv(HostsPlan plan, HostsPlan.HostPlan h, List<String> problems) {
        if (!envKept.contains(h.name())) {
            return false;
        }
        Host.CommandResult r = host(h).run(HostsPlan.restoreEnvCommand(releaseDir(plan), envFiles(h).keySet()),
                Duration.ofSeconds(30));
        if (!r.ok()) {
            problems.add(h.name() + ": cannot put the env files of before back in " + releaseDir(plan) + ": "
                    + (r.stdout() + r.stderr()).strip());
            return false;
        }
        envKept.remove(h.name());
        portBefore.put(h.name(), HostsPlan.portOfEnv(r.stdout(), port));
        return true;
    }

    /**
     * Puts the release's single file on the host. A release the host does not hold complete is
     * installed whole with the step the local target uses ({@link ReleaseLayout#install}: a hidden
     * directory with the single file and the env files, renamed into place), so a kill or a full
     * disk never leaves a half-written {@code releases/<version>}; the env step then has nothing
     * left to write. A release it holds complete whose file differs (the same version built again)
     * gets the file replaced in place, atomically ({@link Host#upload}): that directory may be
     * the one serving, which must never be missing.
     */
    private void upload(HostsPlan plan, HostsPlan.HostPlan h) {
        if (!h.upload()) {
            // The release's directory holds the file (the look hashed it); the env step's writes into it
            // give it a new modification time, which prune orders releases by: no round trip here.
            return;
        }
        long size = h.artifact().toFile().length();
        DiskSpace.require(host(h), releaseDir(plan), size, "release " + plan.version());
        boolean whole = !h.facts().releases().contains(plan.version());
        if (!whole) {
            String rd = Shell.quote(releaseDir(plan));
            Host.CommandResult mk = host(h).run("mkdir -p " + rd + " && touch " + rd, Duration.ofSeconds(30));
            if (!mk.ok()) {
                throw SlipwayException.failed(h.name() + ": cannot make " + releaseDir(plan) + ": " + mk.stderr().strip());
            }
        }
        long[] shown = {-1};
        Host.Progress progress = (sent, total) -> {
            long pct = total == 0 ? 100 : sent * 100 / total;
            if (pct / 25 != shown[0] / 25 || sent == total && shown[0] != 100) {
                shown[0] = pct;
                console.progress("  " + h.name() + ": upload " + pct + "% (" + Console.megabytes(sent) + " of "
                        + Console.megabytes(total) + ")");
            }
        };
        try {
            if (whole) {
                List<ReleaseLayout.File> files = new ArrayList<>();
                files.add(ReleaseLayout.File.sent(plan.service(), 0755, h.artifact(), null)); // Host.upload checks its sum
                envFiles(h).forEach((name, text) -> files.add(ReleaseLayout.File.text(name, 0600, text)));
                layout(h).install(plan.version(), files, progress);
                installed.add(h.name());
            } else {
                host(h).upload(h.artifact(), releaseDir(plan) + "/" + plan.service(), 0755, progress);
            }
        } catch (RuntimeException e) {
            throw DiskSpace.explain(host(h), releaseDir(plan), size, e);
        }
        // The upload verified the sum on the host: the next look reads it instead of hashing the file.
        host(h).run(HostFacts.rememberSha(releaseDir(plan) + "/" + plan.service(), h.sha256()), Duration.ofSeconds(30));
    }

    /** @return a deploy's env files of the host by name: {@code env} and (proxy strategy) {@code env-<port>} */
    private static Map<String, String> envFiles(HostsPlan.HostPlan h) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("env", h.env());
        h.portEnvs().forEach((p, text) -> files.put(HostUnit.envName(p), text));
        return files;
    }

    /**
     * The release's env file, and (proxy strategy) one per instance port; for a rollback, the
     * {@code env-<port>} its release lacks, made from its {@code env} on the host.
     */
    private void env(HostsPlan plan, HostsPlan.HostPlan h) {
        if (plan.rollback()) {
            h.portEnvs().forEach((p, lines) -> {
                Host.CommandResult r = host(h).run(HostsPlan.portEnvCommand(releaseDir(plan), p, lines), Duration.ofSeconds(30));
                if (!r.ok()) {
                    throw SlipwayException.failed(h.name() + ": cannot write " + releaseDir(plan) + "/" + HostUnit.envName(p)
                            + ": " + (r.stdout() + r.stderr()).strip());
                }
            });
            return;
        }
        if (installed.contains(h.name()) || h.envUnchanged()) {
            return; // the upload installed the release directory with them, or the look found them the same
        }
        if (plan.version().equals(h.previous())) {
            // The release that serves, with another env: keep the files of before, for going back.
            Host.CommandResult r = host(h).run(HostsPlan.keepEnvCommand(releaseDir(plan), envFiles(h).keySet()),
                    Duration.ofSeconds(30));
            if (!r.ok()) {
                throw SlipwayException.failed(h.name() + ": cannot keep the env files of " + releaseDir(plan) + " aside: "
                        + (r.stdout() + r.stderr()).strip());
            }
            envKept.add(h.name());
        }
        // Each file is its own atomic write, all of them in one round trip (their content on its stdin).
        layout(h).writeEnvs(plan.version(), envFiles(h));
    }

    private void unit(HostsPlan.HostPlan h) {
        if (!h.unitChanged()) {
            return;
        }
        // A template is enabled per instance, when its instance is switched in (PROXY).
        manager(h).install(HostUnit.fileName(config), h.unit(), !config.rollout().proxySwitch());
    }

    /**
     * Prepares the release on a host and shows the single file's progress lines. Exit 1 when the
     * file fails (it cannot unpack); no host has been switched then.
     */
    private void prepare(HostsPlan plan, HostsPlan.HostPlan h) {
        console.progress("  " + h.name() + ": preparing " + plan.version() + " while "
                + (h.previous() == null ? "nothing" : h.previous()) + " serves");
        String command = HostUnit.prepareCommand(config, plan.service(), plan.version(), Prepare.TIMEOUT);
        if (!Prepare.on(host(h), command, Prepare.TIMEOUT.plusSeconds(60), plan.version(), h.name() + ": ",
                "no host was switched", console)) {
            synchronized (this) {
                unprepared.add(h.name());
            }
        }
    }

    private void switchTo(HostsPlan.HostPlan h, String version) {
        layout(h).switchCurrent(version);
    }

    /** @return the release layout in the service's directory on the host */
    private ReleaseLayout layout(HostsPlan.HostPlan h) {
        return new ReleaseLayout(host(h), dir());
    }

    /** Restarts the unit ({@link ServiceManager#restart}: a start rate limit is cleared first). */
    private void restart(HostsPlan.HostPlan h) {
        manager(h).restart(config.service().unit());
    }

    private void gate(HostsPlan plan, HostsPlan.HostPlan h) {
        int port = h.port() == 0 ? this.port : h.port();
        Gate.Verdict v = gateOf(h, unitOf(h, h.port()), port);
        if (!v.ready()) {
            boolean firstRun;
            synchronized (this) {
                firstRun = unprepared.contains(h.name());
            }
            dev.slipway.config.SlipwayConfig.Probe probe = config.rollout().readiness();
            // A crash: the unit's log over the gate's span gives the cause line and the lines shown.
            String crashLog = v.exited() ? crashLog(h, v) : "";
            throw Steps.gateFailed(h.name(), probe.target(bracketed(h.server().probeAddress()), port), probe, v, "",
                    CrashCause.of(crashLog), Steps.firstRunNote(FirstRun.inProgress(host(h), h.artifact(),
                            HostUnit.cacheRoot(config.service().unit())), !firstRun, plan.version(), readinessSettings(probe)),
                    v.exited() && !crashLog.isBlank() ? CrashCause.lastLines(crashLog, CRASH_LINES) : journal(h));
        }
        console.progress("  " + h.name() + ": ready (" + (v.status() != 0 ? "HTTP " + v.status() : v.detail())
                + " after " + v.elapsed().toMillis() + " ms)");
    }

    /** How many lines of a crashed unit's journal a failed gate shows ({@link CrashCause#lastLines}). */
    private static final int CRASH_LINES = 20;

    /**
     * @return the unit's journal over the gate's span (and a minute before it), at most 400 lines,
     *         for a gate that ended because the unit crashed: {@link CrashCause} finds the cause line in it
     */
    private String crashLog(HostsPlan.HostPlan h, Gate.Verdict v) {
        String unit = unitOf(h, h.port());
        ServiceManager m = manager(h);
        return m instanceof Systemd s ? s.logOf(unit, 400, v.elapsed().plusSeconds(60)) : m.log(unit, 400);
    }

    /** The readiness gate of an instance, run on its host; the unit's state tells whether it still runs. */
    private Gate.Verdict gateOf(HostsPlan.HostPlan h, String unit, int port) {
        return Steps.await(host(h), manager(h), unit, h.server().probeAddress(), port, config.rollout().readiness());
    }

    private static String bracketed(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /**
     * The note of a gate that timed a first run: the release was not prepared (its file predates
     * the prepare mode), and the settings that allow for it. One line: it goes into the history.
     */
    static String firstRunInGate(String version, dev.slipway.config.SlipwayConfig.Probe probe) {
        return "; " + Steps.firstRunNote(java.util.Optional.empty(), false, version, readinessSettings(probe));
    }

    /** The settings that give a host's gate more time, with their values. */
    private static String readinessSettings(dev.slipway.config.SlipwayConfig.Probe probe) {
        return "deploy.hosts.rollout.readiness.timeout (now " + Console.seconds(probe.timeout())
                + ") or startupGrace (now " + Console.seconds(probe.startupGrace()) + "; both default to service.readiness)";
    }

    private void tryRollout(HostsPlan plan, HostsPlan.HostPlan h, Runnable action, String what) {
        Steps.rollout(h.name(), what + ": ", action, () -> journal(h));
    }

    /**
     * @return the unit (without {@code .service}) of the instance on {@code port}: the proxy
     *         strategy's {@code <unit>@<port>}, or the unit itself for port 0 (restart strategy)
     */
    private String unitOf(HostsPlan.HostPlan h, int port) {
        return port == 0 ? config.service().unit() : config.service().unit() + "@" + port;
    }

    private String journal(HostsPlan.HostPlan h) {
        return journal(h, unitOf(h, h.port()));
    }

    private String journal(HostsPlan.HostPlan h, String unit) {
        return manager(h).log(unit, 15);
    }

    /**
     * What a failed run puts back, host by host: the going-back steps ({@link DeployPlan.Kind#BACK})
     * of one run. {@link #failing} takes the hosts the run touched (switched, or with the proxy
     * strategy started); each host's step then goes back there ({@link #fleetBack}, {@link #proxyBack})
     * and adds one line to what went back, and any problem to the warnings.
     */
    private final class GoingBack {
        final List<String> back = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        List<HostsPlan.HostPlan> undo = List.of();
        List<HostsPlan.HostPlan> switchedIn = List.of();

        void failing(Executor.StepFailed f) {
            console.progress(f.interrupted() ? "  interrupted (Ctrl-C " + f.reason() + "); going back"
                    : "  " + f.where() + " failed: " + f.reason());
            synchronized (HostsExecutor.this) {
                // A host whose switch waits for its restart's round trip (switchWithRestart) was not switched.
                undo = (config.rollout().proxySwitch() ? started : switched).stream()
                        .filter(h -> !switchWithRestart.contains(h.name())).toList();
                switchedIn = List.copyOf(proxied);
            }
        }

        void back(HostsPlan plan, HostsPlan.HostPlan h) {
            if (h != null && !undo.contains(h)) {
                // Not restarted yet: what runs has the env of before; a later restart must read it too.
                restoreEnv(plan, h, problems);
            }
            if (h == null || !undo.contains(h)) {
                return;
            }
            try {
                if (config.rollout().proxySwitch()) {
                    proxyBack(plan, h, switchedIn.contains(h), back, problems);
                } else {
                    fleetBack(plan, h, back, problems);
                }
            } catch (RuntimeException e) {
                problems.add(h.name() + ": going back failed: " + e.getMessage());
            }
        }
    }

    /** A switched host goes back (restart strategy): current to the release before, restarted, gated. */
    private void fleetBack(HostsPlan plan, HostsPlan.HostPlan h, List<String> back, List<String> problems) {
        if (h.previous() == null || h.previous().equals(plan.version())) {
            if (h.previous() == null) {
                back.add(h.name() + " (stopped: it had no release before)");
                try {
                    manager(h).stop(config.service().unit(), true);
                } catch (SlipwayException e) {
                    problems.add(h.name() + ": stop failed: " + e.getMessage());
                }
                host(h).run("rm -f " + Shell.quote(dir() + "/current"), Duration.ofSeconds(30));
            } else if (restoreEnv(plan, h, problems)) {
                // The same release with the env it served with: restart it on that, gated.
                console.progress("  " + h.name() + ": back to " + h.previous() + " with its env of before");
                restart(h);
                // It listens where its env of before says, which a changed service.port moved.
                Gate.Verdict v = gateOf(h, config.service().unit(), portBefore.getOrDefault(h.name(), port));
                back.add(h.name() + " -> " + h.previous() + " with its env of before"
                        + (v.ready() ? "" : " (NOT READY: " + v.describe() + ")"));
                if (!v.ready()) {
                    problems.add(h.name() + ": " + h.previous() + " with its env of before is not ready either: "
                            + v.describe());
                }
            } else {
                back.add(h.name() + " (was already on " + plan.version() + ")");
            }
            return;
        }
        console.progress("  " + h.name() + ": back to " + h.previous());
        switchTo(h, h.previous());
        if (!h.retire().isEmpty()) {
            stopOld(h); // a change of strategy: the proxy strategy's instances hold the port
        }
        restart(h);
        Gate.Verdict v = gateOf(h, config.service().unit(), port);
        if (v.ready() && HostsPlan.repointsNginx(h, port)) {
            pointNginx(plan, h, port, h.previous(), config.service().unit() + ".service");
        }
        back.add(h.name() + " -> " + h.previous() + (v.ready() ? "" : " (NOT READY: " + v.describe() + ")"));
        if (!v.ready()) {
            problems.add(h.name() + ": " + h.previous() + " is not ready either: " + v.describe());
        }
    }

    /** After going back: each host's history, the locks, and the exception naming the host, the reason and what went back. */
    private SlipwayException failedRun(HostsPlan plan, HostsPlan.HostPlan failed, Executor.StepFailed f, String who,
                                       List<HostsPlan.HostPlan> toUndo,
                                       List<String> back, List<String> problems) {
        if (f.interrupted()) {
            return interruptedRun(plan, f, who, toUndo, back, problems);
        }
        String note = f.where() + " failed: " + f.reason();
        for (HostsPlan.HostPlan h : plan.hosts()) {
            if (!lockedHosts().contains(h.name())) {
                continue;
            }
            String outcome = toUndo.contains(h) ? History.ROLLED_BACK : History.SKIPPED;
            try {
                record(h, plan, outcome, who, note);
            } catch (RuntimeException e) {
                problems.add(h.name() + ": cannot record history: " + e.getMessage());
            }
        }
        unlockAll();
        StringBuilder m = new StringBuilder();
        m.append(plan.rollback() ? "rollback" : "deploy").append(" of ").append(plan.service()).append(' ').append(plan.version())
                .append(" failed on ").append(f.where()).append(": ").append(f.reason());
        if (!f.detail().isEmpty()) {
            m.append("\nlast journal lines of ").append(unitOf(failed, failed.port())).append(" on ").append(f.where()).append(":\n");
            f.detail().lines().forEach(l -> m.append("  | ").append(l).append('\n'));
        } else {
            m.append('\n');
        }
        m.append(back.isEmpty() ? "no host had been switched; nothing changed on the hosts"
                : (config.rollout().proxySwitch() ? "every started host went back: " : "every switched host went back: ")
                + String.join(", ", back));
        problems.forEach(p -> m.append("\nwarning: ").append(p));
        return SlipwayException.failed(m.toString());
    }

    /**
     * After Ctrl-C and the going back: each host the run locked records {@code interrupted} (what ran
     * when Ctrl-C came, and where the host ended), the locks are released, and the exception (exit
     * 130) says in one line what serves where; a host that could not be put back adds a warning line.
     */
    private SlipwayException interruptedRun(HostsPlan plan, Executor.StepFailed f, String who, List<HostsPlan.HostPlan> toUndo,
                                            List<String> back, List<String> problems) {
        List<String> where = new ArrayList<>();
        for (HostsPlan.HostPlan h : plan.hosts()) {
            String state;
            if (toUndo.contains(h)) {
                state = back.stream().filter(l -> l.startsWith(h.name() + " ")).findFirst().orElse(h.name() + " (going back failed)");
            } else {
                state = h.name() + " not switched (" + (h.previous() == null ? "nothing serves" : h.previous() + " kept serving") + ")";
            }
            where.add(state);
            if (!lockedHosts().contains(h.name())) {
                continue;
            }
            try {
                String rest = state.substring(h.name().length()).strip();
                rest = rest.startsWith("-> ") ? "back to " + rest.substring(3)
                        : rest.startsWith("(") && rest.endsWith(")") ? rest.substring(1, rest.length() - 1) : rest;
                record(h, plan, History.INTERRUPTED, who, "Ctrl-C " + f.reason() + "; " + rest);
            } catch (RuntimeException e) {
                problems.add(h.name() + ": cannot record history: " + e.getMessage());
            }
        }
        unlockAll();
        StringBuilder m = new StringBuilder();
        m.append(plan.rollback() ? "rollback" : "deploy").append(" of ").append(plan.service()).append(' ').append(plan.version())
                .append(" interrupted (Ctrl-C ").append(f.reason()).append("): ").append(String.join(", ", where))
                .append("; the locks were released");
        problems.forEach(p -> m.append("\nwarning: ").append(p));
        return new SlipwayException(SlipwayException.INTERRUPTED, m.toString());
    }

    // ---- rollout.strategy: proxy ------------------------------------------------------------------

    /**
     * Points the instance port's slot at the release ({@code slots/<port> -> ../releases/<version>},
     * a new link then rename(2)) and (re)starts {@code <unit>@<port>}, beside the instance that
     * serves. The start rate limit is reset first, as for {@link #restart}.
     */
    private void startInstance(HostsPlan.HostPlan h, int port, String version) {
        // One round trip (with batchSize 1 every host's start is on the critical path): the slot, then the start.
        ReleaseLayout layout = layout(h);
        systemd(h).restartAfter(layout.pointSlotCommand(port, version), layout.pointSlotFailure(port, version),
                HostUnit.instance(config, port));
    }

    /** @return the host's systemd (the hosts target's one service manager), for its one-round-trip moves */
    private Systemd systemd(HostsPlan.HostPlan h) {
        return new Systemd(host(h), config.rollout().drainTimeout());
    }

    /**
     * Switches the host's nginx to the instance on {@code port}: the upstream file is rewritten
     * (the old one kept aside), {@code nginx -t} tests it (a rejected file is replaced by the old
     * one and nothing is reloaded), {@code nginx -s reload} loads it when nginx runs, and this waits
     * (at most 30 s) until the nginx workers of before the reload have finished their requests, so
     * none of them sends another request to the old instance once it is stopped. Then
     * {@code current} points at the release, and {@code enable} is enabled (it starts at boot): the
     * instance, or with the restart strategy after a change of strategy {@code <unit>.service}.
     */
    private void pointNginx(HostsPlan plan, HostsPlan.HostPlan h, int port, String version, String enable) {
        String f = config.proxy().upstreamFile();
        String upstream = NginxConf.upstream(plan.service(), config, h.server().probeAddress(), port);
        // One round trip (it is on the critical path of every batch): the upstream file (no secret
        // in it) is written beside the old one and renamed over it, the old one kept aside until
        // nginx -t passed; then the reload, current, and the enable. The order is that of separate steps.
        String cur = dir() + "/current";
        String script = "set -u; f=" + Shell.quote(f) + "; a=" + Shell.quote(f + ".slipway-old") + "\n"
                + "mkdir -p " + Shell.quote(f.substring(0, f.lastIndexOf('/') + 1)) + " && { if [ -f \"$f\" ]; then cp -p"
                + " \"$f\" \"$a\"; else rm -f \"$a\"; fi; } && (umask 022; printf '%s' " + Shell.quote(upstream)
                + " > \"$f.slipway-new\") && mv -fT \"$f.slipway-new\" \"$f\" || { echo \"cannot write $f\"; exit 5; }\n"
                + "if ! out=$(nginx -t 2>&1); then if [ -f \"$a\" ]; then mv -f \"$a\" \"$f\"; else rm -f \"$f\"; fi;"
                + " echo \"$out\"; exit 3; fi\n"
                + "rm -f \"$a\"\n"
                + "if pgrep -x nginx >/dev/null 2>&1; then\n"
                + "  old=$(pgrep -f '^nginx: worker process' | tr '\\n' ' ')\n"
                + "  nginx -s reload 2>&1 || exit 4\n"
                // The old workers finish their in-flight requests and close; new ones use the new upstream.
                // The stop of the old instance waits for them (awaitOldWorkers).
                + "  echo \"@@old workers: $old\"\n"
                + "else echo '@@nginx is not running'; fi\n"
                + "ln -sfn " + Shell.quote("releases/" + version) + " " + Shell.quote(dir() + "/.current.tmp") + " && mv -T "
                + Shell.quote(dir() + "/.current.tmp") + " " + Shell.quote(cur) + " 2>&1 || { echo '@@current'; exit 6; }\n"
                // It starts at boot; a failure here changes nothing served.
                + "systemctl enable --no-reload " + Shell.quote(enable) + " >/dev/null 2>&1 || echo '@@not enabled'\n"
                + "exit 0\n";
        Host.CommandResult r = host(h).run(script, Duration.ofSeconds(90));
        String out = (r.stdout() + r.stderr()).strip();
        if (r.exitCode() == 3) {
            throw SlipwayException.failed("nginx on " + h.name() + " rejected the upstream " + f + " (the old file is back,"
                    + " nothing was reloaded): " + out);
        }
        if (r.exitCode() == 5) {
            throw SlipwayException.failed("cannot write " + f + ": " + out);
        }
        if (r.exitCode() == 6) {
            throw SlipwayException.failed(h.name() + ": cannot switch current to " + version + ": " + out);
        }
        if (!r.ok()) {
            throw SlipwayException.failed("nginx on " + h.name() + ": " + (r.exitCode() == 4 ? "nginx -s reload failed: "
                    : "") + out);
        }
        if (out.contains("@@not enabled")) {
            console.progress("  " + h.name() + ": warning: " + h.name() + ": cannot enable " + enable);
        }
        oldWorkers.remove(h.name());
        if (out.contains("@@nginx is not running")) {
            console.progress("  " + h.name() + ": nginx is not running; " + f + " names port " + port + " for its start");
        } else {
            out.lines().filter(l -> l.startsWith("@@old workers:"))
                    .forEach(l -> oldWorkers.put(h.name(), l.substring("@@old workers:".length()).strip()));
            console.progress("  " + h.name() + ": nginx -> port " + port);
        }
    }

    /**
     * Waits (at most 30 s) until the nginx workers of before the host's last reload have finished
     * their requests and exited, so none of them sends another request to an instance about to
     * stop. A warning when they still run after 30 s (long requests); the stop goes on then.
     */
    private void awaitOldWorkers(HostsPlan.HostPlan h) {
        String script = awaitOldWorkersScript(h);
        if (!script.isEmpty()) {
            warnOldWorkers(h, host(h).run(script, Duration.ofSeconds(60)).stdout());
        }
    }

    /**
     * @return the POSIX sh lines of {@link #awaitOldWorkers} (they always exit 0), or {@code ""}
     *         when the host's last reload left no old workers to wait for; takes them from the map
     */
    private String awaitOldWorkersScript(HostsPlan.HostPlan h) {
        String pids = oldWorkers.remove(h.name());
        if (pids == null || pids.isBlank()) {
            return "";
        }
        return "old=" + Shell.quote(pids) + "\n"
                + "i=0; while [ $i -lt 300 ]; do alive=; for p in $old; do kill -0 \"$p\" 2>/dev/null && alive=1; done;"
                + " [ -z \"$alive\" ] && break; sleep 0.05; i=$((i+1)); done\n"
                + "[ -n \"$alive\" ] && echo '@@old nginx workers still running'; true";
    }

    /** Says so when {@link #awaitOldWorkersScript}'s output shows the old workers outlived the wait. */
    private void warnOldWorkers(HostsPlan.HostPlan h, String out) {
        if (out.contains("@@old nginx workers still running")) {
            console.progress("  " + h.name() + ": warning: nginx workers of before the reload still run after 30 s"
                    + " (long requests?); stopping the old instance anyway");
        }
    }

    /**
     * Drains and stops the instance that served before the switch, and disables it; with the restart
     * strategy, the proxy strategy's instances, and enables the unit that takes over.
     */
    private void stopOld(HostsPlan.HostPlan h) {
        if (config.rollout().proxySwitch()) {
            // One round trip (the last batch's is waited for at the end): nginx's old workers, then the stop.
            String before = awaitOldWorkersScript(h);
            warnOldWorkers(h, systemd(h).stopAfter(before.isEmpty() ? "true" : before, HostsPlan.stopUnits(config, h)));
            return;
        }
        awaitOldWorkers(h);
        for (String unit : HostsPlan.stopUnits(config, h)) {
            manager(h).stop(unit, true);
        }
        if (!config.rollout().proxySwitch()) {
            manager(h).enable(config.service().unit() + ".service");
        }
    }

    /**
     * A started host goes back (proxy strategy): a new instance that nginx was not switched to is
     * stopped (its old instance never stopped); a host switched in an earlier batch makes the same
     * move back (start the old instance, gate it, point nginx at it, stop the new one).
     */
    private void proxyBack(HostsPlan plan, HostsPlan.HostPlan h, boolean switchedIn, List<String> back,
                           List<String> problems) {
        String newUnit = HostUnit.instance(config, h.port());
        // The instance that served never stopped, but a restart would read its rewritten env file.
        restoreEnv(plan, h, problems);
        if (!switchedIn || h.oldPort() == 0) {
            back.add(h.name() + (h.oldPort() == 0 ? " (stopped: it had no release before)"
                    : " (" + newUnit + " stopped; " + h.previous() + " never stopped)"));
            try {
                manager(h).stop(newUnit, true);
            } catch (SlipwayException e) {
                problems.add(h.name() + ": stopping " + newUnit + " failed: " + e.getMessage());
            }
            if (h.oldPort() == 0 && switchedIn) {
                host(h).run("rm -f " + Shell.quote(dir() + "/current"), Duration.ofSeconds(30));
            }
            return;
        }
        console.progress("  " + h.name() + ": back to " + h.previous() + " on port " + h.oldPort());
        String oldUnit = HostsPlan.oldUnit(config, h);
        if (h.legacy()) {
            switchTo(h, h.previous());
        }
        manager(h).start(oldUnit);
        Gate.Verdict v = gateOf(h, oldUnit.replaceAll("\\.service$", ""), h.oldPort());
        if (!v.ready()) {
            back.add(h.name() + " -> " + h.previous() + " (NOT READY: " + v.describe() + "; nginx stays on " + plan.version() + ")");
            problems.add(h.name() + ": " + h.previous() + " is not ready either: " + v.describe());
            return;
        }
        pointNginx(plan, h, h.oldPort(), h.previous(), HostUnit.instance(config, h.oldPort()));
        awaitOldWorkers(h);
        try {
            if (h.legacy()) {
                manager(h).enable(oldUnit);
            }
            manager(h).stop(newUnit, true);
        } catch (SlipwayException e) {
            problems.add(h.name() + ": " + e.getMessage());
        }
        back.add(h.name() + " -> " + h.previous());
    }

    private void record(HostsPlan.HostPlan h, HostsPlan plan, String outcome, String who, String note) {
        recorded.put(h.name(), History.append(host(h), dir() + "/history.tsv", h.name(), plan.version(), plan.commit(), outcome,
                who, note).revision());
    }

    /**
     * The record and prune steps of a host in one round trip: the release directory is touched (a
     * deploy's release is the newest for the prune, as its env files' write made it before the env
     * step could be skipped), the revision appended to {@code history.tsv}, then the releases beyond
     * {@code rollout.retain} removed (never the current or previous one). A failed append fails the
     * step; a failed prune is a warning ({@link Steps#saidPruned}), as what serves is not touched.
     */
    private void recordAndPrune(HostsPlan.HostPlan h, HostsPlan plan, String outcome, String who, String note) {
        History.Appending a = History.appending(dir() + "/history.tsv", h.name(), plan.version(), plan.commit(), outcome,
                who, note);
        List<String> keep = h.previous() == null ? List.of(plan.version()) : List.of(plan.version(), h.previous());
        // A deploy that passed drops the env files of before it kept aside (they may hold an old secret).
        String touch = plan.rollback() ? "" : "touch " + Shell.quote(releaseDir(plan)) + " 2>/dev/null; "
                + (envKept.contains(h.name()) ? "rm -f " + Shell.quote(releaseDir(plan)) + "/.env*.before; " : "");
        Host.CommandResult r = host(h).run(touch + "{ " + a.command() + "; } || exit 1; echo " + PRUNED + "; "
                // the prune's stdout as it comes; its stderr kept, and printed before the failure line
                + "{ e=$( { ( " + layout(h).pruneCommand(config.rollout().retain(), keep) + " && ( "
                + HostUnit.pruneUnpackedCommand(dir(), plan.service(), cacheRoot()) + " ) ) 3>&- ; } 2>&1 >&3 ); s=$?; } 3>&1; "
                + "[ $s -eq 0 ] || printf '%s\\n%s\\n' \"$e\" " + PRUNE_FAILED,
                Duration.ofSeconds(60));
        if (!r.ok()) {
            throw SlipwayException.failed(h.name() + ": cannot append to " + dir() + "/history.tsv: " + r.stderr().strip());
        }
        String out = r.stdout();
        int at = out.indexOf(PRUNED + "\n");
        recorded.put(h.name(), a.written(at < 0 ? out : out.substring(0, at)).revision());
        List<String> lines = at < 0 ? List.of() : out.substring(at + PRUNED.length() + 1).lines().filter(l -> !l.isBlank()).toList();
        boolean failed = !lines.isEmpty() && lines.get(lines.size() - 1).equals(PRUNE_FAILED);
        String tree = HostUnit.UNPACKED_REMOVED + " ";
        List<String> trees = failed ? List.of() : lines.stream().filter(l -> l.startsWith(tree)).toList();
        Steps.saidPruned(console, h.name() + ": ", failed ? List.of() : lines.stream().filter(l -> !l.startsWith(tree)).toList(),
                failed ? layout(h).pruneFailure(String.join(" ", lines.subList(0, lines.size() - 1))) : null);
        if (!trees.isEmpty()) {
            console.progress("  " + h.name() + ": removed " + trees.size() + " unpacked tree(s) no kept release uses from "
                    + cacheRoot() + "/run");
        }
    }

    /** @return the unit's {@code SLIPWAY_CACHE_DIR} on every host ({@link HostUnit}): {@code /var/cache/<unit>} */
    private String cacheRoot() {
        return HostUnit.cacheRoot(config.service().unit());
    }

    /** The line between the record's output and the prune's in {@link #recordAndPrune}. */
    private static final String PRUNED = "--pruned--";

    /** The prune's last line in {@link #recordAndPrune} when it failed (its messages before it). */
    private static final String PRUNE_FAILED = "--prune-failed--";

    private void unlock(String name) {
        Lock.release(hosts.get(name), dir(), me.id());
        synchronized (this) {
            locked.remove(name);
        }
    }

    private void unlockAll() {
        for (String name : lockedHosts()) {
            try {
                unlock(name);
            } catch (RuntimeException e) {
                console.progress("  " + name + ": warning: cannot release the lock: " + e.getMessage());
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted");
        }
    }
}

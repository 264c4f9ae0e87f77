package dev.slipway.deploy.hosts;

import dev.slipway.remote.Gate;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.config.HostsConfig;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Executor;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Revision;
import dev.slipway.remote.Host;
import dev.slipway.remote.Lock;
import dev.slipway.remote.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The {@code hosts} deploy target: Linux servers over SSH, systemd, nginx in front. Connects,
 * looks at every host, makes a {@link HostsPlan} and runs it with a {@link HostsExecutor}; also
 * status, history and lock release. See {@code docs/hosts.md}.
 */
public final class HostsTarget implements AutoCloseable {
    /** Environment variable naming a plan step to halt before (tests; see {@link HostsExecutor}). */
    public static final String CRASH_AT = "SLIPWAY_CRASH_AT";

    /** The {@code TRACK} of every instance outside a canary (myapp's {@code track} metric label). */
    public static final String STABLE = "stable";

    private final SlipwayConfig config;
    private final HostsConfig hosts;
    private final Console console;
    private final Function<HostsConfig.Server, Host> connector;
    private final Map<String, String> environment;
    private final String track;
    private final String outcome;
    private final String note;
    /**
     * The connections {@link #keepConnections()} keeps for the life of this target, by server name,
     * or {@code null} when every call connects anew and closes its connections when it ends.
     */
    private Map<String, Host> kept;

    /**
     * @param config      the service configuration
     * @param console     output
     * @param connector   opens a connection to a host (SSH in production)
     * @param environment the deploy machine's environment (secrets, {@code SLIPWAY_CRASH_AT})
     * @throws SlipwayException (exit 2) when {@code deploy.hosts} is not configured
     */
    public HostsTarget(SlipwayConfig config, Console console, Function<HostsConfig.Server, Host> connector,
                       Map<String, String> environment) {
        if (config.hosts() == null) {
            throw SlipwayException.usage(config.file() + ": no 'deploy.hosts' section; the hosts target needs a list of servers"
                    + " (see docs/hosts.md)");
        }
        this.config = config;
        this.hosts = config.hosts();
        this.console = console;
        this.connector = connector;
        this.environment = environment;
        this.track = STABLE;
        this.outcome = null;
        this.note = "";
    }

    private HostsTarget(HostsTarget of, HostsConfig hosts, String track, String outcome, String note) {
        this.config = of.config;
        this.hosts = hosts;
        this.console = of.console;
        this.connector = of.connector;
        this.environment = of.environment;
        this.track = track;
        this.outcome = outcome;
        this.note = note;
    }

    /**
     * This target narrowed to some servers, for a canary: deploys and rollbacks then touch only
     * them, their env files set {@code TRACK=track}, and their history records {@code outcome}.
     *
     * @param names   names of {@code deploy.hosts.servers}, in rollout order
     * @param track   the {@code TRACK} value, e.g. {@code canary} or {@link #STABLE}
     * @param outcome the history outcome of a successful run (e.g. {@link History#CANARY}), or
     *                {@code null} for the usual {@code deployed}/{@code rollback}
     * @param note    the history note of a successful run
     * @return the narrowed target
     * @throws IllegalArgumentException when a name is not a configured server, or none is given
     */
    public HostsTarget narrowed(List<String> names, String track, String outcome, String note) {
        List<HostsConfig.Server> servers = new java.util.ArrayList<>();
        for (String n : names) {
            servers.add(hosts.servers().stream().filter(s -> s.name().equals(n)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no server named " + n)));
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no servers");
        }
        HostsConfig narrow = new HostsConfig(hosts.dir(), List.copyOf(servers), hosts.rollout(), hosts.service(),
                hosts.proxy(), hosts.knownHosts());
        return new HostsTarget(this, narrow, track, outcome, note);
    }

    /**
     * Keeps the connections this target opens until {@link #close()}: a plan and its run (and a
     * rollback's look at the history) then share one SSH connection per host instead of
     * connecting again (a key exchange per host and call). A dropped connection is opened again
     * by the host itself ({@link dev.slipway.remote.SshHost}).
     *
     * @return this target
     */
    public synchronized HostsTarget keepConnections() {
        if (kept == null) {
            kept = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        }
        return this;
    }

    /**
     * Connections {@link #connectAhead()} started and no call took yet, by server name; each
     * completes with the connected host or the connector's exception.
     */
    private final Map<String, java.util.concurrent.CompletableFuture<Host>> ahead = new LinkedHashMap<>();

    /**
     * Starts connecting to every server now, on background threads (at most
     * {@link Executor#PARALLEL} at a time), while the caller goes on reading the release and the
     * environment: the key exchanges, and the first use of the SSH library's classes, then
     * overlap that work instead of following it. The first call that needs a host
     * ({@link #planDeploy}, {@link #planRollback}, {@link #history}, {@link #status}) takes its
     * connection and, when it failed, gets the connector's exception there, as if it had connected
     * itself (a wrong key or an unreachable host is reported the same way, exit 1). Only with
     * {@link #keepConnections()}: a connection nobody took is closed by {@link #close()}.
     *
     * @return this target
     */
    public synchronized HostsTarget connectAhead() {
        if (kept == null || !ahead.isEmpty()) {
            return this;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(Executor.PARALLEL, hosts.servers().size()), r -> {
                    Thread t = new Thread(r, "slipway-connect");
                    t.setDaemon(true);
                    return t;
                });
        for (HostsConfig.Server s : hosts.servers()) {
            ahead.put(s.name(), java.util.concurrent.CompletableFuture.supplyAsync(() -> connector.apply(s), pool));
        }
        pool.shutdown(); // its threads end once the connections are made
        dev.slipway.Trace.mark("connecting ahead to " + hosts.servers().size() + " host(s)");
        return this;
    }

    /**
     * @param s a server
     * @return the connection {@link #connectAhead()} made to it (waiting for it), or a new one
     * @throws RuntimeException the connector's exception, as it threw it
     */
    private Host connect(HostsConfig.Server s) {
        java.util.concurrent.CompletableFuture<Host> f;
        synchronized (this) {
            f = ahead.remove(s.name());
        }
        if (f == null) {
            return connector.apply(s);
        }
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** A connection made for one call: kept with {@link #keepConnections()}, else closed. */
    private void keepOrClose(HostsConfig.Server s, Host h) {
        if (h == null) {
            return;
        }
        Map<String, Host> keep;
        synchronized (this) {
            keep = kept;
        }
        if (keep != null) {
            keep.put(s.name(), h);
        } else {
            h.close();
        }
    }

    /** Closes the connections {@link #keepConnections()} kept; a target that keeps none has nothing to close. */
    @Override
    public synchronized void close() {
        // Locks a plan's look took that no run used (the command stopped between plan and apply).
        if (looked != null && kept != null) {
            releaseLooked(kept, looked);
        }
        dropHook(lookedHook);
        looked = null;
        lookedHook = null;
        // Connections started ahead that nobody took: closed once made (a failed one has nothing to close).
        ahead.values().forEach(f -> f.thenAccept(Host::close));
        ahead.clear();
        if (kept != null) {
            closeAll(kept.values());
            kept.clear();
            dev.slipway.Trace.mark("connections closed");
        }
    }

    /**
     * Closes connections at once (at most {@link Executor#PARALLEL} at a time): an SSH client's
     * close waits for its own I/O threads to end, so closed one after another they add up on every
     * deploy's last step (2.4 s for 3 hosts under load). {@link Host#close()} never throws.
     *
     * @param hosts the connections; copied before closing
     */
    private static void closeAll(java.util.Collection<Host> hosts) {
        List<Host> list = List.copyOf(hosts);
        Executor.each(java.util.stream.IntStream.range(0, list.size()).boxed().toList(), String::valueOf, i -> {
            list.get(i).close();
            return Boolean.TRUE;
        });
    }

    /** @return the servers this target deploys to, in rollout order */
    public List<HostsConfig.Server> servers() {
        return hosts.servers();
    }

    /**
     * Stops the service on these servers and removes {@code current}, for a canary instance that
     * has no stable release to go back to (systemctl disable --now), and records it in the history.
     *
     * @throws SlipwayException (exit 1) when a host cannot be reached or the stop fails
     */
    public void stopService() {
        withHosts(all -> {
            all.forEach((name, h) -> {
                String unit = Shell.quote(hosts.service().unit() + ".service");
                Host.CommandResult r = h.run("systemctl disable --now " + unit + " 2>&1; rm -f "
                        + Shell.quote(hosts.dir() + "/current"), Duration.ofSeconds(120));
                if (!r.ok()) {
                    throw SlipwayException.failed(name + ": cannot stop " + unit + ": " + r.stdout().strip());
                }
                History.append(h, hosts.dir() + "/history.tsv", name, "-", "-", outcome == null ? History.ROLLED_BACK : outcome,
                        Lock.me("-", "stop").who(), note);
                console.progress("  " + name + ": stopped " + hosts.service().unit() + " (no earlier release to go back to)");
            });
            return null;
        });
    }

    /**
     * Deploys the last build's single files.
     *
     * @param lockWait how long to wait for a held lock
     * @param dryRun   print the plan, change nothing
     * @return the result, or {@code null} for a dry run
     * @throws SlipwayException exit 2 for config or build problems (nothing changed), exit 1 for a
     *                          failed deploy (the fleet went back)
     */
    public HostsExecutor.Result deploy(Duration lockWait, boolean dryRun) {
        return deploy(null, lockWait, dryRun);
    }

    /**
     * Deploys the last build's single files, which must be {@code version} (a canary deploys the
     * release it recorded, not whatever was built since).
     *
     * @param version  the version the last build must have, or {@code null} for any
     * @param lockWait how long to wait for a held lock
     * @param dryRun   print the plan, change nothing
     * @return the result, or {@code null} for a dry run
     * @throws SlipwayException exit 2 when the last build is another version (nothing changed), else as {@link #deploy(Duration, boolean)}
     */
    public HostsExecutor.Result deploy(String version, Duration lockWait, boolean dryRun) {
        Built built = version == null ? built() : requireBuilt(version);
        return withHosts(all -> {
            Lock.Holder me = dryRun ? null : Lock.me(built.version(), "deploy");
            return execute(lockedPlan(all, me, () -> planDeploy(built, all, me)), all, lockWait, dryRun, "deploy");
        });
    }

    /**
     * Ctrl-C or SIGTERM while the look holds this run's locks and its run has not started (it then
     * has its own hook): the locks are released over new connections, at most 8 s per host.
     *
     * @return the hook added, or {@code null} without {@code me}
     */
    private Thread releaseHook(Lock.Holder me) {
        if (me == null) {
            return null;
        }
        Thread hook = new Thread(() -> {
            for (HostsConfig.Server s : hosts.servers()) {
                bounded(() -> {
                    try (Host h = connector.apply(s)) {
                        Lock.release(h, hosts.dir(), me.id());
                    }
                }, 8000);
            }
        }, "slipway-look-locks");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void dropHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    /**
     * Makes a plan whose look may have taken this run's locks ({@code me}). When it did, the locks
     * stay held for the run of the plan ({@link #execute}: the run's lock steps have nothing left to
     * do), and until then a shutdown hook releases them (Ctrl-C); {@link #close()} releases them
     * when no run used them. When making the plan fails, or it is {@code null} (nothing to do), the
     * locks the look took are released at once.
     */
    private HostsPlan lockedPlan(Map<String, Host> all, Lock.Holder me, java.util.function.Supplier<HostsPlan> make) {
        Thread hook = releaseHook(me);
        HostsPlan plan;
        try {
            plan = make.get();
        } catch (RuntimeException e) {
            dropHook(hook);
            releaseLooked(all, me);
            throw e;
        }
        if (plan == null || plan.hosts().stream().noneMatch(h -> h.facts().locked())) {
            dropHook(hook);
            if (plan == null) {
                releaseLooked(all, me);
            }
            return plan;
        }
        synchronized (this) {
            looked = me;
            lookedHook = hook;
        }
        return plan;
    }

    /** The holder the last plan's look took the locks as, until a run uses them or {@link #close()} releases them. */
    private Lock.Holder looked;
    /** The shutdown hook that releases {@link #looked}'s locks on Ctrl-C until then. */
    private Thread lookedHook;

    /** Releases the locks {@code me} holds on these hosts (at once); a host that fails is left to the lock's stale rules. */
    private void releaseLooked(Map<String, Host> all, Lock.Holder me) {
        if (me == null) {
            return;
        }
        Executor.each(List.copyOf(all.entrySet()), Map.Entry::getKey, e -> {
            try {
                return Lock.release(e.getValue(), hosts.dir(), me.id());
            } catch (RuntimeException ignored) {
                return Boolean.FALSE;
            }
        });
    }

    /**
     * Plans a deploy of the last build's single files: connects, looks at every host, changes nothing.
     *
     * @param version the version the last build must have, or {@code null} for any
     * @return the plan ({@link HostsPlan#toDeployPlan()} gives the value every target's plan is)
     * @throws SlipwayException exit 2 for config or build problems, exit 1 when a host cannot be reached
     */
    public HostsPlan planDeploy(String version) {
        Built built = version == null ? built() : requireBuilt(version);
        return withHosts(all -> {
            Lock.Holder me = lockAhead ? Lock.me(built.version(), "deploy") : null;
            return lockedPlan(all, me, () -> planDeploy(built, all, me));
        });
    }

    /** Whether a plan's look takes the locks for the run that follows ({@link #lockAhead()}). */
    private boolean lockAhead;

    /**
     * Makes {@link #planDeploy(String)} and {@link #planRollback(String)} take every host's lock in
     * their look's round trip, for the {@link #apply} that follows (a command that applies the plan
     * it makes: not a dry run). Locks that no apply used are released by {@link #close()}.
     *
     * @return this target
     */
    public synchronized HostsTarget lockAhead() {
        lockAhead = true;
        return this;
    }

    /**
     * Runs a plan made by {@link #planDeploy} or {@link #planRollback}, over new connections.
     *
     * @param plan     the plan
     * @param lockWait how long to wait for a held lock
     * @return the result
     * @throws SlipwayException (exit 1) when a step fails, after the fleet went back
     */
    public HostsExecutor.Result apply(HostsPlan plan, Duration lockWait) {
        return withHosts(all -> execute(plan, all, lockWait, false, plan.rollback() ? "rollback" : "deploy"));
    }

    /** @param me this run as the lock holder the look takes the locks for, or {@code null} to look only */
    private HostsPlan planDeploy(Built built, Map<String, Host> all, Lock.Holder me) {
        Map<String, String> envs = new LinkedHashMap<>();
        SharedEnv shared = sharedEnv();
        for (HostsConfig.Server s : hosts.servers()) {
            envs.put(s.name(), envFile(s, shared));
        }
        // Both strategies write env-<port> for proxy.ports: a later rollback with the proxy strategy needs them.
        Map<String, Map<Integer, String>> portEnvs = new LinkedHashMap<>();
        for (HostsConfig.Server s : hosts.servers()) {
            Map<Integer, String> byPort = new TreeMap<>();
            hosts.proxy().ports().forEach(port -> byPort.put(port, envFile(s, shared, port)));
            portEnvs.put(s.name(), byPort);
        }
        Map<String, HostFacts> facts = look(all, built.version(), me);
        String unit = HostUnit.render(config);
        return HostsPlan.of(hosts, config.service().port(), config.name(), built.version(), built.commit(), built.artifacts(),
                facts, envs, portEnvs, unit, sha256(unit), false);
    }

    /**
     * Checks that the last build, which a deploy sends to the hosts, is {@code version}.
     *
     * @param version the version a canary recorded
     * @return the last build
     * @throws SlipwayException (exit 2) when it is another version, or nothing was built; nothing was changed
     */
    public Built requireBuilt(String version) {
        Built built = built();
        if (!version.equals(built.version())) {
            throw SlipwayException.usage("the canary is " + version + " but the last build is " + built.version() + "; build "
                    + version + " again ('slipway build --version " + version + "') to go on, or 'slipway abort --to hosts';"
                    + " nothing was changed");
        }
        return built;
    }

    /**
     * Switches every host to a retained release, in batches, with the same gates.
     *
     * @param toVersion the release, or {@code null} for the one before the current on the first host
     * @param lockWait  how long to wait for a held lock
     * @param dryRun    print the plan, change nothing
     * @return the result, or {@code null} for a dry run
     */
    public HostsExecutor.Result rollback(String toVersion, Duration lockWait, boolean dryRun) {
        return rollback(toVersion, lockWait, dryRun, false);
    }

    /**
     * {@link #rollback(String, Duration, boolean)}, where a release that every host already runs
     * can count as done: a canary abort computes which servers to move back, then waits for the
     * host locks, and meanwhile another process (the promotion it stops) may have moved them.
     *
     * @param alreadyIsDone whether every host already on {@code toVersion} is success ({@code null}
     *                      result) rather than a usage error
     */
    public HostsExecutor.Result rollback(String toVersion, Duration lockWait, boolean dryRun, boolean alreadyIsDone) {
        return withHosts(all -> {
            // The version is not known before the look when none is named: the lock says "-" then.
            Lock.Holder me = dryRun ? null : Lock.me(toVersion == null ? "-" : toVersion, "rollback");
            HostsPlan plan = lockedPlan(all, me, () -> planRollback(toVersion, all, alreadyIsDone, me));
            return plan == null ? null : execute(plan, all, lockWait, dryRun, "rollback");
        });
    }

    /**
     * Plans a fleet rollback: connects, looks at every host, changes nothing.
     *
     * @param toVersion the release, or {@code null} for the one before the current on the first host
     * @return the plan
     * @throws SlipwayException (exit 2) when a host does not hold the release (complete), every host
     *                          already runs it, or there is no earlier release; nothing was changed
     */
    public HostsPlan planRollback(String toVersion) {
        return withHosts(all -> {
            Lock.Holder me = lockAhead ? Lock.me(toVersion == null ? "-" : toVersion, "rollback") : null;
            return lockedPlan(all, me, () -> planRollback(toVersion, all, false, me));
        });
    }

    private HostsPlan planRollback(String toVersion, Map<String, Host> all, boolean alreadyIsDone, Lock.Holder me) {
        String first = hosts.servers().get(0).name();
        Map<String, HostFacts> facts = look(all, toVersion == null ? "-" : toVersion, me);
        String version = toVersion;
        if (version == null) {
            version = facts.get(first).previousServing();
            if (version == null) {
                throw SlipwayException.usage(first + " has no earlier release in its history to roll back to;"
                        + " name one with --version VERSION ('slipway history --to hosts' lists them)");
            }
        }
        String v = version;
        if (facts.values().stream().allMatch(f -> v.equals(f.current()))) {
            if (alreadyIsDone) {
                console.progress(String.join(", ", facts.keySet()) + ": already on " + v);
                return null;
            }
            throw SlipwayException.usage(v + " is already the current release on every host; nothing to roll back; nothing was changed");
        }
        String commit = facts.values().stream().flatMap(f -> f.history().stream()).filter(e -> e.version().equals(v))
                .map(Revision::commit).reduce((a, b) -> b).orElse("unknown");
        String unit = HostUnit.render(config);
        Map<String, Map<Integer, String>> portLines = new LinkedHashMap<>();
        if (hosts.rollout().proxySwitch()) {
            // A release deployed with the restart strategy has no env-<port>: what its env needs changed per port.
            SharedEnv shared = sharedEnv(false);
            for (HostsConfig.Server s : hosts.servers()) {
                Map<Integer, String> byPort = new TreeMap<>();
                hosts.proxy().ports().forEach(port -> byPort.put(port, portLines(s, shared, port)));
                portLines.put(s.name(), byPort);
            }
        }
        return HostsPlan.of(hosts, config.service().port(), config.name(), v, commit, Map.of(), facts, Map.of(), portLines,
                unit, sha256(unit), true);
    }

    /**
     * The lines of a host's env file for an instance on {@code port} that differ from its env file on
     * {@code service.port}: {@code PORT} and the values whose {@code ${PORT}} this expands (secrets
     * never are). They turn a release's {@code env} into its {@code env-<port>}
     * ({@link HostsPlan#portEnvCommand}).
     *
     * @return {@code KEY="value"} lines, each ending with a newline; empty when nothing differs
     */
    String portLines(HostsConfig.Server s, SharedEnv shared, int port) {
        List<String> base = envFile(s, shared).lines().toList();
        StringBuilder out = new StringBuilder();
        envFile(s, shared, port).lines().filter(l -> !l.startsWith("#") && !base.contains(l))
                .forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    /**
     * Plans {@code slipway start} or {@code stop} from what every server holds ({@link HostsLifecycle#plan}).
     *
     * @param action {@link DeployPlan.Action#START} or {@link DeployPlan.Action#STOP}
     * @return the plan; nothing was changed
     * @throws SlipwayException exit 2 as {@link HostsLifecycle#plan}; exit 1 when a host cannot be reached
     */
    public DeployPlan planLifecycle(DeployPlan.Action action) {
        return withHosts(all -> HostsLifecycle.plan(hosts, config.name(), config.service().port(), look(all, "-"), action));
    }

    /**
     * Runs a plan of {@link #planLifecycle} ({@link HostsLifecycle#run}).
     *
     * @param plan the plan
     * @return per host, the units started or stopped
     * @throws SlipwayException as {@link HostsLifecycle#run}
     */
    public Map<String, List<String>> runLifecycle(DeployPlan plan) {
        return withHosts(all -> HostsLifecycle.run(plan, hosts, all, console, environment.get(CRASH_AT)));
    }

    /**
     * One host's state.
     *
     * @param host      the host's name
     * @param version   the current release, or {@code null}
     * @param unitState {@code systemctl is-active}
     * @param readiness one readiness attempt
     * @param lock      the lock holder, if locked
     * @param error     why the host could not be read, or {@code null}
     */
    public record HostStatus(String host, String version, String unitState, Gate.Verdict readiness,
                             Optional<Lock.Holder> lock, String error) {}

    /** @return each host's current release, unit state and readiness (one attempt); unreachable hosts have an error */
    public List<HostStatus> status() {
        return eachServer((s, h) -> {
            boolean proxy = hosts.rollout().proxySwitch();
            HostFacts f = HostFacts.look(h, hosts.dir(), config.name(), hosts.service().unit(), "-",
                    proxy ? hosts.proxy().upstreamFile() : null, proxy ? hosts.proxy().ports() : List.of());
            // The proxy strategy: the instance nginx sends requests to (the restart strategy's unit before the first switch).
            int port = proxy && f.livePort() != 0 ? f.livePort() : config.service().port();
            String unit = proxy && f.livePort() != 0 ? hosts.service().unit() + "@" + port : hosts.service().unit();
            String state = proxy && f.livePort() != 0 ? f.instances().getOrDefault(port, "") + " (port " + port + ")" : f.active();
            Gate.Verdict v = Gate.onHost(h, new Systemd(h, hosts.rollout().drainTimeout()).stateCommand(unit),
                    s.probeAddress(), port).await(hosts.rollout().readiness().with(Duration.ZERO, Duration.ZERO));
            return new HostStatus(s.name(), f.current(), state, v, Lock.read(h, hosts.dir()), null);
        }, (s, error) -> new HostStatus(s.name(), null, "", null, Optional.empty(), error));
    }

    /**
     * Reads every server, one at a time, each on its own connection (kept for the run when asked);
     * a server that cannot be reached or read becomes {@code unreachable}'s value, and the others
     * are still read.
     *
     * @param read        what to read from a connected server
     * @param unreachable the value for a server that failed, from its cause line
     * @return one value per server, in the configuration's order
     */
    private <T> List<T> eachServer(java.util.function.BiFunction<HostsConfig.Server, Host, T> read,
                                   java.util.function.BiFunction<HostsConfig.Server, String, T> unreachable) {
        List<T> out = new java.util.ArrayList<>();
        for (HostsConfig.Server s : hosts.servers()) {
            Host h = null;
            try {
                h = connect(s);
                out.add(read.apply(s, h));
            } catch (SlipwayException e) {
                out.add(unreachable.apply(s, e.getMessage()));
            } finally {
                keepOrClose(s, h);
            }
        }
        return out;
    }

    /**
     * @return what is on each server (current release, releases held, history), by name
     * @throws SlipwayException (exit 1) when a host cannot be reached
     */
    public Map<String, HostFacts> facts() {
        return withHosts(all -> look(all, "-"));
    }

    /**
     * One host's history for {@code slipway history}, or why it could not be read.
     *
     * @param host      the server's name
     * @param revisions its revisions (the last 50), oldest first; empty when unreachable
     * @param error     the cause line when the host could not be reached or read, else {@code null}
     */
    public record HostHistory(String host, List<Revision> revisions, String error) {}

    /**
     * Each host's history, a host that cannot be reached included as its cause line (as {@link
     * #status} does): the hosts that answer still show theirs. One host at a time, each on its own
     * connection.
     *
     * @return one entry per configured server, in the configuration's order
     */
    public List<HostHistory> historyEach() {
        return eachServer((s, h) -> new HostHistory(s.name(),
                HostFacts.look(h, hosts.dir(), config.name(), hosts.service().unit(), "-").history(), null),
                (s, error) -> new HostHistory(s.name(), List.of(), error));
    }

    /** @return each host's revisions (the last 50), oldest first; the hosts are read at once */
    public Map<String, List<Revision>> history() {
        return withHosts(all -> Executor.each(List.copyOf(all.entrySet()), Map.Entry::getKey,
                e -> HostFacts.look(e.getValue(), hosts.dir(), config.name(), hosts.service().unit(), "-").history()));
    }

    /**
     * {@code slipway lock release --force}: removes every host's lock.
     *
     * @return the holder each host had (empty when it was not locked)
     */
    public Map<String, Optional<Lock.Holder>> releaseLocks() {
        Map<String, Optional<Lock.Holder>> out = new LinkedHashMap<>();
        for (HostsConfig.Server s : hosts.servers()) {
            try (Host h = connector.apply(s)) {
                out.put(s.name(), Lock.forceRelease(h, hosts.dir()));
            }
        }
        return out;
    }

    // ---- internals ------------------------------------------------------------------------------

    /**
     * Runs a plan; when its look took the locks ({@link #lockedPlan}), the run holds them as the
     * same holder and its lock steps have nothing left to do.
     */
    private HostsExecutor.Result execute(HostsPlan plan, Map<String, Host> all, Duration lockWait, boolean dryRun, String what) {
        Lock.Holder me;
        Thread hook;
        synchronized (this) {
            me = looked;
            hook = lookedHook;
            looked = null;
            lookedHook = null;
        }
        if (me != null && plan.hosts().stream().noneMatch(h -> h.facts().locked())) {
            // Locks of another plan's look: not this run's.
            releaseLooked(all, me);
            dropHook(hook);
            me = null;
            hook = null;
        }
        if (me == null && plan.hosts().stream().anyMatch(h -> h.facts().locked())) {
            throw new IllegalStateException("the plan's locks were released (the target was closed)");
        }
        if (dryRun) {
            releaseLooked(all, me);
            dropHook(hook);
            console.println(plan.describe().stripTrailing());
            console.println("dry run: nothing was changed");
            return null;
        }
        console.progress(plan.describe().stripTrailing());
        dev.slipway.Trace.mark("plan made; its run starts");
        HostsExecutor ex = new HostsExecutor(hosts, config.service().port(), all, console,
                me != null ? me : Lock.me(plan.version(), what), lockWait, environment.get(CRASH_AT)).recordAs(outcome, note);
        // The shared loop calls it from a shutdown hook while the run lasts; the look's hook ends here.
        ex.onInterrupt(() -> releaseOnInterrupt(ex));
        if (outcome == null) {
            // A deploy or rollback goes back on Ctrl-C; a canary's runs keep the canary's own handling.
            ex.goBackOnCtrlC(() -> stopNow(ex));
        }
        dropHook(hook);
        return ex.run(plan);
    }

    /**
     * Ctrl-C or SIGTERM during a run: with the proxy strategy, stop the new instances no nginx was
     * switched to yet ({@link HostsExecutor#stopUnswitched}); then release the locks this process
     * holds, over new connections. Each part is bounded (30 s, then 8 s per host).
     */
    private void releaseOnInterrupt(HostsExecutor ex) {
        if (hosts.rollout().proxySwitch()) {
            List<String> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
            if (!bounded(() -> stopped.addAll(ex.stopUnswitched()), 30000)) {
                return;
            }
            stopped.forEach(line -> console.progress("interrupted before nginx was switched: " + line));
        }
        for (String name : ex.lockedHosts()) {
            HostsConfig.Server s = hosts.servers().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            if (!bounded(() -> {
                try (Host h = connector.apply(s)) {
                    Lock.release(h, hosts.dir(), ex.lockId());
                }
            }, 8000)) {
                return;
            }
            console.progress("interrupted: released the lock on " + name + "; hosts keep the state they had reached");
        }
    }

    /** How long a second Ctrl-C may take to record, read and unlock every host it locked ({@link #stopNow}). */
    static final long STOP_NOW_MS = 10_000;

    /**
     * A second Ctrl-C (the run was going back, or waiting for its running steps): over new
     * connections, all hosts at once and bounded to {@link #STOP_NOW_MS} in all, each host this run
     * locked records {@code interrupted}, is read (where {@code current} points and the unit's state:
     * what {@code slipway status --to hosts} shows) and unlocked; one line per host says so. A host
     * that does not answer in time keeps its lock, which the next run on this machine takes over.
     */
    private void stopNow(HostsExecutor ex) {
        HostsPlan plan = ex.running();
        Map<String, String> moved = ex.switchedFrom();
        List<String> names = List.copyOf(ex.lockedHosts());
        Map<String, String> said = new java.util.concurrent.ConcurrentHashMap<>();
        String unit = hosts.service().unit();
        bounded(() -> Executor.each(names, n -> n, name -> {
            HostsConfig.Server s = hosts.servers().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            try (Host h = connector.apply(s)) {
                String state = h.run("c=$(readlink " + Shell.quote(hosts.dir() + "/current") + " 2>/dev/null);"
                        + " echo \"current ${c#releases/}, " + unit + ".service $(systemctl is-active " + Shell.quote(unit)
                        + " 2>/dev/null)\"", Duration.ofSeconds(5)).stdout().strip().replace("current ,", "no current,");
                String what = moved.containsKey(name) ? "switched by this run from " + Optional.ofNullable(moved.get(name))
                        .orElse("nothing") + "; going back was stopped" : "not switched by this run";
                if (plan != null) {
                    History.append(h, hosts.dir() + "/history.tsv", name, plan.version(), plan.commit(), History.INTERRUPTED,
                            ex.who(), "Ctrl-C twice: stopped at once; " + what + "; " + state);
                }
                Lock.release(h, hosts.dir(), ex.lockId());
                said.put(name, name + ": " + state + " (" + what + "); lock released");
            } catch (RuntimeException e) {
                said.put(name, name + ": " + e.getMessage());
            }
            return Boolean.TRUE;
        }), STOP_NOW_MS);
        for (String name : names) {
            console.progress("  " + said.getOrDefault(name, name + ": no answer within " + STOP_NOW_MS / 1000
                    + " s; its lock stays (the next run on this machine takes it over)"));
        }
        console.progress("slipway: stopped; 'slipway status --to hosts' shows what each host serves");
    }

    /**
     * Runs best-effort work while the process exits: on its own thread, waiting at most {@code ms}
     * milliseconds; a failure is ignored.
     *
     * @return false when this thread was interrupted while waiting
     */
    private static boolean bounded(Runnable work, long ms) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (RuntimeException ignored) {
                // best effort while the process exits
            }
        });
        t.start();
        try {
            t.join(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Connects to every host at once (at most {@link Executor#PARALLEL} at a time), runs
     * {@code work}, closes them; with {@link #keepConnections()}, reuses the kept connections and
     * keeps the new ones open.
     */
    private <T> T withHosts(Function<Map<String, Host>, T> work) {
        Map<String, Host> keep;
        synchronized (this) {
            keep = kept;
        }
        Map<String, Host> all = keep != null ? keep : java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        try {
            Map<String, Host> connected = Executor.each(hosts.servers(), HostsConfig.Server::name, s -> {
                Host h = all.get(s.name());
                if (h == null) {
                    h = connect(s);
                    all.put(s.name(), h);
                }
                return h;
            });
            return work.apply(connected);
        } finally {
            if (keep == null) {
                closeAll(all.values());
                dev.slipway.Trace.mark("connections closed");
            }
        }
    }

    /**
     * Looks at every host at once. Both strategies read the proxy strategy's instances and upstream
     * file: the restart strategy stops them after a change of strategy.
     */
    private Map<String, HostFacts> look(Map<String, Host> all, String version) {
        return look(all, version, null);
    }

    /**
     * Looks at every host at once; with {@code me}, each look first tries to take the host's lock
     * in its own round trip ({@link HostFacts#look(Host, String, String, String, String, String, List, boolean, Lock.Holder)}).
     * Either every host is locked then, or none: when one is held by someone else, the locks taken
     * are released, and the run's lock steps take them one after another in plan order, waiting,
     * as two deployers then never wait for each other. A look that fails releases the locks taken.
     */
    private Map<String, HostFacts> look(Map<String, Host> all, String version, Lock.Holder me) {
        Map<String, HostFacts> facts;
        try {
            facts = Executor.each(List.copyOf(all.entrySet()), Map.Entry::getKey, e -> {
                HostFacts f = HostFacts.look(e.getValue(), hosts.dir(), config.name(), hosts.service().unit(), version,
                        hosts.proxy().upstreamFile(), hosts.proxy().ports(), hosts.rollout().proxySwitch(), me);
                dev.slipway.Trace.mark(e.getKey() + ": looked" + (f.locked() ? " and locked" : ""));
                return f;
            });
        } catch (RuntimeException e) {
            releaseLooked(all, me);
            throw e;
        }
        if (me != null && !facts.values().stream().allMatch(HostFacts::locked)) {
            releaseLooked(all, me);
            Map<String, HostFacts> unlocked = new LinkedHashMap<>();
            facts.forEach((name, f) -> unlocked.put(name, f.with(f.prepared(), false)));
            return unlocked;
        }
        return facts;
    }

    /**
     * The last build.
     *
     * @param version   its version
     * @param commit    its commit
     * @param artifacts single files by platform
     */
    public record Built(String version, String commit, Map<String, HostsPlan.Artifact> artifacts) {}

    private Built built() {
        Artifacts built = ArtifactsFile.require(config, "");
        Map<String, HostsPlan.Artifact> artifacts = new TreeMap<>();
        for (Artifact a : built.ofKind(Artifact.Kind.SINGLE_FILE)) {
            Path exe = config.serviceDir().resolve(a.path());
            if (!Files.isRegularFile(exe)) {
                throw SlipwayException.usage("the last build's " + exe + " is gone; run 'slipway build' again");
            }
            try {
                artifacts.put(a.platform(), new HostsPlan.Artifact(exe, a.sha256(), Files.size(exe)));
            } catch (IOException e) {
                throw SlipwayException.usage("cannot read " + exe + ": " + e.getMessage() + "; run 'slipway build' again");
            }
        }
        dev.slipway.Trace.mark("artifacts read (dist/artifacts.json, sizes)");
        return new Built(built.version(), built.commit(), artifacts);
    }

    /**
     * The environment shared by every host, before its own: values by name, and the names whose
     * value is a secret (taken as it is: a secret's {@code ${PORT}} is not Slipway's to expand).
     *
     * @param values  the values, in order of their sources
     * @param secrets names whose value came from the secrets file or the deploy machine's environment
     */
    record SharedEnv(Map<String, String> values, java.util.Set<String> secrets) {}

    /** service.env, deploy.hosts.service.env, the secrets file, then the secrets from the environment. */
    private SharedEnv sharedEnv() {
        return sharedEnv(true);
    }

    /**
     * @param requireSecrets whether a secret missing from the environment is an error; else it is
     *                       empty (for what does not depend on secrets: the lines that differ per port)
     */
    SharedEnv sharedEnv(boolean requireSecrets) {
        Map<String, String> env = new LinkedHashMap<>(config.service().env());
        env.putAll(hosts.service().env());
        java.util.Set<String> secretNames = new java.util.HashSet<>();
        Path file = hosts.service().secretsFile();
        if (file != null) {
            try {
                int n = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    n++;
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    if (l.startsWith("export ")) {
                        l = l.substring(7).strip();
                    }
                    int eq = l.indexOf('=');
                    if (eq <= 0 || !l.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        throw SlipwayException.usage(file + ":" + n + ": expected KEY=VALUE");
                    }
                    String v = l.substring(eq + 1);
                    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                        v = v.substring(1, v.length() - 1);
                    }
                    env.put(l.substring(0, eq), v);
                    secretNames.add(l.substring(0, eq));
                }
            } catch (IOException e) {
                throw SlipwayException.usage("cannot read the secrets file " + file + " (deploy.hosts.service.secretsFile): "
                        + e.getMessage());
            }
        }
        for (String name : hosts.service().secrets()) {
            String v = environment.get(name);
            if (v == null && !requireSecrets) {
                v = "";
            } else if (v == null) {
                throw SlipwayException.usage("the secret " + name + " (deploy.hosts.service.secrets) is not set in this"
                        + " environment; export it and deploy again; nothing was changed");
            }
            env.put(name, v);
            secretNames.add(name);
        }
        return new SharedEnv(env, java.util.Set.copyOf(secretNames));
    }

    /**
     * The env file of one host ({@link dev.slipway.deploy.EnvFile}, the format of every machine target).
     * Values from {@code slipway.yaml} have their references expanded for this host
     * ({@code ${PORT}}: {@code service.port}, {@code ${ADDR}}: the server's {@code bind}); secrets
     * are written as they are. Slipway's own variables ({@code PORT}, {@code ADDR},
     * {@code DRAIN_TIMEOUT}, {@code TRACK}) come last and win.
     */
    String envFile(HostsConfig.Server s, SharedEnv shared) {
        return envFile(s, shared, config.service().port());
    }

    /** {@link #envFile(HostsConfig.Server, SharedEnv)} for an instance on {@code port} ({@code PORT}, {@code ${PORT}}). */
    String envFile(HostsConfig.Server s, SharedEnv shared, int port) {
        References.Values values = References.Values.of(port, s.bind(), null);
        Map<String, String> env = new LinkedHashMap<>();
        shared.values().forEach((k, v) -> env.put(k, shared.secrets().contains(k) ? v : References.expand(v, values)));
        env.putAll(References.expandEnv(s.env(), values));
        env.put("PORT", Integer.toString(port));
        env.put("ADDR", s.bind());
        env.put("DRAIN_TIMEOUT", Long.toString(hosts.rollout().drainTimeout().toSeconds()));
        env.put("TRACK", track);
        return dev.slipway.deploy.EnvFile.render(env);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

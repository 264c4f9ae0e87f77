package dev.slipway.deploy.local;

import dev.slipway.remote.Gate;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.util.Json;
import dev.slipway.util.Hashing;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Launcher;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.CrashCause;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Executor;
import dev.slipway.deploy.FirstRun;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Prepare;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.ReleaseLayout;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.ServiceManager;
import dev.slipway.deploy.ServiceProcess;
import dev.slipway.deploy.Steps;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import dev.slipway.remote.Lock;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code local} target: runs releases on this machine with the hosts target's machinery over
 * {@link LocalHost}: the same plan model ({@link DeployPlan}), lock protocol ({@link Lock}, a
 * {@code lock} directory), release layout, history columns ({@link Revision}) and guarantees.
 *
 * <p>State lives under {@code <service>/.slipway/local/}, laid out like a host's directory:
 * {@code releases/<version>/} per release (the single file, {@code service.env} and
 * {@code release.json}; installed into a temporary directory, its sha256 verified, then renamed, so
 * an incomplete release is never retained), a {@code current} link switched with rename(2) (with a
 * proxy also {@code slots/<port>}, the release the instance on that port runs, as on a host),
 * {@code history.tsv}, {@code lock/}, and {@code <name>.pid} and {@code <name>.log} of the
 * service. The service manager is the supervisor ({@link Supervisor}, a
 * {@link ServiceManager} over pid files, as systemd is on a host): its restart is carried out by a detached
 * helper, so a kill -9 of slipway mid-restart still leaves the new release started.
 *
 * <p>A deploy is planned ({@link #planDeploy}) then run ({@link #apply}): lock; install; prepare
 * the release (its first run without the app: unpacking and, on JDK 17-19, the class-data archive;
 * see {@link Launcher#PREPARE}) while the old process still serves; switch {@code current}; restart
 * (stop the old process, SIGTERM then SIGKILL after the drain timeout, and start the new one: one
 * port and no proxy, so the old must go first); gate on the readiness probe, which so times a warm
 * start; record; prune; unlock. A failed gate switches back and restarts the previous release.
 * Rollback, start and stop are plans too. A run that was killed leaves its lock behind: the next
 * run finds its holder gone, records the interrupted run in the history, and goes on.
 */
public final class LocalTarget {
    private final SlipwayConfig config;
    private final Console console;
    private final Path state;
    private final Path releases;
    private final Path current;
    private final Path log;
    private final ServiceProcess process;
    /** The service manager of this machine: supervised processes, what systemd is on a host. */
    private final Supervisor supervisor;
    /** The environment of the instance that served when {@link #apply} began (empty when none ran). */
    private Map<String, String> served = Map.of();
    /** The release directories under {@code releases/}: the install (this target's upload) and what they hold. */
    private final LocalReleases store;
    /** {@code releases/}, {@code current} and {@code slots/} in the state directory, changed as on a host. */
    private final ReleaseLayout layout;
    private final History history;
    private final Host host = new LocalHost("local");
    /** The release directories this target prepared, so that a gate knows whether it timed a first run. */
    private final java.util.Set<String> prepared = new java.util.HashSet<>();
    /** nginx in front of two instances ({@code deploy.local.proxy}), or {@code null}: stop, then start. */
    private final LocalProxy proxy;
    /** Makes the plans from the configuration and the {@link #facts()} alone. */
    private final LocalPlanner planner;

    /**
     * @param config  the service configuration
     * @param console where progress and results go
     */
    public LocalTarget(SlipwayConfig config, Console console) {
        this.config = config;
        this.console = console;
        this.state = config.serviceDir().resolve(".slipway").resolve("local");
        this.releases = state.resolve("releases");
        this.current = state.resolve("current");
        this.log = state.resolve(config.name() + ".log");
        this.supervisor = new Supervisor(host, state, config.name(),
                config.service().drainTimeout(), this::launch);
        this.process = supervisor.process(config.name());
        this.layout = new ReleaseLayout(host, state.toAbsolutePath().toString());
        this.store = new LocalReleases(releases, config.name(), console);
        this.history = new History(state.resolve("history.tsv"));
        this.proxy = config.local().proxy() == null ? null
                : LocalProxy.of(config.local().proxy(), config.local().address(), host);
        this.planner = new LocalPlanner(config, proxy);
    }

    /**
     * Looks at the state directory and the processes: what {@link LocalPlanner} plans from. Reads
     * only; a port is bound (and closed at once) only when the planner asks about it.
     *
     * @return the facts now
     */
    LocalFacts facts() {
        Map<Integer, LocalFacts.Instance> running = new LinkedHashMap<>();
        for (int p : instancePorts()) {
            ServiceProcess sp = instance(p);
            sp.running().ifPresent(h -> running.put(p, new LocalFacts.Instance(h.pid(), sp.release())));
        }
        Map<String, LocalFacts.Held> held = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.isDirectory(releases) ? Files.list(releases) : Stream.empty()) {
            dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).forEach(name -> {
                JsonNode info = store.info(name);
                held.put(name, new LocalFacts.Held(store.complete(name), !info.isEmpty(),
                        info.has("commit") ? info.path("commit").asText() : null, info.path("sha256").asText(),
                        info.path("fingerprint").asText(), info.path("readiness").isObject()
                        ? store.probe(name, config.service().readiness()) : null, store.recordedPort(name).orElse(null)));
            });
        } catch (IOException e) {
            // no releases listed: the plans find none
        }
        return new LocalFacts(currentVersion(), running, proxy == null ? -1 : proxy.live(), held, history.entries(),
                this::portCheck);
    }

    /** Binds {@code deploy.local.address:port} and closes it: whether an instance may listen there. */
    private LocalFacts.PortCheck portCheck(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(config.local().address(), port));
            return LocalFacts.PortCheck.FREE;
        } catch (BindException e) {
            return new LocalFacts.PortCheck(false, dev.slipway.util.Listeners.holder(port), null);
        } catch (IOException e) {
            return new LocalFacts.PortCheck(false, Optional.empty(), e.getMessage());
        }
    }

    /**
     * Opens the local target from the state it recorded alone, for {@code stop} and {@code status}
     * when slipway.yaml cannot be loaded (a typo must not leave a running service unmanageable).
     * The service name is the current release's executable; the port, address and drain timeout
     * (whole seconds) are those the release was started with ({@code releases/<v>/service.env});
     * with nginx in front, {@code deploy.local.proxy} is the one the last deploy that switched nginx
     * recorded ({@link #PROXY_FILE}); the readiness probe is the one each release keeps in its
     * {@code release.json}; every other setting has its default
     * ({@link dev.slipway.config.ConfigLoader#defaults}). The values are set on the configuration
     * as they were recorded, not written out as YAML to be parsed again: a name YAML would read as
     * another type ({@code 123}, {@code null}, {@code yes}) or an address that needs quoting stays
     * what it is. Meant for stopping and reading the state only: a deploy needs the real configuration.
     *
     * @param serviceDir the service directory, holding {@code .slipway/local}
     * @param console    where progress and results go
     * @return the target, or empty when nothing is deployed here (no {@code current} release, or
     *         its record is incomplete: no single executable, or a {@code PORT}, {@code ADDR} or
     *         {@code DRAIN_TIMEOUT} missing or out of range)
     */
    public static Optional<LocalTarget> recorded(Path serviceDir, Console console) {
        Path state = serviceDir.resolve(".slipway").resolve("local");
        try (Stream<Path> files = Files.list(state.resolve("current").toRealPath())) {
            List<Path> executables = files.filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
                    .filter(f -> !f.getFileName().toString().startsWith(".")).toList();
            if (executables.size() != 1) {
                return Optional.empty();
            }
            Path exe = executables.get(0);
            Map<String, String> env = LocalReleases.readEnv(exe.resolveSibling(LocalReleases.ENV_FILE));
            int port = Integer.parseInt(env.getOrDefault("PORT", ""));
            long drain = Long.parseLong(env.getOrDefault("DRAIN_TIMEOUT", ""));
            String address = env.getOrDefault("ADDR", "");
            if (port < 1 || port > 65535 || drain < 0 || address.isBlank()) {
                return Optional.empty();
            }
            SlipwayConfig d = dev.slipway.config.ConfigLoader.defaults(
                    serviceDir.resolve(dev.slipway.config.ConfigLoader.FILE_NAME), exe.getFileName().toString());
            SlipwayConfig.Service s = d.service();
            SlipwayConfig config = new SlipwayConfig(d.file(), d.name(), d.version(), d.main(), d.platforms(), d.build(),
                    d.profiles(), d.train(), new SlipwayConfig.Service(port, s.env(), s.args(), s.readiness(), s.liveness(),
                    Duration.ofSeconds(drain), s.path(), s.scheme()), new SlipwayConfig.Local(address, d.local().retain(), recordedProxy(state)),
                    d.release(), d.warnings(), d.image(), d.canary(), d.hosts(), d.kubernetes(), d.swarm(), d.dist());
            return Optional.of(new LocalTarget(config, console));
        } catch (IOException | RuntimeException e) { // SlipwayException, or a number that is not one
            return Optional.empty();
        }
    }

    /**
     * The {@code deploy.local.proxy} a deploy switched nginx with, for {@link #recorded}: the
     * {@link SlipwayConfig.Proxy} record as JSON, its components as keys.
     */
    static final String PROXY_FILE = "proxy.json";

    /**
     * What slipway versions before {@link #PROXY_FILE} wrote instead: a YAML fragment
     * ({@code deploy.local.proxy}'s keys, each value a JSON scalar or list), read still so that a
     * service deployed by them stays manageable; removed with {@link #PROXY_FILE}.
     */
    private static final String LEGACY_PROXY_FILE = "proxy.yaml";

    /**
     * @param state the state directory
     * @return the proxy the last deploy that switched nginx recorded, or {@code null} for none
     * @throws IOException when a file that is there cannot be read or is not what it should be
     */
    static SlipwayConfig.Proxy recordedProxy(Path state) throws IOException {
        if (Files.isRegularFile(state.resolve(PROXY_FILE))) {
            return Json.MAPPER.readValue(state.resolve(PROXY_FILE).toFile(), SlipwayConfig.Proxy.class);
        }
        if (!Files.isRegularFile(state.resolve(LEGACY_PROXY_FILE))) {
            return null;
        }
        Map<String, JsonNode> keys = new LinkedHashMap<>(); // "      key: <JSON>" under "    proxy:"
        for (String line : Files.readAllLines(state.resolve(LEGACY_PROXY_FILE), StandardCharsets.UTF_8)) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                keys.put(line.substring(0, colon).strip(), Json.MAPPER.readTree(line.substring(colon + 2)));
            }
        }
        String listen = keys.get("listen").asText();
        int split = listen.lastIndexOf(':');
        String host = listen.substring(0, split).replaceAll("^\\[(.*)]$", "$1");
        List<Integer> ports = new ArrayList<>();
        keys.get("ports").forEach(n -> ports.add(n.intValue()));
        return new SlipwayConfig.Proxy(keys.get("config").asText(), host, Integer.parseInt(listen.substring(split + 1)),
                ports, keys.get("upstream").asText(), keys.get("reload").asText(), keys.get("test").asText());
    }

    /**
     * Records the proxy settings under the state directory before nginx is switched, so that
     * {@link #recorded} (status and stop with a broken slipway.yaml) knows nginx's upstream and
     * the instance ports; written to a temporary file, then renamed.
     */
    void rememberProxy() {
        try {
            Path tmp = state.resolve(PROXY_FILE + ".tmp");
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(config.local().proxy()));
            Files.move(tmp, state.resolve(PROXY_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(state.resolve(LEGACY_PROXY_FILE));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + state.resolve(PROXY_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Removes the recorded proxy (no nginx in front any more); a failure is a warning. */
    private void forgetProxy() {
        for (String name : List.of(PROXY_FILE, LEGACY_PROXY_FILE)) {
            try {
                Files.deleteIfExists(state.resolve(name));
            } catch (IOException e) {
                console.progress("slipway: warning: cannot remove " + state.resolve(name) + ": " + e.getMessage());
            }
        }
    }

    /** @return the configuration this target acts with (for {@link #recorded}, the one rebuilt from its state) */
    public SlipwayConfig config() {
        return config;
    }

    /** @return the state directory, {@code <service>/.slipway/local} */
    public Path stateDir() {
        return state;
    }

    /** @return {@code service.port} of slipway.yaml: the port a release deployed now is installed for */
    private int port() {
        return config.service().port();
    }

    /** @return the port the instance of a release listens on without a proxy ({@link LocalPlanner#portOf}) */
    private int portOf(String dirName) {
        return planner.portOf(facts(), dirName);
    }

    /** @return the URL the service serves on ({@link LocalPlanner#url}), e.g. {@code http://127.0.0.1:8080/} */
    public URI url() {
        return planner.url(facts());
    }

    private URI instanceUrl(int port) {
        return planner.instanceUrl(port);
    }

    private String hostForUrl() {
        return planner.hostForUrl();
    }

    /**
     * The result of a deploy, rollback or start that passed its gate, or of a stop.
     *
     * @param revision the history entry written (for a start or stop, the last one, or {@code null})
     * @param url      where the service serves
     * @param pid      the service's process id, or -1 when it does not run (after a stop)
     * @param timingMs wall time per step kind of the run, milliseconds
     * @param stepMs   wall time of each step of the plan, milliseconds, in order (-1: did not run)
     */
    public record Outcome(Revision revision, URI url, long pid, Map<DeployPlan.Kind, Long> timingMs,
                          List<Long> stepMs) {
        /** Copies the list. */
        public Outcome {
            stepMs = List.copyOf(stepMs);
        }
    }

    /**
     * The local target's own part of a {@link DeployPlan} ({@link DeployPlan#detail()}).
     *
     * @param release  the release a deploy installs, or {@code null} for rollback, start and stop
     * @param dirName  the release directory the plan ends on ({@code releases/<dirName>})
     * @param previous the release serving before (the one a failure goes back to), or {@code null}
     * @param running  the pid of the instance serving now, or -1
     * @param install  whether the release is copied (false when {@code releases/<dirName>} holds it)
     * @param lockWait how long to wait for another run's lock
     * @param port     with a proxy: the instance port the release starts on (beside the one serving),
     *                 or 0 when the plan starts nothing; 0 without a proxy
     * @param oldPort  with a proxy: the port of the instance serving before (stopped after the
     *                 switch), or 0 when none runs; 0 without a proxy
     */
    public record Detail(Release release, String dirName, String previous, long running, boolean install,
                         Duration lockWait, int port, int oldPort) {
        /** Without a proxy. */
        public Detail(Release release, String dirName, String previous, long running, boolean install, Duration lockWait) {
            this(release, dirName, previous, running, install, lockWait, 0, 0);
        }
    }

    /**
     * Deploys a release: plan, then run; on a failed gate, roll back to the previous release.
     *
     * @param release the release to deploy
     * @param dryRun  print the plan and change nothing
     * @return the outcome, or {@code null} for a dry run
     * @throws SlipwayException exit 2 when the port is taken by another process (nothing changed);
     *                          exit 1 when the release failed its gate (it was rolled back)
     */
    public Outcome deploy(Release release, boolean dryRun) {
        if (!dryRun) {
            recover();
        }
        DeployPlan plan = planDeploy(release, Duration.ZERO);
        if (dryRun) {
            console.println("plan for deploying " + config.name() + " " + release.version() + " to local:");
            plan.facts().forEach(f -> console.println("  " + f));
            for (int i = 0; i < plan.steps().size(); i++) {
                console.out().printf("%2d. %s%n", i + 1, plan.steps().get(i).description());
            }
            console.out().flush();
            return null;
        }
        return apply(plan);
    }

    /**
     * Plans a deploy ({@link LocalPlanner#deploy}); reads the state, changes nothing.
     *
     * @param release  the release (its file is checked against its sha256 first)
     * @param lockWait how long the run waits for another run's lock
     * @return the plan
     * @throws SlipwayException (exit 2) when the file does not match the build record, or nothing of
     *                          this service runs and another process holds the port; nothing changed
     */
    public DeployPlan planDeploy(Release release, Duration lockWait) {
        verifyChecksum(release);
        return planner.deploy(facts(), release, lockWait);
    }

    /**
     * Plans a rollback to a retained release ({@link LocalPlanner#rollback}); changes nothing.
     *
     * @param toVersion the release directory to return to, or {@code null} for the one served before
     * @param lockWait  how long the run waits for another run's lock
     * @return the plan
     * @throws SlipwayException (exit 2) as {@link LocalPlanner#rollback}; nothing changed
     */
    public DeployPlan planRollback(String toVersion, Duration lockWait) {
        return planner.rollback(facts(), toVersion, lockWait);
    }

    /**
     * Plans a start of the current release where it does not run ({@link LocalPlanner#start}).
     *
     * @return the plan
     * @throws SlipwayException (exit 2) as {@link LocalPlanner#start}; nothing changed
     */
    public DeployPlan planStart() {
        return planner.start(facts());
    }

    /**
     * Plans a stop (drain) of the service ({@link LocalPlanner#stop}).
     *
     * @return the plan
     */
    public DeployPlan planStop() {
        return planner.stop(facts());
    }

    // ---- with a proxy: the new instance beside the old one -----------------------------------------

    /** @return the service's pid file for the instance on {@code port}: {@code <name>.pid} on {@code service.port}, else {@code <name>.<port>.pid} */
    private ServiceProcess instance(int port) {
        return supervisor.process(unitOf(port));
    }

    /**
     * @return the supervisor's name of the instance on {@code port}: without a proxy the service's one
     *         instance, whatever port its release recorded ({@link #portOf}); with one, the service name
     *         on {@code service.port}, else {@code <name>@<port>}
     */
    private String unitOf(int port) {
        return supervisor.instance(proxy == null || port == port() ? 0 : port);
    }

    /** Drains and stops the instance on {@code port} ({@link ServiceManager#stop}); @return whether it ran */
    private boolean stopInstance(int port) {
        return supervisor.stop(unitOf(port), false);
    }

    /**
     * What an instance runs, the local unit ({@link Supervisor.Launch}),
     * read at its start: with a proxy, the release {@code slots/<port>} points at with its
     * environment for that port; without, the release {@code current} points at with its
     * {@code service.env}. A rollback so restores the old settings too.
     */
    private Supervisor.Launch launch(String instance) {
        int at = instance.indexOf('@');
        int port = at < 0 ? port() : Integer.parseInt(instance.substring(at + 1));
        Path link = proxy != null ? state.resolve("slots").resolve(String.valueOf(port)) : current;
        Path dir;
        try {
            dir = link.toRealPath();
        } catch (IOException e) {
            throw SlipwayException.failed("cannot resolve " + link + ": " + e.getMessage(), e);
        }
        Path rel = releases.resolve(dir.getFileName());
        return new Supervisor.Launch(dir.resolve(config.name()), dir.getFileName().toString(),
                proxy != null ? LocalReleases.envFor(dir, port) : LocalReleases.readEnv(dir.resolve(LocalReleases.ENV_FILE)),
                "slipway starts " + state.relativize(rel) + (proxy != null ? " on :" + port : ""));
    }

    /**
     * @return the ports an instance of this service may run on: {@code service.port}, the proxy's
     *         two, and any other with a pid file {@code <name>.<port>.pid} (a proxy configured before,
     *         or a target opened from its recorded state, which knows no proxy)
     */
    private List<Integer> instancePorts() {
        java.util.LinkedHashSet<Integer> all = new java.util.LinkedHashSet<>();
        all.add(port());
        if (proxy != null) {
            all.addAll(proxy.ports());
        }
        java.util.regex.Pattern pid = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(config.name())
                + "\\.(\\d{1,5})\\.pid");
        try (Stream<Path> files = Files.isDirectory(state) ? Files.list(state) : Stream.empty()) {
            files.map(f -> pid.matcher(f.getFileName().toString())).filter(java.util.regex.Matcher::matches)
                    .forEach(m -> all.add(Integer.parseInt(m.group(1))));
        } catch (IOException e) {
            // none listed: the configured ports stand
        }
        return List.copyOf(all);
    }

    /** @return with a proxy, the port of the instance that serves ({@link LocalPlanner#servingPort}); 0 when none runs */
    private int servingPort() {
        return planner.servingPort(facts());
    }

    /**
     * Runs a plan this target made in the one loop of every target ({@link Executor#run}: step
     * order, {@code SLIPWAY_CRASH_AT}, timings, going back after a failed step, unlocking, Ctrl-C),
     * with this machine's parts ({@link LocalRun}). Ctrl-C or SIGTERM after the switch and before
     * the verdict restores the release served before and records the run as {@code interrupted}.
     *
     * @param plan a plan from {@link #planDeploy}, {@link #planRollback}, {@link #planStart} or {@link #planStop}
     * @return the outcome
     * @throws SlipwayException exit 1 when a step fails (after a switch: the previous release serves
     *                          again and the history says so); exit 2 when another run holds the lock
     */
    public Outcome apply(DeployPlan plan) {
        Detail d = (Detail) plan.detail();
        if (plan.action() == DeployPlan.Action.STOP && !Files.isDirectory(state)) {
            return new Outcome(null, url(), -1, Map.of(), List.of()); // nothing was ever deployed here: no lock to take
        }
        // What the serving instance runs with, for its restore after a failed stop-then-start.
        served = process.running().map(h -> ServiceProcess.environment(h.pid())).orElse(Map.of());
        Executor ex = new Executor(System.getenv(Executor.CRASH_AT), console);
        LocalRun run = new LocalRun(plan, d, Lock.me(plan.version(), plan.action().verb()));
        if (plan.action() != DeployPlan.Action.STOP && plan.action() != DeployPlan.Action.START) {
            console.progress((plan.action() == DeployPlan.Action.DEPLOY ? "deploying " + config.name() + " "
                    + plan.version() + " to local (" + state + ")" : "rolling back " + config.name() + " from "
                    + d.previous() + " to " + plan.version()));
        }
        ex.run(plan.steps(), plan.back(), run);
        if (plan.action() == DeployPlan.Action.STOP) {
            return new Outcome(run.stopped ? lastEntry() : null, url(), -1, ex.timingMs(), ex.stepMs());
        }
        Optional<ProcessHandle> now = proxy == null ? process.running()
                : Optional.of(servingPort()).filter(p -> p > 0).flatMap(p -> instance(p).running());
        return new Outcome(run.recorded != null ? run.recorded : lastEntry(), url(), now.map(ProcessHandle::pid).orElse(-1L),
                ex.timingMs(), ex.stepMs());
    }

    /**
     * This machine's parts of the shared loop: what each step kind does here (the install, the
     * supervisor's restart, the gate from here, nginx through {@link LocalProxy}),
     * going back after a failed step ({@link #failed}), the lock, and Ctrl-C.
     */
    private final class LocalRun implements Executor.Parts {
        private final DeployPlan plan;
        private final Detail d;
        private final Lock.Holder me;
        /** 0: nothing to undo; 1: after the switch (no proxy) or the new instance's start (proxy); 2: nginx switched. */
        private int stage;
        /** Whether the new release's readiness gate has begun: what a Ctrl-C note says was reached. */
        private boolean gateBegun;
        /** Whether the run reached a verdict (after which an interrupt has nothing to report). */
        private boolean verdict;
        /** Whether Ctrl-C was handled. */
        private boolean done;
        /** Whether a stop plan stopped an instance that ran. */
        private boolean stopped;
        /** The revision the record step appended, or {@code null}. */
        private Revision recorded;
        /** The log's last lines when a step failed, before going back wrote to it. */
        private String logTail = "";
        /** What the going-back step said of the release that served before ({@link #restart}), or {@code null} when it restarted none. */
        private String restored;
        /** With a proxy, whether the going-back step found the instance that served before running. */
        private boolean oldServes;

        LocalRun(DeployPlan plan, Detail d, Lock.Holder me) {
            this.plan = plan;
            this.d = d;
            this.me = me;
        }

        @Override
        public void run(DeployPlan.Step step) {
            switch (step.kind()) {
                case LOCK -> lock(me, d.lockWait());
                case UPLOAD -> {
                    if (d.install()) {
                        store.install(layout, d.release(), d.dirName(), planner.fingerprint(d.release()),
                                config.service().readiness());
                    }
                }
                case ENV -> {
                    if (d.install()) {
                        writeEnvs(d.dirName());
                    }
                }
                case PREPARE -> prepare(d.dirName());
                case SWITCH -> {
                    if (d.port() == 0) {
                        arm(1);
                    }
                    switchTo(d.dirName());
                }
                case RESTART, START -> Steps.rollout(step.where(), "", () -> {
                    if (d.port() > 0) {
                        arm(1);
                        startInstance(d.dirName(), d.port());
                    } else {
                        restartCurrent(d.previous());
                    }
                }, () -> "");
                case GATE -> {
                    gateBegins();
                    gate(d.dirName(), d.port() > 0 ? d.port() : portOf(d.dirName()));
                }
                case PROXY -> {
                    Steps.rollout(step.where(), "nginx was not switched: ", () -> {
                        console.progress("  switching nginx to " + proxy.server(d.port()));
                        rememberProxy();
                        proxy.switchTo(d.port());
                    }, () -> "");
                    arm(2);
                }
                case STOP -> {
                    if (plan.action() == DeployPlan.Action.STOP) {
                        stopped |= stopInstance(step.where().startsWith(":") ? Integer.parseInt(step.where().substring(1))
                                : port());
                    } else {
                        console.progress("  stopping " + d.previous() + " on :" + d.oldPort());
                        stopInstance(d.oldPort());
                    }
                }
                case RECORD -> {
                    disarm();
                    if (proxy == null) { // no nginx in front any more: the recorded state must not name one
                        forgetProxy();
                    }
                    recorded = plan.action() == DeployPlan.Action.DEPLOY
                            ? history.append(d.dirName(), plan.commit(), History.DEPLOYED,
                                    d.previous() == null ? "first release" : "previous " + d.previous())
                            : history.append(d.dirName(), plan.commit(), History.ROLLBACK, "from " + d.previous());
                }
                case PRUNE -> prune();
                case UNLOCK -> {
                    disarm();
                    LocalTarget.this.unlock(me);
                }
                case BACK -> goBackUnlessInterrupted();
                default -> throw new IllegalStateException(step.kind().name());
            }
        }

        /**
         * The going-back step, under this listener's lock, like {@link #back}: a Ctrl-C that came
         * first has put the previous release back already (the gate then failed because it stopped
         * the new one), and going back again would stop the release it just restarted while the JVM
         * exits; a Ctrl-C that comes during it waits for the previous release to be restarted.
         */
        private synchronized void goBackUnlessInterrupted() {
            if (!done) {
                goBack(plan, d, this);
            }
        }

        @Override
        public void failing(Executor.StepFailed failure) {
            disarm();
            // Taken before going back: the stops and restarts that follow write to the same log.
            logTail = tail(log, 15);
        }

        /**
         * Goes back after a failed step. Holds this listener's lock throughout, so that a Ctrl-C in the
         * middle waits for it ({@link #interrupted} then only releases the deploy lock); and when the
         * Ctrl-C came first, {@link #interrupted} has already put the previous release back and the
         * gate failed only because it stopped the new one: going back again would stop the release it
         * just restarted, while the JVM exits, and leave nothing running.
         */
        @Override
        public synchronized SlipwayException back(Executor.StepFailed failure) {
            if (done) {
                return SlipwayException.failed(plan.action().verb() + " interrupted; the previous release was put back");
            }
            disarm();
            try {
                return failed(plan, d, failure, this);
            } finally {
                LocalTarget.this.unlock(me);
            }
        }

        @Override
        public void unlock() {
            disarm();
            LocalTarget.this.unlock(me);
        }

        private synchronized void arm(int stage) {
            this.stage = plan.action() == DeployPlan.Action.DEPLOY || plan.action() == DeployPlan.Action.ROLLBACK ? stage : 0;
        }

        private synchronized void gateBegins() {
            gateBegun = true;
        }

        /**
         * @return how far the new release got, for a Ctrl-C's note: {@code interrupted during the
         *         readiness gate, before it passed} once the gate has begun, else {@code interrupted
         *         before the readiness gate}
         */
        private String reached() {
            return gateBegun ? "interrupted during the readiness gate, before it passed" : "interrupted before the readiness gate";
        }

        /** Called once the run reached a verdict: Ctrl-C then only releases the lock. */
        private synchronized void disarm() {
            stage = 0;
            verdict = true;
        }

        /**
         * Ctrl-C (SIGINT) or SIGTERM during the run: after the switch and before the verdict, the new
         * release has not passed its gate, so the previous one is restored and the revision is
         * recorded as interrupted; in every case the lock is released.
         */
        @Override
        public synchronized void interrupted() {
            if (done) {
                return;
            }
            done = true;
            if (stage > 0 && d.port() > 0) {
                history.append(d.dirName(), plan.commit(), stage == 2 ? (plan.action() == DeployPlan.Action.DEPLOY
                        ? History.DEPLOYED : History.ROLLBACK) : History.INTERRUPTED, beside());
            } else if (stage > 0) {
                stopInstance(port());
                String note = reached();
                String previous = d.previous();
                if (previous != null && store.complete(previous)) {
                    switchTo(previous);
                    try {
                        restartCurrent(null);
                        note += "; " + previous + " restarted";
                    } catch (SlipwayException e) {
                        note += "; " + previous + " could not be restarted: " + e.getMessage();
                    }
                }
                history.append(d.dirName(), plan.commit(), History.INTERRUPTED, note);
                console.progress("slipway: " + plan.action().verb() + " interrupted; " + note);
            } else if (!verdict && (plan.action() == DeployPlan.Action.DEPLOY || plan.action() == DeployPlan.Action.ROLLBACK)) {
                String previous = d.previous();
                console.progress("slipway: " + plan.action().verb() + " interrupted; nothing was changed"
                        + (previous == null ? "" : "; " + previous + " still serves"));
            }
            LocalTarget.this.unlock(me);
        }

        /**
         * Ctrl-C with a proxy: before nginx was switched, the new instance is stopped (the old one
         * serves on); after, the switch is finished (current, the old instance stopped).
         */
        private String beside() {
            String note;
            if (stage == 1) {
                stopInstance(d.port());
                note = reached() + " and before nginx was switched; the new instance was stopped"
                        + (d.previous() == null ? "" : ", " + d.previous() + " kept serving");
            } else {
                switchTo(d.dirName());
                if (d.oldPort() > 0) {
                    stopInstance(d.oldPort());
                }
                note = "interrupted after nginx was switched to it; the old instance was stopped";
            }
            console.progress("slipway: " + plan.action().verb() + " interrupted; " + note);
            return note;
        }
    }

    private Revision lastEntry() {
        List<Revision> all = history.entries();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /**
     * The going-back step ({@link DeployPlan.Kind#BACK}) after a failed switch, restart, start, gate
     * or nginx switch. With a proxy, the new instance is stopped (a start that only points nginx at
     * an instance already running started nothing to stop); the old one was never stopped and nginx
     * still points at it (a rejected upstream was put back). Without one, the new release is
     * stopped and {@code current} goes back to the release that served, restarted with the
     * environment it served with ({@link #restart}); a deploy with nothing before restarts nothing.
     */
    private void goBack(DeployPlan plan, Detail d, LocalRun run) {
        if (d.port() > 0) {
            if (plan.has(DeployPlan.Kind.START)) {
                stopInstance(d.port());
            }
            run.oldServes = d.oldPort() > 0 && instance(d.oldPort()).running().isPresent();
            return;
        }
        if (plan.action() == DeployPlan.Action.START) {
            return;
        }
        stopInstance(port());
        String previous = d.previous();
        if (plan.action() == DeployPlan.Action.DEPLOY && (previous == null || !store.complete(previous))) {
            return;
        }
        if (plan.action() == DeployPlan.Action.DEPLOY) {
            console.progress("  readiness failed; rolling back to " + previous);
        }
        switchTo(previous);
        run.restored = restart(previous);
    }

    /** After going back ({@link #goBack}): record the revision and say what failed and what serves now. */
    private SlipwayException failed(DeployPlan plan, Detail d, Executor.StepFailed failure, LocalRun run) {
        String reason = failure.getMessage();
        String logLines = "\nlast lines of " + log + ":\n" + run.logTail;
        if (d.port() > 0) {
            boolean started = plan.has(DeployPlan.Kind.START);
            String kept = run.oldServes ? d.previous() + " kept serving on :" + d.oldPort()
                    + " behind nginx (it was never stopped)" : "nothing serves: no instance ran before";
            String what = plan.action() == DeployPlan.Action.ROLLBACK ? "rollback to " + d.dirName()
                    : plan.action().verb() + " of " + config.name() + " " + plan.version();
            if (plan.action() == DeployPlan.Action.DEPLOY) {
                history.append(d.dirName(), plan.commit(), run.oldServes ? History.ROLLED_BACK : History.FAILED,
                        reason + "; the new instance was stopped; " + kept);
            } else if (plan.action() == DeployPlan.Action.ROLLBACK) {
                history.append(d.dirName(), plan.commit(), History.FAILED, "rollback from " + d.previous() + " failed: "
                        + reason + "; " + kept);
            }
            return SlipwayException.failed(what + " failed: " + reason + failure.detail() + (started
                    ? "\nthe new instance on :" + d.port() + " was stopped; " + kept : "") + logLines);
        }
        return switch (plan.action()) {
            case DEPLOY -> {
                if (run.restored == null) {
                    history.append(d.dirName(), plan.commit(), History.FAILED, reason + "; no previous release");
                    yield SlipwayException.failed("deploy of " + config.name() + " " + plan.version() + " failed: " + reason
                            + failure.detail() + "\nthere is no previous release to roll back to; the service is stopped"
                            + logLines);
                }
                history.append(d.dirName(), plan.commit(), History.ROLLED_BACK, reason + "; " + run.restored);
                yield SlipwayException.failed("deploy of " + config.name() + " " + plan.version() + " failed: " + reason
                        + failure.detail() + "\nrolled back: " + run.restored + lackingNote() + downNote(run.restored)
                        + logLines);
            }
            case ROLLBACK -> {
                history.append(d.dirName(), plan.commit(), History.FAILED, "rollback from " + d.previous() + " failed: "
                        + reason + "; " + run.restored);
                yield SlipwayException.failed("rollback to " + d.dirName() + " failed: " + reason + "; "
                        + run.restored + failure.detail() + lackingNote() + downNote(run.restored));
            }
            default -> SlipwayException.failed(config.name() + " " + d.dirName() + " started but is not ready: "
                    + reason + failure.detail() + "\nlast lines of " + log + ":\n" + tail(log, 15));
        };
    }

    /**
     * The variables the instance that served ran with but this process lacks (names only, sorted),
     * leaving out what Slipway sets itself ({@code service.env}, PORT, ADDR, DRAIN_TIMEOUT, its own
     * {@code SLIPWAY_*} settings such as SLIPWAY_CACHE_DIR) and a shell's own bookkeeping.
     */
    private List<String> lacking() {
        Map<String, String> own = System.getenv();
        return appSettings(served.keySet().stream().filter(k -> !own.containsKey(k)));
    }

    /**
     * The names among {@code names} that can be the app's settings, sorted: not what Slipway sets
     * itself ({@code service.env}, its own {@code SLIPWAY_*}) nor a shell's bookkeeping.
     */
    private List<String> appSettings(java.util.stream.Stream<String> names) {
        Map<String, String> set = serviceEnv();
        return names.filter(k -> !set.containsKey(k) && !SHELL_OWN.contains(k) && !k.startsWith("SLIPWAY_"))
                .sorted().toList();
    }

    /** Variables a shell keeps for itself, never the app's settings. */
    private static final java.util.Set<String> SHELL_OWN = java.util.Set.of("_", "SHLVL", "PWD", "OLDPWD", "TERM",
            "COLUMNS", "LINES", "PS1", "PS2", "HISTFILE", "SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT", "MAIL");

    /**
     * @return {@code "\nnote: ..."} naming the variables the serving instance had and this shell
     *         lacks (the usual cause of a failed start after a deploy from another terminal), or
     *         {@code ""}
     */
    private String lackingNote() {
        List<String> names = lacking();
        String them = names.size() == 1 ? "it" : "them";
        String lacking = names.isEmpty() ? "" : "\nnote: the release that served ran with " + String.join(", ", names)
                + ", which this shell does not set; the new release started without " + them + " (export " + them
                + " here, or set " + them + " in service.env); the restore gave the release that served its own"
                + " environment back";
        List<String> extra = extra();
        String it = extra.size() == 1 ? "it" : "them";
        String listed = extra.size() <= 8 ? String.join(", ", extra)
                : String.join(", ", extra.subList(0, 8)) + " and " + (extra.size() - 8) + " more";
        return lacking + (extra.isEmpty() ? "" : "\nnote: this shell sets " + listed
                + ", which the release that served ran without; the new release started with " + it
                + ", the restored one without " + it);
    }

    /**
     * The variables this process has but the instance that served ran without (names only,
     * sorted; none when its environment is unknown), leaving out what {@link #lacking} leaves out:
     * what the new release got and the restored one did not ({@link Supervisor#restart(String, Map)}).
     */
    private List<String> extra() {
        if (served.isEmpty()) {
            return List.of();
        }
        return appSettings(System.getenv().keySet().stream().filter(k -> !served.containsKey(k)));
    }

    /**
     * Without {@code deploy.local.proxy} the release that served is stopped before the new one
     * starts; when the restore then fails too (both need what is gone now, typically a database or
     * another service they reach at startup), nothing serves. Says so, and what keeps the old
     * instance serving through a failed gate.
     *
     * @param restored what {@link #restart(String)} said of the release that served
     * @return {@code "\nnote: ..."} when that release did not come back, else {@code ""}
     */
    private String downNote(String restored) {
        if (restored.endsWith(" serves again")) {
            return "";
        }
        return "\nnote: nothing serves now: without deploy.local.proxy the release that served is stopped before the"
                + " new one starts, and it failed to start again as well (both need something that is not there now,"
                + " such as a database they reach at startup: see the log below); bring that back and run 'slipway"
                + " start', or put nginx in front (deploy.local.proxy) so that a failed gate never stops the release"
                + " that serves";
    }

    /**
     * Starts the current release and waits for its own readiness probe; describes the result. The
     * restart gives it the variables of the instance that served before this action
     * ({@link Supervisor#restart(String, Map)}), so a shell that lacks them cannot take the
     * service down with a failed deploy or rollback.
     */
    private String restart(String dirName) {
        try {
            restartCurrent(null, served);
        } catch (SlipwayException e) {
            return dirName + " could not be restarted: " + e.getMessage();
        }
        SlipwayConfig.Probe probe = store.probe(dirName, config.service().readiness());
        Gate.Verdict v = gateOf(portOf(dirName), probe);
        return v.ready() ? dirName + " serves again" : dirName + " restarted but is not ready: " + v.describe();
    }

    /**
     * Rolls back to a retained release: the one before the current, or {@code toVersion}.
     *
     * @param toVersion the version to return to, or {@code null} for the previous one
     * @return the outcome
     * @throws SlipwayException exit 2 when nothing is deployed, the release is not held here (complete)
     *                          or is the current one, or the port is taken; exit 1 when the rollback
     *                          fails its gate (the release that was current is restarted)
     */
    public Outcome rollback(String toVersion) {
        recover();
        return apply(planRollback(toVersion, Duration.ZERO));
    }

    /**
     * Starts the current release if it is not running, and waits for readiness.
     *
     * @return the outcome with the last revision
     * @throws SlipwayException exit 2 when nothing is deployed or the port is taken; exit 1 when
     *                          it does not become ready; exit 2 when a deploy holds the lock
     */
    public Outcome start() {
        recover();
        return apply(planStart());
    }

    /**
     * Stops the service gracefully.
     *
     * @return whether it was running
     * @throws SlipwayException (exit 2) when a deploy holds the lock
     */
    public boolean stop() {
        DeployPlan plan = planStop();
        apply(plan);
        return plan.has(DeployPlan.Kind.STOP);
    }

    // ---- lock and recovery ------------------------------------------------------------------------

    /**
     * Takes the lock ({@link Lock} over {@link LocalHost}: {@code .slipway/local/lock}) with the one
     * rule of every Slipway lock ({@link Lock#judge}): a holder of this machine that is gone (a
     * kill -9) is taken over, its run recorded in the history as {@code interrupted} with what serves
     * now, unless it recorded itself; a live holder, or one on another machine sharing the directory,
     * is waited for up to {@code wait} and then refused (one older than {@link Lock#STALE_AFTER} at once).
     */
    private void lock(Lock.Holder me, Duration wait) {
        Lock.acquire(host, state.toString(), me, wait, Duration.ofMillis(200), Lock.STALE_AFTER,
                o -> "another slipway holds the deploy lock of " + state + ": " + o.describe()
                        + (wait.isZero() ? "" : " (waited " + Console.seconds(wait) + ")")
                        + (o.stale(Lock.STALE_AFTER, java.time.Instant.now()) ? "; it is older than "
                        + Console.seconds(Lock.STALE_AFTER) + " and its holder cannot be checked from here" : "")
                        + "; if it is gone, 'slipway lock release --force --to local' clears it; nothing was changed",
                o -> console.progress("  locked by " + o.describe() + "; waiting"),
                this::tookOver);
    }

    /**
     * Removes the deploy lock whoever holds it ({@code slipway lock release --force --to local}): for
     * a holder this machine cannot judge gone by itself, such as a run on another machine that shares
     * the service directory. The next run converges what the holder left.
     *
     * @return the holder whose lock was removed, or empty when nothing held it
     */
    public Optional<Lock.Holder> releaseLock() {
        return Lock.forceRelease(host, state.toString());
    }

    /** With the lock taken over from a gone holder: records its run as interrupted and converges what it left. */
    private void tookOver(Lock.Holder o) {
        recordInterrupted(o);
        converge();
    }

    /**
     * Clears what a killed run left before a command plans: a lock whose holder is gone
     * ({@link Lock.Holder#gone}) is taken over, its run recorded as {@code interrupted} (see
     * {@link #lock}) and what it left converged, then released, so that even a command then refused
     * (a rollback to the release the killed run had already started) leaves a history that says what
     * happened. A lock held by a live process, or without info yet, is left to {@link #lock}.
     *
     * @return whether a killed run's lock was cleared (what serves may have changed since a plan was made)
     */
    public boolean recover() {
        if (!Files.isDirectory(state.resolve("lock"))) {
            return false;
        }
        Optional<Lock.Holder> o = Lock.read(host, state.toString());
        if (o.isEmpty() || !o.get().gone(java.time.Instant.now())) {
            return false;
        }
        Lock.Holder me = Lock.me("-", "recovery");
        if (!Lock.takeOver(host, state.toString(), o.get(), me)) {
            return false;
        }
        try {
            tookOver(o.get());
        } finally {
            unlock(me);
        }
        return true;
    }

    /**
     * With a proxy, after a killed run: the instance nginx's upstream names serves, so {@code current}
     * is pointed at its release and any other instance (the new one a run started before it was
     * killed, or the old one it had not stopped yet) is stopped. Without a proxy, or when the
     * instance nginx names does not run, nothing is changed.
     */
    private void converge() {
        if (proxy == null) {
            return;
        }
        int live = proxy.live();
        if (live <= 0 || instance(live).running().isEmpty()) {
            return;
        }
        instance(live).release().filter(r -> !currentVersion().equals(Optional.of(r))).filter(store::complete).ifPresent(r -> {
            console.progress("  nginx sends traffic to " + r + " on :" + live + "; current -> releases/" + r);
            switchTo(r);
        });
        for (int p : instancePorts()) {
            ServiceProcess sp = instance(p);
            if (p != live) {
                sp.running().ifPresent(h -> {
                    console.progress("  stopping " + sp.release().orElse("?") + " on :" + p + " (pid " + h.pid()
                            + "): a killed run left it beside the instance nginx sends traffic to");
                    stopInstance(p);
                });
            }
        }
    }

    private void unlock(Lock.Holder me) {
        try {
            Lock.release(host, state.toString(), me.id());
        } catch (RuntimeException e) {
            console.progress("  warning: cannot release the lock " + state.resolve("lock") + ": " + e.getMessage());
        }
    }

    /** The history line of a run that a kill -9 stopped, unless it recorded its revision before it died. */
    private void recordInterrupted(Lock.Holder o) {
        console.progress("  the lock was left by " + o.run() + ", which is gone; taking it over");
        if (!History.unrecorded(history.entries(), o)) {
            return;
        }
        Optional<ProcessHandle> h = proxy == null ? process.running()
                : Optional.of(servingPort()).filter(p -> p > 0).flatMap(p -> instance(p).running());
        String now = h.map(p -> serving().orElse(currentVersion().orElse("?")) + " serves (pid " + p.pid() + ")")
                .orElse("nothing runs");
        Revision e = history.append(o.version(), store.info(o.version()).path("commit").asText("unknown"),
                History.INTERRUPTED, o.unfinishedNote() + "; found by the next run: current " + currentVersion().orElse("none") + ", " + now);
        console.progress("  recorded revision " + e.revision() + ": " + e.note());
    }

    /** @return the release the running instance was started from (its pid file), if it runs ({@link LocalPlanner#serving}) */
    private Optional<String> serving() {
        return planner.serving(facts());
    }

    /**
     * What a deploy can tell before the release exists, for {@code slipway ship} to run before its
     * build (minutes of Maven) rather than after it: the port must be free unless this service's
     * current release runs and holds it (runs, and was started with this port and address).
     * {@link #deploy} checks again: the port may be taken meanwhile.
     *
     * @throws SlipwayException (exit 2) when another process holds the port; nothing was built or changed
     */
    public void checkBeforeBuild() {
        if (proxy != null) {
            int p = planner.freePort(facts(), servingPort());
            if (instance(p).running().isEmpty()) {
                try {
                    checkPortFree(p);
                } catch (SlipwayException e) {
                    throw SlipwayException.usage(e.getMessage() + "; nothing was built or deployed");
                }
            }
            return;
        }
        boolean ours = process.running().isPresent() && currentVersion().map(v -> {
            Path env = releases.resolve(v).resolve(LocalReleases.ENV_FILE);
            if (!Files.isRegularFile(env)) {
                return true; // a release from before service.env: assume it holds the port, as deploy does
            }
            Map<String, String> e = LocalReleases.readEnv(env);
            return String.valueOf(port()).equals(e.get("PORT")) && config.local().address().equals(e.get("ADDR"));
        }).orElse(false);
        if (!ours) {
            try {
                checkPortFree(port());
            } catch (SlipwayException e) {
                throw SlipwayException.usage(e.getMessage() + "; nothing was built or deployed");
            }
        }
    }

    private void verifyChecksum(Release release) {
        try {
            String actual = Hashing.sha256(release.executable());
            if (!actual.equals(release.sha256())) {
                throw SlipwayException.usage(release.executable() + " does not match " + ArtifactsFile.PATH
                        + " (sha256 " + actual + ", expected " + release.sha256() + "); run 'slipway build' again");
            }
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + release.executable() + ": " + e.getMessage());
        }
    }

    /**
     * What runs now.
     *
     * @param version   the current release's version, or {@code null} when nothing is deployed or
     *                  the last deploy failed with nothing to roll back to ({@code failed})
     * @param commit    its commit, or {@code null}
     * @param revision  the last revision number, or 0 (so too after a failed first deploy)
     * @param pid       the process id, or -1 when not running
     * @param url       the service URL
     * @param readiness the readiness probe's answer, or {@code null} when not running
     * @param failed    the last revision when the release {@code current} names never served and
     *                  nothing runs (a deploy failed with no previous release to roll back to), else
     *                  {@code null}
     * @param nginx     with a proxy: where nginx's upstream points ({@code 127.0.0.1:8081}, or a note
     *                  that Slipway has not rendered it yet); {@code null} without a proxy
     * @param instances with a proxy: one line per instance that runs ({@code :8081 1.3.0 pid 4242,
     *                  behind nginx}); empty without a proxy
     */
    public record Status(String version, String commit, int revision, long pid, URI url, Gate.Verdict readiness,
                         Revision failed, String nginx, List<String> instances) {
        /** Copies the list. */
        public Status {
            instances = List.copyOf(instances);
        }
    }

    /** @return the current status; probes readiness once when the service runs */
    public Status status() {
        Optional<String> v = serving().or(this::currentVersion);
        Optional<ProcessHandle> h = process.running();
        List<Revision> all = history.entries();
        Revision last = all.isEmpty() ? null : all.get(all.size() - 1);
        // A failed first deploy leaves current at the release that failed its gate (there was
        // nothing to switch back to): that release is not "what runs".
        if (proxy != null) {
            int sp = servingPort();
            h = sp == 0 ? Optional.empty() : instance(sp).running();
        }
        if (h.isEmpty() && v.isPresent() && last != null && !facts().hasServed(v.get())) {
            return new Status(null, null, 0, -1, url(), null, last, nginxLine(), instanceLines());
        }
        Gate.Verdict ready = null;
        if (h.isPresent() && v.isPresent()) {
            int sp = proxy == null ? portOf(v.get()) : servingPort();
            int live = proxy == null ? sp : proxy.live();
            ready = live != sp ? new Gate.Verdict(false, 0, "nginx's upstream does not point at it ("
                    + nginxLine() + ")", Duration.ZERO)
                    : Gate.probeOnce(hostForUrl(), sp, store.probe(v.get(), config.service().readiness()), Duration.ofSeconds(2));
        }
        return new Status(v.orElse(null), v.map(x -> store.info(x).path("commit").asText("unknown")).orElse(null),
                last == null ? 0 : last.revision(), h.map(ProcessHandle::pid).orElse(-1L), url(), ready, null, nginxLine(),
                instanceLines());
    }

    /** @return with a proxy, where nginx's upstream points; else {@code null} */
    private String nginxLine() {
        if (proxy == null) {
            return null;
        }
        int live = proxy.live();
        return "upstream " + config.local().proxy().upstream() + " -> " + (live > 0 ? proxy.server(live)
                : "(not rendered by slipway yet)") + " (" + config.local().proxy().config() + ")";
    }

    /** @return with a proxy, one line per instance that runs, e.g. {@code :8081 1.3.0 pid 4242, behind nginx} */
    private List<String> instanceLines() {
        if (proxy == null) {
            return List.of();
        }
        int live = proxy.live();
        List<String> out = new ArrayList<>();
        for (int p : instancePorts()) {
            ServiceProcess sp = instance(p);
            sp.running().ifPresent(h -> out.add(":" + p + " " + sp.release().or(this::currentVersion).orElse("?") + " pid "
                    + h.pid() + (p == live ? ", behind nginx" : ", not in nginx's upstream (a killed run left it;"
                    + " the next deploy replaces it, 'slipway stop' stops it)")));
        }
        return out;
    }

    /** @return the revisions, oldest first */
    public List<Revision> history() {
        return history.entries();
    }

    // ---- steps ------------------------------------------------------------------------------------

    /**
     * Starts the release {@code current} points at, stopping the running instance first: the
     * supervisor's restart ({@link ServiceManager#restart}, carried out by a detached helper), with
     * the environment recorded when it was installed ({@link #launch}).
     *
     * @param label how progress names the running instance's release, or {@code null} for its recorded one
     */
    private void restartCurrent(String label) {
        restartCurrent(label, Map.of());
    }

    /** {@link #restartCurrent(String)}, also giving the instance what of {@code inherited} this process lacks ({@link Supervisor#restart(String, Map)}). */
    private void restartCurrent(String label, Map<String, String> inherited) {
        process.running().ifPresent(h -> console.progress("  stopping " + config.name() + " "
                + (label != null ? label : serving().orElse("?")) + " (pid " + h.pid() + ")"));
        supervisor.restart(unitOf(port()), inherited);
    }

    /**
     * Starts a release on a proxy port beside the instance serving: {@code slots/<port>} is pointed
     * at it, then the supervisor restarts that port's instance (stopping first what a killed run may
     * have left there), with the release's environment for that port ({@link #launch}).
     */
    private void startInstance(String dirName, int port) {
        ServiceProcess sp = instance(port);
        sp.running().ifPresent(h -> console.progress("  stopping " + sp.release().orElse("?") + " left on :" + port + " (pid "
                + h.pid() + ")"));
        console.progress("  starting " + config.name() + " " + dirName + (config.service().readiness().process() ? ""
                : " on " + instanceUrl(port)));
        layout.pointSlot(port, dirName);
        supervisor.restart(unitOf(port));
    }


    /** Points {@code current} at {@code releases/<dir>} atomically: a new link, then rename(2). */
    private void switchTo(String dirName) {
        layout.switchCurrent(dirName);
    }

    /**
     * Makes a release's first run ahead of its start ({@link Prepare}), in the state directory
     * with the environment its start gets (this process's, plus {@code releases/<dir>/service.env}),
     * so the unpack cache it fills is the one the start uses. A release that was prepared is
     * remembered, so that a failed gate can tell whether it timed a first run.
     *
     * @param dirName the release directory
     * @throws SlipwayException (exit 1) when it cannot be prepared; nothing was stopped or switched then
     */
    private void prepare(String dirName) {
        Path dir = releases.resolve(dirName);
        String command = Prepare.localCommand(dir.resolve(config.name()).toString(), state.toString(),
                LocalReleases.readEnv(dir.resolve(LocalReleases.ENV_FILE)));
        if (Prepare.on(host, command, Prepare.TIMEOUT, dirName, "", "nothing was stopped or switched", console)) {
            prepared.add(dirName);
        }
    }

    /** Writes the environment files of {@code releases/<dirName>} ({@link LocalReleases#writeEnvs}): one for each port it may run on. */
    private void writeEnvs(String dirName) {
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        envs.put(LocalReleases.ENV_FILE, serviceEnv(port()));
        if (proxy != null) {
            proxy.ports().forEach(p -> envs.put("service." + p + ".env", serviceEnv(p)));
        }
        store.writeEnvs(layout, dirName, envs);
    }

    /** @return the environment a release runs with on {@code service.port} ({@link LocalPlanner#serviceEnv}) */
    Map<String, String> serviceEnv() {
        return planner.serviceEnv(port());
    }

    /** {@link #serviceEnv()} for an instance on {@code port} (a proxy port). */
    Map<String, String> serviceEnv(int port) {
        return planner.serviceEnv(port);
    }

    private void gate(String dirName, int port) {
        SlipwayConfig.Probe probe = store.probe(dirName, config.service().readiness());
        String what = probe.target(hostForUrl(), port);
        console.progress(probe.process() ? "  waiting for " + dirName + " to keep running for " + Console.seconds(probe.timeout())
                + " (readiness type process)" : "  waiting for readiness of " + dirName + " at " + what);
        Gate.Verdict v = gateOf(port, probe);
        if (!v.ready()) {
            Path dir = releases.resolve(dirName);
            String firstRun = Steps.firstRunNote(FirstRun.inProgress(dir.resolve(config.name()),
                    LocalReleases.readEnv(dir.resolve(LocalReleases.ENV_FILE))), prepared.contains(dirName), dirName,
                    readinessSettings(probe));
            String more = (v.detail().equals(Gate.EXITED) ? exitCode() : "")
                    + instance(port).running().map(h -> dev.slipway.util.Listeners.elsewhere(h.pid(), port)).orElse("");
            Executor.StepFailed f = Steps.gateFailed("local", what, probe, v, more,
                    v.exited() ? CrashCause.of(tail(log, 400)) : Optional.empty(), firstRun, "");
            console.progress("  not ready: " + f.reason());
            throw f;
        }
        console.progress("  ready after " + Console.seconds(v.elapsed()));
    }

    /** The settings that give the local gate more time, with their values. */
    private static String readinessSettings(SlipwayConfig.Probe probe) {
        return "service.readiness.timeout (now " + Console.seconds(probe.timeout())
                + ") or service.readiness.startupGrace (now " + Console.seconds(probe.startupGrace()) + ")";
    }

    private String exitCode() {
        return supervisor.lastExitStatus().map(st -> " with exit code " + st).orElse("");
    }

    /** The readiness gate of the instance on {@code port}, from here; its supervisor ({@link #unitOf}) tells whether it still runs. */
    private Gate.Verdict gateOf(int port, SlipwayConfig.Probe probe) {
        return Steps.await(host, supervisor, unitOf(port), hostForUrl(), port, probe);
    }

    private void checkPortFree(int port) {
        planner.checkPortFree(facts(), port);
    }

    /** Keeps the newest {@code retain} releases, and always the current and the previous one ({@link ReleaseLayout#prune}). */
    private void prune() {
        List<String> keep = new ArrayList<>();
        currentVersion().ifPresent(cur -> {
            keep.add(cur);
            previousVersion(cur).ifPresent(keep::add);
        });
        Steps.prune(layout, config.local().retain(), keep, console, "");
    }

    /** @return the directory name {@code current} points at, if any */
    public Optional<String> currentVersion() {
        try {
            if (!Files.isSymbolicLink(current)) {
                return Optional.empty();
            }
            return Optional.of(Files.readSymbolicLink(current).getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return the release served before {@code version} ({@link LocalFacts#previousVersion}) */
    private Optional<String> previousVersion(String version) {
        return facts().previousVersion(version);
    }

    /**
     * The last lines of a log for an error message, each ending with a line break, so that what is
     * printed after the message starts on a line of its own (the log's own last line often has
     * none: a process killed mid-line).
     *
     * @param file  the log
     * @param lines how many lines
     * @return the lines, ending with {@code \n}; {@code (no log)\n} when it cannot be read
     */
    static String tail(Path file, int lines) {
        try {
            // Decoded leniently: an app may write any bytes to its log.
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            StringBuilder sb = new StringBuilder();
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> sb.append(l).append('\n'));
            return sb.toString();
        } catch (IOException e) {
            return "(no log)\n";
        }
    }
}

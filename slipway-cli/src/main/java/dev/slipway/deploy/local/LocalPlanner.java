package dev.slipway.deploy.local;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Launcher;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.DeployPlan.Kind;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Release;
import dev.slipway.util.Hashing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans the local target's deploy, rollback, start and stop as {@link DeployPlan}s from the
 * configuration and the {@link LocalFacts} alone: a pure function, as {@code HostsPlan.of} is for
 * the hosts target, so every local plan (and every refusal, exit 2 with nothing changed) is
 * tested without processes, ports or files ({@code LocalPlannerTest}). {@link LocalTarget} gathers
 * the facts and runs the plans.
 *
 * <p>Without {@code deploy.local.proxy} there is one port and no proxy, so a deploy switches
 * {@code current} and restarts (the old process stops before the new one starts). With nginx in
 * front, the release starts beside the one serving on the other proxy port, is gated, nginx is
 * pointed at it, {@code current} is switched, and the old instance stops ({@link #beside}).
 *
 * @param config the service configuration
 * @param proxy  nginx in front of two instances, or {@code null}; only its configured parts
 *               ({@link LocalProxy#server}, {@link LocalProxy#describe}, its ports) are read here
 */
public record LocalPlanner(SlipwayConfig config, LocalProxy proxy) {

    /** @return the state directory, {@code <service>/.slipway/local} */
    public Path state() {
        return config.serviceDir().resolve(".slipway").resolve("local");
    }

    /** @return {@code service.port} of slipway.yaml: the port a release deployed now is installed for */
    public int port() {
        return config.service().port();
    }

    /**
     * @param f       the facts
     * @param dirName a release directory
     * @return the port its instance listens on without a proxy: the {@code PORT} its
     *         {@code service.env} records, else {@code service.port} (a release not installed yet)
     */
    public int portOf(LocalFacts f, String dirName) {
        return f.held(dirName).map(LocalFacts.Held::port).orElse(port());
    }

    /**
     * @param f       the facts
     * @param dirName a release directory
     * @return the readiness probe it was deployed with, else {@code service.readiness}
     */
    public SlipwayConfig.Probe probeOf(LocalFacts f, String dirName) {
        return f.held(dirName).map(LocalFacts.Held::probe).orElse(config.service().readiness());
    }

    /**
     * @param f the facts
     * @return with a proxy, the port of the instance that serves: the one nginx's upstream names when
     *         it runs, else one that runs the current release, else any that runs; 0 when none runs
     */
    public int servingPort(LocalFacts f) {
        if (f.live() > 0 && f.on(f.live()).isPresent()) {
            return f.live();
        }
        List<Integer> runs = List.copyOf(f.instances().keySet());
        return runs.stream().filter(p -> f.on(p).get().release().equals(f.current())).findFirst()
                .orElse(runs.isEmpty() ? 0 : runs.get(0));
    }

    /**
     * @param f the facts
     * @return the instance that serves: with a proxy the one on {@link #servingPort}, without the
     *         service's one instance
     */
    public Optional<LocalFacts.Instance> servingInstance(LocalFacts f) {
        if (proxy == null) {
            return f.on(port());
        }
        int p = servingPort(f);
        return p == 0 ? Optional.empty() : f.on(p);
    }

    /**
     * @param f the facts
     * @return the release the serving instance was started from (its pid file, else {@code current}), if one runs
     */
    public Optional<String> serving(LocalFacts f) {
        return servingInstance(f).map(i -> i.release().or(f::current).orElse(null));
    }

    /** @return the proxy port a new instance starts on: not {@code oldPort}, one where nothing runs if there is one */
    int freePort(LocalFacts f, int oldPort) {
        List<Integer> candidates = proxy.ports().stream().filter(p -> p != oldPort).toList();
        return candidates.stream().filter(p -> f.on(p).isEmpty()).findFirst().orElse(candidates.get(0));
    }

    /**
     * @param f the facts
     * @return the URL the service serves on: with a proxy, where nginx listens; without, the port of
     *         the release that runs, else of the current one, else {@code service.port}; then
     *         {@code service.path}
     */
    public URI url(LocalFacts f) {
        return proxy != null ? config.local().proxy().url().resolve(config.service().path().substring(1))
                : instanceUrl(serving(f).or(f::current).map(v -> portOf(f, v)).orElse(port()));
    }

    /**
     * @param port an instance port
     * @return {@code http://<address>:<port>/} ({@code https} with {@code service.scheme: https}) and
     *         {@code service.path}, the address made reachable ({@code 0.0.0.0} is {@code 127.0.0.1});
     *         {@code grpc://<address>:<port>} for a gRPC server ({@link SlipwayConfig.Service#urlScheme})
     */
    public URI instanceUrl(int port) {
        return URI.create(config.service().urlScheme() + "://" + hostForUrl() + ":" + port + config.service().urlPath());
    }

    /** @return {@code deploy.local.address} as a URL's host ({@code 0.0.0.0} and {@code ::} are {@code 127.0.0.1}) */
    public String hostForUrl() {
        String a = config.local().address();
        if (a.equals("0.0.0.0") || a.equals("::")) {
            return "127.0.0.1";
        }
        return a.contains(":") ? "[" + a + "]" : a;
    }

    /**
     * The environment a release runs with: {@code service.env} with its references expanded for the
     * instance ({@code ${PORT}}: {@code port}, {@code ${ADDR}}: {@code deploy.local.address}), plus
     * PORT, ADDR and DRAIN_TIMEOUT (whole seconds, at least 1).
     *
     * @param port the instance port
     * @return the variables, sorted by name
     */
    public Map<String, String> serviceEnv(int port) {
        Map<String, String> env = new java.util.TreeMap<>(References.expandEnv(config.service().env(),
                References.Values.of(port, config.local().address(), null)));
        env.put("PORT", String.valueOf(port));
        env.put("ADDR", config.local().address());
        env.put("DRAIN_TIMEOUT", String.valueOf(Math.max(1, config.service().drainTimeout().toSeconds())));
        return env;
    }

    /**
     * @param release a release
     * @return what makes its release directory: the binary, its environment, its readiness probe
     *         and (with a proxy) the instance ports, as a sha256 in hex
     */
    public String fingerprint(Release release) {
        SlipwayConfig.Probe p = config.service().readiness();
        return Hashing.sha256Hex(release.sha256() + "\n" + new java.util.TreeMap<>(serviceEnv(port())) + "\n" + p
                + (proxy == null ? "" : "\nports " + proxy.ports()));
    }

    /**
     * The release directory name: the version, unless that directory holds a different release
     * (other bytes, environment or probe); then {@code version+<fingerprint prefix>}. An installed
     * release is never overwritten, so a rollback always finds what it left.
     */
    String releaseDirName(LocalFacts f, Release release) {
        String fp = fingerprint(release);
        Optional<LocalFacts.Held> held = f.held(release.version()).filter(LocalFacts.Held::info);
        if (held.isEmpty() || held.get().fingerprint().equals(fp)) {
            return release.version();
        }
        return release.version() + "+" + fp.substring(0, 8);
    }

    /**
     * Plans a deploy.
     *
     * @param f        the facts
     * @param release  the release (its file already checked against its sha256)
     * @param lockWait how long the run waits for another run's lock
     * @return the plan
     * @throws SlipwayException (exit 2) when nothing of this service runs and another process holds
     *                          the port it starts on
     */
    public DeployPlan deploy(LocalFacts f, Release release, Duration lockWait) {
        Optional<LocalFacts.Instance> running = f.on(port());
        // After a failed first deploy current names a release that never served: nothing to return to.
        Optional<String> previous = serving(f).or(() -> f.current().filter(f::hasServed));
        if (running.isEmpty() && proxy == null) {
            checkPortFree(f, port());
        }
        String dirName = releaseDirName(f, release);
        boolean install = !f.complete(dirName) || !release.sha256().equals(f.held(dirName).get().sha256());
        SlipwayConfig.Probe probe = config.service().readiness();
        String exe = "releases/" + dirName + "/" + config.name();
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(lockStep());
        steps.add(step(Kind.UPLOAD, install
                ? "install " + config.serviceDir().relativize(release.executable()) + " as " + exe
                + " with its release.json: into a temporary directory, sha256 verified, then renamed"
                : "skip install, " + exe + " is there (sha256 " + release.sha256().substring(0, 12) + ")"));
        // A release directory is never rewritten (its name covers its environment): only a new one gets its env.
        String envFiles = "releases/" + dirName + "/" + LocalReleases.ENV_FILE + (proxy == null ? ""
                : proxy.ports().stream().map(p -> ", service." + p + ".env").collect(java.util.stream.Collectors.joining()));
        steps.add(step(Kind.ENV, install ? "write " + envFiles + " (mode 0600, " + serviceEnv(port()).size() + " variables)"
                : "keep " + envFiles + ": written with the release (its directory's name covers its environment)"));
        steps.add(step(Kind.PREPARE, "prepare " + exe + " while the old one serves: its first run"
                + " without the app (" + Launcher.PREPARE + "=1: unpack, class-data archive on JDK 17-19)"));
        if (proxy != null) {
            return beside(f, DeployPlan.Action.DEPLOY, release, dirName, release.commit(), previous.orElse(null), install,
                    lockWait, steps);
        }
        steps.add(switchStep(f, dirName));
        steps.add(restartStep(f, running, previous, dirName));
        steps.add(step(Kind.GATE, "wait for readiness " + probe.target(hostForUrl(), port()) + " (every "
                + Console.seconds(probe.interval()) + ", up to " + Console.seconds(probe.timeout())
                + "); on failure switch back and restart " + previous.orElse("nothing")));
        steps.add(recordStep());
        steps.add(pruneStep());
        steps.add(unlockStep());
        return new DeployPlan("local", DeployPlan.Action.DEPLOY, config.name(), release.version(), release.commit(),
                facts(f, running, previous), steps,
                new LocalTarget.Detail(release, dirName, previous.orElse(null), pid(running), install, lockWait),
                List.of(step(Kind.BACK, "stop " + dirName + (previous.isPresent() ? ", switch current back to releases/"
                        + previous.get() + " and restart it with the environment it served with, gated; recorded "
                        + History.ROLLED_BACK : "; nothing served before, nothing to restart; recorded " + History.FAILED))));
    }

    /**
     * Plans a rollback to a retained release.
     *
     * @param f         the facts
     * @param toVersion the release directory to return to, or {@code null} for the one served before
     * @param lockWait  how long the run waits for another run's lock
     * @return the plan
     * @throws SlipwayException (exit 2) when nothing is deployed, the release is not one this target
     *                          holds complete ({@code ..}, a path, an unknown or half-written release),
     *                          it is the one serving, or the port is taken; nothing changed
     */
    public DeployPlan rollback(LocalFacts f, String toVersion, Duration lockWait) {
        Optional<LocalFacts.Instance> running = f.on(port());
        String from = serving(f).or(f::current).orElseThrow(() -> SlipwayException.usage(
                "nothing is deployed to local for " + config.name() + "; nothing to roll back"));
        String to = toVersion != null ? toVersion : f.previousVersion(from).orElseThrow(() -> SlipwayException.usage(
                "no earlier release of " + config.name() + " to roll back to; retained: " + f.retained()));
        if (!f.complete(to)) {
            List<String> held = f.completeReleases();
            throw SlipwayException.usage("local does not hold release " + to + " (it has "
                    + (held.isEmpty() ? "none" : String.join(", ", held)) + "); nothing was changed");
        }
        if (to.equals(from)) {
            throw SlipwayException.usage(to + " is already the current release; nothing to roll back; nothing was changed");
        }
        if (running.isEmpty() && proxy == null) {
            checkPortFree(f, portOf(f, to));
        }
        String commit = commitOf(f, to, "unknown");
        SlipwayConfig.Probe probe = probeOf(f, to);
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(lockStep());
        steps.add(step(Kind.PREPARE, "prepare releases/" + to + "/" + config.name() + " while " + from + " serves"));
        if (proxy != null) {
            return beside(f, DeployPlan.Action.ROLLBACK, null, to, commit, from, false, lockWait, steps);
        }
        steps.add(switchStep(f, to));
        steps.add(restartStep(f, running, Optional.of(from), to));
        steps.add(step(Kind.GATE, "wait for readiness " + probe.target(hostForUrl(), portOf(f, to))
                + "; on failure switch back and restart " + from));
        steps.add(recordStep());
        steps.add(unlockStep());
        return new DeployPlan("local", DeployPlan.Action.ROLLBACK, config.name(), to, commit, facts(f, running, Optional.of(from)),
                steps, new LocalTarget.Detail(null, to, from, pid(running), false, lockWait),
                List.of(step(Kind.BACK, "stop " + to + ", switch current back to releases/" + from
                        + " and restart it with the environment it served with, gated; recorded " + History.FAILED)));
    }

    /**
     * Plans a start of the current release where it does not run (lock and unlock only when it does).
     *
     * @param f the facts
     * @return the plan
     * @throws SlipwayException (exit 2) when nothing is deployed, the current release is incomplete,
     *                          or the port is taken; nothing changed
     */
    public DeployPlan start(LocalFacts f) {
        String version = f.current().orElseThrow(() -> SlipwayException.usage(
                "nothing is deployed to local for " + config.name() + "; run 'slipway ship' or 'slipway deploy' first"));
        if (proxy != null) {
            return startBeside(f, version);
        }
        Optional<LocalFacts.Instance> running = f.on(port());
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(lockStep());
        if (running.isEmpty()) {
            requireComplete(f, version);
            checkPortFree(f, portOf(f, version));
            steps.add(step(Kind.PREPARE, "prepare releases/" + version + "/" + config.name()));
            steps.add(step(Kind.START, "start releases/" + version + "/" + config.name() + " on "
                    + instanceUrl(portOf(f, version))));
            steps.add(step(Kind.GATE, "wait for readiness " + probeOf(f, version).target(hostForUrl(), portOf(f, version))));
        }
        steps.add(unlockStep());
        return new DeployPlan("local", DeployPlan.Action.START, config.name(), version, commitOf(f, version, ""),
                facts(f, running, Optional.empty()), steps,
                new LocalTarget.Detail(null, version, null, pid(running), false, Duration.ZERO));
    }

    /**
     * Plans a stop (drain) of every instance of the service that runs.
     *
     * @param f the facts
     * @return the plan: lock, a stop per running instance, unlock
     */
    public DeployPlan stop(LocalFacts f) {
        Optional<LocalFacts.Instance> running = f.instances().values().stream().findFirst();
        String version = serving(f).or(f::current).orElse("-");
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(lockStep());
        f.instances().forEach((p, i) -> steps.add(new DeployPlan.Step(Kind.STOP, p == port() ? "local" : ":" + p, 0,
                "stop " + config.name() + " " + i.release().or(f::current).orElse("?") + (p == port() ? ""
                        : " on " + instanceUrl(p)) + " (pid " + i.pid() + "): SIGTERM, SIGKILL after "
                        + Console.seconds(config.service().drainTimeout()))));
        steps.add(unlockStep());
        return new DeployPlan("local", DeployPlan.Action.STOP, config.name(), version, "", facts(f, running, Optional.empty()),
                steps, new LocalTarget.Detail(null, version, null, pid(running), false, Duration.ZERO));
    }

    // ---- with a proxy: the new instance beside the old one -----------------------------------------

    /**
     * The rest of a deploy's or rollback's plan with a proxy, after lock, install and prepare: start
     * the release on the free port beside the one serving, gate it, point nginx at it, switch
     * {@code current}, stop the old instance; record, prune (deploy), unlock. A failed gate stops
     * the new instance only.
     */
    private DeployPlan beside(LocalFacts f, DeployPlan.Action action, Release release, String dirName, String commit,
                              String previous, boolean install, Duration lockWait, List<DeployPlan.Step> steps) {
        int oldPort = servingPort(f);
        Optional<LocalFacts.Instance> old = oldPort == 0 ? Optional.empty() : f.on(oldPort);
        String oldRelease = old.map(i -> i.release().or(f::current).orElse("?")).orElse(null);
        int port = freePort(f, oldPort);
        Optional<LocalFacts.Instance> stray = f.on(port);
        if (stray.isEmpty()) {
            checkPortFree(f, port);
        }
        SlipwayConfig.Probe probe = release != null ? config.service().readiness() : probeOf(f, dirName);
        steps.add(new DeployPlan.Step(Kind.START, ":" + port, 0, "start releases/" + dirName + "/"
                + config.name() + " on " + instanceUrl(port) + (old.isPresent() ? " beside " + oldRelease + " on :" + oldPort
                + " (pid " + old.get().pid() + "), which keeps serving" : "") + stray.map(h -> "; first stop what a killed run"
                + " left on :" + port + " (" + h.release().orElse("?") + ", pid " + h.pid() + ")").orElse("")
                + " (log: " + config.serviceDir().relativize(log()) + ")"));
        steps.add(new DeployPlan.Step(Kind.GATE, ":" + port, 0, "wait for readiness " + probe.target(hostForUrl(), port)
                + " (every " + Console.seconds(probe.interval()) + ", up to " + Console.seconds(probe.timeout())
                + "); on failure stop it" + (old.isPresent() ? ", " + oldRelease + " serves on" : "")));
        steps.add(new DeployPlan.Step(Kind.PROXY, ":" + port, 0, proxy.describe(port)));
        steps.add(switchStep(f, dirName));
        old.ifPresent(h -> steps.add(new DeployPlan.Step(Kind.STOP, ":" + oldPort, 0, "stop " + config.name() + " "
                + oldRelease + " on :" + oldPort + " (pid " + h.pid() + ") " + Console.seconds(LocalProxy.SETTLE)
                + " after the reload: SIGTERM (it drains), SIGKILL after " + Console.seconds(config.service().drainTimeout()))));
        steps.add(recordStep());
        if (action == DeployPlan.Action.DEPLOY) {
            steps.add(pruneStep());
        }
        steps.add(unlockStep());
        return new DeployPlan("local", action, config.name(), release != null ? release.version() : dirName, commit,
                facts(f, old, Optional.ofNullable(oldRelease)), steps,
                new LocalTarget.Detail(release, dirName, previous, pid(old), install, lockWait, port, oldPort),
                List.of(backBeside(port, old.isPresent() ? oldRelease + " serves on :" + oldPort
                        + " behind nginx (never stopped; a rejected upstream was put back)" : "nothing served before")));
    }

    /** A start with a proxy: nothing when the current release serves behind nginx; else start it on a free port, gate, point nginx at it. */
    private DeployPlan startBeside(LocalFacts f, String version) {
        int serving = servingPort(f);
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(lockStep());
        int port = 0;
        boolean serves = serving > 0 && f.on(serving).get().release().or(f::current).equals(Optional.of(version));
        if (!serves || f.live() != serving) {
            requireComplete(f, version);
            if (serves) {
                port = serving; // it runs, nginx does not point at it: point it there
            } else {
                port = freePort(f, serving);
                if (f.on(port).isEmpty()) {
                    checkPortFree(f, port);
                }
                steps.add(step(Kind.PREPARE, "prepare releases/" + version + "/" + config.name()));
                steps.add(new DeployPlan.Step(Kind.START, ":" + port, 0, "start releases/" + version + "/"
                        + config.name() + " on " + instanceUrl(port)));
                steps.add(new DeployPlan.Step(Kind.GATE, ":" + port, 0, "wait for readiness "
                        + probeOf(f, version).target(hostForUrl(), port)));
            }
            steps.add(new DeployPlan.Step(Kind.PROXY, ":" + port, 0, proxy.describe(port)));
        }
        steps.add(unlockStep());
        Optional<LocalFacts.Instance> running = serving == 0 ? Optional.empty() : f.on(serving);
        boolean starts = steps.stream().anyMatch(s -> s.kind() == Kind.START);
        return new DeployPlan("local", DeployPlan.Action.START, config.name(), version, commitOf(f, version, ""),
                facts(f, running, Optional.empty()), steps,
                new LocalTarget.Detail(null, version, null, pid(running), false, Duration.ZERO, port, 0),
                starts ? List.of(backBeside(port, "nginx was not switched to it")) : List.of());
    }

    /** The going-back step with a proxy: the new instance is stopped; what served before was never touched. */
    private static DeployPlan.Step backBeside(int port, String kept) {
        return new DeployPlan.Step(Kind.BACK, ":" + port, 0, "stop the new instance on :" + port + "; " + kept);
    }

    // ---- the pieces ----------------------------------------------------------------------------------

    private void requireComplete(LocalFacts f, String version) {
        if (!f.complete(version)) {
            throw SlipwayException.usage("current names releases/" + version + ", which is incomplete; deploy again;"
                    + " nothing was changed");
        }
    }

    /**
     * Nothing to check for a service with no port ({@code readiness.type: process}).
     *
     * @throws SlipwayException (exit 2) when an instance cannot listen on {@code port}: another process
     *                          holds it (named when known), or the address cannot be used
     */
    void checkPortFree(LocalFacts f, int port) {
        if (config.service().readiness().process()) {
            return; // a service with no port (readiness type process) binds none: another process may hold PORT
        }
        LocalFacts.PortCheck c = f.ports().check(port);
        if (c.free()) {
            return;
        }
        if (c.error() != null) {
            throw SlipwayException.usage("cannot use " + config.local().address() + ":" + port + ": " + c.error());
        }
        throw SlipwayException.usage("port " + port + " on " + config.local().address()
                + " is already in use by another process;" + c.holder().map(h -> " it is " + h + ";").orElse("")
                + " stop it or set " + (proxy == null ? "service.port" : "deploy.local.proxy.ports") + " in "
                + config.file().getFileName());
    }

    private static String commitOf(LocalFacts f, String dirName, String otherwise) {
        return f.held(dirName).map(LocalFacts.Held::commit).orElse(otherwise);
    }

    private static long pid(Optional<LocalFacts.Instance> i) {
        return i.map(LocalFacts.Instance::pid).orElse(-1L);
    }

    private Path log() {
        return state().resolve(config.name() + ".log");
    }

    private DeployPlan.Step lockStep() {
        return step(Kind.LOCK, "lock " + rel(state().resolve("lock")));
    }

    private DeployPlan.Step switchStep(LocalFacts f, String dirName) {
        return step(Kind.SWITCH, "switch current -> releases/" + dirName + " (was " + f.current().orElse("none") + ")");
    }

    private DeployPlan.Step recordStep() {
        return step(Kind.RECORD, "record the revision in " + rel(state().resolve("history.tsv")));
    }

    private DeployPlan.Step pruneStep() {
        return step(Kind.PRUNE, "prune releases beyond " + config.local().retain() + " (never current or previous)");
    }

    private static DeployPlan.Step unlockStep() {
        return step(Kind.UNLOCK, "unlock");
    }

    private DeployPlan.Step restartStep(LocalFacts f, Optional<LocalFacts.Instance> running, Optional<String> previous,
                                        String dirName) {
        String start = "start releases/" + dirName + "/" + config.name() + " on " + instanceUrl(portOf(f, dirName)) + " (log: "
                + config.serviceDir().relativize(log()) + ")";
        return running.map(h -> step(Kind.RESTART, "restart, by a detached helper: stop " + config.name() + " "
                + previous.orElse("?") + " (pid " + h.pid() + "): SIGTERM, SIGKILL after "
                + Console.seconds(config.service().drainTimeout()) + "; then " + start))
                .orElseGet(() -> step(Kind.START, start));
    }

    private List<String> facts(LocalFacts f, Optional<LocalFacts.Instance> running, Optional<String> previous) {
        String state = "state " + rel(state()) + ": current " + f.current().orElse("none") + ", serving "
                + running.map(h -> previous.or(() -> serving(f)).orElse("?") + " (pid " + h.pid() + ")").orElse("nothing");
        if (proxy == null) {
            return List.of(state, "no proxy (deploy.local.proxy): the old process stops before the new one starts, so"
                    + " requests are refused until the new one listens");
        }
        int live = f.live();
        return List.of(state, "nginx at " + url(f) + ": upstream " + config.local().proxy().upstream() + " -> "
                + (live > 0 ? proxy.server(live) : "(not rendered by slipway yet: " + config.local().proxy().config() + ")")
                + "; instance ports " + proxy.ports().get(0) + " and " + proxy.ports().get(1));
    }

    private static DeployPlan.Step step(Kind kind, String description) {
        return new DeployPlan.Step(kind, "local", 0, description);
    }

    private String rel(Path p) {
        return config.serviceDir().relativize(p).toString();
    }
}

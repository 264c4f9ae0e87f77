package dev.slipway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Builder;
import dev.slipway.config.References;
import dev.slipway.build.Launcher;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code local} target: runs releases on this machine, with the same mechanics as on hosts.
 *
 * <p>State lives under {@code <service>/.slipway/local/}: {@code releases/<version>/} per release,
 * a {@code current} symbolic link switched with rename(2), {@code <name>.pid}, {@code <name>.log}
 * and {@code history.tsv}. A deploy installs the release, prepares it (its first run without the
 * app: unpacking and, on JDK 17-19, the class-data archive; see {@link Launcher#PREPARE}) while the
 * old process still serves, stops the old process (SIGTERM, then SIGKILL after the drain timeout),
 * switches {@code current}, starts the new one and waits for its readiness probe, which so covers
 * a warm start only; if that fails it switches back and restarts the previous release.
 */
public final class LocalTarget {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlipwayConfig config;
    private final Console console;
    private final Path state;
    private final Path releases;
    private final Path current;
    private final Path log;
    private final ServiceProcess process;
    private final History history;
    /** The process this JVM started last, for its exit code; null before any start. */
    private Process lastStarted;
    /** The release directories this target prepared, so that a gate knows whether it timed a first run. */
    private final java.util.Set<String> prepared = new java.util.HashSet<>();

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
        this.process = new ServiceProcess(state.resolve(config.name() + ".pid"));
        this.history = new History(state.resolve("history.tsv"));
    }

    /**
     * Opens the local target from the state it recorded alone, for {@code stop} and {@code status}
     * when slipway.yaml cannot be loaded (a typo must not leave a running service unmanageable).
     * The service name is the current release's executable; the port, address and drain timeout
     * (whole seconds) are those the release was started with ({@code releases/<v>/service.env});
     * readiness comes from its {@code release.json}; every other setting has its default. Meant for
     * stopping and reading the state only: a deploy needs the real configuration.
     *
     * @param serviceDir the service directory, holding {@code .slipway/local}
     * @param console    where progress and results go
     * @return the target, or empty when nothing is deployed here (no {@code current} release, or
     *         its record is incomplete)
     */
    public static Optional<LocalTarget> recorded(Path serviceDir, Console console) {
        Path current = serviceDir.resolve(".slipway").resolve("local").resolve("current");
        try (Stream<Path> files = Files.list(current.toRealPath())) {
            List<Path> executables = files.filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
                    .filter(f -> !f.getFileName().toString().startsWith(".")).toList();
            if (executables.size() != 1) {
                return Optional.empty();
            }
            Path exe = executables.get(0);
            Map<String, String> env = readEnvFile(exe.resolveSibling(ENV_FILE));
            // The values are the ones ConfigLoader validated at deploy; quoted, the address stays a string.
            String yaml = "name: " + exe.getFileName() + "\nservice:\n  port: " + env.get("PORT")
                    + "\n  drainTimeout: " + env.get("DRAIN_TIMEOUT") + "s\ndeploy:\n  local:\n    address: \""
                    + env.get("ADDR") + "\"\n";
            SlipwayConfig config = dev.slipway.config.ConfigLoader.parse(
                    serviceDir.resolve(dev.slipway.config.ConfigLoader.FILE_NAME), yaml);
            return Optional.of(new LocalTarget(config, console));
        } catch (IOException | SlipwayException e) {
            return Optional.empty();
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

    private int port() {
        return config.service().port();
    }

    /** @return the URL the service serves on, e.g. {@code http://127.0.0.1:8080/} */
    public URI url() {
        return URI.create("http://" + hostForUrl() + ":" + config.service().port() + "/");
    }

    private String hostForUrl() {
        String a = config.local().address();
        if (a.equals("0.0.0.0") || a.equals("::")) {
            return "127.0.0.1";
        }
        return a.contains(":") ? "[" + a + "]" : a;
    }

    /**
     * The result of a deploy, rollback or start that passed its gate.
     *
     * @param revision the history entry written
     * @param url      where the service serves
     * @param pid      the service's process id
     */
    public record Outcome(History.Entry revision, URI url, long pid) {}

    /**
     * Deploys a release: plan, then execute; on a failed gate, roll back to the previous release.
     *
     * @param release the release to deploy
     * @param dryRun  print the plan and change nothing
     * @return the outcome, or {@code null} for a dry run
     * @throws SlipwayException exit 2 when the port is taken by another process (nothing changed);
     *                          exit 1 when the release failed its gate (it was rolled back)
     */
    public Outcome deploy(Release release, boolean dryRun) {
        verifyChecksum(release);
        try (DeployLock lock = dryRun ? null : DeployLock.acquire(state, "deploy " + release.version())) {
            // After a failed first deploy current names a release that never served: nothing to return to.
            Optional<String> previous = currentVersion().filter(this::hasServed);
            Optional<ProcessHandle> running = process.running();
            if (running.isEmpty()) {
                checkPortFree();
            }
            SlipwayConfig.Probe probe = config.service().readiness();
            String dirName = releaseDirName(release);
            Path target = releases.resolve(dirName);
            Plan plan = new Plan();
            plan.add("install " + config.serviceDir().relativize(release.executable()) + " as "
                    + state.relativize(target.resolve(config.name())), () -> install(release, dirName));
            plan.add("prepare releases/" + dirName + "/" + config.name() + " while the old one serves: its first run"
                    + " without the app (" + Launcher.PREPARE + "=1: unpack, class-data archive on JDK 17-19)",
                    () -> prepare(dirName));
            running.ifPresent(h -> plan.add("stop " + config.name() + " " + previous.orElse("?") + " (pid " + h.pid()
                    + "): SIGTERM, SIGKILL after " + Console.seconds(config.service().drainTimeout()),
                    () -> {
                        console.progress("  stopping " + config.name() + " " + previous.orElse("?") + " (pid " + h.pid() + ")");
                        process.stop(config.service().drainTimeout());
                    }));
            Interruption interruption = new Interruption(dirName, release.commit(), previous);
            plan.add("switch current -> releases/" + dirName, () -> {
                interruption.arm();
                switchTo(dirName);
            });
            plan.add("start releases/" + dirName + "/" + config.name() + " on " + url() + " (log: "
                    + config.serviceDir().relativize(log) + ")", this::startCurrent);
            plan.add("wait for readiness " + probe.target(hostForUrl(), port()) + " (every " + Console.seconds(probe.interval())
                    + ", up to " + Console.seconds(probe.timeout()) + ")", () -> gate(dirName));
            if (dryRun) {
                console.println("plan for deploying " + config.name() + " " + release.version() + " to local:");
                console.out().print(plan.describe());
                console.out().flush();
                return null;
            }
            console.progress("deploying " + config.name() + " " + release.version() + " to local (" + state + ")");
            Runtime.getRuntime().addShutdownHook(interruption);
            try {
                plan.execute();
            } catch (GateFailed e) {
                interruption.disarm();
                return rollBackAfterFailure(release, dirName, previous, e);
            } catch (SlipwayException e) {
                interruption.disarm();
                throw e;
            } catch (Exception e) {
                interruption.disarm();
                throw SlipwayException.failed("deploy failed: " + e.getMessage(), e);
            } finally {
                removeHook(interruption);
            }
            interruption.disarm();
            History.Entry rev = history.append(dirName, release.commit(), History.DEPLOYED,
                    previous.map(p -> "previous " + p).orElse("first release"));
            prune();
            long pid = process.running().map(ProcessHandle::pid).orElse(-1L);
            return new Outcome(rev, url(), pid);
        }
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
        boolean ours = process.running().isPresent() && currentVersion().map(v -> {
            Path env = releases.resolve(v).resolve(ENV_FILE);
            if (!Files.isRegularFile(env)) {
                return true; // a release from before service.env: assume it holds the port, as deploy does
            }
            Map<String, String> e = readEnvFile(env);
            return String.valueOf(port()).equals(e.get("PORT")) && config.local().address().equals(e.get("ADDR"));
        }).orElse(false);
        if (!ours) {
            try {
                checkPortFree();
            } catch (SlipwayException e) {
                throw SlipwayException.usage(e.getMessage() + "; nothing was built or deployed");
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running or has run.
        }
    }

    /**
     * Ctrl-C (SIGINT) or SIGTERM during a deploy, after the switch and before the verdict: the
     * new release has not passed its gate, so the previous one is restored and the revision is
     * recorded as interrupted. Runs as a shutdown hook; bounded by the drain timeout.
     */
    private final class Interruption extends Thread {
        private final String attempted;
        private final String commit;
        private final Optional<String> previous;
        private boolean armed;
        private boolean done;

        Interruption(String attempted, String commit, Optional<String> previous) {
            super("slipway-interrupted-deploy");
            this.attempted = attempted;
            this.commit = commit;
            this.previous = previous;
        }

        synchronized void arm() {
            armed = true;
        }

        /** Called once the deploy reached a verdict: the hook then does nothing. */
        synchronized void disarm() {
            done = true;
        }

        @Override
        public synchronized void run() {
            if (!armed || done) {
                return;
            }
            done = true;
            process.stop(config.service().drainTimeout());
            String note = "interrupted before the readiness gate";
            if (previous.isPresent() && Files.isDirectory(releases.resolve(previous.get()))) {
                switchTo(previous.get());
                startCurrent();
                note += "; " + previous.get() + " restarted";
            }
            history.append(attempted, commit, History.INTERRUPTED, note);
            console.progress("slipway: deploy interrupted; " + note);
        }
    }

    private void verifyChecksum(Release release) {
        try {
            String actual = Builder.sha256(release.executable());
            if (!actual.equals(release.sha256())) {
                throw SlipwayException.usage(release.executable() + " does not match " + Builder.ARTIFACTS
                        + " (sha256 " + actual + ", expected " + release.sha256() + "); run 'slipway build' again");
            }
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + release.executable() + ": " + e.getMessage());
        }
    }

    private Outcome rollBackAfterFailure(Release release, String dirName, Optional<String> previous, GateFailed failure) {
        process.stop(config.service().drainTimeout());
        String reason = failure.getMessage();
        String logTail = tail(log, 15);
        if (previous.isPresent() && Files.isDirectory(releases.resolve(previous.get()))) {
            console.progress("  readiness failed; rolling back to " + previous.get());
            switchTo(previous.get());
            String restored = restart(previous.get());
            history.append(dirName, release.commit(), History.ROLLED_BACK, reason + "; " + restored);
            throw SlipwayException.failed("deploy of " + config.name() + " " + release.version() + " failed: " + reason
                    + failure.hint + "\nrolled back: " + restored + "\nlast lines of " + log + ":\n" + logTail);
        }
        history.append(dirName, release.commit(), History.FAILED, reason + "; no previous release");
        throw SlipwayException.failed("deploy of " + config.name() + " " + release.version() + " failed: " + reason
                + failure.hint + "\nthere is no previous release to roll back to; the service is stopped"
                + "\nlast lines of " + log + ":\n" + logTail);
    }

    /** Starts the current release and waits for its own readiness probe; describes the result. */
    private String restart(String dirName) {
        startCurrent();
        SlipwayConfig.Probe probe = probeOf(dirName);
        HealthGate.Verdict v = HealthGate.await(hostForUrl(), port(), probe, this::isRunning);
        return v.ready() ? dirName + " serves again" : dirName + " restarted but is not ready: " + v.describe();
    }

    /**
     * Rolls back to a retained release: the one before the current, or {@code toVersion}.
     *
     * @param toVersion the version to return to, or {@code null} for the previous one
     * @return the outcome
     * @throws SlipwayException exit 2 when nothing is deployed, the version is not retained or is
     *                          the current one, or the port is taken; exit 1 when the rollback
     *                          fails its gate (the release that was current is restarted)
     */
    public Outcome rollback(String toVersion) {
        try (DeployLock lock = DeployLock.acquire(state, "rollback")) {
            String from = currentVersion().orElseThrow(() -> SlipwayException.usage(
                    "nothing is deployed to local for " + config.name() + "; nothing to roll back"));
            String to = toVersion != null ? toVersion : previousVersion(from).orElseThrow(() -> SlipwayException.usage(
                    "no earlier release of " + config.name() + " to roll back to; retained: " + retained()));
            if (!Files.isDirectory(releases.resolve(to))) {
                throw SlipwayException.usage("release " + to + " is not retained; retained: " + retained());
            }
            if (to.equals(from)) {
                throw SlipwayException.usage(to + " is already the current release; nothing to roll back");
            }
            if (process.running().isEmpty()) {
                checkPortFree();
            }
            String commit = releaseInfo(to).path("commit").asText("unknown");
            console.progress("rolling back " + config.name() + " from " + from + " to " + to);
            prepare(to);
            process.stop(config.service().drainTimeout());
            switchTo(to);
            startCurrent();
            try {
                gate(to);
            } catch (GateFailed e) {
                process.stop(config.service().drainTimeout());
                switchTo(from);
                String restored = restart(from);
                history.append(to, commit, History.FAILED, "rollback from " + from + " failed: " + e.getMessage()
                        + "; " + restored);
                throw SlipwayException.failed("rollback to " + to + " failed: " + e.getMessage() + "; " + restored + e.hint);
            }
            History.Entry rev = history.append(to, commit, History.ROLLBACK, "from " + from);
            return new Outcome(rev, url(), process.running().map(ProcessHandle::pid).orElse(-1L));
        }
    }

    /**
     * Starts the current release if it is not running, and waits for readiness.
     *
     * @return the outcome with the last revision
     * @throws SlipwayException exit 2 when nothing is deployed or the port is taken; exit 1 when
     *                          it does not become ready, or a deploy holds the lock
     */
    public Outcome start() {
        String version = currentVersion().orElseThrow(() -> SlipwayException.usage(
                "nothing is deployed to local for " + config.name() + "; run 'slipway ship' or 'slipway deploy' first"));
        try (DeployLock lock = DeployLock.acquire(state, "start")) {
            if (process.running().isEmpty()) {
                checkPortFree();
                prepare(version);
                startCurrent();
                try {
                    gate(version);
                } catch (GateFailed e) {
                    throw SlipwayException.failed(config.name() + " " + version + " started but is not ready: "
                            + e.getMessage() + e.hint + "\nlast lines of " + log + ":\n" + tail(log, 15));
                }
            }
        }
        List<History.Entry> all = history.entries();
        return new Outcome(all.isEmpty() ? null : all.get(all.size() - 1), url(),
                process.running().map(ProcessHandle::pid).orElse(-1L));
    }

    /**
     * Stops the service gracefully.
     *
     * @return whether it was running
     * @throws SlipwayException (exit 1) when a deploy holds the lock
     */
    public boolean stop() {
        if (!Files.isDirectory(state)) {
            return false;
        }
        try (DeployLock lock = DeployLock.acquire(state, "stop")) {
            return process.stop(config.service().drainTimeout());
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
     */
    public record Status(String version, String commit, int revision, long pid, URI url, HealthGate.Verdict readiness,
                         History.Entry failed) {}

    /** @return the current status; probes readiness once when the service runs */
    public Status status() {
        Optional<String> v = currentVersion();
        Optional<ProcessHandle> h = process.running();
        List<History.Entry> all = history.entries();
        History.Entry last = all.isEmpty() ? null : all.get(all.size() - 1);
        // A failed first deploy leaves current at the release that failed its gate (there was
        // nothing to switch back to): that release is not "what runs".
        if (h.isEmpty() && v.isPresent() && last != null && !hasServed(v.get())) {
            return new Status(null, null, 0, -1, url(), null, last);
        }
        HealthGate.Verdict ready = h.isPresent() && v.isPresent()
                ? HealthGate.probeOnce(hostForUrl(), port(), probeOf(v.get()), Duration.ofSeconds(2)) : null;
        return new Status(v.orElse(null), v.map(x -> releaseInfo(x).path("commit").asText("unknown")).orElse(null),
                last == null ? 0 : last.revision(), h.map(ProcessHandle::pid).orElse(-1L), url(), ready, null);
    }

    /** @return the revisions, oldest first */
    public List<History.Entry> history() {
        return history.entries();
    }

    // ---- steps ------------------------------------------------------------------------------------

    private void install(Release release, String dirName) throws IOException {
        Path target = releases.resolve(dirName);
        DiskSpace.require(releases, Files.size(release.executable()), "release " + dirName);
        Files.createDirectories(target);
        Path exe = target.resolve(config.name());
        Path tmp = target.resolve("." + config.name() + ".tmp");
        Files.copy(release.executable(), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        SlipwayConfig.Probe probe = config.service().readiness();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", release.version());
        info.put("commit", release.commit());
        info.put("sha256", release.sha256());
        info.put("fingerprint", fingerprint(release));
        info.put("installed", Instant.now().toString());
        Map<String, Object> readiness = new LinkedHashMap<>();
        readiness.put("type", probe.type().key());
        if (!probe.tcp()) {
            readiness.put("path", probe.path());
        }
        readiness.put("intervalMs", probe.interval().toMillis());
        readiness.put("timeoutMs", probe.timeout().toMillis());
        readiness.put("startupGraceMs", probe.startupGrace().toMillis());
        info.put("readiness", readiness);
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("release.json").toFile(), info);
        writeEnvFile(target.resolve(ENV_FILE), serviceEnv());
    }

    /** What makes a release directory: the binary, its environment and its readiness probe. */
    private String fingerprint(Release release) {
        SlipwayConfig.Probe p = config.service().readiness();
        return sha256Hex(release.sha256() + "\n" + new java.util.TreeMap<>(serviceEnv()) + "\n" + p);
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The readiness probe a release was deployed with (release.json), else the configured one. */
    private SlipwayConfig.Probe probeOf(String dirName) {
        JsonNode r = releaseInfo(dirName).path("readiness");
        if (!r.isObject()) {
            return config.service().readiness();
        }
        // A release.json written before probes had a type is an http probe.
        boolean tcp = r.path("type").asText("http").equals(SlipwayConfig.Probe.Type.TCP.key());
        String path = tcp ? null : r.path("path").asText(config.service().readiness().tcp() ? "/health/ready"
                : config.service().readiness().path());
        return new SlipwayConfig.Probe(tcp ? SlipwayConfig.Probe.Type.TCP : SlipwayConfig.Probe.Type.HTTP, path,
                Duration.ofMillis(r.path("intervalMs").asLong(1000)), Duration.ofMillis(r.path("timeoutMs").asLong(30000)),
                Duration.ofMillis(r.path("startupGraceMs").asLong(0)));
    }

    /** Points {@code current} at {@code releases/<dir>} atomically: a new link, then rename(2). */
    private void switchTo(String dirName) {
        try {
            Path tmp = state.resolve(".current.tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of("releases", dirName));
            Files.move(tmp, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot switch " + current + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts the release {@code current} points at, with the environment recorded when it was
     * installed ({@code releases/<v>/service.env}), so that a rollback restores the old settings too.
     */
    private void startCurrent() {
        Path dir;
        try {
            dir = current.toRealPath();
        } catch (IOException e) {
            throw SlipwayException.failed("cannot resolve " + current + ": " + e.getMessage(), e);
        }
        Map<String, String> env = readEnvFile(dir.resolve(ENV_FILE));
        try {
            Files.writeString(log, "---- " + Instant.now() + " slipway starts " + state.relativize(dir) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + log + ": " + e.getMessage(), e);
        }
        lastStarted = process.start(dir.resolve(config.name()), state, env, log);
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
        try {
            if (Prepare.run(dir.resolve(config.name()), state, readEnvFile(dir.resolve(ENV_FILE)), dirName, console)) {
                prepared.add(dirName);
            }
        } catch (SlipwayException e) {
            throw SlipwayException.failed(e.getMessage() + "\nnothing was stopped or switched", e);
        }
    }

    /**
     * The environment a release runs with: {@code service.env} with its references expanded for this
     * instance ({@code ${PORT}}: {@code service.port}, {@code ${ADDR}}: {@code deploy.local.address}),
     * plus PORT, ADDR and DRAIN_TIMEOUT.
     */
    Map<String, String> serviceEnv() {
        Map<String, String> env = new java.util.TreeMap<>(References.expandEnv(config.service().env(),
                References.Values.of(config.service().port(), config.local().address(), null)));
        env.put("PORT", String.valueOf(config.service().port()));
        env.put("ADDR", config.local().address());
        env.put("DRAIN_TIMEOUT", String.valueOf(Math.max(1, config.service().drainTimeout().toSeconds())));
        return env;
    }

    /** The per-release environment file: {@code KEY=VALUE} lines, mode 0600 (see systemd.exec(5) EnvironmentFile=). */
    static final String ENV_FILE = "service.env";

    private static void writeEnvFile(Path file, Map<String, String> env) throws IOException {
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Map<String, String> readEnvFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
                }
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        return env;
    }

    private void gate(String dirName) throws GateFailed {
        SlipwayConfig.Probe probe = probeOf(dirName);
        String what = probe.target(hostForUrl(), port());
        console.progress("  waiting for readiness of " + dirName + " at " + what);
        HealthGate.Verdict v = HealthGate.await(hostForUrl(), port(), probe, this::isRunning);
        if (!v.ready()) {
            String why = v.detail().equals("the process exited")
                    ? "the process exited after " + Console.seconds(v.elapsed()) + exitCode()
                    : "readiness " + what + " did not pass within " + Console.seconds(probe.timeout()) + ": " + v.describe();
            console.progress("  not ready: " + why);
            Path dir = releases.resolve(dirName);
            throw new GateFailed(why, FirstRun.inProgress(dir.resolve(config.name()), readEnvFile(dir.resolve(ENV_FILE)))
                    .map(stage -> "\n" + FirstRun.note(dirName, stage, readinessSettings(probe)))
                    .orElse(prepared.contains(dirName) ? "" : "\n" + firstRunInGate(dirName, probe)));
        }
        console.progress("  ready after " + Console.seconds(v.elapsed()));
    }

    /**
     * Why a gate may have timed a first run: the release was not prepared (its file predates the
     * prepare mode), so its start unpacked the payload and, on JDK 17-19, dumped the class-data
     * archive before the app began; and the settings that allow for it.
     */
    static String firstRunInGate(String dirName, SlipwayConfig.Probe probe) {
        return "note: " + dirName + " was not prepared before its start (its single file predates the prepare mode),"
                + " so its first run unpacked the payload and, on JDK 17-19, dumped the class-data archive inside"
                + " the gate; allow for that with " + readinessSettings(probe) + ", or rebuild it with this Slipway";
    }

    /** The settings that give the local gate more time, with their values. */
    private static String readinessSettings(SlipwayConfig.Probe probe) {
        return "service.readiness.timeout (now " + Console.seconds(probe.timeout())
                + ") or service.readiness.startupGrace (now " + Console.seconds(probe.startupGrace()) + ")";
    }

    private String exitCode() {
        return lastStarted != null && !lastStarted.isAlive() ? " with exit code " + lastStarted.exitValue() : "";
    }

    private boolean isRunning() {
        return process.running().isPresent();
    }

    private void checkPortFree() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(config.local().address(), config.service().port()));
        } catch (BindException e) {
            throw SlipwayException.usage("port " + config.service().port() + " on " + config.local().address()
                    + " is already in use by another process; stop it or set service.port in "
                    + config.file().getFileName());
        } catch (IOException e) {
            throw SlipwayException.usage("cannot use " + config.local().address() + ":" + config.service().port()
                    + ": " + e.getMessage());
        }
    }

    /** Keeps the newest {@code retain} releases, and always the current and the previous one. */
    private void prune() {
        try (Stream<Path> s = Files.list(releases)) {
            Optional<String> cur = currentVersion();
            Optional<String> prev = cur.flatMap(this::previousVersion);
            List<Path> dirs = new ArrayList<>(s.filter(Files::isDirectory).toList());
            dirs.sort(Comparator.comparing((Path p) -> releaseInfo(p.getFileName().toString()).path("installed").asText()).reversed());
            for (int i = config.local().retain(); i < dirs.size(); i++) {
                String name = dirs.get(i).getFileName().toString();
                if (cur.map(name::equals).orElse(false) || prev.map(name::equals).orElse(false)) {
                    continue;
                }
                Builder.deleteTree(dirs.get(i));
                console.progress("  pruned release " + name);
            }
        } catch (IOException e) {
            console.progress("  warning: cannot prune old releases: " + e.getMessage());
        }
    }

    // ---- queries ----------------------------------------------------------------------------------

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

    /**
     * @return whether a release directory ever served here: a revision of it passed its gate, or
     *         the history does not name it (state from before the history)
     */
    private boolean hasServed(String dirName) {
        List<History.Entry> of = history.entries().stream().filter(e -> e.version().equals(dirName)).toList();
        return of.isEmpty() || of.stream().anyMatch(History.Entry::serving);
    }

    /** The release served before {@code version}: the newest earlier serving revision of another version. */
    private Optional<String> previousVersion(String version) {
        List<History.Entry> all = history.entries();
        for (int i = all.size() - 1; i >= 0; i--) {
            History.Entry e = all.get(i);
            if (e.serving() && !e.version().equals(version) && Files.isDirectory(releases.resolve(e.version()))) {
                return Optional.of(e.version());
            }
        }
        return Optional.empty();
    }

    private String retained() {
        try (Stream<Path> s = Files.list(releases)) {
            return String.join(", ", s.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            return "none";
        }
    }

    private JsonNode releaseInfo(String dirName) {
        try {
            return JSON.readTree(releases.resolve(dirName).resolve("release.json").toFile());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /**
     * The release directory name: the version, unless that directory holds a different release
     * (other bytes, environment or probe); then {@code version+<fingerprint prefix>}. An installed
     * release is never overwritten, so a rollback always finds what it left.
     */
    private String releaseDirName(Release release) {
        String fp = fingerprint(release);
        JsonNode info = releaseInfo(release.version());
        if (info.isEmpty() || info.path("fingerprint").asText().equals(fp)) {
            return release.version();
        }
        return release.version() + "+" + fp.substring(0, 8);
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

    /** A failed readiness gate; triggers the rollback. */
    static final class GateFailed extends Exception {
        /** Empty, or a line break and a note on why the gate may have failed (a first run inside it). */
        final String hint;

        GateFailed(String message, String hint) {
            super(message);
            this.hint = hint;
        }
    }

    /**
     * An exclusive lock on a target's state directory, held for one deploy or rollback. The lock
     * file records who holds it, so a second deploy can name the holder.
     */
    static final class DeployLock implements AutoCloseable {
        private final RandomAccessFile file;
        private final FileLock lock;

        private DeployLock(RandomAccessFile file, FileLock lock) {
            this.file = file;
            this.lock = lock;
        }

        static DeployLock acquire(Path state, String what) {
            try {
                Files.createDirectories(state.resolve("releases"));
                Path path = state.resolve("deploy.lock");
                RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw");
                FileChannel ch = raf.getChannel();
                FileLock l = ch.tryLock();
                if (l == null) {
                    String holder = Files.readString(path, StandardCharsets.UTF_8).trim();
                    raf.close();
                    throw SlipwayException.failed("another slipway holds the deploy lock of " + state + ": " + holder);
                }
                raf.setLength(0);
                raf.write(("pid " + ProcessHandle.current().pid() + ", user " + System.getProperty("user.name")
                        + ", since " + Instant.now() + ", " + what + "\n").getBytes(StandardCharsets.UTF_8));
                return new DeployLock(raf, l);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot lock " + state + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                file.setLength(0);
                lock.release();
                file.close();
            } catch (IOException ignored) {
                // Closing the file releases the lock anyway.
            }
        }
    }
}

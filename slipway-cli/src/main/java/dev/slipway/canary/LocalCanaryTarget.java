package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Gate;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.ServiceProcess;
import dev.slipway.remote.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canary target on this machine: each instance is a process of the release's single file on
 * its own loopback address ({@code canary.local.stable} and {@code canary.local.canary}, all on
 * {@code service.port}), behind an nginx whose upstream file ({@code canary.nginx.config}) Slipway
 * renders. The proxy is reached through a {@link Host}, so the same {@link NginxUpstream} code
 * serves the hosts target's proxy over SSH.
 *
 * <p>State lives under {@code .slipway/local/canary/}: {@code releases/<version>/<name>} (copies of
 * the single files), {@code instances/<address>/} (pid, log, version, data directory), and
 * {@code stable.version}. Instances run in their own session, so they outlive a crashed Slipway.
 */
public final class LocalCanaryTarget extends NginxCanaryTarget {
    private final CanaryConfig canary;

    /**
     * @param config  the service configuration; {@code canary.local} and {@code canary.nginx.config} must be set
     * @param console progress output
     * @param proxy   the host nginx runs on
     * @throws SlipwayException (exit 2) when instances or the nginx file are not configured
     */
    public LocalCanaryTarget(SlipwayConfig config, Console console, Host proxy) {
        super(withInstances(config), console, proxy, dir(config.serviceDir()), "");
        this.canary = config.canary();
    }

    /** @return {@code config}, once it names the instances; else exit 2 */
    private static SlipwayConfig withInstances(SlipwayConfig config) {
        if (config.canary().local().stable().isEmpty() || config.canary().local().canary().isEmpty()) {
            throw SlipwayException.usage(config.file() + ": the local canary target needs canary.local.stable and"
                    + " canary.local.canary (instance addresses, e.g. [127.0.4.1])");
        }
        return config;
    }

    /**
     * @param serviceDir the service directory
     * @return where the local canary keeps its releases and instances, {@code .slipway/local/canary}
     */
    static Path dir(Path serviceDir) {
        return serviceDir.resolve(".slipway/local/canary");
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String stableVersion() {
        Path f = dir.resolve("stable.version");
        try {
            return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private List<String> servers(List<String> addresses) {
        return addresses.stream().map(a -> hostPort(a)).toList();
    }

    private String hostPort(String address) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + portOf(address);
    }

    /** @return the current canary weight, as last applied (0 when none) */
    public int weight() {
        Path f = dir.resolve("weight");
        try {
            return Files.isRegularFile(f) ? Integer.parseInt(Files.readString(f).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void applyWeight(int percent, Set<String> drained) {
        nginx.apply(nginx.render(servers(canary.local().stable()), servers(canary.local().canary()), percent, drained));
        write(dir.resolve("weight"), String.valueOf(percent));
        settle();
    }

    @Override
    public void deployStable(Release release) {
        Release kept = keep(release);
        startAll(canary.local().stable(), kept, "stable");
        write(dir.resolve("stable.version"), release.version());
        applyWeight(0, Set.of());
    }

    @Override
    public void deployCanary(Release release) {
        Release kept = keep(release);
        applyWeight(0, Set.of());
        startAll(canary.local().canary(), kept, "canary");
    }

    @Override
    public void setWeight(int percent) {
        applyWeight(percent, Set.of());
    }

    @Override
    public void promote(Release release) {
        Release kept = keep(release);
        // The canary takes the traffic while each stable instance is restarted with the new release.
        // One nginx reload per instance: the reload that drains an instance puts the previous one
        // back (each reload can reset idle keep-alive connections, so there are as few as possible).
        List<String> done = new ArrayList<>();
        for (String a : canary.local().stable()) {
            checkpoint(); // another process may have aborted the canary: stop promoting
            applyWeight(weight(), Set.of(hostPort(a)));
            try {
                start(a, kept, "stable");
            } catch (SlipwayException e) {
                restoreStable(done, a);
                throw e;
            }
            done.add(a);
        }
        write(dir.resolve("stable.version"), release.version());
        applyWeight(0, Set.of());
        for (String a : canary.local().canary()) {
            stop(a);
        }
    }

    /** Puts the previous stable release back on the instances a failed promotion changed. */
    private void restoreStable(List<String> done, String failed) {
        String old = stableVersion();
        Path exe = old == null ? null : dir.resolve("releases").resolve(old).resolve(config.name());
        if (exe == null || !Files.isRegularFile(exe)) {
            return;
        }
        Release previous = new Release(config.name(), old, "", exe, "");
        List<String> all = new ArrayList<>(done);
        all.add(failed);
        for (String a : all) {
            console.progress("restoring " + old + " on " + hostPort(a));
            start(a, previous, "stable");
        }
        applyWeight(weight(), Set.of());
    }

    /**
     * Aborts and converges, whatever step a crash interrupted: every stable instance ends on
     * {@code stableVersion}, running and ready (probed), and in the upstream; then the canary gets
     * weight 0 and its instances stop. When every stable instance is fine that is weight 0 at once;
     * otherwise the broken ones (stopped, or given the canary's release by an interrupted
     * promotion) are drained, restarted with {@code stableVersion} and gated first, while the
     * healthy ones (or, if none is, the canary) keep serving.
     *
     * @throws SlipwayException (exit 1) when a stable instance does not become ready again; it
     *                          stays out of the upstream, the canary keeps its instances
     */
    @Override
    public void abort(String stableVersion) {
        String stable = stableVersion != null ? stableVersion : stableVersion();
        List<String> broken = stable == null ? List.of() : brokenStable(stable);
        if (!broken.isEmpty()) {
            Path exe = dir.resolve("releases").resolve(stable).resolve(config.name());
            if (!Files.isRegularFile(exe)) {
                throw SlipwayException.failed("cannot put " + String.join(", ", broken) + " back on " + stable + ": "
                        + exe + " is gone");
            }
            Set<String> drained = new HashSet<>();
            broken.forEach(a -> drained.add(hostPort(a)));
            boolean healthyStable = broken.size() < canary.local().stable().size();
            boolean canaryUp = canary.local().canary().stream()
                    .anyMatch(a -> new ServiceProcess(instanceDir(a).resolve("pid")).running().isPresent());
            applyWeight(healthyStable || !canaryUp ? 0 : 100, drained);
            console.progress("stable instance" + (broken.size() == 1 ? " " : "s ") + String.join(", ", broken)
                    + " not running " + stable + " and ready (an interrupted promotion?): restarting with " + stable);
            startAll(broken, new Release(config.name(), stable, "", exe, ""), "stable");
        }
        if (stable != null) {
            write(dir.resolve("stable.version"), stable);
        }
        applyWeight(0, Set.of());
        for (String a : canary.local().canary()) {
            stop(a);
        }
    }

    @Override
    public List<String> problems(String stableVersion) {
        List<String> out = new ArrayList<>();
        if (stableVersion != null) {
            for (String a : brokenStable(stableVersion)) {
                Path d = instanceDir(a);
                out.add("stable instance " + hostPort(a) + " is " + (new ServiceProcess(d.resolve("pid")).running().isEmpty()
                        ? "not running" : "on " + read(d.resolve("version")) + " or not ready") + ", not running "
                        + stableVersion);
            }
        }
        for (String a : canary.local().canary()) {
            if (new ServiceProcess(instanceDir(a).resolve("pid")).running().isPresent()) {
                out.add("canary instance " + hostPort(a) + " still runs");
            }
        }
        NginxUpstream.Split split = NginxUpstream.Split.parse(nginx.current());
        if (split == null || split.canaryPercent() > 0 || !split.down().isEmpty()) {
            out.add("the nginx upstream " + nginx.path() + " does not send all traffic to every stable instance ("
                    + (split == null ? "unreadable" : split) + ")");
        }
        return out;
    }

    /** @return the stable addresses not running {@code version} and ready */
    private List<String> brokenStable(String version) {
        List<String> out = new ArrayList<>();
        for (String a : canary.local().stable()) {
            Path d = instanceDir(a);
            boolean ok = new ServiceProcess(d.resolve("pid")).running().isPresent()
                    && version.equals(read(d.resolve("version")))
                    && Gate.probeOnce(a, portOf(a), config.service().readiness(),
                    Duration.ofSeconds(5)).ready();
            if (!ok) {
                out.add(a);
            }
        }
        return out;
    }

    @Override
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (String track : List.of("stable", "canary")) {
            for (String a : track.equals("stable") ? canary.local().stable() : canary.local().canary()) {
                Path d = instanceDir(a);
                var running = new ServiceProcess(d.resolve("pid")).running();
                String version = read(d.resolve("version"));
                out.add(String.format("%-22s %-7s %-22s %s", hostPort(a), track, version == null ? "-" : version,
                        running.map(h -> "running (pid " + h.pid() + ")").orElse("stopped")));
            }
        }
        NginxUpstream.Split split = NginxUpstream.Split.parse(nginx.current());
        out.add("nginx upstream " + canary.nginx().upstream() + ": " + (split == null ? "not rendered yet" : split));
        return out;
    }

    /**
     * {@inheritDoc} On local: while the canary's instances run they are what serves, and the report
     * lists them ({@link #status(dev.slipway.deploy.Report)}); otherwise each instance's line
     * ({@link #describe}) follows the state lines.
     */
    @Override
    public dev.slipway.deploy.Report status(dev.slipway.deploy.Report plain, List<String> stateLines) {
        dev.slipway.deploy.Report report = status(plain);
        List<String> more = new ArrayList<>(stateLines);
        if (report == plain) {
            describe().forEach(l -> more.add("  " + l));
        }
        return report.withLines(more);
    }

    /**
     * {@code slipway status} on the local target while the canary's instances run: they serve,
     * through nginx, whatever {@code slipway deploy}'s own process does, so they are the top of the
     * status rather than a footnote under "nothing deployed".
     *
     * <p>What serves: {@code plain}'s process when it runs, and every instance the upstream file (as
     * nginx has it now) sends traffic to — the stable ones not marked {@code down}, the canary ones
     * when the canary's weight is above 0. Each running instance's readiness is probed once (2 s).
     *
     * @param plain the local target's own status (the process {@code slipway deploy} starts)
     * @return {@code plain} itself when no instance of the canary runs; otherwise a report listing
     *         every instance (address, track, version, process, traffic, readiness) and the split
     *         nginx has, after {@code plain}'s lines when that process runs too. Exit 0 when
     *         something serves and all that serves is running and ready, else 1 (outcome
     *         {@code ready}, {@code not ready}, or {@code not running} when nothing serves).
     */
    public dev.slipway.deploy.Report status(dev.slipway.deploy.Report plain) {
        record Row(String address, String track, String version, java.util.Optional<ProcessHandle> process) {}
        List<Row> rows = new ArrayList<>();
        for (String track : List.of("stable", "canary")) {
            for (String a : track.equals("stable") ? canary.local().stable() : canary.local().canary()) {
                Path d = instanceDir(a);
                rows.add(new Row(a, track, read(d.resolve("version")), new ServiceProcess(d.resolve("pid")).running()));
            }
        }
        if (rows.stream().noneMatch(r -> r.process().isPresent())) {
            return plain;
        }
        NginxUpstream.Split split = NginxUpstream.Split.parse(nginx.current());
        boolean plainRuns = !plain.outcome().equals("not running");
        List<String> lines = new ArrayList<>();
        if (plainRuns) {
            lines.addAll(plain.lines());
            lines.add("  and the canary's instances, behind nginx (" + nginx.path() + "):");
        } else {
            lines.add(config.name() + " on local: the canary's instances serve, behind nginx (" + nginx.path() + ")");
        }
        lines.add(String.format("  %-22s %-7s %-12s %-20s %-8s %s", "instance", "track", "version", "process",
                "traffic", "readiness"));
        List<String> wrong = new ArrayList<>();
        int serving = plainRuns ? 1 : 0;
        if (plainRuns && !plain.outcome().equals("ready")) {
            wrong.add(plain.message());
        }
        for (Row r : rows) {
            String at = hostPort(r.address());
            boolean inPool = split != null && (r.track().equals("stable")
                    ? split.canaryPercent() < 100 && !split.down().contains(at) : split.canaryPercent() > 0);
            Gate.Verdict ready = r.process().isEmpty() ? null : Gate.probeOnce(r.address(),
                    portOf(r.address()), config.service().readiness(), Duration.ofSeconds(2));
            lines.add(String.format("  %-22s %-7s %-12s %-20s %-8s %s", at, r.track(),
                    r.version() == null ? "-" : r.version(),
                    r.process().map(h -> "running (pid " + h.pid() + ")").orElse("stopped"),
                    inPool ? "in pool" : "drained",
                    ready == null ? "-" : (ready.ready() ? "ready (" : "not ready (") + ready.brief() + ")"));
            if (inPool) {
                serving++;
                if (ready == null || !ready.ready()) {
                    wrong.add(r.track() + " instance " + at + " is in the pool but "
                            + (ready == null ? "not running" : "not ready"));
                }
            }
        }
        lines.add("  nginx upstream " + canary.nginx().upstream() + ": " + (split == null ? "not rendered yet" : split));
        if (serving == 0) {
            wrong.add("no instance is in the nginx upstream " + nginx.path());
        }
        boolean ok = wrong.isEmpty();
        String stable = stableVersion();
        String outcome = serving == 0 ? "not running" : ok ? "ready" : "not ready";
        return new dev.slipway.deploy.Report("local", "status", config.name(), plainRuns ? plain.version() : stable,
                plainRuns ? plain.revision() : 0, outcome, ok ? 0 : 1, plainRuns ? plain.url() : null, List.of(),
                Map.of(), lines, ok ? config.name() + " serves on local: stable " + (stable == null ? "-" : stable)
                + " through nginx, " + (split == null ? "" : split) : config.name() + " does not serve on local as it should: "
                + String.join("; ", wrong));
    }

    /** Stops every instance of both tracks (used by tests and by a full teardown). */
    public void stopAll() {
        for (String a : canary.local().canary()) {
            stop(a);
        }
        for (String a : canary.local().stable()) {
            stop(a);
        }
    }

    // ---- instances ----------------------------------------------------------------------------

    /**
     * @param address an instance address
     * @return the port the instance was started on ({@code instances/<address>/port}), or
     *         {@code service.port} when none was recorded (an instance of an older Slipway, or none yet)
     */
    private int portOf(String address) {
        return portOf(instanceDir(address), config.service().port());
    }

    /** {@link #portOf(String)} of the instance directory {@code d}, with {@code fallback} when none was recorded. */
    private static int portOf(Path d, int fallback) {
        String recorded = read(d.resolve("port"));
        try {
            return recorded == null ? fallback : Integer.parseInt(recorded.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private Path instanceDir(String address) {
        return dir.resolve("instances").resolve(address.replace(':', '_'));
    }

    private Release keep(Release release) {
        Path target = dir.resolve("releases").resolve(release.version()).resolve(config.name());
        try {
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(target.getParent());
                Path tmp = target.resolveSibling(config.name() + ".tmp");
                Files.copy(release.executable(), tmp, StandardCopyOption.REPLACE_EXISTING);
                tmp.toFile().setExecutable(true);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot keep release " + release.version() + " in " + target + ": "
                    + e.getMessage(), e);
        }
        return new Release(release.name(), release.version(), release.commit(), target, release.sha256());
    }

    private void start(String address, Release release, String track) {
        startAll(List.of(address), release, track);
    }

    /**
     * Starts the instances side by side, then waits for each one's readiness.
     *
     * @throws SlipwayException (exit 1) naming the first instance that did not become ready; all
     *                          instances of this call are stopped then
     */
    private void startAll(List<String> addresses, Release release, String track) {
        // The release's first run (unpack, JDK 17-19 class-data archive) before any instance stops,
        // so each readiness wait below times a warm start.
        try (dev.slipway.remote.LocalHost here = new dev.slipway.remote.LocalHost("local")) {
            dev.slipway.deploy.Prepare.on(here, dev.slipway.deploy.Prepare.localCommand(release.executable().toString(),
                    dir.toString(), config.service().env()), dev.slipway.deploy.Prepare.TIMEOUT, release.version(), "",
                    "no instance was stopped", console);
        }
        List<Process> procs = new ArrayList<>();
        for (String address : addresses) {
            Path d = instanceDir(address);
            stop(address);
            try {
                Files.createDirectories(d.resolve("data"));
            } catch (IOException e) {
                throw SlipwayException.failed("cannot create " + d + ": " + e.getMessage(), e);
            }
            Map<String, String> env = new LinkedHashMap<>(dev.slipway.config.References.expandEnv(config.service().env(),
                    dev.slipway.config.References.Values.of(config.service().port(), address, null)));
            env.put("PORT", String.valueOf(config.service().port()));
            env.put("ADDR", address);
            env.put("DRAIN_TIMEOUT", String.valueOf(Math.max(1, config.service().drainTimeout().toSeconds())));
            env.put("TRACK", track);
            env.put("DATA_DIR", d.resolve("data").toString());
            // The port it listens on, for nginx, probes and status after service.port changes: the
            // stable instances of the last release keep theirs until they run the next one.
            write(d.resolve("port"), String.valueOf(config.service().port()));
            console.progress("starting " + release.version() + " on " + hostPort(address) + " (TRACK=" + track + ")");
            // Recorded before the start: a crash after it must not leave the old version on record
            // for a process that runs the new one (an abort trusts this record, with a readiness probe).
            write(d.resolve("version"), release.version());
            write(d.resolve("track"), track);
            procs.add(new ServiceProcess(d.resolve("pid")).start(release.executable(), d, env, d.resolve("log")));
        }
        for (int i = 0; i < addresses.size(); i++) {
            String address = addresses.get(i);
            Path d = instanceDir(address);
            Process proc = procs.get(i);
            Gate.Verdict v = Gate.here(address, config.service().port(), proc::isAlive, proc::pid)
                    .await(config.service().readiness());
            if (!v.ready()) {
                addresses.forEach(this::stop);
                throw SlipwayException.failed(release.version() + " on " + hostPort(address) + " did not become ready: "
                        + v.describe() + " (log: " + d.resolve("log") + ")");
            }
            write(d.resolve("version"), release.version());
        }
    }

    private void stop(String address) {
        Path d = instanceDir(address);
        new ServiceProcess(d.resolve("pid")).stop(config.service().drainTimeout());
    }
}

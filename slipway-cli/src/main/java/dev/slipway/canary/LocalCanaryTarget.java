package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.HealthGate;
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
public final class LocalCanaryTarget implements CanaryTarget {
    private final SlipwayConfig config;
    private final CanaryConfig canary;
    private final Console console;
    private final NginxUpstream nginx;
    private final Path dir;
    private Runnable checkpoint = () -> { };

    /**
     * @param config  the service configuration; {@code canary.local} and {@code canary.nginx.config} must be set
     * @param console progress output
     * @param proxy   the host nginx runs on
     * @throws SlipwayException (exit 2) when instances or the nginx file are not configured
     */
    public LocalCanaryTarget(SlipwayConfig config, Console console, Host proxy) {
        this.config = config;
        this.canary = config.canary();
        this.console = console;
        if (canary.local().stable().isEmpty() || canary.local().canary().isEmpty()) {
            throw SlipwayException.usage(config.file() + ": the local canary target needs canary.local.stable and"
                    + " canary.local.canary (instance addresses, e.g. [127.0.4.1])");
        }
        if (canary.nginx().config() == null) {
            throw SlipwayException.usage(config.file() + ": the canary needs canary.nginx.config, the upstream file"
                    + " the site's nginx configuration includes");
        }
        this.nginx = new NginxUpstream(proxy, canary.nginx().config(), canary.nginx().upstream(), canary.nginx().test(),
                canary.nginx().reload());
        this.dir = config.serviceDir().resolve(".slipway/local/canary");
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public void checkpoints(Runnable check) {
        this.checkpoint = check;
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
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + config.service().port();
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
        // nginx -s reload only signals the master; give the new workers a moment to take over.
        sleepMs(300);
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
        Set<String> drained = new HashSet<>();
        List<String> done = new ArrayList<>();
        for (String a : canary.local().stable()) {
            checkpoint.run(); // another process may have aborted the canary: stop promoting
            drained.add(hostPort(a));
            applyWeight(weight(), drained);
            try {
                start(a, kept, "stable");
            } catch (SlipwayException e) {
                restoreStable(done, a);
                throw e;
            }
            done.add(a);
            drained.remove(hostPort(a));
            applyWeight(weight(), drained);
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
                    && HealthGate.probeOnce(a, config.service().port(), config.service().readiness(),
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
        dev.slipway.deploy.Prepare.run(release.executable(), dir, config.service().env(), release.version(), console);
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
            console.progress("starting " + release.version() + " on " + hostPort(address) + " (TRACK=" + track + ")");
            // Recorded before the start: a crash after it must not leave the old version on record
            // for a process that runs the new one (an abort trusts this record, with a readiness probe).
            write(d.resolve("version"), release.version());
            procs.add(new ServiceProcess(d.resolve("pid")).start(release.executable(), d, env, d.resolve("log")));
        }
        for (int i = 0; i < addresses.size(); i++) {
            String address = addresses.get(i);
            Path d = instanceDir(address);
            HealthGate.Verdict v = HealthGate.await(address, config.service().port(), config.service().readiness(),
                    procs.get(i)::isAlive);
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

    /** Writes {@code text} and a newline to {@code f} atomically (a temporary file, then a rename). */
    static void write(Path f, String text) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    /** @return the stripped content of {@code f}, or {@code null} when it is missing or unreadable */
    static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

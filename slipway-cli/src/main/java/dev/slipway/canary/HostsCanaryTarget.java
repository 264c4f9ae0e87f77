package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.hosts.HostFacts;
import dev.slipway.deploy.hosts.HostsTarget;
import dev.slipway.remote.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canary target on Linux hosts: the servers named in {@code canary.hosts.canary} run the canary
 * with {@code TRACK=canary}, the other servers of {@code deploy.hosts} stay stable with
 * {@code TRACK=stable}, and nginx on the proxy host ({@code canary.hosts.proxy}, or this machine)
 * splits the traffic by upstream weights that {@link NginxUpstream} renders and reloads.
 *
 * <p>Every change of a host goes through {@link HostsTarget} (the same lock, upload, env file,
 * unit, switch, restart and readiness gate as {@code slipway deploy --to hosts}), narrowed to the
 * servers concerned, so each host's {@code history.tsv} records the canary's events:
 * {@code canary} when the canary starts on a host, {@code promoted} when a promotion gives a host
 * the new release, {@code canary-aborted} when an aborted canary host goes back to the stable
 * release.
 *
 * <p>Outside a canary every server is in the pool as stable (the upstream lists all of them with
 * equal weight). Local state lives under {@code .slipway/hosts/canary/}: {@code weight} (the last
 * applied canary weight, or {@code pool}) and {@code stable.version} (the release the canary is
 * compared with, for an abort after a crash).
 */
public final class HostsCanaryTarget extends NginxCanaryTarget {
    /** How long a canary step waits for a host's deploy lock held by someone else. */
    static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    private static final String POOL = "pool";

    private final HostsTarget hosts;
    private final List<String> canaryNames;
    private final List<String> stableNames;

    /**
     * @param config  the service configuration; {@code deploy.hosts}, {@code canary.hosts} and
     *                {@code canary.nginx.config} must be set
     * @param console progress output
     * @param hosts   the hosts target of {@code config} (SSH in production)
     * @param proxy   the host nginx runs on (this machine, or the SSH host of {@code canary.hosts.proxy})
     * @throws SlipwayException (exit 2) when {@code canary.hosts} or the nginx file is not configured
     */
    public HostsCanaryTarget(SlipwayConfig config, Console console, HostsTarget hosts, Host proxy) {
        super(withServers(config), console, proxy, config.serviceDir().resolve(".slipway/hosts/canary"), " on the proxy host");
        this.hosts = hosts;
        this.canaryNames = config.canary().hosts().canary();
        this.stableNames = config.hosts().servers().stream().map(HostsConfig.Server::name)
                .filter(n -> !canaryNames.contains(n)).toList();
    }

    /** @return {@code config}, once it has deploy.hosts and canary.hosts; else exit 2 */
    private static SlipwayConfig withServers(SlipwayConfig config) {
        if (config.hosts() == null || config.canary().hosts() == null) {
            throw SlipwayException.usage(config.file() + ": the hosts canary target needs deploy.hosts and canary.hosts.canary"
                    + " (the names of the servers that run the canary); see docs/canary.md");
        }
        return config;
    }

    @Override
    public String name() {
        return "hosts";
    }

    /** @throws SlipwayException (exit 2) when the last build is not {@code version}: the hosts get the last build */
    @Override
    public void checkResumable(String version) {
        hosts.requireBuilt(version);
    }

    /**
     * @return the release the stable servers run, or {@code null} when none has one
     * @throws SlipwayException (exit 2) when they run different releases: a canary needs one
     *                          stable release to compare with
     */
    @Override
    public String stableVersion() {
        Map<String, HostFacts> facts = stable(stableNames, null, "").facts();
        Map<String, String> current = new java.util.LinkedHashMap<>();
        stableNames.forEach(n -> current.put(n, facts.get(n).current() == null ? "none" : facts.get(n).current()));
        if (current.values().stream().distinct().count() > 1) {
            throw SlipwayException.usage("the stable servers run different releases (" + current.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", "))
                    + "); a canary needs one stable release to compare with: 'slipway deploy --to hosts' or 'slipway rollback"
                    + " --to hosts' first");
        }
        return current.values().stream().filter(v -> !v.equals("none")).findFirst().orElse(null);
    }

    @Override
    public void deployStable(Release release) {
        hosts.deploy(release.version(), LOCK_WAIT, false);
        applyPool(Set.of());
    }

    @Override
    public void deployCanary(Release release) {
        String stable = stableVersion();
        if (stable != null) {
            write("stable.version", stable);
        }
        applySplit(0, Set.of());
        console.progress("starting the canary " + release.version() + " on " + String.join(", ", canaryNames)
                + " (TRACK=canary), weight 0");
        hosts.narrowed(canaryNames, "canary", History.CANARY, "canary of stable " + stable)
                .deploy(release.version(), LOCK_WAIT, false);
    }

    @Override
    public void setWeight(int percent) {
        applySplit(percent, Set.of());
    }

    /**
     * Promotes: each stable server in turn is marked {@code down} in the upstream, deployed with the
     * new release ({@code TRACK=stable}; the usual gate) and put back; then the canary servers
     * return to the pool as stable ({@code TRACK=stable}, same release).
     *
     * @throws SlipwayException (exit 1) when a stable server does not become ready; that server went
     *                          back by itself, the ones promoted before it are rolled back to the stable release
     */
    @Override
    public void promote(Release release) {
        String old = read("stable.version");
        int weight = weightOr(100);
        List<String> done = new ArrayList<>();
        for (String name : stableNames) {
            checkpoint(); // another process may have aborted the canary: stop promoting
            Set<String> drained = Set.of(upstream(name));
            applySplit(weight, drained);
            try {
                stable(List.of(name), History.PROMOTED, "canary " + release.version() + " promoted")
                        .deploy(release.version(), LOCK_WAIT, false);
            } catch (SlipwayException e) {
                if (!done.isEmpty() && old != null) {
                    console.progress("promotion failed on " + name + "; " + String.join(", ", done) + " go back to " + old);
                    hosts.narrowed(done, HostsTarget.STABLE, History.ROLLBACK, "promotion of " + release.version()
                            + " failed on " + name).rollback(old, LOCK_WAIT, false);
                }
                applySplit(weight, Set.of());
                throw e;
            }
            done.add(name);
        }
        checkpoint();
        // Every stable server runs the new release; the canary servers rejoin the pool as stable.
        Set<String> canaries = new HashSet<>();
        canaryNames.forEach(n -> canaries.add(upstream(n)));
        applyPool(canaries);
        hosts.narrowed(canaryNames, HostsTarget.STABLE, History.PROMOTED, "canary " + release.version()
                + " promoted; back in the pool").deploy(release.version(), LOCK_WAIT, false);
        applyPool(Set.of());
    }

    /**
     * Aborts: weight 0 at once (the canary servers {@code down}), then each canary server goes back
     * to the stable release with {@code TRACK=stable} (a rollback with its gate; a server that never
     * had it is stopped), and the servers that are ready rejoin the pool. Stable servers are not
     * touched, except those an interrupted promotion had already given the canary's release: they
     * are rolled back too. Idempotent: a second abort only re-checks and re-renders the pool.
     */
    @Override
    public void abort(String stableVersion) {
        applySplit(0, Set.of());
        String stable = stableVersion != null ? stableVersion : read("stable.version");
        if (stable == null) {
            stable = stableVersion();
        }
        Map<String, HostFacts> facts = hosts.facts();
        List<String> back = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        List<String> promotedTooEarly = new ArrayList<>();
        for (var e : facts.entrySet()) {
            HostFacts f = e.getValue();
            if (stable != null && stable.equals(f.current())) {
                continue;
            }
            if (!canaryNames.contains(e.getKey())) {
                if (stable != null && f.releases().contains(stable)) {
                    promotedTooEarly.add(e.getKey());
                }
                continue;
            }
            (stable != null && f.releases().contains(stable) ? back : stop).add(e.getKey());
        }
        if (!promotedTooEarly.isEmpty()) {
            console.progress("an interrupted promotion left " + String.join(", ", promotedTooEarly) + " on another release;"
                    + " rolling back to the stable release " + stable);
            hosts.narrowed(promotedTooEarly, HostsTarget.STABLE, History.CANARY_ABORTED, "canary aborted during its"
                    + " promotion; back to stable " + stable).rollback(stable, LOCK_WAIT, false, true);
        }
        if (!back.isEmpty()) {
            console.progress("rolling " + String.join(", ", back) + " back to the stable release " + stable);
            hosts.narrowed(back, HostsTarget.STABLE, History.CANARY_ABORTED, "canary aborted; back to stable " + stable)
                    .rollback(stable, LOCK_WAIT, false, true);
        }
        if (!stop.isEmpty()) {
            hosts.narrowed(stop, HostsTarget.STABLE, History.CANARY_ABORTED, "canary aborted; no stable release here")
                    .stopService();
        }
        // Only servers that answer their readiness probe rejoin the pool; the others stay down.
        Set<String> out = new HashSet<>();
        for (var s : hosts.status()) {
            if (s.error() != null || s.readiness() == null || !s.readiness().ready()) {
                out.add(upstream(s.host()));
                console.progress(s.host() + " is not ready" + (s.error() != null ? " (" + s.error() + ")" : "")
                        + "; it stays out of the upstream ('slipway abort --to hosts' again puts it back once it is ready)");
            }
        }
        applyPool(out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the hosts: each server's release, unit and readiness ({@link HostsTarget#status}, one
     * probe each) and the upstream file on the proxy host, judged by {@link #problems(String, List,
     * List, java.util.function.Function, List, String, String)}.
     */
    @Override
    public List<String> problems(String stableVersion) {
        String stable = stableVersion != null ? stableVersion : read("stable.version");
        return problems(stable, stableNames, canaryNames, this::upstream, hosts.status(), nginx.current(), nginx.path());
    }

    /**
     * What an abort left behind on the hosts, from what they report (no connection of its own). The
     * hosts converged when every stable server runs {@code stable} with its unit active, is ready
     * and gets traffic; every server that gets traffic runs {@code stable} and is ready; no canary
     * server still runs another release (it was rolled back, or stopped when it never had the
     * stable release); and the upstream sends nothing to servers rendered as canary.
     *
     * @param stable      the stable release, or {@code null} when none is recorded (then only the
     *                    upstream is judged)
     * @param stableNames the stable servers' names
     * @param canaryNames the canary servers' names
     * @param upstream    a server's name to its {@code host:port} in the upstream file
     * @param status      each server's release, unit state and readiness ({@link HostsTarget#status})
     * @param upstreamText the upstream file on the proxy host, or {@code null} when it cannot be read
     * @param upstreamPath the file's path, for the messages
     * @return one line per problem, naming the server; empty when converged
     */
    static List<String> problems(String stable, List<String> stableNames, List<String> canaryNames,
                                 java.util.function.Function<String, String> upstream, List<HostsTarget.HostStatus> status,
                                 String upstreamText, String upstreamPath) {
        List<String> out = new ArrayList<>();
        NginxUpstream.Split split = NginxUpstream.Split.parse(upstreamText);
        List<String> serving = NginxUpstream.Split.serving(upstreamText);
        if (split == null) {
            out.add("the nginx upstream " + upstreamPath + " is unreadable or has no server Slipway rendered");
        } else if (split.canaryPercent() > 0) {
            out.add("the nginx upstream " + upstreamPath + " still sends traffic to the canary (" + split + ")");
        }
        if (stable == null) {
            return out;
        }
        for (HostsTarget.HostStatus s : status) {
            boolean isStable = stableNames.contains(s.host());
            boolean inTraffic = serving.contains(upstream.apply(s.host()));
            String what = (isStable ? "stable" : "canary") + " server " + s.host();
            if (s.error() != null) {
                out.add(what + " cannot be checked: " + s.error());
                continue;
            }
            boolean ready = s.readiness() != null && s.readiness().ready();
            boolean onStable = stable.equals(s.version());
            if (isStable || inTraffic) {
                List<String> wrong = new ArrayList<>();
                if (!onStable) {
                    wrong.add("runs " + (s.version() == null ? "no release" : s.version()) + ", not " + stable);
                }
                if (!"active".equals(s.unitState())) {
                    wrong.add("its unit is " + (s.unitState().isEmpty() ? "in an unknown state" : s.unitState()));
                }
                if (!ready) {
                    wrong.add("is not ready" + (s.readiness() == null ? "" : " (" + s.readiness().describe() + ")"));
                }
                if (isStable && split != null && !inTraffic) {
                    wrong.add("gets no traffic (down in the upstream)");
                }
                if (!wrong.isEmpty()) {
                    out.add(what + (inTraffic && !isStable ? " (in the upstream)" : "") + ": " + String.join(", ", wrong));
                }
            } else if (!onStable && "active".equals(s.unitState())) {
                out.add(what + " still runs " + (s.version() == null ? "another release" : s.version()) + ", not "
                        + stable);
            }
        }
        return out;
    }

    @Override
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        String w = read("weight");
        boolean pooled = w == null || w.equals(POOL);
        for (var s : hosts.status()) {
            String track = !pooled && canaryNames.contains(s.host()) ? "canary" : "stable";
            out.add(String.format("%-16s %-7s %-22s %s", s.host(), track, s.version() == null ? "-" : s.version(),
                    s.error() != null ? "unreachable: " + s.error() : s.unitState()));
        }
        out.add(upstreamLine(config));
        return out;
    }

    /**
     * {@inheritDoc} On hosts: the traffic split as last applied ({@link #upstreamLine}) follows the
     * state lines; read from this machine, so status connects to no proxy.
     */
    @Override
    public dev.slipway.deploy.Report status(dev.slipway.deploy.Report plain, List<String> stateLines) {
        List<String> more = new ArrayList<>(stateLines);
        more.add("  " + upstreamLine(config));
        return plain.withLines(more);
    }

    /**
     * @param config the service configuration, with {@code canary.hosts}
     * @return one line on the traffic split as last applied (read on this machine, no connection):
     *         the canary weight, or every server in the pool
     */
    public static String upstreamLine(SlipwayConfig config) {
        String w = read(config.serviceDir().resolve(".slipway/hosts/canary/weight"));
        CanaryConfig.Hosts h = config.canary().hosts();
        return "nginx upstream " + config.canary().nginx().upstream() + " on "
                + (h == null || h.proxy() == null ? "this machine" : h.proxy().address()) + ": "
                + (w == null || w.equals(POOL) ? "every server in the pool (no canary)"
                : "canary weight " + w + " % (canary: " + (h == null ? "-" : String.join(", ", h.canary())) + ")");
    }

    // ---- internals ------------------------------------------------------------------------------

    private HostsTarget stable(List<String> names, String outcome, String note) {
        return hosts.narrowed(names, HostsTarget.STABLE, outcome, note);
    }

    private String upstream(String name) {
        HostsConfig.Server s = config.hosts().servers().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        String a = s.upstreamAddress();
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + config.service().port();
    }

    private int weightOr(int fallback) {
        String w = read("weight");
        try {
            return w == null || w.equals(POOL) ? fallback : Integer.parseInt(w);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void applySplit(int percent, Set<String> drained) {
        nginx.apply(nginx.render(stableNames.stream().map(this::upstream).toList(),
                canaryNames.stream().map(this::upstream).toList(), percent, drained));
        write("weight", String.valueOf(percent));
        settle();
    }

    private void applyPool(Set<String> drained) {
        List<String> all = config.hosts().servers().stream().map(s -> upstream(s.name())).toList();
        nginx.apply(nginx.render(all, List.of(), 0, drained));
        write("weight", POOL);
        settle();
    }

    private void write(String name, String text) {
        write(dir.resolve(name), text);
    }

    private String read(String name) {
        return read(dir.resolve(name));
    }
}

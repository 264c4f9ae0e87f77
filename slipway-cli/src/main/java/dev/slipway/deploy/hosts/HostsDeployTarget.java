package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code hosts} target behind the {@link Target} interface: plans with {@link HostsTarget}
 * ({@link HostsPlan}, carried as the plan's {@code detail}) and runs them with {@link HostsExecutor}.
 */
public final class HostsDeployTarget implements Target {
    private final HostsTarget hosts;
    private final String service;
    private final Console console;
    private final CanaryGuard guard;

    /**
     * What this target keeps in {@link DeployPlan#detail()}.
     *
     * @param plan     the per-host plan
     * @param lockWait how long the run waits for a held lock
     */
    public record Detail(HostsPlan plan, Duration lockWait) {}

    /**
     * Opens the hosts target and starts connecting to its servers in the background
     * ({@link HostsTarget#connectAhead()}): a connection failure is reported by the first call that
     * needs the host, as before.
     *
     * @param config  the service configuration
     * @param console progress output
     * @param roles   when not empty, only the servers with one of these roles
     * @throws SlipwayException (exit 2) without {@code deploy.hosts}, or for a role no server has
     */
    public HostsDeployTarget(SlipwayConfig config, Console console, List<String> roles) {
        this(config, console, roles, false);
    }

    /**
     * As {@link #HostsDeployTarget(SlipwayConfig, Console, List)}; with {@code lockAhead} a plan's look
     * takes the hosts' locks for the apply that follows ({@link HostsTarget#lockAhead()}).
     */
    public HostsDeployTarget(SlipwayConfig config, Console console, List<String> roles, boolean lockAhead) {
        this(lockAhead ? SshConnector.target(config, console, roles).keepConnections().lockAhead().connectAhead()
                : SshConnector.target(config, console, roles).keepConnections().connectAhead(), config.name(), console,
                new CanaryGuard(config.serviceDir()));
    }

    /**
     * @param hosts   the hosts target to drive
     * @param service the service name
     * @param console progress output
     * @param guard   keeps plain deploys and rollbacks out of a canary's way
     */
    public HostsDeployTarget(HostsTarget hosts, String service, Console console, CanaryGuard guard) {
        this.hosts = hosts;
        this.service = service;
        this.console = console;
        this.guard = guard;
        dev.slipway.Trace.mark("hosts target opened");
    }

    /** A ship checks before its build that no canary is in progress. */
    @Override
    public void preflight() {
        guard.refuseDuringCanary("ship");
    }

    @Override
    public String name() {
        return "hosts";
    }

    @Override
    public DeployPlan plan(DeployRequest request) {
        return wrap(hosts.planDeploy(null), request.lockWait());
    }

    /**
     * {@inheritDoc}
     *
     * <p>A revision number is looked up in the first server's history (each host numbers its own).
     */
    @Override
    public DeployPlan rollback(RollbackTo to) {
        String version = to.version();
        if (version == null && to.revision() != null) {
            String first = hosts.servers().get(0).name();
            version = hosts.history().getOrDefault(first, List.of()).stream().filter(e -> e.revision() == to.revision())
                    .map(Revision::version).findFirst().orElseThrow(() -> SlipwayException.usage(first
                            + " has no revision " + to.revision() + " of " + service + "; nothing was changed"));
        }
        return wrap(hosts.planRollback(version), to.lockWait());
    }

    /** {@inheritDoc} ({@link HostsLifecycle}: the unit that serves {@code current} on each host where it does not run) */
    @Override
    public DeployPlan planStart(Duration lockWait) {
        return waiting(hosts.planLifecycle(DeployPlan.Action.START), lockWait);
    }

    /** {@inheritDoc} ({@link HostsLifecycle}: every unit of the service that runs, on each host) */
    @Override
    public DeployPlan planStop(Duration lockWait) {
        return waiting(hosts.planLifecycle(DeployPlan.Action.STOP), lockWait);
    }

    /** @return a start or stop plan whose run waits up to {@code lockWait} for each host's lock */
    private static DeployPlan waiting(DeployPlan p, Duration lockWait) {
        HostsLifecycle.Detail d = (HostsLifecycle.Detail) p.detail();
        return p.with(p.facts(), p.steps(), new HostsLifecycle.Detail(d.units(), d.ports(),
                lockWait == null ? Duration.ZERO : lockWait));
    }

    private Report applyLifecycle(DeployPlan plan) {
        boolean start = plan.action() == DeployPlan.Action.START;
        guard.refuseDuringCanary(plan.action().verb());
        Map<String, List<String>> done = hosts.runLifecycle(plan);
        List<String> lines = new ArrayList<>();
        new java.util.TreeMap<>(done).forEach((h, units) -> lines.add(service + " " + String.join(", ", units) + " "
                + (start ? "started and ready" : "stopped") + " on " + h));
        String message = done.isEmpty() ? service + (start ? " already runs on every host; nothing was started"
                : " was not running on any host")
                : lines.size() == 1 ? lines.get(0) : service + (start ? " started on " : " stopped on ") + done.size() + " hosts";
        if (lines.isEmpty()) {
            lines.add(message);
        }
        return new Report("hosts", plan.action().verb(), service, plan.version(), 0, "ok", 0, null, plan.stepLines(),
                Map.of(), lines, message);
    }

    private static DeployPlan wrap(HostsPlan p, Duration lockWait) {
        DeployPlan d = p.toDeployPlan();
        return d.with(d.facts(), d.steps(), new Detail(p, lockWait == null ? Duration.ZERO : lockWait));
    }

    /** The hosts plan's own text: its title counts the hosts ("deploy myapp 2.0.0 to 3 hosts"). */
    @Override
    public String describe(DeployPlan plan) {
        if (plan.detail() instanceof HostsLifecycle.Detail) {
            return plan.describe();
        }
        return ((Detail) plan.detail()).plan().describe();
    }

    @Override
    public Report apply(DeployPlan plan) {
        if (plan.detail() instanceof HostsLifecycle.Detail) {
            return applyLifecycle(plan);
        }
        Detail d = (Detail) plan.detail();
        boolean back = plan.action() == DeployPlan.Action.ROLLBACK;
        guard.refuseDuringCanary(back ? "roll back" : "deploy");
        HostsExecutor.Result r = hosts.apply(d.plan(), d.lockWait());
        guard.closeFinishedCanary();
        HostsPlan p = r.plan();
        Map<DeployPlan.Kind, Long> t = r.timing();
        // Each kind's time on the critical path (hosts that run a step at once count once), then summed over the hosts.
        console.progress("timing: total " + ms(r.totalMs()) + "; critical path " + kinds(r.criticalPath())
                + "; summed over the hosts " + kinds(t) + " (per host in --json)");
        String line = p.service() + " " + p.version() + " (commit " + p.commit().substring(0, Math.min(7, p.commit().length()))
                + ") is ready on " + p.hosts().size() + (p.hosts().size() == 1 ? " host: " : " hosts: ")
                + p.hosts().stream().map(HostsPlan.HostPlan::name).collect(java.util.stream.Collectors.joining(", "))
                + (p.rollback() ? " (rollback)" : "");
        Map<String, Long> timing = new LinkedHashMap<>();
        t.forEach((k, v) -> timing.put(k.id(), v));
        timing.put("total", r.totalMs());
        // Per host: "<host>.<kind>" (Report's timingMs is a flat map; no new field for it).
        timing.putAll(r.hostTiming());
        // The critical path: "critical:<kind>" (no host name holds a colon).
        r.criticalPath().forEach((k, v) -> timing.put("critical:" + k.id(), v));
        return new Report("hosts", plan.action().verb(), service, plan.version(), r.revision(), "ok", 0, null,
                plan.stepLines(), timing, List.of(line), line);
    }

    /** @return {@code "upload 0.2 s, env 0.4 s, ..."} in plan order, without the lock steps */
    private static String kinds(Map<DeployPlan.Kind, Long> t) {
        return t.entrySet().stream().filter(e -> e.getKey() != DeployPlan.Kind.LOCK && e.getKey() != DeployPlan.Kind.UNLOCK)
                .map(e -> e.getKey().id() + " " + ms(e.getValue())).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String ms(long ms) {
        return Console.seconds(ms * 1_000_000L);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The exit code is 0 only when every host answers its readiness probe.
     */
    @Override
    public Report status() {
        String format = "%-16s %-24s %-12s %s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(format, "HOST", "VERSION", "UNIT", "READINESS"));
        boolean all = true;
        java.util.Set<String> versions = new java.util.TreeSet<>();
        for (HostsTarget.HostStatus s : hosts.status()) {
            if (s.error() != null) {
                lines.add(String.format(format, s.host(), "?", "?", "unreachable: " + s.error()));
                all = false;
                continue;
            }
            all &= s.readiness() != null && s.readiness().ready();
            versions.add(s.version() == null ? "(none)" : s.version());
            String ready = s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                    + s.readiness().describe() + ")";
            lines.add(String.format(format, s.host(), s.version() == null ? "(none)" : s.version(),
                    s.unitState().isEmpty() ? "-" : s.unitState(), ready)
                    + s.lock().map(h -> "; LOCKED by " + h.describe() + h.goneNote(java.time.Instant.now())).orElse(""));
        }
        String version = versions.size() == 1 ? versions.iterator().next() : null;
        return new Report("hosts", "status", service, version, 0, all ? "ready" : "not ready", all ? 0 : 1, null,
                List.of(), Map.of(), lines, all ? service + " serves on every host (" + String.join(", ", versions) + ")"
                : service + " does not serve on every host");
    }

    /**
     * {@inheritDoc}
     *
     * <p>A host that cannot be reached does not hide the others' revisions: it is left out here and
     * named in {@link #historyProblems()}.
     */
    @Override
    public List<Revision> history() {
        List<Revision> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (HostsTarget.HostHistory each : hosts.historyEach()) {
            if (each.error() != null) {
                problems.add(each.host() + ": unreachable: " + each.error());
            }
            each.revisions().forEach(r -> out.add(r.where().isEmpty()
                    ? new Revision(r.revision(), r.version(), r.commit(), r.time(), r.outcome(), r.who(), each.host(), r.note()) : r));
        }
        historyProblems = List.copyOf(problems);
        return out;
    }

    private List<String> historyProblems = List.of();

    @Override
    public List<String> historyProblems() {
        return historyProblems;
    }

    /** Closes the SSH connections the plan opened and its run reused. */
    @Override
    public void close() {
        hosts.close();
    }
}

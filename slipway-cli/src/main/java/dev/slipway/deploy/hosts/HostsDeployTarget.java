package dev.slipway.deploy.hosts;

import dev.slipway.SlipwayException;
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

    /**
     * What this target keeps in {@link DeployPlan#detail()}.
     *
     * @param plan     the per-host plan
     * @param lockWait how long the run waits for a held lock
     */
    public record Detail(HostsPlan plan, Duration lockWait) {}

    /**
     * @param hosts   the hosts target to drive
     * @param service the service name
     */
    public HostsDeployTarget(HostsTarget hosts, String service) {
        this.hosts = hosts;
        this.service = service;
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
                    .map(HostHistory.Entry::version).findFirst().orElseThrow(() -> SlipwayException.usage(first
                            + " has no revision " + to.revision() + " of " + service + "; nothing was changed"));
        }
        return wrap(hosts.planRollback(version), to.lockWait());
    }

    private static DeployPlan wrap(HostsPlan p, Duration lockWait) {
        DeployPlan d = p.toDeployPlan();
        return new DeployPlan(d.target(), d.action(), d.service(), d.version(), d.commit(), d.facts(), d.steps(),
                new Detail(p, lockWait == null ? Duration.ZERO : lockWait));
    }

    @Override
    public Report apply(DeployPlan plan) {
        Detail d = (Detail) plan.detail();
        HostsExecutor.Result r = hosts.apply(d.plan(), d.lockWait());
        Map<String, Long> timing = new LinkedHashMap<>();
        r.timing().forEach((k, v) -> timing.put(k.id(), v));
        timing.put("total", r.totalMs());
        List<String> lines = d.plan().hosts().stream().map(h -> h.name() + ": " + plan.version()).toList();
        return new Report("hosts", plan.action().verb(), service, plan.version(), 0, "ok", 0, null,
                plan.stepLines(), timing, lines, service + " " + plan.version() + " serves on "
                + lines.size() + (lines.size() == 1 ? " host" : " hosts"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The exit code is 0 only when every host answers its readiness probe.
     */
    @Override
    public Report status() {
        List<String> lines = new ArrayList<>();
        boolean all = true;
        String version = null;
        for (HostsTarget.HostStatus s : hosts.status()) {
            boolean ready = s.error() == null && s.readiness() != null && s.readiness().ready();
            all &= ready;
            version = version == null ? s.version() : version;
            lines.add(s.host() + ": " + (s.error() != null ? "unreachable: " + s.error()
                    : (s.version() == null ? "(none)" : s.version()) + " " + s.unitState() + " "
                    + (ready ? "ready" : "not ready") + (s.readiness() == null ? "" : " (" + s.readiness().describe() + ")")));
        }
        return new Report("hosts", "status", service, version, 0, all ? "ready" : "not ready", all ? 0 : 1, null,
                List.of(), Map.of(), lines, all ? service + " serves on every host" : service + " does not serve on every host");
    }

    @Override
    public List<Revision> history() {
        List<Revision> out = new ArrayList<>();
        hosts.history().forEach((host, entries) -> entries.forEach(e -> {
            Revision r = e.toRevision();
            out.add(r.where().isEmpty() ? new Revision(r.revision(), r.version(), r.commit(), r.time(), r.outcome(), r.who(),
                    host, r.note()) : r);
        }));
        return out;
    }
}

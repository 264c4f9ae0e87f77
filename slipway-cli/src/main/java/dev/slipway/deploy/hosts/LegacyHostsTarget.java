package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.LegacyPlanText;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * TEMPORARY (issue 17): the {@code hosts} target behind the {@link Target} interface, as an
 * adapter over today's {@link HostsTarget} public methods, so that the CLI is one call per command
 * already. The plan/executor rebuild of the hosts target replaces this class in
 * {@code Targets.open}; its texts are today's.
 *
 * <p>A plan is the text {@link HostsTarget} prints for a dry run (it reads the hosts' facts over
 * SSH), read into steps by {@link LegacyPlanText}; {@link #apply} runs the deploy or rollback,
 * which plans again under the hosts' locks. Plain changes stay out of a canary's way
 * ({@link CanaryGuard}).
 */
public final class LegacyHostsTarget implements Target {
    private static final Pattern TITLE = Pattern.compile("^(?:deploy|rollback) \\S+ (\\S+) to ");

    private final HostsTarget target;
    private final SlipwayConfig config;
    private final Console console;
    private final CanaryGuard guard;
    private final List<String> roles;

    /** A plan's own value: the version asked for ({@code null}: the previous one), the lock wait and the dry run's text. */
    private record Detail(String version, Duration lockWait, String text) {}

    /**
     * @param config  the service configuration
     * @param console output
     * @param roles   when not empty, only the servers with one of these roles
     * @throws SlipwayException (exit 2) without {@code deploy.hosts}, or for a role no server has
     */
    public LegacyHostsTarget(SlipwayConfig config, Console console, List<String> roles) {
        this.roles = List.copyOf(roles);
        this.target = SshConnector.target(config, console, roles);
        this.config = config;
        this.console = console;
        this.guard = new CanaryGuard(config.serviceDir());
    }

    @Override
    public String name() {
        return "hosts";
    }

    @Override
    public void preflight() {
        guard.refuseDuringCanary("ship");
    }

    @Override
    public DeployPlan plan(DeployRequest request) {
        if (request.image() != null || !request.rollbackOnFailure()) {
            throw SlipwayException.usage("--no-rollback, --image, --canary, --promote and --abort work with --to kubernetes only");
        }
        String text = dryRun(c -> SshConnector.target(config, c, roles).deploy(request.lockWait(), true));
        return plan(DeployPlan.Action.DEPLOY, text, new Detail(null, request.lockWait(), text));
    }

    @Override
    public DeployPlan rollback(RollbackTo to) {
        String version = to.version();
        if (to.revision() != null) {
            String first = target.servers().get(0).name();
            List<HostHistory.Entry> h = target.history().getOrDefault(first, List.of());
            version = h.stream().filter(e -> e.revision() == to.revision()).map(HostHistory.Entry::version).findFirst()
                    .orElseThrow(() -> SlipwayException.usage("no revision " + to.revision() + " in the history of " + first
                            + " (revisions: " + h.stream().map(e -> String.valueOf(e.revision())).toList()
                            + "); nothing was changed"));
        }
        String v = version;
        String text = dryRun(c -> SshConnector.target(config, c, roles).rollback(v, to.lockWait(), true));
        return plan(DeployPlan.Action.ROLLBACK, text, new Detail(version, to.lockWait(), text));
    }

    private String dryRun(java.util.function.Consumer<Console> run) {
        String text = LegacyPlanText.capture(console, run);
        return text.replace("dry run: nothing was changed\n", "");
    }

    private DeployPlan plan(DeployPlan.Action action, String text, Detail detail) {
        Matcher m = TITLE.matcher(text);
        String version = m.find() ? m.group(1) : detail.version();
        List<String> facts = text.lines().filter(l -> l.startsWith("  ") && !l.matches("^\\s*\\d+\\. .*")).map(String::strip)
                .toList();
        return new DeployPlan("hosts", action, config.name(), version, "", facts, LegacyPlanText.steps(text), detail);
    }

    @Override
    public String describe(DeployPlan plan) {
        return ((Detail) plan.detail()).text();
    }

    @Override
    public Report apply(DeployPlan plan) {
        Detail d = (Detail) plan.detail();
        boolean back = plan.action() == DeployPlan.Action.ROLLBACK;
        guard.refuseDuringCanary(back ? "roll back" : "deploy");
        HostsExecutor.Result r = back ? target.rollback(d.version(), d.lockWait(), false) : target.deploy(d.lockWait(), false);
        guard.closeFinishedCanary();
        HostsPlan p = r.plan();
        Map<HostsPlan.Kind, Long> t = r.timing();
        console.progress("timing: total " + ms(r.totalMs()) + "; upload " + ms(t.getOrDefault(HostsPlan.Kind.UPLOAD, 0L))
                + ", prepare " + ms(t.getOrDefault(HostsPlan.Kind.PREPARE, 0L)) + ", switch "
                + ms(t.getOrDefault(HostsPlan.Kind.SWITCH, 0L)) + ", restart " + ms(t.getOrDefault(HostsPlan.Kind.RESTART, 0L))
                + ", gate " + ms(t.getOrDefault(HostsPlan.Kind.GATE, 0L)));
        String line = p.service() + " " + p.version() + " (commit " + p.commit().substring(0, Math.min(7, p.commit().length()))
                + ") is ready on " + p.hosts().size() + (p.hosts().size() == 1 ? " host: " : " hosts: ")
                + p.hosts().stream().map(HostsPlan.HostPlan::name).collect(Collectors.joining(", "))
                + (p.rollback() ? " (rollback)" : "");
        Map<String, Long> timing = new LinkedHashMap<>();
        t.forEach((k, v) -> timing.put(k.id(), v));
        timing.put("total", r.totalMs());
        List<String> steps = p.steps().stream().map(s -> s.kind().id() + (s.host() == null ? "" : " " + s.host()) + ": "
                + s.description()).toList();
        return new Report("hosts", plan.action().verb(), config.name(), p.version(), 0, "ok", 0, null, steps, timing,
                List.of(line), line);
    }

    private static String ms(long ms) {
        return Console.seconds(ms * 1_000_000L);
    }

    @Override
    public Report status() {
        String format = "%-16s %-24s %-12s %s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(format, "HOST", "VERSION", "UNIT", "READINESS"));
        boolean allReady = true;
        java.util.Set<String> versions = new java.util.TreeSet<>();
        for (HostsTarget.HostStatus s : target.status()) {
            if (s.error() != null) {
                lines.add(String.format(format, s.host(), "?", "?", "unreachable: " + s.error()));
                allReady = false;
                continue;
            }
            allReady &= s.readiness() != null && s.readiness().ready();
            versions.add(s.version() == null ? "(none)" : s.version());
            String ready = s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                    + s.readiness().describe() + ")";
            lines.add(String.format(format, s.host(), s.version() == null ? "(none)" : s.version(),
                    s.unitState().isEmpty() ? "-" : s.unitState(), ready)
                    + s.lock().map(h -> "; LOCKED by " + h.describe()).orElse(""));
        }
        String version = versions.size() == 1 ? versions.iterator().next() : null;
        String outcome = allReady ? "ready" : "not-ready";
        return new Report("hosts", "status", config.name(), version, 0, outcome, 0, null, List.of(), Map.of(), lines,
                config.name() + " on hosts: " + outcome + " (" + String.join(", ", versions) + ")");
    }

    @Override
    public List<Revision> history() {
        List<Revision> out = new ArrayList<>();
        target.history().forEach((host, entries) -> entries.forEach(e -> out.add(new Revision(e.revision(), e.version(),
                e.commit(), e.time(), e.outcome(), e.who(), host, e.note()))));
        return out;
    }
}

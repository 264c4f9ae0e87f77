package dev.slipway.deploy.local;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code local} target behind the {@link Target} interface: plans and runs through
 * {@link LocalTarget} (the hosts machinery over this machine: plan steps, lock, detached restart,
 * gate, history). {@code Targets.open("local", config)} returns one.
 *
 * <p>Planning changes nothing, so a dry run changes nothing either. Applying a plan first clears a
 * lock left by a killed run and records that run as {@code interrupted} ({@link LocalTarget#recover()}),
 * so the history says what happened before the new revision, and then makes the plan again from
 * the same request: clearing it may have stopped an instance or moved {@code current}.
 */
public final class LocalDeployTarget implements Target {
    private final SlipwayConfig config;
    private final LocalTarget local;
    private final LocalCanaryInstances canaryInstances;

    /**
     * @param config  the service configuration
     * @param console where progress goes
     */
    public LocalDeployTarget(SlipwayConfig config, Console console) {
        this(new LocalTarget(config, console));
    }

    /** @param local the local target to drive (e.g. one opened from its recorded state) */
    public LocalDeployTarget(LocalTarget local) {
        this.config = local.config();
        this.local = local;
        this.canaryInstances = new LocalCanaryInstances(config);
    }

    /** @return the local target this drives */
    public LocalTarget local() {
        return local;
    }

    @Override
    public String name() {
        return "local";
    }

    /** A ship checks before its build that the port is free (or held by this service's release). */
    @Override
    public void preflight() {
        local.checkBeforeBuild();
    }

    @Override
    public DeployPlan plan(DeployRequest request) {
        if (request.image() != null || !request.rollbackOnFailure()) {
            throw SlipwayException.usage("--no-rollback, --image, --canary, --promote and --abort work with --to kubernetes only");
        }
        Release release = Release.fromDist(config);
        Duration lockWait = wait(request.lockWait());
        return remember(planDeploy(release, lockWait), () -> planDeploy(release, lockWait));
    }

    /** {@link LocalTarget#planDeploy}, with a fact when the release already serves ({@link #alreadyServing}). */
    private DeployPlan planDeploy(Release release, Duration lockWait) {
        DeployPlan plan = local.planDeploy(release, lockWait);
        return alreadyServing((LocalTarget.Detail) plan.detail()).map(note -> {
            List<String> facts = new java.util.ArrayList<>(plan.facts());
            facts.add(note);
            return plan.with(facts, plan.steps(), plan.detail());
        }).orElse(plan);
    }

    /**
     * @param d a deploy plan's detail
     * @return a line for the plan's facts when the release it deploys is the one serving (same
     *         directory, so the same fingerprint: bytes, environment and probe) and nothing is
     *         installed: the deploy starts it again, gated, and records a revision; else empty
     */
    static java.util.Optional<String> alreadyServing(LocalTarget.Detail d) {
        if (d.install() || d.running() < 0 || !d.dirName().equals(d.previous())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(d.dirName() + " already serves (pid " + d.running() + ", same file, environment and"
                + " probe): this deploy starts it again" + (d.port() > 0 ? " beside itself and switches nginx to it" : "")
                + ", gated, and records a revision; nothing else changes");
    }

    /**
     * {@inheritDoc}
     *
     * @throws SlipwayException (exit 2) also when {@code to.revision()} is not in the history
     */
    @Override
    public DeployPlan rollback(RollbackTo to) {
        String version = to.version();
        if (version == null && to.revision() != null) {
            version = local.history().stream().filter(e -> e.revision() == to.revision()).map(Revision::version)
                    .findFirst().orElseThrow(() -> SlipwayException.usage("local has no revision " + to.revision()
                            + " of " + config.name() + "; 'slipway history' lists them; nothing was changed"));
        }
        String v = version;
        Duration lockWait = wait(to.lockWait());
        return remember(local.planRollback(v, lockWait), () -> local.planRollback(v, lockWait));
    }

    /**
     * How each plan this target made is made again from the same request, for {@link #apply} after
     * a killed run's lock was cleared: by identity, as two plans may be equal values.
     */
    private final Map<DeployPlan, java.util.function.Supplier<DeployPlan>> replans = new java.util.IdentityHashMap<>();

    private DeployPlan remember(DeployPlan plan, java.util.function.Supplier<DeployPlan> again) {
        replans.put(plan, again);
        return plan;
    }

    /**
     * {@inheritDoc}
     *
     * <p>With nginx in front ({@code deploy.local.proxy}): nothing when the current release serves
     * behind it; else start it on a free port, gate it, point nginx at it.
     */
    @Override
    public DeployPlan planStart(Duration lockWait) {
        Duration w = wait(lockWait);
        return remember(waiting(local.planStart(), w), () -> waiting(local.planStart(), w));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also every instance the local canary started that runs, stable and canary (one
     * {@link DeployPlan.Kind#STOP} step each, before the unlock): they serve this service too.
     */
    @Override
    public DeployPlan planStop(Duration lockWait) {
        Duration w = wait(lockWait);
        return remember(planStopAll(w), () -> planStopAll(w));
    }

    private DeployPlan planStopAll(Duration lockWait) {
        DeployPlan own = waiting(local.planStop(), lockWait);
        List<DeployPlan.Step> steps = new java.util.ArrayList<>(own.steps());
        int unlock = steps.size() - 1; // the last step unlocks
        canaryInstances.running().forEach(r -> steps.add(steps.size() - 1, canaryInstances.step(r)));
        return unlock == steps.size() - 1 ? own : own.with(own.facts(), steps, own.detail());
    }

    /** @return a start or stop plan of {@link LocalTarget} whose run waits up to {@code lockWait} for the lock */
    private static DeployPlan waiting(DeployPlan p, Duration lockWait) {
        LocalTarget.Detail d = (LocalTarget.Detail) p.detail();
        return p.with(p.facts(), p.steps(), new LocalTarget.Detail(d.release(), d.dirName(), d.previous(), d.running(),
                d.install(), lockWait, d.port(), d.oldPort()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A plan made before a killed run's lock was cleared is made again after it, from the same
     * request: clearing it may have stopped an instance or moved {@code current}
     * ({@link LocalTarget#recover()}), so the old plan's previous release, running pid and ports may
     * be stale. A deploy or rollback planned by another {@code LocalDeployTarget} is planned again
     * from its detail (the release and the release directory it ends on).
     *
     * @throws SlipwayException also as {@link #plan} or {@link #rollback} when the plan made again is
     *                          refused (the killed run had already done what this one asks: exit 2)
     */
    @Override
    public Report apply(DeployPlan plan) {
        return plan.action() == DeployPlan.Action.STOP ? stop(plan) : applyOwn(plan);
    }

    /**
     * A stop: under the local canary's lock ({@link LocalCanaryInstances#lock}), {@code slipway
     * deploy}'s process, then every instance of the local canary that runs, side by side.
     */
    private Report stop(DeployPlan plan) {
        try (dev.slipway.util.FileLock held = canaryInstances.lock()) {
            List<DeployPlan.Step> own = plan.steps().stream().filter(s -> !s.where().startsWith(LocalCanaryInstances.WHERE))
                    .toList();
            Report r = applyOwn(plan.with(plan.facts(), own, plan.detail()));
            List<String> lines = new java.util.ArrayList<>();
            boolean process = r.message().equals(config.name() + " stopped");
            if (process) {
                lines.add(r.message());
            }
            canaryInstances.stopAll().forEach(i -> lines.add(config.name() + " " + i + " stopped"));
            if (lines.isEmpty()) {
                lines.add(r.message());
            }
            return new Report(r.target(), r.action(), r.service(), r.version(), r.revision(), r.outcome(), r.exitCode(),
                    r.url(), plan.stepLines(), r.timingMs(), lines, String.join("; ", lines), r.stepMs());
        }
    }

    private Report applyOwn(DeployPlan plan) {
        if (local.recover()) {
            plan = replan(plan);
        }
        LocalTarget.Outcome o = local.apply(plan);
        Map<String, Long> timing = new LinkedHashMap<>();
        o.timingMs().forEach((k, v) -> timing.put(k.id(), v));
        boolean stop = plan.action() == DeployPlan.Action.STOP;
        String commit = o.revision() == null ? plan.commit() : o.revision().commit();
        String message = stop ? config.name() + (plan.has(DeployPlan.Kind.STOP) ? " stopped" : " was not running")
                : plan.action() == DeployPlan.Action.START ? config.name() + " is " + readyAt(o.url()) + " (pid " + o.pid() + ")"
                : config.name() + " " + plan.version() + " (commit " + commit.substring(0, Math.min(7, commit.length()))
                + ") is " + readyAt(o.url()) + (o.revision() == null ? " (pid " + o.pid() + ")"
                : " (revision " + o.revision().revision() + ", pid " + o.pid() + ")");
        return new Report("local", plan.action().verb(), config.name(), stop ? null : plan.version(),
                o.revision() == null ? 0 : o.revision().revision(), "ok", 0, stop ? null : o.url().toString(),
                plan.stepLines(), timing, List.of(message), message, o.stepMs());
    }

    /**
     * @param url where the instance serves
     * @return {@code ready at URL}, or {@code running} for a service with no port (readiness type
     *         {@code process}), which serves at no URL
     */
    private String readyAt(java.net.URI url) {
        return config.service().readiness().process() ? "running" : "ready at " + url;
    }

    /** @return {@code plan} made again from what it was made from (see {@link #apply}) */
    private DeployPlan replan(DeployPlan plan) {
        java.util.function.Supplier<DeployPlan> again = replans.remove(plan);
        if (again != null) {
            return remember(again.get(), again);
        }
        LocalTarget.Detail d = (LocalTarget.Detail) plan.detail();
        return switch (plan.action()) {
            case START -> waiting(local.planStart(), d.lockWait());
            case STOP -> waiting(local.planStop(), d.lockWait());
            case DEPLOY -> planDeploy(d.release(), d.lockWait());
            case ROLLBACK -> local.planRollback(d.dirName(), d.lockWait());
            default -> plan;
        };
    }

    /**
     * {@inheritDoc}
     *
     * <p>The exit code is 0 only when a release runs and its readiness probe passes; 1 when nothing
     * runs (a stopped service, a failed first deploy, a killed run) or it is not ready.
     */
    @Override
    public Report status() {
        LocalTarget.Status s = local.status();
        // What serves, not the newest revision (which may be a failed deploy that was rolled back).
        int revision = servingRevision(local.history(), s.version(), s.revision());
        boolean ready = s.pid() >= 0 && s.readiness() != null && s.readiness().ready();
        List<String> lines = new java.util.ArrayList<>();
        lines.add(config.name() + " on local");
        lines.add("  version    " + (s.failed() != null
                ? "(nothing runs: the last deploy failed and there was no release to roll back to)"
                : s.version() == null ? "(nothing deployed)" : s.version()));
        lines.add("  commit     " + (s.commit() == null ? "-" : s.commit()));
        lines.add("  revision   " + (revision == 0 ? "-" : String.valueOf(revision)));
        lines.add("  pid        " + (s.pid() < 0 ? "not running" : s.pid() + " (running)"));
        // Not running: the URL is only where it would serve (another process may answer there).
        lines.add("  url        " + (config.service().readiness().process() ? "none (readiness type process: no port)"
                : s.url() + (s.pid() < 0 && s.nginx() == null ? " (when it runs)" : "")));
        if (s.nginx() != null) {
            lines.add("  nginx      " + s.nginx());
            if (s.instances().isEmpty()) {
                lines.add("  instance   none runs");
            }
            s.instances().forEach(i -> lines.add("  instance   " + i));
        }
        lines.add("  readiness  " + (s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                + s.readiness().brief() + ")"));
        if (s.failed() != null) {
            lines.add("  last deploy " + s.failed().version() + " (revision " + s.failed().revision() + ") failed: "
                    + s.failed().note());
        }
        String outcome = s.pid() < 0 ? "not running" : ready ? "ready" : "not ready";
        return new Report("local", "status", config.name(), s.version(), revision, outcome, ready ? 0 : 1,
                s.url().toString(), List.of(), Map.of(), lines,
                ready ? config.name() + " " + s.version() + (config.service().readiness().process() ? " runs (pid " + s.pid()
                        + ")" : " serves at " + s.url())
                        : config.name() + " does not serve on local (" + outcome + ")");
    }

    /**
     * @param history  the revisions, oldest first
     * @param version  the release that serves (its directory name), or {@code null}
     * @param fallback the revision to show when none made it serve (e.g. the newest)
     * @return the newest revision that left {@code version} serving ({@code deployed} or
     *         {@code rollback}); {@code fallback} when there is none or no version
     */
    public static int servingRevision(List<Revision> history, String version, int fallback) {
        for (int i = history.size() - 1; version != null && i >= 0; i--) {
            if (history.get(i).version().equals(version) && history.get(i).serving()) {
                return history.get(i).revision();
            }
        }
        return fallback;
    }

    @Override
    public List<Revision> history() {
        return local.history();
    }

    private static Duration wait(Duration d) {
        return d == null ? Duration.ZERO : d;
    }
}

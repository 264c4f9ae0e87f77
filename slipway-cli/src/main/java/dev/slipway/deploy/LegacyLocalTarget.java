package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TEMPORARY (issue 17): the {@code local} target behind the {@link Target} interface, as an
 * adapter over today's {@link LocalTarget} public methods, so that the CLI is one call per command
 * already. The plan/executor rebuild of the local target (deploy/local, "the hosts machinery over
 * LocalHost") replaces this class in {@link Targets#open}; its texts are today's.
 *
 * <p>A deploy's plan is the text {@link LocalTarget#deploy} prints for a dry run, read into steps
 * by {@link LegacyPlanText}; a rollback's plan is described here from the retained releases.
 */
final class LegacyLocalTarget implements Target {
    private final LocalTarget target;
    private final SlipwayConfig config;
    private final Console console;

    /** The plan's own value: the release to deploy and the dry run's text. */
    private record Detail(Release release, String text) {}

    /** A rollback plan's own value: the version asked for, or {@code null} for the previous release. */
    private record Back(String version) {}

    LegacyLocalTarget(LocalTarget target, Console console) {
        this.target = target;
        this.config = target.config();
        this.console = console;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public void preflight() {
        target.checkBeforeBuild();
    }

    @Override
    public DeployPlan plan(DeployRequest request) {
        if (request.image() != null || !request.rollbackOnFailure()) {
            throw SlipwayException.usage("--no-rollback, --image, --canary, --promote and --abort work with --to kubernetes only");
        }
        Release release = Release.fromDist(config);
        String text = LegacyPlanText.capture(console, c -> new LocalTarget(config, c).deploy(release, true));
        return new DeployPlan("local", DeployPlan.Action.DEPLOY, config.name(), release.version(), release.commit(),
                List.of(), LegacyPlanText.steps(text), new Detail(release, text));
    }

    @Override
    public DeployPlan rollback(RollbackTo to) {
        String current = target.currentVersion().orElseThrow(() -> SlipwayException.usage(
                "nothing is deployed to local for " + config.name() + "; nothing to roll back"));
        String version = to.version();
        if (to.revision() != null) {
            version = target.history().stream().filter(e -> e.revision() == to.revision()).map(History.Entry::version)
                    .findFirst().orElseThrow(() -> SlipwayException.usage("no revision " + to.revision() + " in the history of "
                            + config.name() + " on local (revisions: " + target.history().stream()
                            .map(e -> String.valueOf(e.revision())).toList() + "); nothing was changed"));
        }
        if (version != null) {
            if (!Files.isDirectory(target.stateDir().resolve("releases").resolve(version))) {
                throw SlipwayException.usage("release " + version + " is not retained; retained: " + retained());
            }
            if (version.equals(current)) {
                throw SlipwayException.usage(version + " is already the current release; nothing to roll back");
            }
        }
        String v = version == null ? "the release before " + current : version;
        List<DeployPlan.Step> steps = List.of(
                new DeployPlan.Step(DeployPlan.Kind.LOCK, null, 0, "lock " + target.stateDir().resolve("deploy.lock")),
                new DeployPlan.Step(DeployPlan.Kind.PREPARE, null, 0, "prepare releases/" + v + " while " + current + " serves"),
                new DeployPlan.Step(DeployPlan.Kind.STOP, null, 0, "stop " + config.name() + " " + current + ": SIGTERM, SIGKILL after "
                        + Console.seconds(config.service().drainTimeout())),
                new DeployPlan.Step(DeployPlan.Kind.SWITCH, null, 0, "switch current -> releases/" + v),
                new DeployPlan.Step(DeployPlan.Kind.START, null, 0, "start releases/" + v + "/" + config.name() + " on " + target.url()),
                new DeployPlan.Step(DeployPlan.Kind.GATE, null, 0, "wait for readiness; on failure switch back to " + current
                        + " and restart it"),
                new DeployPlan.Step(DeployPlan.Kind.RECORD, null, 0, "record the revision (outcome rollback)"),
                new DeployPlan.Step(DeployPlan.Kind.UNLOCK, null, 0, "unlock"));
        return new DeployPlan("local", DeployPlan.Action.ROLLBACK, config.name(), version == null ? v : version, "",
                List.of("current " + current), steps, new Back(version));
    }

    private String retained() {
        try (var dirs = Files.list(target.stateDir().resolve("releases"))) {
            return String.join(", ", dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            return "none";
        }
    }

    @Override
    public String describe(DeployPlan plan) {
        return plan.detail() instanceof Detail d ? d.text() : plan.describe();
    }

    @Override
    public Report apply(DeployPlan plan) {
        LocalTarget.Outcome o = switch (plan.action()) {
            case DEPLOY -> target.deploy(((Detail) plan.detail()).release(), false);
            case ROLLBACK -> target.rollback(((Back) plan.detail()).version());
            default -> throw new IllegalArgumentException(plan.action() + " is not a plan of this target");
        };
        String commit = o.revision().commit();
        String line = config.name() + " " + o.revision().version() + " (commit " + commit.substring(0, Math.min(7, commit.length()))
                + ") is ready at " + o.url() + " (revision " + o.revision().revision() + ", pid " + o.pid() + ")";
        return new Report("local", plan.action().verb(), config.name(), o.revision().version(), o.revision().revision(), "ok",
                0, o.url().toString(), stepLines(plan), Map.of(), List.of(line), line);
    }

    static List<String> stepLines(DeployPlan plan) {
        return plan.steps().stream().map(s -> s.kind().id() + (s.where() == null ? "" : " " + s.where()) + ": "
                + s.description()).toList();
    }

    @Override
    public Report status() {
        LocalTarget.Status s = target.status();
        List<String> lines = new ArrayList<>();
        lines.add(config.name() + " on local");
        if (s.failed() != null) {
            lines.add("  version    (nothing runs: the last deploy failed and there was no release to roll back to)");
        } else {
            lines.add("  version    " + (s.version() == null ? "(nothing deployed)" : s.version()));
        }
        lines.add("  commit     " + (s.commit() == null ? "-" : s.commit()));
        lines.add("  revision   " + (s.revision() == 0 ? "-" : String.valueOf(s.revision())));
        lines.add("  pid        " + (s.pid() < 0 ? "not running" : s.pid() + " (running)"));
        lines.add("  url        " + s.url());
        lines.add("  readiness  " + (s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                + s.readiness().brief() + ")"));
        if (s.failed() != null) {
            History.Entry f = s.failed();
            lines.add("  last deploy " + f.version() + " (revision " + f.revision() + ") failed: " + f.note());
        }
        String outcome = s.pid() < 0 ? "stopped" : s.readiness() != null && s.readiness().ready() ? "ready" : "not-ready";
        return new Report("local", "status", config.name(), s.version(), s.revision(), outcome, 0, s.url().toString(),
                List.of(), Map.of(), lines, config.name() + " " + (s.version() == null ? "(nothing deployed)" : s.version())
                + " on local: " + outcome);
    }

    @Override
    public List<Revision> history() {
        return target.history().stream().map(e -> new Revision(e.revision(), e.version(), e.commit(), e.time(), e.outcome(),
                "", "", e.note())).toList();
    }
}

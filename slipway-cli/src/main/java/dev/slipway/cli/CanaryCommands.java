package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.canary.CanaryRun;
import dev.slipway.canary.CanaryState;
import dev.slipway.canary.CanaryTargets;
import dev.slipway.config.SlipwayConfig;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slipway canary}, {@code promote} and {@code abort} (and {@code deploy --canary | --promote |
 * --abort}): each parses, opens the canary target, makes one call to {@link CanaryRun} ({@link #run})
 * and prints the report.
 * Exit codes: 0 promoted, 1 aborted, 3 paused on an inconclusive analysis, 2 usage or config error.
 * With {@code --json} the report (the canary state with every measurement) goes to stdout and the
 * progress to stderr.
 */
final class CanaryCommands {
    private CanaryCommands() {}

    /** Options shared by the three commands. */
    abstract static class Base implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ServiceArg service;

        @Option(names = "--to", paramLabel = "TARGET", defaultValue = "local",
                completionCandidates = Candidates.CanaryTarget.class,
                description = "The target: local (instances on loopback behind nginx), hosts (deploy.hosts servers,"
                        + " canary.hosts), kubernetes (a second Deployment) or swarm (a second service).")
        String to;

        @Option(names = "--json", description = "Print the report (state, steps, every measurement) as JSON to stdout.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dry-run", description = "Print what the command would do (the canary's state, the steps that"
                + " would run) and change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            return CanaryCommands.run(to, service.load(), SlipwayCli.console(spec),
                    new Request(action(), allowDowngrade(), null, dryRun, json, false));
        }

        /** @return what the command does */
        abstract CanaryRun.Action action();

        /** @return whether a lower version may be a canary ({@code canary --allow-downgrade}) */
        boolean allowDowngrade() {
            return false;
        }
    }

    /**
     * What one canary command asks for, from {@code canary}, {@code promote}, {@code abort} or
     * {@code deploy --canary | --promote | --abort}.
     *
     * @param action         what to do
     * @param allowDowngrade whether a lower version may be a canary
     * @param image          kubernetes: the image for a new canary ({@code deploy --image}), or {@code null}
     *                       as a deploy resolves it; ignored elsewhere
     * @param dryRun         print the plan ({@link CanaryRun#plan}) and change nothing
     * @param json           print the report as JSON on the console's stdout
     * @param quietSummary   for {@code deploy}: without {@code json}, a summary that is not exit 0 becomes
     *                       the error's message instead of a line on stdout
     */
    record Request(CanaryRun.Action action, boolean allowDowngrade, String image, boolean dryRun, boolean json,
                   boolean quietSummary) {}

    /**
     * Opens the canary target {@code to}, makes the one call the request names through
     * {@link CanaryRun} (the one driver of every canary target) and prints the report.
     *
     * @param to      the target's name
     * @param config  the service configuration
     * @param console where the report (stdout) and progress (stderr) go
     * @param request what to do
     * @return the exit code: 0 promoted (an abort: aborted as asked; a dry run: planned), 1 aborted,
     *         3 paused
     * @throws SlipwayException (exit 2) for a target without canaries or a command the canary's state
     *                          refuses; with {@link Request#quietSummary} and without {@code json}, the
     *                          exit code that is not 0, the summary its message
     */
    static int run(String to, SlipwayConfig config, Console console, Request request) {
        try (CanaryTargets.Session s = CanaryTargets.open(to, config, console, request.image())) {
            return s.call(() -> drive(config, console, s, request));
        }
    }

    private static int drive(SlipwayConfig config, Console console, CanaryTargets.Session s, Request q) {
        CanaryRun run = new CanaryRun(config, s.target(), new PrometheusClient(config.canary().prometheus(),
                config.canary().queryTimeout()), Clock.systemUTC(), console);
        if (q.dryRun()) {
            dev.slipway.deploy.Report plan = run.plan(q.action(), s.release(), q.allowDowngrade());
            if (q.json()) {
                Reports.json(console.out(), plan);
            } else {
                plan.lines().forEach(console::println);
                console.println(plan.message());
            }
            return 0;
        }
        CanaryRun.Result r = run.interruptible(() -> switch (q.action()) {
            case CANARY -> run.run(s.release(), q.allowDowngrade());
            case PROMOTE -> run.promote(false);
            case PROMOTE_FULL -> run.promote(true);
            case ABORT -> run.abort("aborted by slipway abort");
        });
        int code = q.action() == CanaryRun.Action.ABORT ? 0 : r.outcome().exitCode(); // aborted as asked
        if (q.json()) {
            console.out().print(r.state().toJson());
            console.out().flush();
        } else if (!q.quietSummary() || code == 0) {
            console.println(summary(r));
        }
        if (q.quietSummary() && code != 0 && !q.json()) {
            throw new SlipwayException(code, summary(r));
        }
        return code;
    }

    private static String to(CanaryState s) {
        return s.target().equals("local") ? "" : " --to " + s.target();
    }

    static String summary(CanaryRun.Result r) {
        CanaryState s = r.state();
        return switch (r.outcome()) {
            case PROMOTED -> s.stableVersion() == null
                    ? s.service() + " " + s.canaryVersion() + " deployed to the stable instances on " + s.target()
                    + " (the first release: no canary, nothing to compare with)"
                    : s.service() + " " + s.canaryVersion() + " promoted on " + s.target();
            case ABORTED -> s.service() + " canary " + s.canaryVersion() + " aborted on " + s.target() + ": " + s.message()
                    + " (stable " + s.stableVersion() + " serves all traffic)";
            case PAUSED -> s.service() + " canary " + s.canaryVersion() + " paused at weight " + s.weight() + " %: "
                    + s.message() + "; run 'slipway promote" + to(s) + "' or 'slipway abort" + to(s) + "'";
        };
    }

    /** {@code slipway canary}. */
    @Command(name = "canary", footerHeading = "%nExample:%n", footer = {"  slipway canary examples/myapp --json > canary.json"},
            description = {"Release the last build as a canary: the steps of canary.steps, each"
            + " setting a traffic weight, then pausing or analysing metrics in Prometheus; promote or abort.",
            "Exit codes: 0 promoted, 1 aborted, 3 paused (inconclusive), 2 usage. A rerun resumes a canary in progress."})
    static final class Canary extends Base {
        @Option(names = "--allow-downgrade", description = "Accept a canary whose version is lower than the stable one.")
        boolean allowDowngrade;

        @Override
        CanaryRun.Action action() {
            return CanaryRun.Action.CANARY;
        }

        @Override
        boolean allowDowngrade() {
            return allowDowngrade;
        }
    }

    /** {@code slipway promote}. */
    @Command(name = "promote", footerHeading = "%nExample:%n", footer = {"  slipway promote examples/myapp"},
            description = "Go on with a paused canary from its next step (--full: promote now).")
    static final class Promote extends Base {
        @Option(names = "--full", description = "Skip the remaining steps and promote at once.")
        boolean full;

        @Override
        CanaryRun.Action action() {
            return full ? CanaryRun.Action.PROMOTE_FULL : CanaryRun.Action.PROMOTE;
        }
    }

    /** {@code slipway abort}: exit 0 when the canary was aborted as asked. */
    @Command(name = "abort", footerHeading = "%nExample:%n", footer = {"  slipway abort examples/myapp"},
            description = "Abort the canary: weight 0 at once, canary stopped, stable untouched.")
    static final class Abort extends Base {
        @Override
        CanaryRun.Action action() {
            return CanaryRun.Action.ABORT;
        }
    }
}

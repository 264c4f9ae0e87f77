package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.local.LocalTarget;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.Targets;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * Base of the commands that act on a deploy target: they take the service directory and
 * {@code --to TARGET}, load the configuration, and hand it to {@link #run(Context)}, which opens
 * the target ({@link #open}), makes one call and prints the report ({@link #print}). With
 * {@code --json} ({@link #json()}) every text goes to stderr and stdout gets one JSON report, also
 * when the command fails (the exit code stays the same).
 */
abstract class TargetCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    TargetOption target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set once a report was printed as JSON, so that a failure after it prints no second one. */
    private boolean reported;

    /**
     * What a target command works with.
     *
     * @param config   the loaded configuration
     * @param console  the command's output (with {@code --json}: both streams are stderr)
     * @param recorded whether slipway.yaml had an error and {@code config} was rebuilt from the
     *                 local target's recorded state ({@link LocalTarget#recorded}): only name,
     *                 port, address and drain timeout are the service's own
     */
    record Context(SlipwayConfig config, Console console, boolean recorded) {}

    @Override
    public final void run() {
        Console plain = SlipwayCli.console(spec);
        Console console = json() ? new Console(plain.err(), plain.err(), plain.interactive()) : plain;
        SlipwayConfig config = null;
        try {
            if (builds()) {
                // The git facts (commit, dirty) of the build are read beside the configuration's loading.
                dev.slipway.build.GitInfo.readAhead(service.dir);
            }
            try {
                config = service.load();
            } catch (ConfigException e) {
                runOnRecordedState(e, console);
                return;
            }
            run(new Context(config, console, false));
        } catch (SlipwayException e) {
            if (json() && !reported) {
                Reports.json(plain.out(), Reports.failure(targetName(), spec.name(), config == null ? null : config.name(), e));
            }
            throw e;
        }
    }

    /**
     * Says that the command prints its own JSON report, also when it fails, so that a failure prints
     * no second one.
     */
    void reported() {
        reported = true;
    }

    /** @return whether the command builds the service before it changes the target (then git is read ahead) */
    boolean builds() {
        return false;
    }

    /** @return whether the command prints its report as JSON; by default it has no {@code --json} */
    boolean json() {
        return false;
    }

    /** @return the target's name as the command line gives it */
    String targetName() {
        return target.to;
    }

    /**
     * Opens the target the command names.
     *
     * @param c the command's context
     * @return the target; close it
     * @throws SlipwayException (exit 2) for an unknown target (the message lists the targets)
     */
    Target open(Context c) {
        return Targets.open(targetName(), c.config(), c.console(), new Targets.Options(target.roles));
    }

    /**
     * Prints a report: its lines, or with {@code --json} the JSON object on stdout.
     *
     * @param report the report
     * @throws SlipwayException with the report's exit code and message when it is not 0 (after printing)
     */
    void print(Report report) {
        print(report, null);
    }

    /**
     * Prints a report, with {@code --json} also the revisions ({@code history}).
     *
     * @param report    the report
     * @param revisions the revisions for the JSON field {@code revisions}, or {@code null} for none
     * @throws SlipwayException with the report's exit code and message when it is not 0 (after printing)
     */
    void print(Report report, java.util.List<dev.slipway.deploy.Revision> revisions) {
        report = Reports.explainVersion(report);
        if (json()) {
            Reports.json(spec.commandLine().getOut(), report, revisions);
            reported = true;
        } else {
            PrintWriter out = spec.commandLine().getOut();
            report.lines().forEach(out::println);
            out.flush();
        }
        if (report.exitCode() != 0) {
            throw new SlipwayException(report.exitCode(), report.message());
        }
    }

    /**
     * Prints a plan for {@code --dry-run}: the target's text of it and "dry run: nothing was
     * changed", or with {@code --json} its report (outcome {@code planned}).
     *
     * @param c    the command's context
     * @param t    the target that made the plan
     * @param plan the plan
     */
    void printPlan(Context c, Target t, dev.slipway.deploy.DeployPlan plan) {
        if (json()) {
            print(Reports.planned(plan));
            return;
        }
        c.console().out().print(t.describe(plan));
        c.console().println("dry run: nothing was changed");
    }

    /**
     * Whether the command still works on the local target when slipway.yaml has an error, from the
     * state the target recorded ({@link LocalTarget#recorded}), so that a typo in the file cannot
     * leave a running service unmanageable; by default a command refuses a bad configuration.
     */
    boolean worksOnRecordedState() {
        return false;
    }

    /** Rethrows {@code error} unless the command works on the local target's recorded state; then warns and runs. */
    private void runOnRecordedState(ConfigException error, Console console) {
        LocalTarget recorded = worksOnRecordedState() && targetName().equals("local")
                ? LocalTarget.recorded(service.dir.toAbsolutePath().normalize(), console).orElse(null) : null;
        if (recorded == null) {
            throw error;
        }
        console.progress("slipway: warning: " + error.getMessage());
        console.progress("slipway: warning: '" + spec.name() + "' uses the state recorded under " + recorded.stateDir()
                + "; fix " + error.file().getFileName() + " before the next deploy");
        run(new Context(recorded.config(), console, true));
    }

    /** Does the command's work; throws {@code SlipwayException} on failure. */
    abstract void run(Context c);
}

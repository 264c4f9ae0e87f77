package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.analysis.Analysis;
import dev.slipway.analysis.AnalysisResult;
import dev.slipway.analysis.Measurement;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.analysis.Sleeper;
import dev.slipway.analysis.Verdict;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Release;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canary strategy, target-independent: a state machine over {@code canary.steps}. Each step
 * sets the canary's weight, then pauses or runs the {@link Analysis}; a passed last step promotes,
 * a failed analysis aborts at once (weight 0, canary stopped, stable untouched), an inconclusive
 * one pauses until {@code slipway promote} or {@code slipway abort}.
 *
 * <p>No unwatched traffic: a paused canary is drained to weight 0 (its instances keep running, so
 * {@code promote} goes on at the next step's weight), because nothing measures it while it waits.
 * Before the first step the canary waits one {@code canary.scrapeInterval} at weight 0, so that
 * Prometheus has scraped the new instances before the first analysis window starts; each window
 * starts once its step's weight is in effect. Every abort is checked ({@link CanaryTarget#problems})
 * and a new canary refuses to start while the last aborted one left something behind. With
 * {@code canary.bake}, a promoted release is watched (the stable track's metrics) for that long,
 * and a failure undoes it ({@link CanaryTarget#abort} back to the recorded stable release).
 *
 * <p>The state ({@link CanaryState}) is written after every change ({@link CanaryTarget#store}:
 * a file on the deploy machine, or the canary Deployment on Kubernetes), so a rerun after a crash
 * resumes at the recorded step (repeating that step from its start). One process at a time drives
 * a canary (a lock on {@code canary.lock}); {@link #abort} needs no lock, and a running process sees
 * the abort at its next measurement or within a second of a pause, and stops.
 */
public final class CanaryRun {
    /** The state's message while the canary is being deployed, before it is confirmed ready. */
    static final String DEPLOYING = "deploying the canary";

    /** How a canary command ended, with the exit codes of {@code DESIGN.md}. */
    public enum Outcome {
        /** The canary's release is stable (exit 0). */
        PROMOTED(0),
        /** The canary was stopped; stable untouched (exit 1). */
        ABORTED(SlipwayException.FAILED),
        /** An analysis was inconclusive; waiting for promote or abort (exit 3). */
        PAUSED(SlipwayException.INCONCLUSIVE);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        /** @return the process exit code */
        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * @param outcome how it ended
     * @param state   the final state (the JSON report)
     */
    public record Result(Outcome outcome, CanaryState state) {}

    /** Thrown inside a wait when another process aborted the canary. */
    private static final class AbortedElsewhere extends RuntimeException {
        AbortedElsewhere() {
            super(null, null, false, false);
        }
    }

    private final SlipwayConfig config;
    private final CanaryConfig canary;
    private final CanaryTarget target;
    private final PrometheusClient prometheus;
    private final Clock clock;
    private final Console console;
    private final Path stateFile;
    private final CanaryStore store;

    /**
     * @param config     the service configuration ({@code canary} section)
     * @param target     the target the canary runs on
     * @param prometheus the Prometheus the analysis queries
     * @param clock      the clock for schedules and stamps
     * @param console    progress (stderr) output
     */
    public CanaryRun(SlipwayConfig config, CanaryTarget target, PrometheusClient prometheus, Clock clock,
                     Console console) {
        this.config = config;
        this.canary = config.canary();
        this.target = target;
        this.prometheus = prometheus;
        this.clock = clock;
        this.console = console;
        this.stateFile = CanaryState.file(config.serviceDir(), target.name());
        this.store = target.store(stateFile);
        target.checkpoints(this::checkNotAborted);
    }

    /**
     * @return the state file, {@code .slipway/<target>/canary.json}; beside it {@code canary.lock}
     *         (a target with its own {@link CanaryTarget#store} keeps the state elsewhere)
     */
    public Path stateFile() {
        return stateFile;
    }

    /** @return the current state, or {@code null} when no canary ever ran on this target */
    public CanaryState state() {
        return store.load();
    }

    /**
     * {@code slipway canary}: resumes a canary in progress (after a crash), reports a paused one, or
     * starts a new one with {@code release}. With no stable version yet, {@code release} goes to the
     * stable instances directly (there is nothing to compare a canary with), as Argo Rollouts does
     * for a rollout's first revision.
     *
     * @param release the release to canary (the last build); ignored when a canary is resumed
     * @return how it ended
     * @throws SlipwayException (exit 2) when the release is already stable or another process runs the canary
     */
    public Result run(java.util.function.Supplier<Release> release) {
        return run(release, false);
    }

    /**
     * {@code slipway canary}, as {@link #run(java.util.function.Supplier)}.
     *
     * @param release        the release to canary
     * @param allowDowngrade accept a canary whose version sorts lower than the stable one
     * @return how it ended
     * @throws SlipwayException (exit 2) when the release is already stable, is lower than stable
     *                          without {@code allowDowngrade}, the last aborted canary left
     *                          something behind, or another process runs the canary
     */
    public Result run(java.util.function.Supplier<Release> release, boolean allowDowngrade) {
        try (Lock lock = lock()) {
            CanaryState st = state();
            if (st != null && (st.phase() == CanaryState.Phase.PROGRESSING || st.phase() == CanaryState.Phase.PROMOTING)) {
                target.checkResumable(st.canaryVersion());
                console.progress("resuming the canary of " + st.canaryVersion() + " at step "
                        + Math.min(st.step() + 1, canary.steps().size()) + "/" + canary.steps().size()
                        + " (the last run stopped there: " + st.message() + ")");
                // When the last run stopped before the canary was confirmed ready, deploy it again (idempotent).
                return st.message().equals(DEPLOYING) ? deployAndStep(st, release(st)) : steps(st);
            }
            if (st != null && st.phase() == CanaryState.Phase.BAKING) {
                console.progress("resuming the bake of " + st.canaryVersion() + " (the last run stopped there: "
                        + st.message() + "); it starts over");
                return bake(st);
            }
            if (st != null && st.phase() == CanaryState.Phase.PAUSED) {
                console.progress("the canary of " + st.canaryVersion() + " is paused: " + st.message());
                console.progress("run '" + command("promote") + "' to go on, or '" + command("abort") + "' to stop it");
                return new Result(Outcome.PAUSED, st);
            }
            if (st != null && st.phase() == CanaryState.Phase.ABORTED) {
                List<String> left = target.problems(st.stableVersion());
                if (!left.isEmpty()) {
                    throw SlipwayException.usage("the last canary (" + st.canaryVersion() + ") was aborted but left "
                            + String.join("; ", left) + "; run '" + command("abort") + "' again before a new canary");
                }
            }
            Release r = release.get();
            String stable = target.stableVersion();
            Instant now = clock.instant();
            if (stable == null) {
                console.progress("no stable release on " + target.name() + " yet: " + r.version()
                        + " goes to the stable instances directly (a canary needs a stable version to compare with)");
                target.deployStable(r);
                CanaryState done = new CanaryState(config.name(), target.name(), null, r.version(), r.commit(),
                        r.executable().toString(), CanaryState.Phase.PROMOTED, 0, 0, now, now,
                        "first release " + r.version() + " deployed to the stable instances", List.of());
                store.save(done);
                return new Result(Outcome.PROMOTED, done);
            }
            if (stable.equals(r.version())) {
                throw SlipwayException.usage(r.version() + " is already the stable release on " + target.name()
                        + "; build a new version first");
            }
            if (!allowDowngrade && Versions.compare(r.version(), stable) < 0) {
                throw SlipwayException.usage(r.version() + " is lower than the stable release " + stable + " on "
                        + target.name() + "; build a newer version, or pass --allow-downgrade to canary it anyway");
            }
            st = new CanaryState(config.name(), target.name(), stable, r.version(), r.commit(), r.executable().toString(),
                    CanaryState.Phase.PROGRESSING, 0, 0, now, now, DEPLOYING, List.of());
            store.save(st);
            console.progress("canary " + r.version() + " (stable " + stable + "): " + canary.steps().size()
                    + (canary.steps().size() == 1 ? " step" : " steps") + ", at least "
                    + dev.slipway.Console.seconds(canary.minDuration()));
            return deployAndStep(st, r);
        } catch (AbortedElsewhere e) {
            return new Result(Outcome.ABORTED, state());
        }
    }

    /**
     * Starts the canary of a state recorded as {@link #DEPLOYING}, records that it runs, waits for
     * its first scrape and runs the steps.
     *
     * @param st the state, in phase {@code PROGRESSING} with the message {@link #DEPLOYING}
     * @param r  the canary release
     * @return how the canary ended; aborted at once when the canary does not start
     */
    private Result deployAndStep(CanaryState st, Release r) {
        try {
            target.deployCanary(r);
        } catch (SlipwayException e) {
            return abortNow(st, "the canary did not start: " + e.getMessage());
        }
        CanaryState deployed = st.with(CanaryState.Phase.PROGRESSING, 0, 0, "canary deployed");
        store.save(deployed);
        awaitFirstScrape();
        return steps(deployed);
    }

    /**
     * {@code slipway promote}: goes on with a paused (or crashed) canary from its next step, or, with
     * {@code full}, promotes at once, skipping the remaining steps. During a bake it ends the bake
     * and keeps the release.
     *
     * @param full promote now without the remaining steps
     * @return how it ended
     * @throws SlipwayException (exit 2) when no canary is paused or in progress
     */
    public Result promote(boolean full) {
        try (Lock lock = lock()) {
            CanaryState st = state();
            if (st == null || st.phase().terminal()) {
                throw SlipwayException.usage("no canary in progress on " + target.name() + " to promote"
                        + (st == null ? "" : " (the last one was " + st.phase().name().toLowerCase() + ")"));
            }
            if (st.phase() == CanaryState.Phase.BAKING) {
                // The release is promoted already; promote ends its bake and keeps it.
                CanaryState done = st.with(CanaryState.Phase.PROMOTED, st.step(), 0, st.canaryVersion()
                        + " promoted; its bake was ended by slipway promote");
                store.save(done);
                console.progress(done.message());
                return new Result(Outcome.PROMOTED, done);
            }
            target.checkResumable(st.canaryVersion());
            int next = st.step();
            if (st.phase() == CanaryState.Phase.PAUSED) {
                final int at = st.step();
                CanaryState.StepRecord r = st.steps().stream().filter(s -> s.index() == at).findFirst().orElse(null);
                CanaryState s2 = st;
                if (r != null) {
                    s2 = st.withStep(new CanaryState.StepRecord(r.index(), r.weight(), r.kind(), r.started(),
                            r.finished(), "promoted-by-user (was " + r.outcome() + ")", r.analysis()));
                }
                next = st.step() + 1;
                console.progress("promoting past step " + (st.step() + 1) + " (" + st.message() + ")");
                st = s2;
            }
            CanaryState go = st.with(CanaryState.Phase.PROGRESSING, full ? canary.steps().size() : next, st.weight(),
                    full ? "promoted by slipway promote --full" : "continued by slipway promote");
            store.save(go);
            return steps(go);
        } catch (AbortedElsewhere e) {
            return new Result(Outcome.ABORTED, state());
        }
    }

    /**
     * {@code slipway abort}: weight 0 at once, the canary stopped, stable untouched. Works while
     * another process runs the canary (it sees the abort and stops).
     *
     * @param reason why, for the state and history
     * @return the aborted state
     * @throws SlipwayException (exit 2) when no canary is in progress
     */
    public Result abort(String reason) {
        CanaryState st = state();
        if (st != null && st.phase() == CanaryState.Phase.ABORTED) {
            // An abort that did not finish (a host was unreachable, Ctrl-C) is finished now; an
            // abort that did finish changes nothing the second time (every step is idempotent).
            console.progress("the canary of " + st.canaryVersion() + " was aborted (" + st.message()
                    + "); applying the abort again so that every instance is back on " + st.stableVersion());
            target.abort(st.stableVersion());
            requireConverged(st);
            return new Result(Outcome.ABORTED, st);
        }
        if (st == null || st.phase().terminal()) {
            throw SlipwayException.usage("no canary in progress on " + target.name() + " to abort");
        }
        try (Lock held = tryLock(stateFile)) {
            if (held != null) {
                return abortNow(st, reason);
            }
        }
        // Another process drives the canary (a promotion, say, between two instances): record the
        // abort so that it stops (it sees it within a second, or before its next instance), wait for
        // it to let go, then abort and check here, once nothing else changes the instances.
        CanaryState aborting = st.with(CanaryState.Phase.ABORTED, st.step(), 0, reason);
        store.save(aborting);
        console.progress("aborting: " + reason + "; another slipway process drives the canary: waiting (at most "
                + dev.slipway.Console.seconds(OTHER_DRIVER_WAIT) + ") for it to see the abort and stop");
        long deadline = System.nanoTime() + OTHER_DRIVER_WAIT.toNanos();
        while (true) {
            try (Lock held = tryLock(stateFile)) {
                if (held != null || System.nanoTime() >= deadline) {
                    if (held == null) {
                        console.progress("it still runs; aborting beside it");
                    }
                    return finishAbort(aborting);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SlipwayException.failed("interrupted while waiting for the other slipway process; the abort is"
                        + " recorded: run '" + command("abort") + "' again to finish it");
            }
        }
    }

    /** What a canary command does, for {@link #plan}. */
    public enum Action {
        /** {@code slipway canary}: start a canary, or resume the one in progress. */
        CANARY,
        /** {@code slipway promote}: go on from the next step. */
        PROMOTE,
        /** {@code slipway promote --full}: promote at once. */
        PROMOTE_FULL,
        /** {@code slipway abort}. */
        ABORT;

        /** @return the command's name, e.g. {@code promote} */
        public String command() {
            return this == PROMOTE_FULL ? "promote" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What {@code action} would do now, for {@code --dry-run}: reads the state, the target's stable
     * release and (for a new canary) the release, and changes nothing: no lock, no state written,
     * no weight set. The same refusals as the command itself end it (exit 2).
     *
     * @param action         the command
     * @param release        the release a new canary gets (read only when one would start)
     * @param allowDowngrade as {@code canary --allow-downgrade}
     * @return the report: outcome {@code planned}, exit 0; its lines say what would happen, its
     *         steps list the canary steps that would run ({@code weight W %: analysis} or {@code ...: pause D})
     * @throws SlipwayException (exit 2) when the command would be refused; nothing changed
     */
    public dev.slipway.deploy.Report plan(Action action, java.util.function.Supplier<Release> release, boolean allowDowngrade) {
        CanaryState st = state();
        List<String> lines = new ArrayList<>();
        int from = 0;
        String version = st == null ? null : st.canaryVersion();
        boolean running = st != null && !st.phase().terminal();
        switch (action) {
            case CANARY -> {
                if (st != null && (st.phase() == CanaryState.Phase.PROGRESSING || st.phase() == CanaryState.Phase.PROMOTING)) {
                    target.checkResumable(st.canaryVersion());
                    lines.add("resume the canary of " + version + " (stable " + st.stableVersion() + ") at step "
                            + Math.min(st.step() + 1, canary.steps().size()) + "/" + canary.steps().size() + ": " + st.message());
                    from = st.step();
                } else if (st != null && st.phase() == CanaryState.Phase.BAKING) {
                    lines.add("resume the bake of " + version + " for " + Console.seconds(canary.bake()) + ", from its start");
                    from = canary.steps().size();
                } else if (st != null && st.phase() == CanaryState.Phase.PAUSED) {
                    lines.add("the canary of " + version + " is paused (" + st.message() + "): nothing to do; '"
                            + command("promote") + "' goes on, '" + command("abort") + "' stops it");
                    from = canary.steps().size();
                } else {
                    if (st != null && st.phase() == CanaryState.Phase.ABORTED) {
                        List<String> left = target.problems(st.stableVersion());
                        if (!left.isEmpty()) {
                            throw SlipwayException.usage("the last canary (" + version + ") was aborted but left "
                                    + String.join("; ", left) + "; run '" + command("abort") + "' again before a new canary");
                        }
                    }
                    Release r = release.get();
                    String stable = target.stableVersion();
                    version = r.version();
                    if (stable == null) {
                        lines.add("no stable release on " + target.name() + " yet: deploy " + version
                                + " to the stable instances directly (nothing to compare a canary with)");
                        from = canary.steps().size();
                    } else if (stable.equals(version)) {
                        throw SlipwayException.usage(version + " is already the stable release on " + target.name()
                                + "; build a new version first");
                    } else if (!allowDowngrade && Versions.compare(version, stable) < 0) {
                        throw SlipwayException.usage(version + " is lower than the stable release " + stable + " on "
                                + target.name() + "; build a newer version, or pass --allow-downgrade to canary it anyway");
                    } else {
                        lines.add("start the canary of " + version + " beside stable " + stable + " at weight 0, then wait one"
                                + " scrape interval (" + Console.seconds(canary.scrapeInterval()) + ")");
                    }
                }
            }
            case PROMOTE, PROMOTE_FULL -> {
                if (!running) {
                    throw SlipwayException.usage("no canary in progress on " + target.name() + " to promote"
                            + (st == null ? "" : " (the last one was " + st.phase().name().toLowerCase() + ")"));
                }
                if (st.phase() == CanaryState.Phase.BAKING) {
                    lines.add("end the bake of " + version + " and keep it");
                    from = canary.steps().size();
                } else {
                    target.checkResumable(version);
                    from = action == Action.PROMOTE_FULL ? canary.steps().size()
                            : st.phase() == CanaryState.Phase.PAUSED ? st.step() + 1 : st.step();
                    lines.add((action == Action.PROMOTE_FULL ? "promote " + version + " now, skipping the remaining steps"
                            : "go on with the canary of " + version + " from step " + Math.min(from + 1, canary.steps().size()))
                            + " (now: " + st.message() + ")");
                }
            }
            case ABORT -> {
                if (st != null && st.phase() == CanaryState.Phase.ABORTED) {
                    lines.add("apply the abort of " + version + " again, so that every instance is back on " + st.stableVersion());
                } else if (!running) {
                    throw SlipwayException.usage("no canary in progress on " + target.name() + " to abort");
                } else {
                    lines.add("set the canary's weight to 0, stop the canary " + version + "; stable " + st.stableVersion()
                            + " serves all traffic");
                }
                from = canary.steps().size();
            }
        }
        List<String> steps = new ArrayList<>();
        List<CanaryConfig.Step> all = canary.steps();
        for (int i = from; i < all.size(); i++) {
            CanaryConfig.Step s = all.get(i);
            steps.add("weight " + s.weight() + " %: " + (s.analysis() ? "analysis" : "pause " + Console.seconds(s.pause())));
        }
        if (!steps.isEmpty()) {
            steps.add("promote: the canary's release to the stable instances" + (canary.bake().isZero() ? ""
                    : ", then bake " + Console.seconds(canary.bake())));
        }
        for (int i = 0; i < steps.size(); i++) {
            lines.add(String.format("%3d. %s", i + 1, steps.get(i)));
        }
        return new dev.slipway.deploy.Report(target.name(), action.command(), config.name(), version, 0, "planned", 0,
                null, steps, Map.of(), lines, "dry run: nothing was changed");
    }

    /**
     * Runs a canary command with a Ctrl-C (SIGTERM) hook that says where the canary was left and
     * what brings it on: the state file has it all, and a rerun resumes it.
     *
     * @param call the command, e.g. {@code () -> run.promote(false)}
     * @return its result
     */
    public Result interruptible(java.util.function.Supplier<Result> call) {
        String to = target.name().equals("local") ? "" : " --to " + target.name();
        Thread hook = new Thread(() -> {
            CanaryState s;
            try {
                s = state();
            } catch (RuntimeException e) { // the state on the cluster may be out of reach by now
                console.progress("interrupted: 'slipway canary" + to + "' resumes the canary, 'slipway abort" + to
                        + "' aborts it");
                return;
            }
            if (s != null && !s.phase().terminal()) {
                console.progress("interrupted: the canary of " + s.canaryVersion() + " stays at step "
                        + Math.min(s.step() + 1, canary.steps().size()) + ", weight " + s.weight() + " %; 'slipway canary"
                        + to + "' resumes it, 'slipway abort" + to + "' aborts it");
            }
        }, "slipway-canary-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return call.get();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    /**
     * How long {@code slipway abort} waits for another process that drives the canary to see the
     * abort and stop: it looks before each instance of a promotion, and one instance's deploy is
     * bounded by its readiness gate.
     */
    static final java.time.Duration OTHER_DRIVER_WAIT = java.time.Duration.ofMinutes(5);

    /** @return the command a user runs next, with {@code --to} for targets other than the default */
    private String command(String name) {
        return "slipway " + name + (target.name().equals("local") ? "" : " --to " + target.name());
    }

    /** Waits one scrape interval at weight 0, so Prometheus has seen the new canary's series before a window starts. */
    private void awaitFirstScrape() {
        try {
            watchfulSleeper().sleepUntil(clock, clock.instant().plus(canary.scrapeInterval()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted; rerun 'slipway canary' to resume");
        }
    }

    /** Throws (exit 1) naming what an abort left behind, after recording it in the state. */
    private void requireConverged(CanaryState st) {
        List<String> left = target.problems(st.stableVersion());
        if (!left.isEmpty()) {
            store.save(st.with(CanaryState.Phase.ABORTED, st.step(), 0, st.message() + "; the abort did not converge: "
                    + String.join("; ", left)));
            throw SlipwayException.failed("the abort did not converge: " + String.join("; ", left)
                    + "; run '" + command("abort") + "' again");
        }
    }

    private Release release(CanaryState st) {
        return new Release(config.name(), st.canaryVersion(), st.canaryCommit(), Path.of(st.canaryRelease()), "");
    }

    // ---- the state machine ------------------------------------------------------------------------

    private Result steps(CanaryState start) {
        CanaryState st = start;
        List<CanaryConfig.Step> steps = canary.steps();
        Release release = release(st);
        for (int i = st.step(); i < steps.size(); i++) {
            checkNotAborted();
            CanaryConfig.Step step = steps.get(i);
            String kind = step.analysis() ? "analysis" : "pause";
            st = st.with(CanaryState.Phase.PROGRESSING, i, step.weight(), "step " + (i + 1) + ": weight " + step.weight()
                    + " %, " + kind).withStep(new CanaryState.StepRecord(i, step.weight(), kind, clock.instant(), null,
                    null, null));
            store.save(st);
            try {
                target.setWeight(step.weight());
            } catch (CanaryTarget.CanaryNotReady e) {
                return abortNow(st, "step " + (i + 1) + ": " + e.getMessage());
            }
            // The window opens once the weight is in effect (on Kubernetes, once the canary's pods are ready).
            Instant began = clock.instant();
            console.progress("step " + (i + 1) + "/" + steps.size() + ": weight " + step.weight() + " %, "
                    + (step.analysis() ? "analysis" : "pause " + dev.slipway.Console.seconds(step.pause())));
            if (!step.analysis()) {
                try {
                    watchfulSleeper().sleepUntil(clock, began.plus(step.pause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SlipwayException.failed("interrupted during a pause; rerun 'slipway canary' to resume");
                }
                st = st.withStep(new CanaryState.StepRecord(i, step.weight(), kind, began, clock.instant(), "pass", null));
                store.save(st);
                continue;
            }
            AnalysisResult result = analyse(st, i, step.weight(), began, "canary", "analysis");
            st = st.withStep(new CanaryState.StepRecord(i, step.weight(), kind, began, clock.instant(),
                    result.verdict().label(), result));
            if (result.verdict() == Verdict.FAIL) {
                return abortNow(st, "step " + (i + 1) + " analysis failed: " + result.message());
            }
            if (result.verdict() == Verdict.INCONCLUSIVE) {
                // Nothing watches a paused canary: it gets no traffic until promote (or abort).
                target.setWeight(0);
                CanaryState paused = st.with(CanaryState.Phase.PAUSED, i, 0,
                        "step " + (i + 1) + " analysis inconclusive: " + result.message()
                        + "; drained to weight 0 while paused");
                store.save(paused);
                console.progress("paused at step " + (i + 1) + " and drained to weight 0 (was " + step.weight()
                        + " %): " + result.message());
                console.progress("run '" + command("promote") + "' to go on, or '" + command("abort") + "' to stop the canary");
                return new Result(Outcome.PAUSED, paused);
            }
            console.progress("step " + (i + 1) + " passed: " + result.message());
            store.save(st);
        }
        checkNotAborted();
        st = st.with(CanaryState.Phase.PROMOTING, steps.size(), st.weight(), "promoting " + st.canaryVersion());
        store.save(st);
        console.progress("promoting " + st.canaryVersion() + " to the stable instances");
        try {
            target.promote(release);
        } catch (SlipwayException e) {
            return abortNow(st, "promotion failed: " + e.getMessage());
        }
        if (canary.bake().isZero()) {
            CanaryState done = st.with(CanaryState.Phase.PROMOTED, steps.size(), 0, st.canaryVersion() + " promoted");
            store.save(done);
            console.progress(done.message());
            return new Result(Outcome.PROMOTED, done);
        }
        CanaryState baking = st.with(CanaryState.Phase.BAKING, steps.size(), 0, st.canaryVersion()
                + " promoted; watching it for " + dev.slipway.Console.seconds(canary.bake()) + " (canary.bake)");
        store.save(baking);
        return bake(baking);
    }

    /** The index of the bake's record in {@link CanaryState#steps()}: after the last step. */
    private int bakeIndex() {
        return canary.steps().size();
    }

    /**
     * Watches a promoted release for {@code canary.bake}: every metric, on the stable track (the
     * release's instances now), every interval for the bake's length (at least once), counted from
     * when the bake started. A failure undoes the release ({@link CanaryTarget#abort} with the
     * stable release recorded at the start); an inconclusive bake keeps it and says so.
     */
    private Result bake(CanaryState baking) {
        Instant began = clock.instant();
        console.progress("baking " + baking.canaryVersion() + " for " + dev.slipway.Console.seconds(canary.bake())
                + ": the stable track's metrics, a failure undoes the release (back to " + baking.stableVersion() + ")");
        CanaryState st = baking.withStep(new CanaryState.StepRecord(bakeIndex(), 100, "bake", began, null, null, null));
        store.save(st);
        AnalysisResult result = analyse(st, bakeIndex(), 100, began, "stable", "bake");
        st = st.withStep(new CanaryState.StepRecord(bakeIndex(), 100, "bake", began, clock.instant(),
                result.verdict().label(), result));
        if (result.verdict() == Verdict.FAIL) {
            return abortNow(st, "bake after the promotion failed: " + result.message() + "; the release is undone");
        }
        CanaryState done = st.with(CanaryState.Phase.PROMOTED, bakeIndex(), 0, st.canaryVersion() + " promoted"
                + (result.verdict() == Verdict.PASS ? "; baked " + dev.slipway.Console.seconds(canary.bake())
                + " without a failure" : "; the bake was inconclusive (" + result.message() + "): the release is kept"));
        store.save(done);
        console.progress(done.message());
        return new Result(Outcome.PROMOTED, done);
    }

    /** The metrics of a bake: each measured every interval for {@code canary.bake} (at least once). */
    private List<dev.slipway.analysis.MetricCheck> bakeChecks() {
        return canary.metrics().stream().map(m -> new dev.slipway.analysis.MetricCheck(m.name(), m.query(), m.min(),
                m.max(), m.interval(), (int) Math.max(1, canary.bake().minus(m.initialDelay()).toMillis()
                / m.interval().toMillis() + 1), m.failureLimit(), m.errorLimit(), m.initialDelay(), m.onNoData(),
                m.minRequests(), m.inconclusiveLimit())).toList();
    }

    private AnalysisResult analyse(CanaryState st0, int index, int weight, Instant began, String track, String kind) {
        Map<String, String> vars = new LinkedHashMap<>(canary.vars());
        vars.put("service", config.name());
        vars.put("track", track);
        List<Measurement> so = new ArrayList<>();
        CanaryState[] st = {st0};
        try {
            return Analysis.run(kind.equals("bake") ? bakeChecks() : canary.metrics(), vars, canary.requests(), prometheus,
                    clock, began, watchfulSleeper(), m -> {
                so.add(m);
                console.progress("  " + m.metric() + " " + m.verdict().label() + ": " + m.message());
                AnalysisResult partial = new AnalysisResult(null, began, m.time(), List.of(), List.copyOf(so),
                        "running");
                st[0] = st[0].withStep(new CanaryState.StepRecord(index, weight, kind, began, null, null, partial));
                checkNotAborted();
                store.save(st[0]);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted during the analysis; rerun 'slipway canary' to resume");
        }
    }

    /** A sleeper that wakes every 250 ms to see whether another process aborted the canary. */
    private Sleeper watchfulSleeper() {
        return (c, until) -> {
            long left;
            while ((left = until.toEpochMilli() - c.millis()) > 0) {
                checkNotAborted();
                Thread.sleep(Math.min(left, 250));
            }
            checkNotAborted();
        };
    }

    private void checkNotAborted() {
        CanaryState now = state();
        if (now != null && now.phase() == CanaryState.Phase.ABORTED) {
            console.progress("the canary was aborted elsewhere: " + now.message());
            target.abort(now.stableVersion()); // idempotent: make sure the weight is 0 even if a step raced the abort
            throw new AbortedElsewhere();
        }
    }

    private Result abortNow(CanaryState st, String reason) {
        console.progress("aborting: " + reason);
        CanaryState aborting = st.with(CanaryState.Phase.ABORTED, st.step(), 0, reason);
        // Record first, so a running process stops touching the weight; then take the traffic away.
        store.save(aborting);
        return finishAbort(aborting);
    }

    /** Takes the traffic away and converges ({@link CanaryTarget#abort}), then checks it; the abort is recorded. */
    private Result finishAbort(CanaryState aborting) {
        target.abort(aborting.stableVersion());
        requireConverged(aborting);
        console.progress("aborted: weight 0, canary " + aborting.canaryVersion() + " taken out, stable "
                + aborting.stableVersion() + " serves all traffic");
        return new Result(Outcome.ABORTED, aborting);
    }

    /** The held lock on {@code canary.lock}; released on close (and by the OS when the process dies). */
    record Lock(dev.slipway.util.FileLock held) implements AutoCloseable {
        @Override
        public void close() {
            held.close();
        }
    }

    /**
     * Takes the lock one process holds while it drives a canary ({@code canary.lock} beside the state file).
     *
     * @param stateFile the canary's state file ({@link CanaryState#file})
     * @return the held lock, or {@code null} when another process holds it
     * @throws SlipwayException (exit 1) when the lock file cannot be created
     */
    static Lock tryLock(Path stateFile) {
        Path f = stateFile.resolveSibling("canary.lock");
        try {
            dev.slipway.util.FileLock l = dev.slipway.util.FileLock.tryLock(f);
            return l == null ? null : new Lock(l);
        } catch (java.io.UncheckedIOException e) {
            throw SlipwayException.failed(e.getMessage(), e);
        }
    }

    private Lock lock() {
        Lock l = tryLock(stateFile);
        if (l == null) {
            throw SlipwayException.usage("another slipway process runs the canary on " + target.name()
                    + " (" + stateFile.resolveSibling("canary.lock") + " is locked); wait for it, or run '"
                    + command("abort") + "'");
        }
        return l;
    }
}

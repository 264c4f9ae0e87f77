package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

/**
 * The one loop that runs a {@link DeployPlan}'s steps, for every target that executes plans over a
 * {@code remote.Host} and a {@link ServiceManager} (the hosts target over SSH, the local target over
 * {@code LocalHost}). A target plugs in its {@link Parts}: what one step does on one place, how it
 * goes back after a failed step, how it releases its locks, and what Ctrl-C does. The loop owns
 * the rest, so it means the same on every target:
 *
 * <ul>
 *   <li>step order: the plan's order; the setup steps before any switch (upload, env, unit,
 *       prepare) run for every place at once, each place's in order; the starts, gates and proxy
 *       switches of one rollout batch run at once; a step the parts run in the background (the
 *       hosts' retirement of old instances behind nginx) is awaited before the next step outside
 *       the rollout, except the record and prune at the end, which run beside it (the unlocks
 *       wait for it), and before the run ends; a target whose record and prune do not depend on
 *       each other ({@link Parts#finishTogether}) has them all run at once;</li>
 *   <li>the {@code SLIPWAY_CRASH_AT} test hook: a halt just before a named step, as kill -9 would;</li>
 *   <li>timings: per step kind, per place and kind, per step;</li>
 *   <li>failure handling, one path for every target: a {@link StepFailed} (a switch, restart,
 *       start, gate, proxy switch or stop that failed once the target began to change what serves)
 *       is announced to the parts ({@link Parts#failing}), then the plan's going-back steps
 *       ({@link DeployPlan.Kind#BACK}, {@link DeployPlan#back()}) run in their order, each through
 *       {@link Parts#run} like any step, and last the parts record the outcome and unlock
 *       ({@link Parts#back}: exit 1); any other failure (before any switch, or after every gate)
 *       only releases the locks ({@link Parts#unlock}) and passes unchanged;</li>
 *   <li>interrupts: while the run lasts, SIGTERM (and Ctrl-C, unless the parts go back on it) calls
 *       {@link Parts#interrupted} from a shutdown hook. Parts that go back on Ctrl-C
 *       ({@link Parts#goesBackOnCtrlC}) get Ctrl-C as a failed step instead: on the first SIGINT no
 *       new step starts, the running ones that only wait or set up are cut short
 *       ({@link Parts#cutShort}: a gate, an upload, a prepare, the delay between batches, the wait
 *       for a lock), and once
 *       the running ones ended the run goes back as after a failed gate, with a
 *       {@link StepFailed#interrupted} failure ({@link Parts#back} records it and unlocks; the run
 *       ends with exit 130). A SIGINT once the end steps began (record, prune, unlock: every gate
 *       passed) lets them finish. A second SIGINT calls {@link Parts#stopNow} and halts the process
 *       with exit 130, whatever the run was doing.</li>
 * </ul>
 *
 * Kubernetes and the container engine roll out with their own controllers and use only the
 * crash hook and the timings.
 */
public final class Executor {
    /** Environment variable naming a plan step to halt before: {@code <kind id>} or {@code <kind id>:<where>}. */
    public static final String CRASH_AT = "SLIPWAY_CRASH_AT";

    /** How many places (hosts) are set up or gated at once. */
    public static final int PARALLEL = 8;

    /** Steps that set a place up before any switch; they run for every place at once. */
    private static final Set<DeployPlan.Kind> SETUP = EnumSet.of(DeployPlan.Kind.UPLOAD, DeployPlan.Kind.ENV,
            DeployPlan.Kind.UNIT, DeployPlan.Kind.PREPARE);

    /** Steps that end a run on a place after every batch; they run for every place at once. */
    private static final Set<DeployPlan.Kind> FINISH = EnumSet.of(DeployPlan.Kind.RECORD, DeployPlan.Kind.PRUNE,
            DeployPlan.Kind.UNLOCK);

    /** Rollout steps that the places of one batch run at once. */
    private static final Set<DeployPlan.Kind> TOGETHER = EnumSet.of(DeployPlan.Kind.START, DeployPlan.Kind.GATE,
            DeployPlan.Kind.PROXY);

    private final String crashAt;
    private final Console console;
    private final Map<DeployPlan.Kind, Long> nanos = new EnumMap<>(DeployPlan.Kind.class);
    private final Map<String, Long> whereNanos = new LinkedHashMap<>();
    private long[] stepNanos = new long[0];
    /**
     * Start and end ({@link System#nanoTime()}) of what the run waited for, by kind: every step run
     * in the foreground, and the part of a background step that the loop waited for
     * ({@link #awaitBackground}); the rest of a background step overlaps other steps.
     */
    private final Map<DeployPlan.Kind, List<long[]>> spans = new EnumMap<>(DeployPlan.Kind.class);
    /** Kinds of step that the first Ctrl-C cuts short: they only wait, or set a place up before any switch. */
    private static final Set<DeployPlan.Kind> CUT_SHORT = EnumSet.of(DeployPlan.Kind.GATE, DeployPlan.Kind.UPLOAD,
            DeployPlan.Kind.PREPARE, DeployPlan.Kind.DELAY, DeployPlan.Kind.LOCK);

    /** Kinds of step that wait in this JVM (a sleep, a lock's polling): Ctrl-C interrupts their thread. */
    private static final Set<DeployPlan.Kind> WAIT_HERE = EnumSet.of(DeployPlan.Kind.DELAY, DeployPlan.Kind.LOCK);

    /** The steps running now (for Ctrl-C), by their index in the plan. */
    private final Map<Integer, DeployPlan.Step> runningSteps = new java.util.concurrent.ConcurrentHashMap<>();
    /** The thread each of {@link #runningSteps} runs on. */
    private final Map<Integer, Thread> runningThreads = new java.util.concurrent.ConcurrentHashMap<>();
    /** What ran when the first Ctrl-C came (one line), or {@code null} before it. */
    private volatile String ctrlC;
    /** Where the step that ran then ran, or {@code null}. */
    private volatile String ctrlCWhere;
    /** Whether the end steps (record, prune, unlock) began: Ctrl-C then lets them finish. */
    private volatile boolean finishing;
    /** The steps started in the background and not awaited yet, in submission order, with their kinds. */
    private final List<Map.Entry<DeployPlan.Kind, Future<?>>> background = new ArrayList<>();

    /**
     * What a target plugs into the loop. Its methods may be called from several threads at once
     * (the places of a setup group or a batch), and {@link #interrupted} from a shutdown hook.
     */
    public interface Parts {
        /**
         * Runs one step on its place.
         *
         * @param step the step
         * @throws StepFailed       when the target must go back (the step changed, or failed to
         *                          change, what serves)
         * @throws RuntimeException any other failure: the run stops, the locks are released
         */
        void run(DeployPlan.Step step);

        /**
         * A step failed once the target began to change what serves: called before the going-back
         * steps run, to say what failed and to keep what the report needs from before going back
         * (a log's last lines, what was changed where). Ctrl-C has nothing left to undo from here on.
         *
         * @param failure the failure
         */
        default void failing(StepFailed failure) {}

        /**
         * After a {@link StepFailed} and the plan's going-back steps ({@link DeployPlan.Kind#BACK},
         * which went through {@link #run}; a going-back step says what it could not put back, it does
         * not throw): records the outcome in the history and releases the locks.
         *
         * @param failure the failure
         * @return the exception the run ends with (exit 1), naming the place, the reason and what went back
         */
        SlipwayException back(StepFailed failure);

        /** Releases the locks this run holds; after any failure but a {@link StepFailed}. Never throws. */
        void unlock();

        /**
         * @param step a step about to run
         * @return whether the loop runs it in the background and goes on (it is awaited before the
         *         next step outside the rollout's batches and before the run ends)
         */
        default boolean inBackground(DeployPlan.Step step) {
            return false;
        }

        /**
         * @return whether the end steps of one place before its unlock (record, prune) are independent
         *         of each other, so the loop runs them all at once (every place's, and a place's record
         *         beside its prune) instead of each place's in order; false by default (the local
         *         target's prune reads the history its record writes)
         */
        default boolean finishTogether() {
            return false;
        }

        /** Ctrl-C or SIGTERM while the run lasts (a shutdown hook): undo what is half done, release the locks. */
        default void interrupted() {}

        /**
         * @return whether Ctrl-C (SIGINT) makes the run go back as a failed gate does (see
         *         {@link Executor}); false by default: Ctrl-C then ends the process through
         *         {@link #interrupted}, as SIGTERM does
         */
        default boolean goesBackOnCtrlC() {
            return false;
        }

        /**
         * The first Ctrl-C came while {@code step} runs, and the step only waits or sets up (a gate,
         * an upload, a prepare, a delay, a lock): end it now; it then fails (its failure is read as
         * the interruption). A delay's or lock's thread is interrupted by the loop itself (a sleep in
         * this JVM ends at once); this is for what waits elsewhere (a command on a host). Called on
         * the signal's thread. Never throws.
         *
         * @param step the running step
         */
        default void cutShort(DeployPlan.Step step) {}

        /**
         * A second Ctrl-C: stop at once. Releases the locks, records the run on the hosts it locked,
         * and says what state each place is in, bounded in time; the process halts (exit 130) when
         * it returns. Called on the signal's thread, while the run's own thread may still run a step.
         */
        default void stopNow() {
            interrupted();
        }
    }

    /**
     * A step that failed once the target began to change what serves: the run goes back
     * ({@link Parts#back}). Carries no stack trace: it is an outcome, not a bug.
     */
    public static final class StepFailed extends RuntimeException {
        private final String where;
        private final String detail;
        private final boolean interrupted;

        /**
         * @param where  the place it failed on (a host's name, {@code local}, {@code :8081})
         * @param reason one line: what failed and why
         * @param detail the failure's context for the message: a journal's or log's last lines, or a
         *               note on why a gate may have failed; {@code ""} for none
         */
        public StepFailed(String where, String reason, String detail) {
            this(where, reason, detail, false);
        }

        private StepFailed(String where, String reason, String detail, boolean interrupted) {
            super(reason, null, false, false);
            this.where = where;
            this.detail = detail;
            this.interrupted = interrupted;
        }

        /**
         * @param where  the place of the step that ran when Ctrl-C came (its first, when several ran),
         *               or {@code null} between steps
         * @param during one line: what ran then, e.g. {@code web2's gate}
         * @return the failure a Ctrl-C makes of the run ({@link #interrupted()} is true)
         */
        public static StepFailed interrupted(String where, String during) {
            return new StepFailed(where, during, "", true);
        }

        /** @return whether the run went back on Ctrl-C rather than on a step's failure; {@link #reason()} then says what ran */
        public boolean interrupted() {
            return interrupted;
        }

        /** @return the place it failed on */
        public String where() {
            return where;
        }

        /** @return one line: what failed and why */
        public String reason() {
            return getMessage();
        }

        /** @return the failure's context ({@code ""} for none) */
        public String detail() {
            return detail;
        }
    }

    /**
     * @param crashAt the {@code SLIPWAY_CRASH_AT} value, or {@code null}/blank for none
     * @param console where the halt is announced, and background failures while going back
     */
    public Executor(String crashAt, Console console) {
        this.crashAt = crashAt == null || crashAt.isBlank() ? null : crashAt.strip();
        this.console = console;
    }

    /**
     * Runs the steps in the loop's order with the target's parts.
     *
     * @param steps the plan's steps
     * @param parts what the target does
     * @throws SlipwayException (exit 1) from {@link Parts#back} after a {@link StepFailed}
     * @throws RuntimeException any other failure of a step, after {@link Parts#unlock}
     */
    public void run(List<DeployPlan.Step> steps, Parts parts) {
        run(steps, List.of(), parts);
    }

    /**
     * Runs the steps in the loop's order with the target's parts; after a {@link StepFailed}, the
     * going-back steps in their order.
     *
     * @param steps the plan's steps
     * @param back  the plan's going-back steps ({@link DeployPlan#back()})
     * @param parts what the target does
     * @throws SlipwayException (exit 1) from {@link Parts#back} after a {@link StepFailed}
     * @throws RuntimeException any other failure of a step, after {@link Parts#unlock}
     */
    public void run(List<DeployPlan.Step> steps, List<DeployPlan.Step> back, Parts parts) {
        synchronized (this) {
            stepNanos = new long[steps.size()];
            Arrays.fill(stepNanos, -1);
        }
        ctrlC = null;
        ctrlCWhere = null;
        finishing = false;
        runningSteps.clear();
        runningThreads.clear();
        Thread hook = new Thread(parts::interrupted, "slipway-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        dev.slipway.util.CtrlC sigint = parts.goesBackOnCtrlC() ? dev.slipway.util.CtrlC.take(n -> ctrlC(n, parts)) : null;
        try {
            loop(steps, parts);
        } catch (StepFailed f) {
            if (ctrlC != null) {
                Thread.interrupted(); // a delay or lock wait Ctrl-C interrupted: going back must not inherit it
            }
            awaitBackgroundQuietly();
            StepFailed failure = ctrlC != null ? StepFailed.interrupted(ctrlCWhere, ctrlC) : f;
            parts.failing(failure);
            goBack(back, parts);
            throw parts.back(failure);
        } catch (RuntimeException e) {
            if (ctrlC != null) {
                Thread.interrupted(); // a delay or lock wait Ctrl-C interrupted: going back must not inherit it
            }
            awaitBackgroundQuietly();
            if (ctrlC != null && !finishing) {
                // A step cut short (or refused) by Ctrl-C before any switch fails as any step may: the
                // run still goes back, which puts back what the setup changed (kept env files).
                StepFailed failure = StepFailed.interrupted(ctrlCWhere, ctrlC);
                parts.failing(failure);
                goBack(back, parts);
                throw parts.back(failure);
            }
            parts.unlock();
            throw e;
        } finally {
            if (sigint != null) {
                sigint.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /**
     * A SIGINT during a run whose parts go back on Ctrl-C. The first: no new step starts (each
     * checks {@link #ctrlC} in {@link #timed}) and the running steps that only wait or set up are
     * cut short; once the end steps began, nothing (they finish). The second: the parts stop at once
     * ({@link Parts#stopNow}) and the process halts with 130 (128 + SIGINT, as sh(1) reports it).
     */
    private void ctrlC(int count, Parts parts) {
        if (count == 1) {
            List<DeployPlan.Step> now;
            synchronized (this) {
                if (finishing) {
                    console.progress("slipway: Ctrl-C: every gate passed; recording the run and releasing the locks"
                            + " (Ctrl-C again to stop at once)");
                    return;
                }
                now = runningSteps.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
                ctrlCWhere = now.isEmpty() ? null : now.get(0).where();
                ctrlC = now.isEmpty() ? "between steps" : "during " + String.join(", ", now.stream()
                        .map(s -> (s.where() == null ? "" : s.where() + "'s ") + s.kind().id()).distinct().toList());
            }
            console.progress("slipway: Ctrl-C " + ctrlC + ": no new step starts; every host this run switched goes back"
                    + " to its previous release once the running steps end (Ctrl-C again to stop at once)");
            runningSteps.forEach((index, s) -> {
                if (WAIT_HERE.contains(s.kind())) {
                    Thread t = runningThreads.get(index);
                    if (t != null) {
                        t.interrupt(); // its sleep ends with a failure; run() clears the flag before going back
                    }
                }
                if (CUT_SHORT.contains(s.kind())) {
                    try {
                        parts.cutShort(s);
                    } catch (RuntimeException ignored) {
                        // the step ends by its own bound then
                    }
                }
            });
            return;
        }
        console.progress("slipway: Ctrl-C again: stopping at once");
        try {
            parts.stopNow();
        } finally {
            Runtime.getRuntime().halt(130);
        }
    }

    private void loop(List<DeployPlan.Step> steps, Parts parts) {
        int i = 0;
        while (i < steps.size()) {
            DeployPlan.Step step = steps.get(i);
            int j = i + 1;
            boolean setup = step.batch() == 0 && SETUP.contains(step.kind());
            if (setup || step.batch() == 0 && FINISH.contains(step.kind())) {
                // Setup (upload, env, unit, prepare), and the end (record, prune, unlock, once every
                // background step ended): every place at once, each place's steps in order.
                Set<DeployPlan.Kind> group = setup ? SETUP : FINISH;
                if (!setup) {
                    // Every gate passed: a Ctrl-C from now on lets the record, prune and unlock finish. One
                    // that came before (the handler saw finishing false, then set ctrlC) still goes back.
                    synchronized (this) {
                        if (ctrlC != null) {
                            throw StepFailed.interrupted(ctrlCWhere, ctrlC);
                        }
                        finishing = true;
                    }
                }
                while (j < steps.size() && steps.get(j).batch() == 0 && group.contains(steps.get(j).kind())) {
                    j++;
                }
                if (setup) {
                    perPlace(steps, i, j, k -> true, parts);
                } else {
                    // The record and prune run beside the background steps (the old instances' stop, which
                    // nginx no longer sends requests to); the unlocks wait for them, so a background
                    // failure is reported while the run still holds its locks, and the next run never
                    // finds an old instance still stopping.
                    if (parts.finishTogether()) {
                        // Each one its own round trip to its place, none waiting for another.
                        List<Integer> idx = new ArrayList<>();
                        for (int k = i; k < j; k++) {
                            if (steps.get(k).kind() != DeployPlan.Kind.UNLOCK) {
                                idx.add(k);
                            }
                        }
                        each(idx, k -> steps.get(k).where() + "." + steps.get(k).kind().id(), k -> {
                            timed(k, steps.get(k), parts, true);
                            return Boolean.TRUE;
                        });
                    } else {
                        perPlace(steps, i, j, k -> steps.get(k).kind() != DeployPlan.Kind.UNLOCK, parts);
                    }
                    awaitBackground();
                    perPlace(steps, i, j, k -> steps.get(k).kind() == DeployPlan.Kind.UNLOCK, parts);
                }
            } else if (step.batch() > 0 && TOGETHER.contains(step.kind())) {
                // The starts, gates and proxy switches of one batch: together.
                while (j < steps.size() && steps.get(j).kind() == step.kind() && steps.get(j).batch() == step.batch()) {
                    j++;
                }
                List<Integer> idx = new ArrayList<>();
                for (int k = i; k < j; k++) {
                    idx.add(k);
                }
                each(idx, k -> steps.get(k).where(), k -> {
                    timed(k, steps.get(k), parts, true);
                    return Boolean.TRUE;
                });
            } else if (parts.inBackground(step)) {
                inBackground(i, step, parts);
            } else {
                if (step.batch() == 0) {
                    awaitBackground();
                }
                timed(i, step, parts, true);
            }
            i = j;
        }
        awaitBackground();
    }

    /**
     * Runs the steps {@code from} (inclusive) to {@code to} (exclusive) that {@code which} selects:
     * every place at once, each place's steps in order.
     */
    private void perPlace(List<DeployPlan.Step> steps, int from, int to, java.util.function.IntPredicate which, Parts parts) {
        Map<String, List<Integer>> perPlace = new LinkedHashMap<>();
        for (int k = from; k < to; k++) {
            if (which.test(k)) {
                perPlace.computeIfAbsent(steps.get(k).where(), w -> new ArrayList<>()).add(k);
            }
        }
        each(List.copyOf(perPlace.values()), idx -> steps.get(idx.get(0)).where(), idx -> {
            idx.forEach(k -> timed(k, steps.get(k), parts, true));
            return Boolean.TRUE;
        });
    }

    /** Runs one step: the crash hook (unless it ran already), the step, its timings. */
    private void timed(int index, DeployPlan.Step step, Parts parts, boolean crashHook) {
        timed(index, step, parts, crashHook, true);
    }

    /**
     * @param waited whether the loop waits for the step (it runs in the foreground): only then is its
     *               span on the critical path ({@link #criticalPathMs})
     */
    private void timed(int index, DeployPlan.Step step, Parts parts, boolean crashHook, boolean waited) {
        if (crashHook) {
            before(step);
        }
        if (ctrlC != null && !finishing) {
            throw StepFailed.interrupted(ctrlCWhere, ctrlC);
        }
        long t0 = System.nanoTime();
        runningSteps.put(index, step);
        runningThreads.put(index, Thread.currentThread());
        try {
            if (ctrlC != null && !finishing && CUT_SHORT.contains(step.kind())) {
                // Ctrl-C came between the check above and the step's registration: it was not cut short.
                throw StepFailed.interrupted(ctrlCWhere, ctrlC);
            }
            parts.run(step);
        } finally {
            runningSteps.remove(index);
            runningThreads.remove(index);
        }
        after(step.kind(), t0);
        long t1 = System.nanoTime();
        long took = t1 - t0;
        synchronized (this) {
            if (waited) {
                spans.computeIfAbsent(step.kind(), k -> new ArrayList<>()).add(new long[] {t0, t1});
            }
            if (step.where() != null) {
                whereNanos.merge(step.where() + "." + step.kind().id(), took, Long::sum);
            }
            if (index < stepNanos.length) {
                stepNanos[index] = took;
            }
        }
    }

    /**
     * Starts a step in a background thread. The crash hook runs here, before the thread starts,
     * so {@code SLIPWAY_CRASH_AT} still halts before it.
     */
    private void inBackground(int index, DeployPlan.Step step, Parts parts) {
        before(step);
        FutureTask<Void> task = new FutureTask<>(() -> {
            timed(index, step, parts, false, false);
            return null;
        });
        Thread t = new Thread(task, "slipway-background-" + step.kind().id() + "-" + step.where());
        t.setDaemon(true);
        synchronized (this) {
            background.add(Map.entry(step.kind(), task));
        }
        t.start();
    }

    /**
     * Waits for every background step started so far. The time spent waiting for one is on the
     * critical path, under its kind.
     *
     * @throws RuntimeException the first one's failure, once all ended
     */
    private void awaitBackground() {
        List<Map.Entry<DeployPlan.Kind, Future<?>>> pending;
        synchronized (this) {
            pending = List.copyOf(background);
            background.clear();
        }
        RuntimeException first = null;
        for (Map.Entry<DeployPlan.Kind, Future<?>> f : pending) {
            long t0 = System.nanoTime();
            try {
                f.getValue().get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : SlipwayException.failed(e.getCause().toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SlipwayException.failed("interrupted");
            } finally {
                long t1 = System.nanoTime();
                synchronized (this) {
                    spans.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(new long[] {t0, t1});
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Runs the going-back steps one after the other (a place's way back may read what an earlier
     * place's left, such as nginx's upstream); one that throws after all is shown, and the next runs.
     */
    private void goBack(List<DeployPlan.Step> back, Parts parts) {
        for (DeployPlan.Step b : back) {
            long t0 = System.nanoTime();
            try {
                parts.run(b);
            } catch (RuntimeException e) {
                console.progress("  warning: " + (b.where() == null ? "" : b.where() + ": ") + "going back failed: "
                        + e.getMessage());
            }
            after(b.kind(), t0);
        }
    }

    /** Waits for the background steps before going back; their failures are shown, not thrown. */
    private void awaitBackgroundQuietly() {
        try {
            awaitBackground();
        } catch (RuntimeException e) {
            console.progress("  warning: " + e.getMessage());
        }
    }

    /**
     * Runs {@code work} for each item at once, at most {@link #PARALLEL} at a time, and waits for all;
     * a single item runs on this thread.
     *
     * @param items the items, one per place
     * @param name  an item's place name (the key of the result)
     * @param work  what to do for one item
     * @param <T>   the item type
     * @param <R>   the result type
     * @return the results by place name, in the items' order
     * @throws RuntimeException the first item's failure (in the items' order), once every item ended
     */
    public static <T, R> Map<String, R> each(List<T> items, Function<T, String> name, Function<T, R> work) {
        Map<String, R> out = new LinkedHashMap<>();
        if (items.size() <= 1) {
            items.forEach(t -> out.put(name.apply(t), work.apply(t)));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, items.size()), r -> {
            Thread t = new Thread(r, "slipway-hosts");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            items.forEach(t -> futures.add(pool.submit(() -> work.apply(t))));
            RuntimeException first = null;
            for (int i = 0; i < items.size(); i++) {
                try {
                    out.put(name.apply(items.get(i)), futures.get(i).get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException re ? re
                                : new IllegalStateException(e.getCause().toString(), e.getCause());
                    }
                }
            }
            if (first != null) {
                throw first;
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Called just before a step runs: halts the process as kill -9 would (no shutdown hooks, exit
     * status 137) when {@code SLIPWAY_CRASH_AT} names this step's kind, or its kind and place.
     *
     * @param step the step about to run
     */
    public void before(DeployPlan.Step step) {
        if (crashAt == null) {
            return;
        }
        if (crashAt.equals(step.kind().id()) || crashAt.equals(step.kind().id() + ":" + step.where())) {
            console.progress(CRASH_AT + "=" + crashAt + ": halting before '" + step.description() + "'");
            Runtime.getRuntime().halt(137);
        }
    }

    /**
     * Adds a step's wall time.
     *
     * @param kind    the step's kind
     * @param started {@link System#nanoTime()} when it started
     */
    public synchronized void after(DeployPlan.Kind kind, long started) {
        nanos.merge(kind, System.nanoTime() - started, Long::sum);
    }

    /**
     * @return per step kind, the wall time during which the run waited for a step of that kind on some
     *         place (the union of their intervals), ms: what the kind adds to the run's critical path.
     *         A step run in the background counts only for the time the loop waited for it to end
     *         (the last batch's stop of the old instances, before the unlocks); while it overlaps
     *         the next batch it does not count
     */
    public synchronized Map<DeployPlan.Kind, Long> criticalPathMs() {
        Map<DeployPlan.Kind, Long> ms = new EnumMap<>(DeployPlan.Kind.class);
        spans.forEach((kind, list) -> ms.put(kind, union(list) / 1_000_000));
        return ms;
    }

    /**
     * @param intervals {@code [start, end]} pairs, in any order; they may overlap or touch
     * @return the length of their union, in their unit
     */
    public static long union(List<long[]> intervals) {
        List<long[]> sorted = new ArrayList<>(intervals);
        sorted.sort(java.util.Comparator.comparingLong(a -> a[0]));
        long total = 0;
        long from = Long.MIN_VALUE;
        long to = Long.MIN_VALUE;
        for (long[] i : sorted) {
            if (from == Long.MIN_VALUE || i[0] > to) {
                total += from == Long.MIN_VALUE ? 0 : to - from;
                from = i[0];
                to = i[1];
            } else {
                to = Math.max(to, i[1]);
            }
        }
        return total + (from == Long.MIN_VALUE ? 0 : to - from);
    }

    /** @return wall time per step kind so far, milliseconds (steps that ran at once count once per place) */
    public synchronized Map<DeployPlan.Kind, Long> timingMs() {
        Map<DeployPlan.Kind, Long> ms = new EnumMap<>(DeployPlan.Kind.class);
        nanos.forEach((k, v) -> ms.put(k, v / 1_000_000));
        return ms;
    }

    /** @return wall time per place and step kind of the last {@link #run}, ms, keyed {@code <where>.<kind id>} (e.g. {@code web1.gate}) */
    public synchronized Map<String, Long> whereTimingMs() {
        Map<String, Long> ms = new LinkedHashMap<>();
        whereNanos.forEach((k, v) -> ms.put(k, v / 1_000_000));
        return ms;
    }

    /** @return wall time of each step of the last {@link #run}, ms, in the plan's order; -1 for a step that did not run (to its end) */
    public synchronized List<Long> stepMs() {
        return Arrays.stream(stepNanos).map(n -> n < 0 ? -1 : n / 1_000_000).boxed().toList();
    }
}

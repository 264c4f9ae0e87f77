package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one loop of the local and hosts targets ({@link Executor#run}), with recording parts: the
 * order, the groups that run at once, background steps, and what a failure calls.
 */
class ExecutorTest {
    private static DeployPlan.Step step(DeployPlan.Kind kind, String where, int batch) {
        return new DeployPlan.Step(kind, where, batch, kind.id() + " " + where);
    }

    private static Executor executor() {
        return new Executor(null, new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false));
    }

    /** Parts that log what they are asked to do; a step named in {@code failAt} fails as told. */
    private static class Recording implements Executor.Parts {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        String failAt;
        RuntimeException failure;

        @Override
        public void run(DeployPlan.Step step) {
            String id = step.kind().id() + " " + step.where();
            log.add(id);
            if (id.equals(failAt)) {
                throw failure;
            }
        }

        @Override
        public SlipwayException back(Executor.StepFailed f) {
            log.add("back " + f.where() + ": " + f.reason() + " / " + f.detail());
            return SlipwayException.failed("went back");
        }

        @Override
        public void unlock() {
            log.add("unlock-all");
        }
    }

    private static final List<DeployPlan.Step> LOCAL = List.of(step(DeployPlan.Kind.LOCK, "local", 0),
            step(DeployPlan.Kind.UPLOAD, "local", 0), step(DeployPlan.Kind.PREPARE, "local", 0),
            step(DeployPlan.Kind.SWITCH, "local", 0), step(DeployPlan.Kind.RESTART, "local", 0),
            step(DeployPlan.Kind.GATE, "local", 0), step(DeployPlan.Kind.RECORD, "local", 0),
            step(DeployPlan.Kind.PRUNE, "local", 0), step(DeployPlan.Kind.UNLOCK, "local", 0));

    @Test
    void oneTargetsStepsRunInThePlansOrderAndAreTimedEach() {
        Recording parts = new Recording();
        Executor ex = executor();
        ex.run(LOCAL, parts);
        assertEquals(LOCAL.stream().map(s -> s.kind().id() + " local").toList(), parts.log);
        assertEquals(LOCAL.size(), ex.stepMs().size());
        assertTrue(ex.stepMs().stream().allMatch(ms -> ms >= 0), ex.stepMs().toString());
        assertTrue(ex.timingMs().containsKey(DeployPlan.Kind.GATE), ex.timingMs().toString());
        assertTrue(ex.whereTimingMs().containsKey("local.gate"), ex.whereTimingMs().toString());
    }

    @Test
    void aFailedGateGoesBackAndNothingAfterItRuns() {
        Recording parts = new Recording();
        parts.failAt = "gate local";
        parts.failure = new Executor.StepFailed("local", "readiness did not pass", "last log lines");
        Executor ex = executor();
        SlipwayException e = assertThrows(SlipwayException.class, () -> ex.run(LOCAL, parts));
        assertEquals("went back", e.getMessage());
        assertEquals(List.of("lock local", "upload local", "prepare local", "switch local", "restart local", "gate local",
                "back local: readiness did not pass / last log lines"), parts.log);
        List<Long> ms = ex.stepMs();
        assertEquals(-1L, ms.get(5), "the failed gate did not run to its end: " + ms);
        assertEquals(-1L, ms.get(6), "the record did not run: " + ms);
        assertTrue(ms.get(4) >= 0, ms.toString());
    }

    /** Sends SIGINT (Ctrl-C) to this JVM; only after {@link #ctrlCIsTakenOver} said the loop's handler replaces the JVM's. */
    private static void ctrlCToThisJvm() {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(ProcessHandle.current().pid())).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether SIGINT can be taken over here (else a SIGINT would end the test JVM). */
    private static void ctrlCIsTakenOver() {
        dev.slipway.Tools.requireSigint();
        try (dev.slipway.util.CtrlC c = dev.slipway.util.CtrlC.take(n -> { })) {
            dev.slipway.Tools.requireThat(c.taken(), "SIGINT can be handled in this JVM (not started with -Xrs)");
        }
    }

    private static final List<DeployPlan.Step> TWO_BATCHES = List.of(step(DeployPlan.Kind.LOCK, "h1", 0),
            step(DeployPlan.Kind.UPLOAD, "h1", 0), step(DeployPlan.Kind.UPLOAD, "h2", 0),
            step(DeployPlan.Kind.SWITCH, "h1", 1), step(DeployPlan.Kind.RESTART, "h1", 1), step(DeployPlan.Kind.GATE, "h1", 1),
            step(DeployPlan.Kind.SWITCH, "h2", 2), step(DeployPlan.Kind.RESTART, "h2", 2), step(DeployPlan.Kind.GATE, "h2", 2),
            step(DeployPlan.Kind.RECORD, "h1", 0), step(DeployPlan.Kind.RECORD, "h2", 0),
            step(DeployPlan.Kind.UNLOCK, "h1", 0), step(DeployPlan.Kind.UNLOCK, "h2", 0));

    /** Parts that go back on Ctrl-C and send it from inside {@code ctrlCAt}, which then waits to be cut short. */
    private static class CtrlCParts extends Recording {
        final String ctrlCAt;
        final CountDownLatch cut = new CountDownLatch(1);
        Executor.StepFailed failed;

        CtrlCParts(String ctrlCAt) {
            this.ctrlCAt = ctrlCAt;
        }

        @Override
        public void run(DeployPlan.Step step) {
            super.run(step);
            if ((step.kind().id() + " " + step.where()).equals(ctrlCAt)) {
                ctrlCToThisJvm();
                try {
                    if (step.kind() == DeployPlan.Kind.GATE && cut.await(20, TimeUnit.SECONDS)) {
                        throw SlipwayException.failed(step.where() + ": connection lost while waiting for readiness");
                    }
                    Thread.sleep(300); // a step not cut short ends by itself
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean goesBackOnCtrlC() {
            return true;
        }

        @Override
        public void cutShort(DeployPlan.Step step) {
            log.add("cut short " + step.kind().id() + " " + step.where());
            cut.countDown();
        }

        @Override
        public void failing(Executor.StepFailed f) {
            failed = f;
            log.add("failing " + f.where());
        }

        @Override
        public SlipwayException back(Executor.StepFailed f) {
            log.add("back " + f.where() + ": " + f.reason() + (f.interrupted() ? " (interrupted)" : ""));
            return new SlipwayException(SlipwayException.INTERRUPTED, "went back");
        }
    }

    @Test
    void ctrlCDuringAGateCutsItShortStartsNoNewStepAndGoesBackAsAFailedGateDoes() {
        ctrlCIsTakenOver();
        CtrlCParts parts = new CtrlCParts("gate h1");
        List<DeployPlan.Step> back = List.of(step(DeployPlan.Kind.BACK, "h1", 0), step(DeployPlan.Kind.BACK, "h2", 0));
        SlipwayException e = assertThrows(SlipwayException.class, () -> executor().run(TWO_BATCHES, back, parts));
        assertEquals(130, e.exitCode());
        assertEquals(List.of("lock h1", "upload h1", "upload h2", "switch h1", "restart h1", "gate h1", "cut short gate h1",
                "failing h1", "back h1", "back h2", "back h1: during h1's gate (interrupted)"), parts.log);
        assertTrue(parts.failed.interrupted(), "the parts see the interruption, not the gate's failure");
    }

    @Test
    void ctrlCOnceEveryGatePassedLetsTheEndStepsFinish() {
        ctrlCIsTakenOver();
        CtrlCParts parts = new CtrlCParts("record h1");
        executor().run(TWO_BATCHES, List.of(step(DeployPlan.Kind.BACK, "h1", 0)), parts);
        // No going back: the run ended as it would have without the Ctrl-C (each place's end steps run at once).
        assertEquals(List.of("record h1", "record h2", "unlock h1", "unlock h2"),
                parts.log.subList(9, parts.log.size()).stream().sorted().toList(), parts.log.toString());
        assertEquals(13, parts.log.size(), parts.log.toString());
    }

    @Test
    void aFailedStepRunsThePlansGoingBackStepsInTheirOrderBetweenFailingAndBack() {
        Recording parts = new Recording() {
            @Override
            public void failing(Executor.StepFailed f) {
                log.add("failing " + f.where());
            }
        };
        parts.failAt = "gate local";
        parts.failure = new Executor.StepFailed("local", "readiness did not pass", "");
        List<DeployPlan.Step> back = List.of(step(DeployPlan.Kind.BACK, "h1", 0), step(DeployPlan.Kind.BACK, "h2", 0));
        Executor ex = executor();
        assertThrows(SlipwayException.class, () -> ex.run(LOCAL, back, parts));
        assertEquals(List.of("gate local", "failing local", "back h1", "back h2", "back local: readiness did not pass / "),
                parts.log.subList(5, parts.log.size()));

        // A going-back step that throws after all is shown; the next one still runs, and so does back().
        Recording throwing = new Recording();
        throwing.failAt = "gate local";
        throwing.failure = new Executor.StepFailed("local", "not ready", "");
        Recording wrapper = new Recording() {
            @Override
            public void run(DeployPlan.Step step) {
                if (step.kind() == DeployPlan.Kind.BACK && step.where().equals("h1")) {
                    log.add("back h1 threw");
                    throw new IllegalStateException("ssh: connection lost");
                }
                super.run(step);
            }
        };
        wrapper.failAt = throwing.failAt;
        wrapper.failure = throwing.failure;
        assertThrows(SlipwayException.class, () -> executor().run(LOCAL, back, wrapper));
        assertEquals(List.of("back h1 threw", "back h2", "back local: not ready / "),
                wrapper.log.subList(6, wrapper.log.size()));

        // Without a failure the going-back steps never run.
        Recording fine = new Recording();
        executor().run(LOCAL, back, fine);
        assertFalse(fine.log.stream().anyMatch(l -> l.startsWith("back")), fine.log.toString());
    }

    @Test
    void anotherFailureOnlyUnlocksAndPassesUnchanged() {
        Recording parts = new Recording();
        parts.failAt = "prepare local";
        parts.failure = SlipwayException.failed("cannot prepare");
        RuntimeException e = assertThrows(RuntimeException.class, () -> executor().run(LOCAL, parts));
        assertSame(parts.failure, e);
        assertEquals(List.of("lock local", "upload local", "prepare local", "unlock-all"), parts.log);
    }

    @Test
    void setupRunsForEveryPlaceAtOnceAndABatchsGatesTogether() throws Exception {
        // Two hosts whose uploads (gates, records) wait for each other: they only end if they run at once.
        CountDownLatch uploads = new CountDownLatch(2);
        CountDownLatch gates = new CountDownLatch(2);
        CountDownLatch records = new CountDownLatch(2);
        Recording parts = new Recording() {
            @Override
            public void run(DeployPlan.Step step) {
                super.run(step);
                CountDownLatch l = step.kind() == DeployPlan.Kind.UPLOAD ? uploads : step.kind() == DeployPlan.Kind.GATE ? gates
                        : step.kind() == DeployPlan.Kind.RECORD ? records : null;
                if (l != null) {
                    l.countDown();
                    try {
                        assertTrue(l.await(60, TimeUnit.SECONDS), step.kind().id() + " on " + step.where() + " ran alone");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        List<DeployPlan.Step> steps = List.of(step(DeployPlan.Kind.LOCK, "a", 0), step(DeployPlan.Kind.LOCK, "b", 0),
                step(DeployPlan.Kind.UPLOAD, "a", 0), step(DeployPlan.Kind.ENV, "a", 0),
                step(DeployPlan.Kind.UPLOAD, "b", 0), step(DeployPlan.Kind.ENV, "b", 0),
                step(DeployPlan.Kind.SWITCH, "a", 1), step(DeployPlan.Kind.SWITCH, "b", 1),
                step(DeployPlan.Kind.GATE, "a", 1), step(DeployPlan.Kind.GATE, "b", 1),
                step(DeployPlan.Kind.RECORD, "a", 0), step(DeployPlan.Kind.RECORD, "b", 0));
        executor().run(steps, parts);
        List<String> log = parts.log;
        assertEquals(12, log.size(), log.toString());
        assertTrue(log.indexOf("upload a") < log.indexOf("env a") && log.indexOf("upload b") < log.indexOf("env b"),
                "each place's setup in order: " + log);
        assertEquals(List.of("switch a", "switch b"), log.subList(6, 8), "outside the groups: one at a time, in order");
        // The end (record, prune, unlock) runs for every place at once too, so the two records come
        // last in either order (the latch above fails the run if one ran alone).
        assertEquals(java.util.Set.of("record a", "record b"), java.util.Set.copyOf(log.subList(10, 12)), log.toString());
    }

    @Test
    void aBackgroundStepIsAwaitedBeforeTheNextStepOutsideTheBatches() {
        CountDownLatch stopped = new CountDownLatch(1);
        Recording parts = new Recording() {
            @Override
            public boolean inBackground(DeployPlan.Step step) {
                return step.kind() == DeployPlan.Kind.STOP;
            }

            @Override
            public void run(DeployPlan.Step step) {
                if (step.kind() == DeployPlan.Kind.STOP) {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    stopped.countDown();
                }
                if (step.kind() == DeployPlan.Kind.SWITCH) {
                    assertEquals(0, stopped.getCount(), "the background stop ended before the next step outside a batch");
                }
                super.run(step);
            }
        };
        List<DeployPlan.Step> steps = List.of(step(DeployPlan.Kind.PROXY, "a", 1), step(DeployPlan.Kind.STOP, "a", 1),
                step(DeployPlan.Kind.SWITCH, "b", 0));
        executor().run(steps, parts);
        assertEquals(List.of("proxy a", "stop a", "switch b"), parts.log);
    }

    /** Parts whose background stop of {@code a} takes {@code ms} and then fails with {@code stopFailure}, or not. */
    private static Recording slowStop(CountDownLatch stopped, long ms, RuntimeException stopFailure) {
        return new Recording() {
            @Override
            public boolean inBackground(DeployPlan.Step step) {
                return step.kind() == DeployPlan.Kind.STOP;
            }

            @Override
            public void run(DeployPlan.Step step) {
                super.run(step);
                if (step.kind() == DeployPlan.Kind.STOP) {
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    log.add("stopped a");
                    stopped.countDown();
                    if (stopFailure != null) {
                        throw stopFailure;
                    }
                }
                if (step.kind() == DeployPlan.Kind.UNLOCK) {
                    assertEquals(0, stopped.getCount(), "the background stop ended before the unlock");
                }
            }
        };
    }

    private static final List<DeployPlan.Step> LAST_BATCH = List.of(step(DeployPlan.Kind.PROXY, "a", 1),
            step(DeployPlan.Kind.STOP, "a", 1), step(DeployPlan.Kind.RECORD, "a", 0), step(DeployPlan.Kind.PRUNE, "a", 0),
            step(DeployPlan.Kind.UNLOCK, "a", 0));

    @Test
    void theLastBatchsBackgroundStopRunsBesideTheRecordAndPruneAndEndsBeforeTheUnlock() {
        CountDownLatch stopped = new CountDownLatch(1);
        Recording parts = slowStop(stopped, 1000, null);
        executor().run(LAST_BATCH, parts);
        List<String> log = parts.log;
        assertEquals("proxy a", log.get(0), log.toString());
        assertTrue(log.indexOf("record a") < log.indexOf("stopped a") && log.indexOf("prune a") < log.indexOf("stopped a"),
                "the record and prune did not wait for the 1 s stop: " + log);
        assertEquals("unlock a", log.get(log.size() - 1), "the unlock came last, after the stop ended: " + log);
    }

    @Test
    void aFailedBackgroundStopIsReportedAfterTheRecordAndTheLocksAreReleased() {
        CountDownLatch stopped = new CountDownLatch(1);
        RuntimeException failure = SlipwayException.failed("a: cannot stop myapp@8081: timeout");
        Recording parts = slowStop(stopped, 200, failure);
        RuntimeException e = assertThrows(RuntimeException.class, () -> executor().run(LAST_BATCH, parts));
        assertSame(failure, e, "the stop's failure ends the run (exit 1), as it says");
        List<String> log = parts.log;
        assertTrue(log.contains("record a"), "the new release serves behind nginx and is recorded: " + log);
        assertEquals("unlock-all", log.get(log.size() - 1), "the locks are released after the failure: " + log);
        assertTrue(!log.contains("unlock a") || log.indexOf("unlock a") > log.indexOf("stopped a"), log.toString());
    }

    /** Parts whose records and prunes each wait (at most 5 s) until every other one began. */
    private static Recording endStepsWaitingForEachOther(CountDownLatch began, boolean together) {
        return new Recording() {
            @Override
            public boolean finishTogether() {
                return together;
            }

            @Override
            public void run(DeployPlan.Step step) {
                super.run(step);
                if (step.kind() == DeployPlan.Kind.RECORD || step.kind() == DeployPlan.Kind.PRUNE) {
                    began.countDown();
                    try {
                        if (!began.await(together ? 60 : 1, TimeUnit.SECONDS)) {
                            log.add(step.kind().id() + " " + step.where() + " alone");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
    }

    private static final List<DeployPlan.Step> END = List.of(step(DeployPlan.Kind.RECORD, "a", 0),
            step(DeployPlan.Kind.PRUNE, "a", 0), step(DeployPlan.Kind.UNLOCK, "a", 0), step(DeployPlan.Kind.RECORD, "b", 0),
            step(DeployPlan.Kind.PRUNE, "b", 0), step(DeployPlan.Kind.UNLOCK, "b", 0));

    /** @return the log of {@link #END} run with {@link #endStepsWaitingForEachOther} */
    private static List<String> runEnd(boolean together) {
        Recording parts = endStepsWaitingForEachOther(new CountDownLatch(4), together);
        executor().run(END, parts);
        return parts.log;
    }

    @Test
    void independentEndStepsRunAllAtOnceAndTheUnlocksAfterThem() {
        // Four end steps that each wait until all four began: they end only if they run at once.
        List<String> log = runEnd(true);
        assertEquals(6, log.size(), "no step ran alone: " + log);
        assertEquals(java.util.Set.of("record a", "prune a", "record b", "prune b"), java.util.Set.copyOf(log.subList(0, 4)),
                log.toString());
        assertEquals(java.util.Set.of("unlock a", "unlock b"), java.util.Set.copyOf(log.subList(4, 6)), log.toString());
    }

    @Test
    void byDefaultAPlacesPruneWaitsForItsRecord() {
        // The local target's prune reads the history its record wrote: a place's end steps stay in order.
        List<String> log = runEnd(false);
        for (String place : List.of("a", "b")) {
            assertTrue(log.indexOf("record " + place) < log.indexOf("prune " + place), log.toString());
            assertTrue(log.contains("record " + place + " alone"), "the record ran before its prune began: " + log);
        }
    }
}

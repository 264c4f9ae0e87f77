package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Gate;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one wording of a failed readiness gate, the same for the local and the hosts target. */
class StepsTest {
    private static final SlipwayConfig.Probe HTTP = new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200),
            Duration.ofSeconds(15), Duration.ZERO);

    @Test
    void aGateThatTimedOutNamesTheTargetTheTimeoutTheLastAnswerAndThePathHint() {
        Executor.StepFailed f = Steps.gateFailed("web1", "http://10.0.0.1:8080/health/ready", HTTP,
                new Gate.Verdict(false, 404, "", Duration.ofSeconds(15)), "", Optional.empty(), "", "journal line");
        assertEquals("web1", f.where());
        assertEquals("journal line", f.detail());
        assertEquals("readiness http://10.0.0.1:8080/health/ready did not pass within 15.0 s: HTTP 404; the app answers,"
                + " but serves nothing at that path: set service.readiness.path in slipway.yaml to the health path it"
                + " serves (after its context path or a router's mount point), or service.readiness.type: tcp", f.reason());
    }

    @Test
    void aProcessThatExitedSaysWhenWithWhatTheTargetAddsThenItsCauseThenTheFirstRunNote() {
        String note = Steps.firstRunNote(Optional.empty(), false, "2.0.0", "service.readiness.timeout (now 15.0 s)");
        Executor.StepFailed f = Steps.gateFailed("local", "http://127.0.0.1:8080/health/ready", HTTP,
                new Gate.Verdict(false, 0, Gate.EXITED, Duration.ofMillis(1200)), " with exit code 3",
                Optional.of("Caused by: java.sql.SQLException: no database"), note, "");
        assertEquals("the process exited after 1.2 s with exit code 3; cause: Caused by: java.sql.SQLException: no database; " + note, f.reason());
        assertEquals(FirstRun.notPrepared("2.0.0", "service.readiness.timeout (now 15.0 s)"), note);
    }

    @Test
    void aCrashLoopOnAHostReadsLikeALocalExitWithSystemdsAccountNotLikeATimeout() {
        Gate.Verdict v = new Gate.Verdict(false, 0, Gate.crashed(1, 4, "failed", true), "failed", Duration.ofMillis(6200));
        Executor.StepFailed f = Steps.gateFailed("web1", "http://10.0.0.1:8080/health/ready", HTTP, v, "",
                Optional.of("java.lang.IllegalStateException: DB_URL is not set"), "", "journal line");
        assertEquals("the process exited after 6.2 s with exit code 1; systemd restarted it 4 times, then gave up (start"
                + " limit hit); cause: java.lang.IllegalStateException: DB_URL is not set", f.reason());
    }

    @Test
    void theFirstRunNoteSaysWhatAFirstRunStillDoesElseNothingForAPreparedRelease() {
        assertEquals("", Steps.firstRunNote(Optional.empty(), true, "2.0.0", "x"));
        assertEquals(FirstRun.note("2.0.0", FirstRun.Stage.DUMPING, "x"),
                Steps.firstRunNote(Optional.of(FirstRun.Stage.DUMPING), true, "2.0.0", "x"));
    }
}

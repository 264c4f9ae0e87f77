package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrashCauseTest {

    @Test
    void theRootCauseOfAStackTraceWinsOverTheBannerOfTheNextTry() {
        String log = """
                Started myapp@8081.service - myapp.
                2026-12-06 ERROR 12 --- [main] o.s.boot.SpringApplication : Application run failed
                org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource'
                \tat org.springframework.beans.factory.support.AbstractBeanFactory.getBean(AbstractBeanFactory.java:1)
                Caused by: org.h2.jdbc.JdbcSQLNonTransientConnectionException: Database may be already in use
                Caused by: org.h2.mvstore.MVStoreException: The file is locked: /var/lib/myapp/db.mv.db [2.2.224/7]
                \tat org.h2.mvstore.DataUtils.newMVStoreException(DataUtils.java:996)
                myapp@8081.service: Main process exited, code=exited, status=1/FAILURE
                myapp@8081.service: Scheduled restart job, restart counter is at 3.
                Started myapp@8081.service - myapp.
                  .   ____          _
                 :: Spring Boot ::                (v3.3.0)
                """;
        assertEquals(Optional.of("Caused by: org.h2.mvstore.MVStoreException: The file is locked: /var/lib/myapp/db.mv.db [2.2.224/7]"),
                CrashCause.of(log));
    }

    @Test
    void theLinesShownOfACrashLoopAreTheServicesAndTheExitsNotSystemdsBookkeeping() {
        String log = """
                Starting greeter.service - greeter (Slipway)...
                Started greeter.service - greeter (Slipway).
                greeter starting, release v2
                Exception in thread "main" java.lang.IllegalStateException: DB_URL is not set
                \tat demo.Main.main(Main.java:13)
                greeter.service: Main process exited, code=exited, status=1/FAILURE
                greeter.service: Failed with result 'exit-code'.
                greeter.service: Scheduled restart job, restart counter is at 5.
                Stopped greeter.service - greeter (Slipway).
                greeter.service: Start request repeated too quickly.
                Failed to start greeter.service - greeter (Slipway).
                """;
        assertEquals("""
                greeter starting, release v2
                Exception in thread "main" java.lang.IllegalStateException: DB_URL is not set
                \tat demo.Main.main(Main.java:13)
                greeter.service: Main process exited, code=exited, status=1/FAILURE
                greeter.service: Start request repeated too quickly.
                Failed to start greeter.service - greeter (Slipway).""", CrashCause.lastLines(log, 20));
        assertEquals("Failed to start greeter.service - greeter (Slipway).", CrashCause.lastLines(log, 1));
    }

    @Test
    void springBootsFailureAnalysisGivesItsDescription() {
        String log = """
                ***************************
                APPLICATION FAILED TO START
                ***************************

                Description:

                Web server failed to start. Port 8080 was already in use.

                Action:
                """;
        assertEquals(Optional.of("Web server failed to start. Port 8080 was already in use."), CrashCause.of(log));
    }

    @Test
    void withoutAnExceptionTheExitLineOrAnErrorLine() {
        assertEquals(Optional.of("myapp: bad configuration"),
                CrashCause.of("myapp: bad configuration\nmyapp.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n"));
        assertEquals(Optional.of("myapp.service: Main process exited, code=exited, status=2/INVALIDARGUMENT"),
                CrashCause.of("Started myapp.service - myapp.\nmyapp.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n"));
        assertEquals(Optional.of("Error: Could not find or load main class x.Main"),
                CrashCause.of("Error: Could not find or load main class x.Main\nmyapp.service: Failed with result 'exit-code'.\n"));
        assertEquals(Optional.empty(), CrashCause.of("Started myapp.service.\nlistening on 8080\n"));
    }

    /** An older run's warning in the same journal span is not this run's cause. */
    @Test
    void theNewestRunDecides() {
        String log = """
                2026-12-06T03:39:04.961Z WARN  cannot create DATA_DIR /etc/passwd: java.nio.file.FileAlreadyExistsException: /etc/passwd
                Stopping myapp.service - myapp (Slipway)...
                myapp.service: Deactivated successfully.
                Stopped myapp.service - myapp (Slipway).
                Starting myapp.service - myapp (Slipway)...
                Started myapp.service - myapp (Slipway).
                myapp: bad configuration: MAX_BODY_BYTES: 0 out of range [1, 67108864]
                myapp.service: Main process exited, code=exited, status=2/INVALIDARGUMENT
                myapp.service: Failed to kill control group /system.slice/myapp.service, ignoring: Input/output error
                myapp.service: Failed with result 'exit-code'.
                myapp.service: Scheduled restart job, restart counter is at 1.
                Starting myapp.service - myapp (Slipway)...
                """;
        assertEquals(Optional.of("myapp: bad configuration: MAX_BODY_BYTES: 0 out of range [1, 67108864]"), CrashCause.of(log));
    }
}

package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class TraceTest {

    /**
     * The trace's first figure is the process's age. The JVM's own uptime starts a little after
     * the process does, so the two agree to well under the second by which the boot-time rounding
     * of {@code ProcessHandle.Info.startInstant} could miss.
     */
    @Test
    void theProcessAgeAgreesWithTheJvmsUptime() {
        long jvmMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        long ageMillis = Trace.sinceProcessStart() / 1_000_000;
        assertTrue(ageMillis >= jvmMillis - 20 && ageMillis <= jvmMillis + 300,
                "process age " + ageMillis + " ms, JVM uptime " + jvmMillis + " ms");
    }
}

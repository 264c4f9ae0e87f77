package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.deploy.ServiceManager;
import dev.slipway.remote.LocalHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervised-process service manager against real processes: a shell script that logs its
 * environment and then sleeps stands for the single file.
 */
class SupervisorTest {

    @Test
    void restartStartsWhatTheLaunchNamesAndStopDrainsIt(@TempDir Path dir) throws Exception {
        Path exe = dir.resolve("svc");
        // It exits on SIGTERM, as a JVM does after its shutdown hooks.
        Files.writeString(exe, "#!/bin/sh\necho \"started with GREETING=$GREETING\"\ntrap 'exit 143' TERM\n"
                + "while :; do sleep 0.1; done\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("svc.log");
        try (LocalHost host = new LocalHost("local")) {
            ServiceManager m = new Supervisor(host, dir, "svc", Duration.ofSeconds(5),
                    instance -> new Supervisor.Launch(exe, "1.0.0", Map.of("GREETING", instance), "slipway starts " + instance));
            Supervisor s = (Supervisor) m;
            assertEquals(log, s.log(), "the log is <state>/<unit>.log");
            assertEquals("inactive", m.state("svc"));
            assertEquals(-1, m.mainPid("svc"));

            m.restart("svc");
            long first = m.mainPid("svc");
            assertTrue(first > 0, "it runs");
            assertEquals("active", m.state("svc"));
            assertEquals("active", host.run(m.stateCommand("svc"), Duration.ofSeconds(10)).stdout().strip(),
                    "the state command tells the same on the machine (the gate's loop asks it there)");
            assertEquals("1.0.0", s.process("svc").release().orElse(""), "the pid file names the release");

            // An instance beside it: its own pid file, <unit>.<port>.pid.
            m.start("svc@9001");
            long beside = m.mainPid("svc@9001");
            assertTrue(beside > 0 && beside != first, "a second instance runs beside the first");
            assertTrue(Files.isRegularFile(dir.resolve("svc.9001.pid")));
            m.start("svc@9001");
            assertEquals(beside, m.mainPid("svc@9001"), "start leaves a running instance alone");

            m.restart("svc");
            long second = m.mainPid("svc");
            assertNotEquals(first, second, "restart replaced the process");
            assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the old one was stopped first");

            assertTrue(m.stop("svc", true));
            assertTrue(m.stop("svc@9001", false));
            assertEquals("inactive", m.state("svc"), "a SIGTERM exit (143) is a clean stop, not a failure");
            assertEquals("inactive", host.run(m.stateCommand("svc"), Duration.ofSeconds(10)).stdout().strip());
            assertFalse(m.stop("svc", false), "nothing ran any more");
            String tail = m.log("svc", 20);
            assertTrue(tail.contains("slipway starts svc") && tail.contains("started with GREETING=svc@9001"), tail);
        }
    }

    @Test
    void anInstanceThatExitsWithAnErrorIsFailedAndItsStatusIsKept(@TempDir Path dir) throws Exception {
        Path exe = dir.resolve("svc");
        Files.writeString(exe, "#!/bin/sh\necho boom\nexit 3\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (LocalHost host = new LocalHost("local")) {
            Supervisor s = new Supervisor(host, dir, "svc", Duration.ofSeconds(5),
                    instance -> new Supervisor.Launch(exe, "1.0.0", Map.of(), "slipway starts " + instance));
            s.restart("svc");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.lastExitStatus().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(3, s.lastExitStatus().orElse(-1));
            assertEquals("failed", s.state("svc"));
            assertTrue(s.log("svc", 5).contains("boom"));
        }
    }
}

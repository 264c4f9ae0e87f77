package dev.slipway.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A child that Slipway started through {@link Children} dies with Slipway, with its descendants:
 * a separate JVM ({@link Parent}) starts {@code sh} with a {@code sleep} below it, and is then
 * killed with SIGKILL (the watchdog), SIGTERM or ends normally (the shutdown hook).
 */
class ChildrenTest {
    /**
     * The Slipway stand-in: starts {@code sh -c 'sleep 300 & echo $!; wait'} through {@link Children},
     * prints the child's pid and the grandchild's, then waits, or with {@code exit} leaves at once.
     */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            Process p = Children.start(new ProcessBuilder("sh", "-c", "sleep 300 & echo $!; wait")
                    .redirectError(ProcessBuilder.Redirect.INHERIT));
            String grandchild = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            System.out.println(p.pid() + " " + grandchild);
            System.out.flush();
            if (args.length > 0 && args[0].equals("exit")) {
                System.exit(0);
            }
            if (args.length > 0 && args[0].equals("retry")) {
                // As jdeps' second attempt after its first was stopped: while another shutdown hook
                // keeps the JVM up, start the next child once the first ended.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> sleep(5_000)));
                p.waitFor();
                try {
                    Process next = Children.start(new ProcessBuilder("sleep", "300"));
                    System.out.println("started " + next.pid());
                } catch (java.io.IOException e) {
                    System.out.println("refused: " + e.getMessage());
                }
                System.out.flush();
            }
            Thread.sleep(300_000);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return whether the process runs (a zombie waiting for its reaper does not) */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    static void awaitGone(long pid, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a loaded machine: generous
        while (alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(alive(pid), what + " (pid " + pid + ") still runs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"KILL", "TERM", "exit"})
    void theChildAndItsDescendantsDieWithSlipway(String how) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Parent.class.getName(),
                how.equals("exit") ? "exit" : "wait").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long child = -1;
        long grandchild = -1;
        try {
            String line = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.matches("\\d+ \\d+"), "the parent printed: " + line);
            child = Long.parseLong(line.split(" ")[0]);
            grandchild = Long.parseLong(line.split(" ")[1]);
            assertTrue(alive(child) || how.equals("exit"), "the child runs");
            if (!how.equals("exit")) {
                assertTrue(alive(grandchild), "the grandchild runs");
                new ProcessBuilder("kill", "-" + how, Long.toString(parent.pid())).start().waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the parent ended");
            awaitGone(child, "the child");
            awaitGone(grandchild, "the grandchild");
        } finally {
            parent.destroyForcibly();
            for (long pid : List.of(child, grandchild)) {
                if (pid > 0) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /**
     * SIGTERM during jdeps: the shutdown hook stopped the first jdeps, the build then started its
     * second attempt while the JVM was still stopping, and that jdeps outlived Slipway (new-user
     * finding: a Ctrl-C'd ship left jdeps running with parent 1). A child asked for after the hook
     * began is refused.
     */
    @Test
    void noChildStartsOnceTheShutdownHookRan() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Parent.class.getName(),
                "retry").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.matches("\\d+ \\d+"), "the parent printed: " + line);
            new ProcessBuilder("kill", "-TERM", Long.toString(parent.pid())).start().waitFor(10, TimeUnit.SECONDS);
            String next = out.readLine();
            assertTrue(next != null && next.startsWith("refused: slipway is stopping; sleep was not started"),
                    "a child started during the shutdown: " + next);
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the parent ended");
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void stopEndsATreeAndKillsWhatIgnoresSigterm() throws Exception {
        Process p = Children.start(new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 300 & echo $!; wait"));
        long grandchild = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)).readLine());
        long start = System.nanoTime();
        Children.stop(p.toHandle(), Duration.ofMillis(500));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGKILL after the grace");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(500), "it had its grace");
        awaitGone(grandchild, "the grandchild");
        assertEquals(137, p.exitValue());
    }
}

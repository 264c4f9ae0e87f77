package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service instance on this machine, tracked by a pid file that holds {@code PID START_MILLIS}, so
 * that a recycled pid is never mistaken for the service.
 *
 * @param pidFile the pid file
 */
public record ServiceProcess(Path pidFile) {

    /**
     * Starts {@code executable} in the background in its own session (setsid(1), when present),
     * with stdin from /dev/null and stdout and stderr appended to {@code log}, and writes the pid
     * file.
     *
     * @param executable the program to start
     * @param workDir    its working directory
     * @param env        variables added to the environment
     * @param log        the log file
     * @return the started process (a child of this JVM, so its exit code can be read)
     * @throws SlipwayException (exit 1) when it cannot start
     */
    public Process start(Path executable, Path workDir, Map<String, String> env, Path log) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(executable.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectErrorStream(true);
        try {
            Process p = pb.start();
            ProcessHandle h = p.toHandle();
            long started = h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
            Files.writeString(pidFile, h.pid() + " " + started + "\n", StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw SlipwayException.failed("cannot start " + executable + ": " + e.getMessage(), e);
        }
    }

    /** @return the running process named by the pid file, if it still runs and is the same one */
    public Optional<ProcessHandle> running() {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            String[] f = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split("\\s+");
            long pid = Long.parseLong(f[0]);
            long started = f.length > 1 ? Long.parseLong(f[1]) : 0;
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> started == 0
                    || h.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - started) < 1000).orElse(true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops the process gracefully: SIGTERM, then SIGKILL when it still runs after
     * {@code drainTimeout}. Removes the pid file.
     *
     * @param drainTimeout how long to wait after SIGTERM
     * @return whether a process was running
     */
    public boolean stop(Duration drainTimeout) {
        Optional<ProcessHandle> h = running();
        if (h.isPresent()) {
            ProcessHandle p = h.get();
            p.destroy();
            if (!waitForExit(p, drainTimeout)) {
                p.destroyForcibly();
                waitForExit(p, Duration.ofSeconds(10));
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // A stale pid file is harmless: running() checks the start time.
        }
        return h.isPresent();
    }

    private static boolean waitForExit(ProcessHandle p, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) {
            HealthGate.sleep(Duration.ofMillis(25));
        }
        return !p.isAlive();
    }
}

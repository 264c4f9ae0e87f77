package dev.slipway.deploy;

import dev.slipway.remote.Gate;
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
 * A service instance on this machine, tracked by a pid file that holds {@code PID START_MILLIS
 * [RELEASE]}, so that a recycled pid is never mistaken for the service, and so that what runs can
 * be told from what {@code current} names.
 *
 * <p>This is the local target's service manager (what systemd is on a host). Its
 * {@link #restart} hands the stop of the old instance and the start of the new one to a detached
 * helper (a shell in its own session, setsid(2)), which carries them out even when slipway is
 * killed meanwhile, so a kill -9 can never leave the service stopped and not started again; the
 * helper stays as the instance's parent and records its exit status.
 *
 * @param pidFile the pid file
 */
public record ServiceProcess(Path pidFile) {

    /**
     * The environment a running process was started with, from {@code /proc/PID/environ} (proc(5):
     * NUL-separated {@code NAME=value} entries; changes the process made later are not seen).
     *
     * @param pid a process of this user
     * @return its variables, in the order recorded; empty when {@code /proc} cannot tell (not Linux,
     *         gone, or another user's process)
     */
    public static Map<String, String> environment(long pid) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException | SecurityException e) {
            return Map.of();
        }
        return env;
    }

    /**
     * Starts {@code executable} in the background in its own session (setsid(1), when present),
     * with stdin from /dev/null and stdout and stderr appended to {@code log}, and writes the pid
     * file.
     *
     * @param executable the program to start
     * @param workDir    its working directory
     * @param env        variables added to the environment
     * @param unset      variables of this process's environment the program must not get ({@code env -u})
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

    /**
     * Stops {@code old} (when given) and starts {@code executable}, through a detached helper, and
     * waits until the helper has started it. The helper script is {@code <pid file>.restart.sh}
     * (mode 0700: it holds the environment), its progress {@code <pid file>.restart}; the new
     * instance's exit status goes to {@code <pid file>.exit} ({@code PID STATUS}).
     *
     * @param host       this machine (the helper is started with {@code host.run})
     * @param old        the instance to stop first (SIGTERM, SIGKILL after {@code drain}), if any
     * @param drain      how long the old instance may drain
     * @param executable the program to start
     * @param release    the release it belongs to, recorded in the pid file
     * @param workDir    its working directory
     * @param env        variables added to the environment
     * @param unset      variables of this process's environment the program must not get ({@code env -u})
     * @param log        the log file (appended); a {@code ---- TIME slipway starts RELEASE_PATH} line goes first
     * @param logLine    the text of that line after the time, e.g. {@code slipway starts releases/1.2.0}
     * @return the new instance's pid
     * @throws SlipwayException (exit 1) when the helper cannot start or does not report within
     *                          {@code drain} plus 60 s
     */
    public long restart(dev.slipway.remote.Host host, Optional<ProcessHandle> old, Duration drain, Path executable,
                        String release, Path workDir, Map<String, String> env, java.util.Set<String> unset, Path log,
                        String logLine) {
        Path script = pidFile.resolveSibling(pidFile.getFileName() + ".restart.sh");
        Path progress = pidFile.resolveSibling(pidFile.getFileName() + ".restart");
        Path exit = pidFile.resolveSibling(pidFile.getFileName() + ".exit");
        StringBuilder sh = new StringBuilder("#!/bin/sh\n# written by slipway: stop the old instance, start the new one;"
                + " runs in its own session, so a killed slipway cannot interrupt it\n");
        sh.append("cd ").append(dev.slipway.remote.Shell.quote(workDir.toString())).append(" || exit 1\n");
        sh.append("p=").append(dev.slipway.remote.Shell.quote(progress.toString())).append('\n');
        old.ifPresent(h -> {
            long ticks = Math.max(1, drain.toMillis() / 25);
            sh.append("old=").append(h.pid()).append("\necho \"stopping $old\" > \"$p\"\n")
                    .append("kill -TERM $old 2>/dev/null\nn=0\nwhile kill -0 $old 2>/dev/null; do\n")
                    .append("  n=$((n+1)); if [ $n -eq ").append(ticks).append(" ]; then kill -KILL $old 2>/dev/null; fi\n")
                    .append("  if [ $n -gt ").append(ticks + 400).append(" ]; then break; fi\n  sleep 0.025\ndone\n");
        });
        sh.append("rm -f ").append(dev.slipway.remote.Shell.quote(pidFile.toString())).append('\n');
        sh.append("echo \"---- $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) \"").append(dev.slipway.remote.Shell.quote(logLine))
                .append(" >> ").append(dev.slipway.remote.Shell.quote(log.toString())).append('\n');
        // env(1) execs the program, so $! is the service's pid; it takes any variable name.
        sh.append("/usr/bin/env");
        unset.forEach(k -> sh.append(" -u ").append(dev.slipway.remote.Shell.quote(k)));
        env.forEach((k, v) -> sh.append(' ').append(dev.slipway.remote.Shell.quote(k + "=" + v)));
        sh.append(' ').append(dev.slipway.remote.Shell.quote(executable.toString())).append(" </dev/null >> ")
                .append(dev.slipway.remote.Shell.quote(log.toString())).append(" 2>&1 &\npid=$!\n");
        sh.append("echo \"$pid $(date +%s%3N) \"").append(dev.slipway.remote.Shell.quote(release)).append(" > ")
                .append(dev.slipway.remote.Shell.quote(pidFile + ".tmp")).append(" && mv ")
                .append(dev.slipway.remote.Shell.quote(pidFile + ".tmp")).append(' ')
                .append(dev.slipway.remote.Shell.quote(pidFile.toString())).append('\n');
        sh.append("echo \"started $pid\" > \"$p\"\nwait $pid\necho \"$pid $?\" > ")
                .append(dev.slipway.remote.Shell.quote(exit.toString())).append('\n');
        try {
            Files.deleteIfExists(progress);
            Files.deleteIfExists(script);
            Files.createFile(script, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Files.writeString(script, sh.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + script + ": " + e.getMessage(), e);
        }
        String setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid " : "";
        dev.slipway.remote.Host.CommandResult r = host.run(setsid + "/bin/sh " + dev.slipway.remote.Shell.quote(script.toString())
                + " </dev/null >/dev/null 2>&1 &", Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed("cannot start the restart helper " + script + ": " + (r.stdout() + r.stderr()).strip());
        }
        long deadline = System.nanoTime() + drain.plusSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String st = Files.exists(progress) ? Files.readString(progress, StandardCharsets.UTF_8).strip() : "";
                if (st.startsWith("started ")) {
                    return Long.parseLong(st.substring(8).strip());
                }
            } catch (IOException | NumberFormatException e) {
                // written meanwhile; read again
            }
            Gate.sleep(Duration.ofMillis(20));
        }
        throw SlipwayException.failed("the restart helper " + script + " did not start " + executable + " within "
                + drain.plusSeconds(60).toSeconds() + " s");
    }

    /**
     * @param pid a process id this pid file named
     * @return the exit status the helper recorded for it, if it has exited
     */
    public Optional<Integer> exitStatus(long pid) {
        Path exit = pidFile.resolveSibling(pidFile.getFileName() + ".exit");
        try {
            String[] f = Files.readString(exit, StandardCharsets.UTF_8).trim().split("\\s+");
            return Long.parseLong(f[0]) == pid ? Optional.of(Integer.parseInt(f[1])) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return the release the pid file names (written by {@link #restart}), if any */
    public Optional<String> release() {
        try {
            String[] f = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split("\\s+");
            return f.length > 2 ? Optional.of(f[2]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
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
            // The restart helper takes the time just after it started the process: on a loaded machine
            // (load average 30 on 2 cores) seconds can pass between the two, and a recycled pid
            // started within 10 s of the recorded time is still most unlikely.
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> started == 0
                    || h.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - started) < 10_000).orElse(true));
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
            Gate.sleep(Duration.ofMillis(25));
        }
        return !p.isAlive();
    }
}

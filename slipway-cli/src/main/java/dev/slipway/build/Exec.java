package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external tools (mvn, jdeps, jlink, cc) with a time bound and captured output. */
public final class Exec {
    private Exec() {}

    /**
     * The outcome of a finished command.
     *
     * @param exitCode the process exit code
     * @param output   stdout and stderr, interleaved, as UTF-8 text
     */
    public record Result(int exitCode, String output) {
        /** @return the last {@code n} lines of the output, for error messages */
        public String tail(int n) {
            List<String> lines = output.strip().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /**
     * Runs a command and waits for it.
     *
     * @param command the argv
     * @param dir     the working directory
     * @param timeout the longest the command may run; it is killed after that
     * @return the exit code and the combined output
     * @throws SlipwayException (exit 1) when the command cannot start or runs past the timeout
     */
    public static Result run(List<String> command, Path dir, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw SlipwayException.failed("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), buf), "exec-output");
        pump.setDaemon(true);
        pump.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw SlipwayException.failed(command.get(0) + " ran longer than " + timeout.toSeconds()
                        + " s and was stopped");
            }
            pump.join(5_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted while running " + command.get(0));
        }
        synchronized (buf) {
            return new Result(p.exitValue(), buf.toString(StandardCharsets.UTF_8));
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException ignored) {
            // The process ended; what was read is kept.
        }
    }
}

package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Launcher;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a single file in its prepare mode ({@link Launcher#PREPARE}) on this machine: the first
 * run's unpacking and, on JDK 17-19, its class-data dump, made before a deploy stops what serves,
 * so that the readiness gate then times a warm start only.
 */
public final class Prepare {
    /**
     * How long a prepare may take: the unpacker gives its class-data dump 5 minutes
     * ({@code DUMP_TIMEOUT_S} in unpack.c), and unpacking takes seconds.
     */
    public static final Duration TIMEOUT = Duration.ofMinutes(10);

    private Prepare() {}

    /**
     * Prepares a single file, showing its progress lines (without their {@code slipway: } prefix)
     * indented on the console.
     *
     * @param executable the single file
     * @param workDir    the working directory (the one its start uses)
     * @param env        variables added to this process's environment: those its start gets, so
     *                   that the unpack cache it fills ({@code SLIPWAY_CACHE_DIR},
     *                   {@code XDG_CACHE_HOME}, {@code HOME}) is the one the start uses
     * @param label      how progress names the release, e.g. {@code 1.2.0}
     * @param console    progress
     * @return {@code true} when prepared; {@code false} when the file predates the prepare mode
     *         (it would start the app, so it is not run; its first start then unpacks)
     * @throws SlipwayException (exit 1) when the file exits non-zero (it cannot unpack its
     *                          payload), runs over {@link #TIMEOUT}, or cannot be run
     */
    public static boolean run(Path executable, Path workDir, Map<String, String> env, String label, Console console) {
        try {
            if (!Launcher.preparable(executable)) {
                console.progress("  " + label + " cannot be prepared (its single file predates the prepare mode):"
                        + " its first run happens inside the readiness gate");
                return false;
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + executable + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(executable.toString()).directory(workDir.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        pb.environment().put(Launcher.PREPARE, "1");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Process p;
        try {
            p = dev.slipway.util.Children.start(pb); // the unpacker and its CDS dump die with slipway
        } catch (IOException e) {
            throw SlipwayException.failed("cannot prepare " + label + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    console.progress("    " + (line.startsWith("slipway: ") ? line.substring(9) : line));
                }
            } catch (IOException e) {
                // The process ended; its exit code tells.
            }
        }, "slipway-prepare-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw SlipwayException.failed("preparing " + label + " did not finish within " + Console.seconds(TIMEOUT));
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            throw SlipwayException.failed("interrupted while preparing " + label);
        }
        if (p.exitValue() != 0) {
            List<String> out;
            synchronized (lines) {
                out = List.copyOf(lines);
            }
            throw SlipwayException.failed("cannot prepare " + label + ": its single file exited with " + p.exitValue()
                    + (out.isEmpty() ? "" : ":\n" + String.join("\n", out.subList(Math.max(0, out.size() - 15), out.size()))));
        }
        console.progress("  prepared " + label + " in " + Console.seconds(System.nanoTime() - t0));
        return true;
    }

    private static void kill(Process p) {
        dev.slipway.util.Children.stop(p.toHandle(), Duration.ZERO);
    }
}

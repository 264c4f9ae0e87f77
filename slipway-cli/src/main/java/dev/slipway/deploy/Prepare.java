package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Launcher;
import dev.slipway.remote.Host;
import dev.slipway.remote.HostException;
import dev.slipway.remote.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one first-run preparation step of every target, over a {@link Host}: it runs a single file
 * in its prepare mode ({@link Launcher#PREPARE}), the first run's unpacking and, on JDK 17-19, its
 * class-data dump, before a deploy stops what serves, so that the readiness gate then times a warm
 * start only. The target says how the file runs as its service would (the local target: a shell
 * in the state directory with the release's environment, {@link #localCommand}; the hosts target:
 * a transient systemd service with the unit's user and limits,
 * {@code deploy.hosts.HostUnit#prepareCommand}); this class runs that command, shows its progress,
 * and reads what it says alike for both.
 */
public final class Prepare {
    /**
     * How long a prepare may take: the unpacker gives its class-data dump 5 minutes
     * ({@code DUMP_TIMEOUT_S} in unpack.c), and unpacking takes seconds.
     */
    public static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** What a prepare command prints when a release's single file predates the prepare mode (so it is not run). */
    public static final String NOT_PREPARABLE = "@@prepare unsupported";

    private Prepare() {}

    /**
     * Shell lines that end a prepare command (exit 0, printing {@link #NOT_PREPARABLE}) when the
     * single file {@code $f} predates the prepare mode: only a stub that reads the variable
     * ({@link Launcher#PREPARE_MARK}, in its first 4096 bytes as {@link Launcher#preparable} reads
     * them) may be run with it; an older one would start the app.
     *
     * @return shell lines, each ending with a newline
     */
    public static String unlessPreparable() {
        return "if ! head -c 4096 \"$f\" | grep -qF " + Shell.quote(Launcher.PREPARE_MARK)
                + "; then echo " + Shell.quote(NOT_PREPARABLE) + "; exit 0; fi\n";
    }

    /**
     * The command that prepares a single file on this machine as its local start runs it: in
     * {@code workDir}, with this process's environment plus {@code env} (so the unpack cache it
     * fills, {@code SLIPWAY_CACHE_DIR}, {@code XDG_CACHE_HOME} or {@code HOME}, is the one the
     * start uses), standard input from {@code /dev/null} and standard error on standard output.
     *
     * @param executable the single file
     * @param workDir    the working directory (the one its start uses)
     * @param env        variables added to the environment
     * @return the command, for {@code sh -c}
     */
    public static String localCommand(String executable, String workDir, Map<String, String> env) {
        StringBuilder cmd = new StringBuilder("f=").append(Shell.quote(executable)).append('\n');
        cmd.append(unlessPreparable());
        cmd.append("cd ").append(Shell.quote(workDir)).append(" || exit 1\nexec env");
        env.forEach((k, v) -> cmd.append(' ').append(Shell.quote(k + "=" + v)));
        cmd.append(' ').append(Launcher.PREPARE).append("=1 \"$f\" </dev/null 2>&1\n");
        return cmd.toString();
    }

    /**
     * Runs a prepare command on a host, showing its progress lines (without their
     * {@code slipway: } prefix) indented on the console, each after {@code where}.
     *
     * @param host      where the command runs
     * @param command   a prepare command: it starts with {@link #unlessPreparable} and prints the
     *                  file's output on standard output; its exit code is the file's
     * @param timeout   how long the command may run before it is killed
     * @param label     how progress names the release, e.g. {@code 1.2.0}
     * @param where     what goes before each line: empty on this machine, {@code "web1: "} on a host
     * @param unchanged what a failure says is still as it was, e.g. {@code nothing was stopped or switched}
     * @param console   progress
     * @return {@code true} when prepared; {@code false} when the file predates the prepare mode
     *         (it was not run; its first start then unpacks)
     * @throws SlipwayException (exit 1) when the file exits non-zero (it cannot unpack its
     *                          payload), runs over {@code timeout}, or cannot be run
     */
    public static boolean on(Host host, String command, Duration timeout, String label, String where, String unchanged,
                             Console console) {
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        boolean[] unsupported = {false};
        Host.CommandResult r;
        try {
            r = host.run(command, timeout, line -> {
                if (line.contains(NOT_PREPARABLE)) {
                    unsupported[0] = true;
                    return;
                }
                String shown = line.startsWith("slipway: ") ? line.substring(9) : line;
                synchronized (lines) {
                    lines.add(shown);
                }
                console.progress("    " + where + shown);
            });
        } catch (HostException e) {
            throw SlipwayException.failed(where + "cannot prepare " + label + ": " + e.getMessage() + "; " + unchanged, e);
        }
        r.stderr().lines().forEach(line -> {
            lines.add(line);
            console.progress("    " + where + line);
        });
        if (r.ok() && unsupported[0]) {
            console.progress("  " + where + label + " cannot be prepared (its single file predates the prepare mode):"
                    + " its first run happens inside the readiness gate");
            return false;
        }
        if (!r.ok()) {
            List<String> out = List.copyOf(lines);
            throw SlipwayException.failed(where + "cannot prepare " + label + ": its single file exited with " + r.exitCode()
                    + "; " + unchanged
                    + (out.isEmpty() ? "" : ":\n" + String.join("\n", out.subList(Math.max(0, out.size() - 15), out.size()))));
        }
        console.progress("  " + where + "prepared " + label + " in " + Console.seconds(System.nanoTime() - t0));
        return true;
    }
}

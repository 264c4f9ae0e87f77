package dev.slipway.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The child processes Slipway waits for (the build command, {@code jlink}, a C compiler, the
 * training run, a single file's first run: the unpacker and its {@code java -Xshare:dump}) die
 * with Slipway, so that no build keeps running into {@code target/} after the command that
 * started it is gone.
 *
 * <ul>
 *   <li>Normal exit, an exception, Ctrl-C (SIGINT), SIGTERM: a shutdown hook stops every child
 *       still running and its descendants (SIGTERM, then SIGKILL after {@link #GRACE}); from then on
 *       {@link #start} refuses, so that a step that retries after its child was stopped (jdeps
 *       on a narrower class path) starts nothing that would outlive Slipway.</li>
 *   <li>{@code kill -9} of Slipway: no code of Slipway's runs, so a small watchdog does it: one
 *       {@code sh} per Slipway process, started with the first child, that reads the children's
 *       pids from a pipe. When Slipway dies, the kernel closes the pipe; the watchdog reads its
 *       end, and stops those children (recognised by their start time, so that a reused pid is
 *       left alone) and their descendants, found through {@code /proc}, the same way.</li>
 * </ul>
 *
 * <p>What this cannot do: a descendant that left its parent's tree before the kill (a daemon
 * that double-forked) is not found; a {@code kill -9} of the watchdog itself and of Slipway
 * together (e.g. {@code kill -9 -PGID}, or the OOM killer taking both) leaves the children
 * running; and on a machine without {@code /proc} (not Linux) only the children themselves are
 * stopped, not their descendants. Processes meant to outlive Slipway (the local target's service
 * and its supervisor) are not started through this class.
 */
public final class Children {
    /** How long a stopped child gets between SIGTERM and SIGKILL. */
    public static final java.time.Duration GRACE = java.time.Duration.ofSeconds(2);

    /** The watchdog: ignores the terminal's signals, collects pids, and stops them when its input ends. */
    static final String WATCHDOG = """
            trap '' INT TERM HUP QUIT
            start() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
            roots=''
            while read -r op pid; do
              case $op in
                +) t=$(start "$pid") && roots="$roots $pid:$t" ;;
                -) new=''; for r in $roots; do [ "${r%%:*}" = "$pid" ] || new="$new $r"; done; roots=$new ;;
              esac
            done
            all=''
            for r in $roots; do [ "$(start "${r%%:*}")" = "${r#*:}" ] && all="$all ${r%%:*}"; done
            [ -n "$all" ] || exit 0
            changed=1
            while [ "$changed" = 1 ]; do
              changed=0
              for f in /proc/[0-9]*/stat; do
                s=$(cat "$f" 2>/dev/null) || continue
                p=${s%% *}; s=${s##*) }; set -- $s
                case " $all " in *" $p "*) continue ;; esac
                case " $all " in *" $2 "*) all="$all $p"; changed=1 ;; esac
              done
            done
            marked=''
            for p in $all; do marked="$marked $p:$(start "$p")"; done
            kill -TERM $all 2>/dev/null
            sleep GRACE
            for m in $marked; do
              [ "$(start "${m%%:*}")" = "${m#*:}" ] && kill -KILL "${m%%:*}" 2>/dev/null
            done
            exit 0
            """.replace("GRACE", Long.toString(GRACE.toSeconds()));

    private static final Map<Long, Process> RUNNING = new ConcurrentHashMap<>();
    private static OutputStream watchdog;
    private static boolean hooked;
    /** Set by the shutdown hook: {@link #start} refuses from then on. Guarded by {@code RUNNING}. */
    private static boolean stopping;

    private Children() {}

    /**
     * Starts a child that dies with Slipway (see the class comment).
     *
     * @param builder what to start
     * @return the started process
     * @throws IOException when it cannot start, or when Slipway is stopping (its shutdown hook has run)
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        Process p;
        synchronized (RUNNING) {
            if (stopping) {
                // The shutdown hook has taken its list: a child started now would outlive Slipway.
                throw new IOException("slipway is stopping; " + builder.command().get(0) + " was not started");
            }
            p = builder.start();
            RUNNING.put(p.pid(), p);
        }
        long pid = p.pid();
        tell("+ " + pid);
        p.onExit().thenRun(() -> {
            RUNNING.remove(pid);
            tell("- " + pid);
        });
        return p;
    }

    /**
     * Stops a child and its descendants: SIGTERM, then SIGKILL to what still runs after
     * {@code grace}. Descendants are collected first, while the tree is whole.
     *
     * @param p     the child
     * @param grace how long to wait for SIGTERM to work; zero: SIGKILL at once
     */
    public static void stop(ProcessHandle p, java.time.Duration grace) {
        var tree = new java.util.ArrayList<>(p.descendants().toList());
        tree.add(0, p);
        if (!grace.isZero()) {
            tree.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + grace.toNanos();
            for (ProcessHandle h : tree) {
                try {
                    h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (Exception stillRunning) {
                    break;
                }
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Sends one line to the watchdog, starting it (and the shutdown hook) the first time. */
    private static synchronized void tell(String line) {
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                java.util.List<Process> left;
                synchronized (RUNNING) {
                    stopping = true; // no child starts after this list is taken (a retry after a killed one)
                    left = java.util.List.copyOf(RUNNING.values());
                }
                left.parallelStream().filter(Process::isAlive).forEach(p -> stop(p.toHandle(), GRACE));
            }, "children-stop"));
        }
        try {
            if (watchdog == null) {
                if (!Files.isDirectory(Path.of("/proc/self"))) {
                    return; // no /proc to find the processes by; the shutdown hook still works
                }
                Process w = new ProcessBuilder("sh", "-c", WATCHDOG).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                watchdog = w.getOutputStream();
            }
            watchdog.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            watchdog.flush();
        } catch (IOException e) {
            watchdog = null; // the watchdog is gone; the next child starts another
        }
    }
}

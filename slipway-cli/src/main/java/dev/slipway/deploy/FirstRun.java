package dev.slipway.deploy;

import dev.slipway.build.Launcher;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a single file's first run is doing when a readiness gate gives up on it (issue 20 item 17,
 * Kamal #1041): a gate that failed while the start was still unpacking the payload or dumping the
 * class-data archive (a release that could not be prepared, or whose unpack cache was missing or
 * damaged at its start) failed on the first run's work, not on the app, and more time is the fix.
 *
 * <p>The unpacker shows its work by name (see unpack.c): it unpacks into
 * {@code <root>/run/<key>.tmp.<pid>} and dumps into {@code <root>/run/<key>/app/app.jsa.tmp.<pid>},
 * and a name whose process is alive is work in progress (one left by a killed run is not).
 */
public final class FirstRun {
    /** What a first run is doing. */
    public enum Stage {
        /** unpacking the payload into the cache */
        UNPACKING("unpacking the payload"),
        /** dumping the class-data archive (JDK 17-19) */
        DUMPING("dumping the class-data archive");

        private final String words;

        Stage(String words) {
            this.words = words;
        }

        /** @return how a note says it */
        public String words() {
            return words;
        }
    }

    private FirstRun() {}

    /**
     * The cache root a single file's stub takes from its environment (stub.sh):
     * {@code SLIPWAY_CACHE_DIR}, else {@code $XDG_CACHE_HOME/slipway}, else {@code $HOME/.cache/slipway}.
     *
     * @param env the environment the file runs with
     * @return the root, or empty when there is none (the unpacker then uses a private directory
     *         under {@code TMPDIR}, which is not looked at)
     */
    public static Optional<Path> cacheRoot(Map<String, String> env) {
        String dir = env.get("SLIPWAY_CACHE_DIR");
        if (dir != null && !dir.isEmpty()) {
            return Optional.of(Path.of(dir));
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Optional.of(Path.of(xdg, "slipway"));
        }
        String home = env.get("HOME");
        return home == null || home.isEmpty() || home.equals("/") ? Optional.empty() : Optional.of(Path.of(home, ".cache", "slipway"));
    }

    /**
     * What the first run of a single file is doing on this machine now.
     *
     * @param singleFile the release's single file
     * @param added      the variables its start adds to this process's environment
     * @return the stage, or empty when none is in progress (or the file is no single file)
     */
    public static Optional<Stage> inProgress(Path singleFile, Map<String, String> added) {
        try {
            Optional<String> key = Launcher.cacheKey(singleFile);
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.putAll(added);
            Optional<Path> root = cacheRoot(env);
            return key.isEmpty() || root.isEmpty() ? Optional.empty() : inProgress(root.get(), key.get());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param root the cache root
     * @param key  the payload's cache key
     * @return what a live first run of {@code key} under {@code root} is doing, or empty
     */
    static Optional<Stage> inProgress(Path root, String key) {
        Path run = root.resolve("run");
        if (live(run, key + ".tmp.")) {
            return Optional.of(Stage.UNPACKING);
        }
        if (live(run.resolve(key).resolve("app"), "app.jsa.tmp.")) {
            return Optional.of(Stage.DUMPING);
        }
        return Optional.empty();
    }

    private static boolean live(Path dir, String prefix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length()))
                    .anyMatch(pid -> pid.matches("\\d{1,10}") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What the first run of a single file is doing on a host now, from the same names.
     *
     * @param host       the host
     * @param singleFile the release's single file (on this machine: its stub names the key)
     * @param cacheRoot  the cache root on the host, e.g. {@code /var/cache/<unit>}
     * @return the stage, or empty when none is in progress or the host cannot say
     */
    public static Optional<Stage> inProgress(Host host, Path singleFile, String cacheRoot) {
        try {
            Optional<String> key = Launcher.cacheKey(singleFile);
            if (key.isEmpty()) {
                return Optional.empty();
            }
            Host.CommandResult r = host.run(probeCommand(cacheRoot, key.get()), Duration.ofSeconds(20));
            return r.ok() ? parse(r.stdout()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // only a note: the gate's own error stands
        }
    }

    /**
     * @param cacheRoot the cache root on the host
     * @param key       the payload's cache key
     * @return a sh command that prints {@code unpacking}, {@code dumping} or nothing
     */
    static String probeCommand(String cacheRoot, String key) {
        String run = Shell.quote(cacheRoot + "/run/" + key);
        return "for d in " + run + ".tmp.*; do p=${d##*.}; [ -e \"$d\" ] && kill -0 \"$p\" 2>/dev/null && { echo unpacking; exit 0; }; done;"
                + " for d in " + run + "/app/app.jsa.tmp.*; do p=${d##*.}; [ -e \"$d\" ] && kill -0 \"$p\" 2>/dev/null"
                + " && { echo dumping; exit 0; }; done; exit 0";
    }

    /**
     * @param stdout what {@link #probeCommand} printed
     * @return the stage it names, or empty
     */
    static Optional<Stage> parse(String stdout) {
        return switch (stdout.strip()) {
            case "unpacking" -> Optional.of(Stage.UNPACKING);
            case "dumping" -> Optional.of(Stage.DUMPING);
            default -> Optional.empty();
        };
    }

    /**
     * The note of a gate that gave up on a first run still at work.
     *
     * @param release  the release, e.g. {@code 2.0.0}
     * @param stage    what the first run was doing
     * @param settings the settings that give the gate more time, with their values, e.g.
     *                 {@code service.readiness.timeout (now 30.0 s) or service.readiness.startupGrace (now 0.0 s)}
     * @return one line, starting with {@code note: }
     */
    public static String note(String release, Stage stage, String settings) {
        return "note: the first run of " + release + " was still " + stage.words() + " when the gate gave up, so the"
                + " app had not started yet; give it more time with " + settings + ", or prepare the release before"
                + " its start (a single file built by this Slipway is prepared by every deploy)";
    }

    /**
     * The note of a gate that may have timed a first run: the release was not prepared (its file
     * predates the prepare mode), so its start unpacked the payload and, on JDK 17-19, dumped the
     * class-data archive before the app began.
     *
     * @param release  the release, e.g. {@code 2.0.0}
     * @param settings the settings that give the gate more time, with their values
     * @return one line (it goes into the history), starting with {@code note: }
     */
    public static String notPrepared(String release, String settings) {
        return "note: " + release + " was not prepared before its start (its single file predates the prepare mode),"
                + " so its first run unpacked the payload and, on JDK 17-19, dumped the class-data archive inside"
                + " the gate; allow for that with " + settings + ", or rebuild it with this Slipway";
    }
}

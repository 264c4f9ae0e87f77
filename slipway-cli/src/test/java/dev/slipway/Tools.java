package dev.slipway;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers for tools the tests need: under {@code CI=true} a missing tool fails, else it skips. */
public final class Tools {
    private Tools() {}

    /** @return whether the tests run in CI ({@code CI=true}) */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Requires {@code tool} on PATH: fails under CI, skips elsewhere. */
    public static void require(String tool) {
        requireThat(onPath(tool), tool + " is not installed (.ci/run installs it)");
    }

    /** Requires a condition: fails under CI, skips elsewhere. */
    public static void requireThat(boolean ok, String why) {
        if (!ok && ci()) {
            fail("CI=true and a test prerequisite is missing: " + why);
        }
        assumeTrue(ok, why);
    }

    /** @return whether {@code tool} is an executable on PATH */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether SIGINT reaches this process's children as Ctrl-C: false when it is ignored here
     * ({@code SigIgn} of proc(5) {@code /proc/self/status}, bit 1 for signal 2), which a child inherits
     * and the JVM then keeps (it installs no shutdown handler for an ignored SIGINT). A shell without job
     * control starts background commands so (POSIX.1-2017 XCU 2.11: {@code nohup mvn test &} in a
     * script), and then a test that sends Ctrl-C to the CLI sees it run on as if nothing was sent.
     *
     * @return whether SIGINT is not ignored (true when {@code /proc} cannot tell)
     */
    public static boolean sigintHandled() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2L) == 0;
                }
            }
        } catch (Exception e) {
            // no /proc: nothing known
        }
        return true;
    }

    /** Requires that Ctrl-C (SIGINT) sent to a child process is not ignored ({@link #sigintHandled}). */
    public static void requireSigint() {
        requireThat(sigintHandled(), "SIGINT is ignored in the test JVM (started in the background by a shell without job"
                + " control, e.g. 'nohup mvn test &'), so a Ctrl-C sent to the CLI is ignored too: run the suite in the"
                + " foreground, or with 'set -m'");
    }

    /** @return whether this process runs as root (uid 0) */
    public static boolean root() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Makes a search path without some tools: a directory of symbolic links to every executable on
     * this process's PATH (the first of each name) except those {@code drop} matches. For tests
     * that run a command on a machine "without gcc" or "without a JDK" while everything else stays.
     *
     * @param dir  an empty directory to fill
     * @param drop whether to leave a tool's name out
     * @return {@code dir}, to use as the whole PATH
     * @throws java.io.IOException when a link cannot be made
     */
    public static Path pathWithout(Path dir, java.util.function.Predicate<String> drop) throws java.io.IOException {
        Files.createDirectories(dir);
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (d.isEmpty() || !Files.isDirectory(Path.of(d))) {
                continue;
            }
            try (var s = Files.list(Path.of(d))) {
                for (Path tool : s.toList()) {
                    String name = tool.getFileName().toString();
                    if (!drop.test(name) && Files.isExecutable(tool) && !Files.isDirectory(tool)
                            && !Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(dir.resolve(name), tool.toAbsolutePath());
                    }
                }
            }
        }
        return dir;
    }
}

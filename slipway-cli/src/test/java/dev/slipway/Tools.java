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

    /** @return whether this process runs as root (uid 0) */
    public static boolean root() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
        } catch (Exception e) {
            return false;
        }
    }
}

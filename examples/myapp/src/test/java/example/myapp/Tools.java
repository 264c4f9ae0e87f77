package example.myapp;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test prerequisites: under {@code CI=true} a missing tool fails the test, elsewhere it skips
 * (the same rule as slipway-cli's tests; myapp is standalone, so this is its own copy).
 */
final class Tools {
    private Tools() {
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Requires {@code tool} on PATH (or at an absolute path): fails under CI, skips elsewhere. */
    static Path require(String tool) {
        Optional<Path> p = find(tool);
        requireThat(p.isPresent(), tool + " is not installed (.ci/run installs it)");
        return p.orElseThrow();
    }

    static void requireThat(boolean ok, String why) {
        if (!ok && ci()) {
            fail("CI=true and a test prerequisite is missing: " + why);
        }
        assumeTrue(ok, why);
    }

    static Optional<Path> find(String tool) {
        if (tool.startsWith("/")) {
            return Files.isExecutable(Path.of(tool)) ? Optional.of(Path.of(tool)) : Optional.empty();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Optional.of(Path.of(dir, tool));
            }
        }
        return Optional.empty();
    }

    static boolean root() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
        } catch (Exception e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}

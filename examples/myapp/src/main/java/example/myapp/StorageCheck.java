package example.myapp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Readiness check for the data directory: it must exist, be a directory, and be writable
 * (verified by creating and deleting a temporary file, so it also catches read-only mounts
 * and full disks that permission bits would not reveal).
 */
public final class StorageCheck {
    private final Path dir;

    /**
     * Creates a check for the given directory.
     *
     * @param dir the data directory
     */
    public StorageCheck(Path dir) {
        this.dir = dir;
    }

    /**
     * Runs the check. Performs a small amount of disk I/O; never throws.
     *
     * @return empty when healthy, otherwise a short human-readable reason
     */
    public Optional<String> check() {
        if (!Files.exists(dir)) {
            return Optional.of("data dir " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of("data dir " + dir + " is not a directory");
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".ready-", ".tmp");
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("data dir " + dir + " is not writable: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? " " + e.getMessage() : ""));
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // best effort; the write itself succeeded
                }
            }
        }
    }

    /**
     * Creates the data directory (and parents) if it is missing. Never throws: failures are
     * logged and later reported by {@link #check()}.
     *
     * @return {@code true} if the directory exists afterwards
     */
    public boolean ensureExists() {
        try {
            Files.createDirectories(dir);
            return true;
        } catch (IOException | SecurityException e) {
            Log.warn("cannot create DATA_DIR " + dir + ": " + e + " (readiness will report unhealthy)");
            return false;
        }
    }
}

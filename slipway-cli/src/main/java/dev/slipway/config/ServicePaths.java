package dev.slipway.config;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The rule that paths from {@code slipway.yaml} never leave the service directory, also after
 * symbolic links are resolved: checked when the file is read (for what exists then) and again when
 * {@code slipway build} reads the path (the build command may have made it meanwhile).
 */
public final class ServicePaths {
    private ServicePaths() {}

    /**
     * Why a relative path leaves the service directory through a symbolic link, if it does.
     *
     * <p>The longest part of {@code rel} that exists is resolved with {@link Path#toRealPath}; it
     * must lie inside the service directory's own real path. The part that does not exist yet cannot
     * hold a link and is not checked.
     *
     * @param serviceDir the service directory
     * @param rel        a normalized relative path that does not start with {@code ..}
     * @return {@code null} when it stays inside, else the reason, e.g.
     *         {@code "leads to /etc through a symbolic link"}
     */
    public static String escapes(Path serviceDir, Path rel) {
        Path root;
        try {
            root = serviceDir.toRealPath();
        } catch (IOException e) {
            return null; // no service directory to escape from (a config parsed from text alone)
        }
        Path existing = serviceDir.resolve(rel);
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return null;
        }
        try {
            Path real = existing.toRealPath();
            return real.startsWith(root) ? null : "leads to " + real + " through a symbolic link";
        } catch (IOException e) {
            return "cannot be resolved (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "; a dangling symbolic link?)";
        }
    }

    /**
     * Resolves a path of {@code slipway.yaml} for reading at build time.
     *
     * @param serviceDir the service directory
     * @param key        the key it comes from, for messages, e.g. {@code build.lib}
     * @param text       the path as written, relative to the service directory
     * @return the absolute, normalized path (which need not exist)
     * @throws SlipwayException (exit 2) when it leaves the service directory
     */
    public static Path resolve(Path serviceDir, String key, String text) {
        Path rel = Path.of(text).normalize();
        if (rel.isAbsolute() || rel.startsWith("..")) {
            throw SlipwayException.usage(key + " '" + text + "' leaves the service directory " + serviceDir);
        }
        String why = escapes(serviceDir, rel);
        if (why != null) {
            throw SlipwayException.usage(key + " '" + text + "' " + why + "; paths in slipway.yaml stay inside the"
                    + " service directory " + serviceDir);
        }
        return serviceDir.resolve(rel).normalize();
    }
}

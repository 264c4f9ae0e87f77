package dev.slipway.config;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one check for paths in {@code slipway.yaml} whose files go into a build or a release
 * ({@code build.jar}, {@code build.lib}, {@code build.files}, {@code profiles.<p>.classpath},
 * {@code profiles.<p>.resources}, {@code release.archives.files}): each is written relative to
 * the service directory and stays inside it, both as written (no {@code ..} above it, not
 * absolute) and after resolving symbolic links ({@link Path#toRealPath}), so that a file such as
 * {@code /etc/shadow} can never reach an archive, a single file or an image through the config.
 *
 * <p>Paths that name tools or credentials of the build machine ({@code build.jdk},
 * {@code build.targetJdks}, {@code image.sysroots}, {@code deploy.hosts.identityFile},
 * {@code knownHosts}, {@code secretsFile}, {@code release.publish.directory}) are not release
 * inputs and may be anywhere; {@code docs/security.md} lists both kinds.
 */
public final class ServicePaths {
    private ServicePaths() {}

    /**
     * Checks a release-input path at load time and resolves it.
     *
     * <p>A path that does not exist yet (a jar the build command makes) passes when it is inside as
     * written; {@link #requireInside} checks it again, links resolved, once it exists.
     *
     * @param v    reports errors at the value's {@code slipway.yaml:LINE:COL}
     * @param at   the value's dotted path, e.g. {@code profiles.arm.classpath[0]}
     * @param text the path as written in the file
     * @return the absolute, normalised path (links not resolved, so names stay the user's)
     * @throws ConfigException (exit 2) when it is empty, absolute, leaves the service directory
     *                         with {@code ..}, or resolves through a symbolic link to a place outside it
     */
    static Path inside(ConfigLoader.Validator v, String at, String text) {
        v.check(text != null && !text.isBlank(), at, "the path is empty");
        Path dir = v.file().toAbsolutePath().getParent();
        Path written;
        try {
            written = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw v.error(at, "'" + text + "' is not a path: " + e.getReason());
        }
        v.check(!written.isAbsolute(), at, "'" + text
                + "' is an absolute path; write a path relative to the service directory, inside it");
        Path p = dir.resolve(written).normalize();
        v.check(p.startsWith(dir) && !p.equals(dir), at,
                "'" + text + "' must be a path relative to the service directory, inside it");
        String outside = outsideAfterLinks(dir, p);
        v.check(outside == null, at, "'" + text + "' resolves through a symbolic link to " + outside
                + ", outside the service directory; copy the file into the service directory instead");
        return p;
    }

    /**
     * Checks a release-input path again when it is used, with links resolved: the build command
     * may have made it (or a link on its way) after {@code slipway.yaml} was checked.
     *
     * @param serviceDir the service directory
     * @param path       the path, absolute or relative to {@code serviceDir}
     * @param key        the {@code slipway.yaml} key it comes from, for the message
     * @return {@code path} resolved against {@code serviceDir} and normalised
     * @throws SlipwayException (exit 2) when it leaves the service directory, as written or
     *                          through a symbolic link
     */
    public static Path requireInside(Path serviceDir, Path path, String key) {
        Path dir = serviceDir.toAbsolutePath().normalize();
        Path p = dir.resolve(path).normalize();
        if (!p.startsWith(dir) || p.equals(dir)) {
            throw SlipwayException.usage(key + " " + path + " is outside the service directory " + dir);
        }
        String outside = outsideAfterLinks(dir, p);
        if (outside != null) {
            throw SlipwayException.usage(key + " " + path + " resolves through a symbolic link to " + outside
                    + ", outside the service directory " + dir + "; copy the file into the service directory instead");
        }
        return p;
    }

    /**
     * {@link #requireInside} for a path as written in {@code slipway.yaml}.
     *
     * @param serviceDir the service directory
     * @param key        the key it comes from, for messages, e.g. {@code build.lib}
     * @param text       the path as written, relative to the service directory
     * @return the absolute, normalised path (which need not exist)
     * @throws SlipwayException (exit 2) when it is not a path or leaves the service directory
     */
    public static Path resolve(Path serviceDir, String key, String text) {
        try {
            return requireInside(serviceDir, Path.of(text), key);
        } catch (java.nio.file.InvalidPathException e) {
            throw SlipwayException.usage(key + " '" + text + "' is not a path: " + e.getReason());
        }
    }

    /**
     * @param dir the service directory, absolute and normalised
     * @param p   a path inside {@code dir} as written, absolute and normalised
     * @return where {@code p} (or, while it does not exist, its nearest existing ancestor) really
     *         is, links resolved, when that is outside {@code dir}; else {@code null}
     */
    static String outsideAfterLinks(Path dir, Path p) {
        try {
            Path realDir = dir.toRealPath();
            Path cur = p;
            while (cur != null && !Files.exists(cur)) { // follows links: a dangling one counts as missing
                cur = cur.getParent();
            }
            if (cur == null) {
                return null;
            }
            Path real = cur.toRealPath();
            return real.startsWith(realDir) ? null : real.toString();
        } catch (IOException e) {
            return null; // no service directory on disk (a config parsed from text): nothing to resolve
        }
    }
}

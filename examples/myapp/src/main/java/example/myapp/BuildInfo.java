package example.myapp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Build metadata read from the classpath resource {@value #RESOURCE} (Spring Boot key names:
 * {@code build.version}, {@code build.time}, {@code git.commit.id}). The resource is not part of
 * the application jar: Slipway injects it at ship time in a separate small jar on the classpath.
 *
 * @param version   the application version, {@code "dev"} when unknown
 * @param commit    the full git commit id, {@code "unknown"} when unknown
 * @param buildTime the build timestamp as written by the build, {@code "unknown"} when unknown
 */
public record BuildInfo(String version, String commit, String buildTime) {

    /** Classpath location of the build-info properties file. */
    public static final String RESOURCE = "META-INF/build-info.properties";

    /** Version reported when none is available. */
    public static final String DEFAULT_VERSION = "dev";

    /** Commit / build time reported when none is available. */
    public static final String UNKNOWN = "unknown";

    /**
     * Loads build info from {@value #RESOURCE} via the given class loader. Never throws:
     * a missing or unreadable resource, or missing/blank keys, yield the defaults
     * ({@code dev} / {@code unknown} / {@code unknown}).
     *
     * @param loader the class loader to search; {@code null} means the system class loader
     * @return the build info, never {@code null}
     */
    public static BuildInfo load(ClassLoader loader) {
        ClassLoader cl = loader != null ? loader : ClassLoader.getSystemClassLoader();
        Properties props = new Properties();
        try (InputStream in = cl.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException | IllegalArgumentException e) {
            Log.warn("cannot read " + RESOURCE + ": " + e.getMessage());
            props.clear();
        }
        return fromProperties(props);
    }

    /**
     * Builds an instance from already-loaded properties, applying defaults for missing or blank
     * keys. {@code git.commit.id.full} is accepted as a fallback for {@code git.commit.id}.
     *
     * @param props the properties (Spring Boot key names)
     * @return the build info, never {@code null}
     */
    public static BuildInfo fromProperties(Properties props) {
        String commit = value(props, "git.commit.id", null);
        if (commit == null) {
            commit = value(props, "git.commit.id.full", UNKNOWN);
        }
        return new BuildInfo(
                value(props, "build.version", DEFAULT_VERSION),
                commit,
                value(props, "build.time", UNKNOWN));
    }

    /**
     * Formats the three-line output of {@code myapp version}, each line ending in {@code \n}.
     *
     * @return e.g. {@code "Version:    1.2.3\nGit Commit: abc...\nBuild Time: 2026-...\n"}
     */
    public String format() {
        return "Version:    " + version + "\n"
                + "Git Commit: " + commit + "\n"
                + "Build Time: " + buildTime + "\n";
    }

    private static String value(Properties props, String key, String fallback) {
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}

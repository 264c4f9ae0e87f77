package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code slipway build}: from a service directory to a single-file executable and a
 * {@code .tar.gz} in {@code dist/}, plus {@code dist/artifacts.json} listing them.
 *
 * <p>The entry point of the build pipeline: its steps, in order, are {@link BuildPipeline#STEPS}
 * (JDKs, version facts, build command, jars, jdeps; then per platform, in parallel,
 * {@link BuildPipeline#PLATFORM_STEPS}: runtime, layout, startup cache, launcher, single file and
 * archive; then {@code dist/artifacts.json} and the summary). The whole build holds the service's
 * {@link BuildLock}.
 */
public final class Builder {
    private Builder() {}

    /**
     * Options of one build.
     *
     * @param version   a version that overrides config and git, or {@code null}
     * @param compile   whether to run the build command first
     * @param useCache  whether to reuse linked runtimes from the runtime cache
     * @param platforms platforms to build (a subset of the configured ones), or empty for all
     * @param profiles  build profiles to apply, or empty for those marked {@code default: true}
     * @param time      the build time to record (the Maven plugin passes
     *                  {@code project.build.outputTimestamp}), or {@code null} for {@code SOURCE_DATE_EPOCH},
     *                  else the commit time, else now
     * @param compression how hard the single file's kept frames are compressed: {@link Compression#RELEASE}
     *                  for {@code slipway release}, {@link Compression#BUILD} for every other build
     */
    public record Options(String version, boolean compile, boolean useCache, List<String> platforms,
                          List<String> profiles, Instant time, Compression compression) {
        /** Checks the compression is given. */
        public Options {
            java.util.Objects.requireNonNull(compression, "compression");
        }

        /** Options of a build that is not a release ({@link Compression#BUILD}). */
        public Options(String version, boolean compile, boolean useCache, List<String> platforms,
                       List<String> profiles, Instant time) {
            this(version, compile, useCache, platforms, profiles, time, Compression.BUILD);
        }

        /** Options for a build of every configured platform with the cache and default profiles. */
        public Options(String version, boolean compile) {
            this(version, compile, true, List.of(), List.of());
        }

        /** Options whose build time comes from the environment or git. */
        public Options(String version, boolean compile, boolean useCache, List<String> platforms,
                       List<String> profiles) {
            this(version, compile, useCache, platforms, profiles, null);
        }
    }

    /**
     * What a build made for one platform.
     *
     * @param info         the injected build info (name, version, commit, time)
     * @param platform     the target platform
     * @param executable   the single-file executable
     * @param archive      the {@code .tar.gz} of the same layout
     * @param runtimeBytes the size of the linked runtime directory, in bytes
     * @param modules      the JDK modules linked in
     * @param cacheKey     the single file's unpack cache key
     * @param runtimeFromCache whether the runtime came from the runtime cache
     * @param launch       what the launcher starts (main class, class path, JVM options), also
     *                     recorded in {@code dist/artifacts.json} for {@code slipway image}
     */
    public record Result(BuildInfo info, Platform platform, Path executable, Path archive,
                         long runtimeBytes, List<String> modules, String cacheKey, boolean runtimeFromCache,
                         Launcher.Spec launch) {}

    /**
     * Builds the service for every configured platform; independent platforms link and pack in
     * parallel (two at a time).
     *
     * @param config  the service configuration
     * @param options version override, compile, cache, platform subset
     * @param console progress and results
     * @return one result per platform, in configuration order
     * @throws SlipwayException exit 2 for configuration problems (no JDK with jlink, a bad target
     *                          JDK, no runnable jar, no main class), exit 1 when a tool fails;
     *                          exit 2 when another build of the service still runs after {@link BuildLock#WAIT}
     */
    public static List<Result> build(SlipwayConfig config, Options options, Console console) {
        // One build per service directory at a time, the build command included: two at once wrote
        // the same target/ and dist/ (see BuildLock).
        List<Result> results;
        try (BuildLock lock = BuildLock.acquire(config.serviceDir(), config.name(), console, BuildLock.WAIT)) {
            results = buildLocked(config, options, console);
        }
        CacheTrim.afterBuild(cacheDir(), console, java.time.Instant.now());
        return results;
    }

    private static List<Result> buildLocked(SlipwayConfig config, Options options, Console console) {
        BuildContext c = new BuildContext(config, options, console);
        try {
            BuildPipeline.build().run(c);
            return c.results();
        } finally {
            try {
                Trees.deleteTree(c.work());
                Trees.deleteTree(BuildOutputs.exploded(config));
            } catch (IOException ignored) {
                // Leftovers in the output directory's .work and .exploded are removed by the next build.
            }
        }
    }

    /** @return Slipway's cache directory: {@code $SLIPWAY_CACHE_DIR}, else the XDG cache dir */
    public static Path cacheDir() {
        String own = System.getenv("SLIPWAY_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("slipway");
    }
}

package dev.slipway.maven;

import dev.slipway.Console;
import dev.slipway.build.Builder;
import dev.slipway.config.SlipwayConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code mvn package slipway:build}: what {@code slipway build --no-compile} does, from the jar and
 * dependencies Maven just built and resolved: the single-file executables and archives in
 * the output directory ({@code target/slipway/dist/} unless configured) and its {@code artifacts.json}. The version is the POM's; the build time is
 * {@code project.build.outputTimestamp} when set.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME,
        threadSafe = true)
public final class BuildMojo extends SlipwayMojo {
    /** The release version (default: the POM's version; slipway.yaml's {@code version} is overridden). */
    @Parameter(property = "slipway.version", defaultValue = "${project.version}")
    String version;

    /** Build only these configured platforms, e.g. {@code linux-arm64} (default: all configured). */
    @Parameter(property = "slipway.platforms")
    List<String> platforms = new ArrayList<>();

    /** Build profiles to apply (default: those marked {@code default: true}). */
    @Parameter(property = "slipway.profiles")
    List<String> profiles = new ArrayList<>();

    /** Link every runtime afresh instead of using the runtime cache. */
    @Parameter(property = "slipway.noCache", defaultValue = "false")
    boolean noCache;

    @Override
    protected void run(SlipwayConfig config, Console console) {
        Builder.build(config, new Builder.Options(version, false, !noCache, List.copyOf(platforms),
                List.copyOf(profiles), buildTime()), console);
    }
}

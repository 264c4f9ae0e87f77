package dev.slipway.maven;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.release.ReleasePipeline;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code mvn package slipway:release}: what {@code slipway release --no-compile} does: from a
 * tagged, clean HEAD (or any tree with {@code -Dslipway.snapshot}) the archives, checksums,
 * changelog, SBOM and manifest in the output directory ({@code target/slipway/dist/} unless configured), then publishing. As with the CLI, the release
 * version is the tag's (or the snapshot template's), not the POM's; the build time is
 * {@code project.build.outputTimestamp} when set.
 */
@Mojo(name = "release", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME,
        threadSafe = true)
public final class ReleaseMojo extends SlipwayMojo {
    /** Release whatever is checked out with the snapshot version; never publishes. */
    @Parameter(property = "slipway.snapshot", defaultValue = "false")
    boolean snapshot;

    /** Make everything in the output directory but only print what publishing would do. */
    @Parameter(property = "slipway.dryRun", defaultValue = "false")
    boolean dryRun;

    /** Make everything in the output directory and do not publish. */
    @Parameter(property = "slipway.skipPublish", defaultValue = "false")
    boolean skipPublish;

    @Override
    protected void run(SlipwayConfig config, Console console) {
        ReleasePipeline.run(config, new ReleasePipeline.Options(snapshot, dryRun, skipPublish, false, buildTime()), console,
                System::getenv);
    }
}

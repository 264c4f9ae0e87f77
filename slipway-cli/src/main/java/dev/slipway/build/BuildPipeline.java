package dev.slipway.build;

import dev.slipway.pipeline.Pipeline;
import dev.slipway.pipeline.Step;
import java.util.List;

/**
 * The steps of {@code slipway build}, in order. The platforms are built side by side, each by
 * {@link #PLATFORM_STEPS} over its own {@link PlatformContext}.
 */
public final class BuildPipeline {
    private BuildPipeline() {}

    /** The build, top to bottom. */
    public static final List<Step<BuildContext>> STEPS = List.of(
            new Toolchain(),        // the linking JDK, the platforms, each platform's target JDK
            new VersionFacts(),     // version, git, build time: the build info
            new Compile(),          // the build command (mvn package, gradle ...)
            new LocateJars(),       // the app jar, its dependencies, its main class
            new Modules(),          // the JDK modules it needs (jdeps, cached)
            new PlatformBuilds(),   // per platform, two at a time: PLATFORM_STEPS
            new RecordArtifacts(),  // dist/artifacts.json
            new Summary());         // what was built, on stdout

    /** One platform's build, top to bottom. */
    public static final List<Step<PlatformContext>> PLATFORM_STEPS = List.of(
            new LinkRuntime(),      // the runtime: from the runtime cache, or jlink
            new Layout(),           // runtime/ app/ bin/ and build.files, the class path
            new TrainStartup(),     // the class-data cache: from the training cache, or a training run
            new LauncherScript(),   // bin/<name> and the launcher's spec
            new Pack());            // the single file and the .tar.gz

    /** @return the build pipeline (its steps print their own progress) */
    static Pipeline<BuildContext> build() {
        return new Pipeline<>("build", STEPS, false);
    }

    /** @return one platform's pipeline */
    static Pipeline<PlatformContext> platform() {
        return new Pipeline<>("build", PLATFORM_STEPS, false);
    }
}

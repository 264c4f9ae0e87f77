package dev.slipway.build;

import dev.slipway.pipeline.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the steps of one platform's build share ({@link BuildPipeline#PLATFORM_STEPS}); the
 * platforms of a build run side by side, each with its own context over the same
 * {@link BuildContext}, which they only read. Its {@link #config()} is the build's configuration
 * with the options the app's jar manifest adds.
 */
public final class PlatformContext extends Context {
    final BuildContext build;
    final Platform platform;
    final Jdk target;
    final boolean forHost;
    /** {@code <name>_<version>_<os>_<arch>}: the layout's directory and the archive's top directory. */
    final String id;
    RuntimeCache.Runtime runtime;
    /** The runtime's compressed parts, being written since the runtime was there ({@link LinkRuntime}); null before. */
    RuntimeParts runtimeParts;
    /** {@code dist/.work/<id>}: {@code runtime/ app/ bin/} and {@code build.files}. */
    Path layout;
    /** The launcher's class path, relative to the layout root. */
    final List<String> classpath = new ArrayList<>();
    /** The class path of the training run: a prefix of {@link #classpath}, without the build-info jar. */
    List<String> trainingClasspath;
    /** JDK 17-19 with training: the class path's order and what the build-time AppCDS archive covers; else null. */
    DependenciesFirst.Order archiveOrder;
    final List<String> jvmOptions = new ArrayList<>();
    Launcher.Spec spec;
    long runtimeBytes;
    Builder.Result result;

    PlatformContext(BuildContext build, Platform platform) {
        super(build.effective, build.console(), build.env()); // config(): with the jar manifest's options
        this.build = build;
        this.platform = platform;
        this.target = build.targetJdks.get(platform);
        this.forHost = platform.equals(Platform.host());
        this.id = build.config().name() + "_" + build.info.version() + "_" + platform.os() + "_" + platform.arch();
    }

    /** @return the platform built */
    public Platform platform() {
        return platform;
    }
}

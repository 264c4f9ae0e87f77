package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the steps of one {@code slipway build} share ({@link BuildPipeline#STEPS}): the options, and
 * the facts each step adds for the next: the JDKs and platforms, the version facts, the jars, the
 * module set, and the results per platform. Filled top to bottom; a field is set by one step only.
 */
public final class BuildContext extends Context {
    private final Builder.Options options;
    Jdk linker;
    List<Platform> platforms;
    final Map<Platform, Jdk> targetJdks = new LinkedHashMap<>();
    GitInfo git;
    BuildInfo info;
    /** The build command's inputs when it ran in this build ({@link Compile}); null when it was skipped. */
    BuildInputs.Fingerprint compiledInputs;
    BuildOutput jars;
    /** The configuration with the options the app's jar manifest adds ({@link BuildOutputs#withManifestOptions}). */
    SlipwayConfig effective;
    List<String> modules;
    RuntimeCache runtimes;
    final List<Builder.Result> results = new ArrayList<>();
    /** The sha256 of the outputs {@link Pack} wrote or kept, for {@code dist/artifacts.json}. */
    final Map<Path, String> sha256s = new java.util.concurrent.ConcurrentHashMap<>();

    BuildContext(SlipwayConfig config, Builder.Options options, Console console) {
        super(config, console, System::getenv);
        this.options = options;
    }

    /** @return the options of this build */
    public Builder.Options options() {
        return options;
    }

    /** @return {@code dist/.work}: the layouts while they are made, removed after the build */
    public Path work() {
        return dist().resolve(".work");
    }

    /** @return the version facts, once {@link VersionFacts} ran */
    public BuildInfo info() {
        return info;
    }

    /** @return the results, one per platform in configuration order, once {@link PlatformBuilds} ran */
    public List<Builder.Result> results() {
        return List.copyOf(results);
    }
}

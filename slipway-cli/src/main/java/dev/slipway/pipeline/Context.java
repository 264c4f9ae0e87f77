package dev.slipway.pipeline;

import dev.slipway.Console;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What the steps of one pipeline run share: the service configuration, progress output, the
 * environment, and the artifacts made so far (a registry later steps filter by kind and platform).
 * Each pipeline extends it with its own options and facts (git, version, builds).
 */
public class Context {
    private final SlipwayConfig config;
    private final Console console;
    private final Function<String, String> env;
    private Artifacts artifacts;

    /**
     * @param config  the service configuration
     * @param console progress and results
     * @param env     reads environment variables ({@code System::getenv})
     */
    protected Context(SlipwayConfig config, Console console, Function<String, String> env) {
        this.config = config;
        this.console = console;
        this.env = env;
        this.artifacts = new Artifacts(config.name(), "", "", List.of());
    }

    /** @return the service configuration */
    public SlipwayConfig config() {
        return config;
    }

    /** @return progress (stderr) and results (stdout) */
    public Console console() {
        return console;
    }

    /** @return reads environment variables */
    public Function<String, String> env() {
        return env;
    }

    /** @return the service directory */
    public Path serviceDir() {
        return config.serviceDir();
    }

    /** @return the output directory: {@code dist/} in the service directory, unless configured ({@link SlipwayConfig#dist}) */
    public Path dist() {
        return config.dist();
    }

    /** @return the registry: every artifact made so far, with the version facts */
    public Artifacts registry() {
        return artifacts;
    }

    /** @param registry the new registry value (a step that records the version facts or an image) */
    public void registry(Artifacts registry) {
        this.artifacts = registry;
    }

    /**
     * Registers a file a step made.
     *
     * @param file     the file (inside the service directory)
     * @param kind     its kind
     * @param platform {@code os-arch}, or {@code null}
     * @return the registered artifact
     * @throws IOException when the file cannot be read
     */
    public Artifact add(Path file, Artifact.Kind kind, String platform) throws IOException {
        Artifact a = Artifact.of(serviceDir(), file, kind, platform);
        artifacts = artifacts.with(a);
        return a;
    }
}

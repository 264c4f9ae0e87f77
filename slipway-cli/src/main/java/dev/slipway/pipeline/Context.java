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
        return add(file, kind, platform, null);
    }

    /**
     * Registers a file a step made whose sha256 it already knows (it wrote the file, or kept one it
     * had recorded), so the file is not read again.
     *
     * @param file     the file (inside the service directory)
     * @param kind     its kind
     * @param platform {@code os-arch}, or {@code null}
     * @param sha256   its sha256 (64 lower-case hex digits), or {@code null} to read it now
     * @return the registered artifact
     * @throws IOException when the file cannot be read
     */
    public Artifact add(Path file, Artifact.Kind kind, String platform, String sha256) throws IOException {
        Artifact a = sha256 == null ? Artifact.of(serviceDir(), file, kind, platform)
                : new Artifact(kind, platform, serviceDir().relativize(file), sha256, java.nio.file.Files.size(file));
        artifacts = artifacts.with(a);
        return a;
    }
}

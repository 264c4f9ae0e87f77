package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.build.Builder;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Hashing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the steps of one release share: the inputs, the builds made, and a registry of artifacts
 * that later steps filter by kind and platform.
 */
public final class ReleaseContext {
    private final SlipwayConfig config;
    private final ReleasePipeline.Options options;
    private final GitRelease git;
    private final String version;
    private final Console console;
    private final Function<String, String> env;
    private final List<Builder.Result> builds = new ArrayList<>();
    private final List<Artifact> artifacts = new ArrayList<>();
    private String changelog = "";
    private dev.slipway.image.ImageBuilder.Result image;

    ReleaseContext(SlipwayConfig config, ReleasePipeline.Options options, GitRelease git, String version,
                   Console console, Function<String, String> env) {
        this.config = config;
        this.options = options;
        this.git = git;
        this.version = version;
        this.console = console;
        this.env = env;
    }

    /** @return the service configuration */
    public SlipwayConfig config() { return config; }

    /** @return the command-line options */
    public ReleasePipeline.Options options() { return options; }

    /** @return the git facts */
    public GitRelease git() { return git; }

    /** @return the release version (the tag without {@code v}, or the snapshot version) */
    public String version() { return version; }

    /** @return whether this is a snapshot release */
    public boolean snapshot() { return options.snapshot(); }

    /** @return progress and results */
    public Console console() { return console; }

    /** @return reads environment variables */
    public Function<String, String> env() { return env; }

    /** @return the service directory */
    public Path serviceDir() { return config.serviceDir(); }

    /** @return {@code dist/} in the service directory */
    public Path dist() { return config.serviceDir().resolve("dist"); }

    /** @return the builds, one per platform (today: the host platform) */
    public List<Builder.Result> builds() { return builds; }

    /** @return every artifact registered so far, in order */
    public List<Artifact> artifacts() { return List.copyOf(artifacts); }

    /** @return the artifacts of one kind */
    public List<Artifact> artifacts(String kind) {
        return artifacts.stream().filter(a -> a.kind().equals(kind)).toList();
    }

    /**
     * Registers a file made by a step.
     *
     * @param file     the file (inside the service directory)
     * @param kind     see {@link Artifact}
     * @param platform {@code os-arch}, or {@code null}
     * @return the registered artifact
     * @throws java.io.IOException when the file cannot be read
     */
    public Artifact add(Path file, String kind, String platform) throws java.io.IOException {
        Artifact a = new Artifact(serviceDir().relativize(file).toString().replace('\\', '/'), kind, platform,
                java.nio.file.Files.size(file), Hashing.sha256(file));
        artifacts.add(a);
        return a;
    }

    /** @return the changelog Markdown (empty before the changelog step) */
    public String changelog() { return changelog; }

    void changelog(String markdown) { this.changelog = markdown; }

    /** @return the OCI image the image step made, or {@code null} */
    public dev.slipway.image.ImageBuilder.Result image() { return image; }

    void image(dev.slipway.image.ImageBuilder.Result result) { this.image = result; }
}

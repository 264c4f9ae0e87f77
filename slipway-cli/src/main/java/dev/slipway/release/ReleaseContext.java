package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.artifact.Artifact;
import dev.slipway.build.Builder;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.image.ImageBuilder;
import dev.slipway.pipeline.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the steps of one release share: the inputs (options, git facts, version), the builds made,
 * the image, the changelog, and (from {@link Context}) the registry of artifacts that later steps
 * filter by kind and platform.
 */
public final class ReleaseContext extends Context {
    private final ReleasePipeline.Options options;
    private final GitRelease git;
    private final String version;
    private final List<Builder.Result> builds = new ArrayList<>();
    private String changelog = "";
    private ImageBuilder.Result image;

    ReleaseContext(SlipwayConfig config, ReleasePipeline.Options options, GitRelease git, String version,
                   Console console, Function<String, String> env) {
        super(config, console, env);
        this.options = options;
        this.git = git;
        this.version = version;
    }

    /** @return the command-line options */
    public ReleasePipeline.Options options() { return options; }

    /** @return the git facts */
    public GitRelease git() { return git; }

    /** @return the release version (the tag without {@code v}, or the snapshot version) */
    public String version() { return version; }

    /** @return whether this is a snapshot release */
    public boolean snapshot() { return options.snapshot(); }

    /** @return the builds, one per platform in slipway.yaml's {@code platforms} */
    public List<Builder.Result> builds() { return builds; }

    /** @return every artifact registered so far, in order */
    public List<Artifact> artifacts() { return registry().artifacts(); }

    /** @return the changelog Markdown (empty before the changelog step) */
    public String changelog() { return changelog; }

    void changelog(String markdown) { this.changelog = markdown; }

    /** @return the OCI image the image step made, or {@code null} */
    public ImageBuilder.Result image() { return image; }

    void image(ImageBuilder.Result result) { this.image = result; }
}

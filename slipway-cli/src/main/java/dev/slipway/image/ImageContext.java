package dev.slipway.image;

import dev.slipway.Console;
import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Platform;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the steps of one {@code slipway image} share ({@link ImagePipeline#STEPS}): the options,
 * the release facts and build outputs, and what each step adds for the next (the output, tags and
 * annotations, the blobs, each platform's manifest, the index, the push). Filled top to bottom.
 */
public final class ImageContext extends Context {
    final ImageBuilder.Options options;
    /** Whether the build outputs come from {@code dist/artifacts.json}, which then records the image. */
    final boolean fromDist;
    ImageBuilder.Facts facts;
    List<ImageBuilder.Source> sources;
    /** The registry read from {@code dist/artifacts.json}, when {@link #fromDist}. */
    Artifacts built;
    String format;
    Path output;
    RegistryPush.Ref ref;
    List<String> tags;
    Map<String, String> annotations;
    /** {@code dist/.image}: the unpacked layouts (and an archive's OCI layout), removed afterwards. */
    Path work;
    /** The OCI layout written: the output itself for {@code oci}, else under {@link #work}. */
    Path layout;
    Path blobs;
    final Map<Platform, OciImage.Descriptor> manifests = new LinkedHashMap<>();
    final Map<Platform, long[]> sizes = new LinkedHashMap<>();
    /** The sources with their launch options resolved against the files in the image. */
    final List<ImageBuilder.Source> resolved = new ArrayList<>();
    OciImage.Descriptor index;
    RegistryPush.Result pushed;

    ImageContext(SlipwayConfig config, ImageBuilder.Options options, boolean fromDist, Console console,
                 Function<String, String> env) {
        super(config, console, env);
        this.options = options;
        this.fromDist = fromDist;
    }

    /** @return what was made, once the layout is written */
    ImageBuilder.Result result() {
        return new ImageBuilder.Result(output, format, index, manifests, sizes, tags, pushed);
    }
}

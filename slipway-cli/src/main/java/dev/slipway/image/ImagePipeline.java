package dev.slipway.image;

import dev.slipway.pipeline.Pipeline;
import dev.slipway.pipeline.Step;
import java.util.List;

/** The steps of {@code slipway image} (and of a release's image), in order. */
public final class ImagePipeline {
    private ImagePipeline() {}

    /** The image, top to bottom. */
    public static final List<Step<ImageContext>> STEPS = List.of(
            new ReadBuild(),        // the linux builds in dist/artifacts.json (slipway image only)
            new ImageTarget(),      // format, output, tags, annotations, push reference
            new PlatformImages(),   // per platform: layers, config, manifest
            new WriteLayout(),      // the index, the OCI layout, the oci-archive
            new Rootfs(),           // --rootfs: the host platform's root file system
            new Push(),             // --push: to a registry
            new ImageSummary(),     // what was made, on stdout
            new RecordImage());     // the image section of dist/artifacts.json (slipway image only)

    /** @return the image pipeline (its steps print their own progress) */
    static Pipeline<ImageContext> pipeline() {
        return new Pipeline<>("image", STEPS, false);
    }
}

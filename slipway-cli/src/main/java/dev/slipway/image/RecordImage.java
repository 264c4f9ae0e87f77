package dev.slipway.image;

import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.pipeline.Step;
import java.io.IOException;

/**
 * Image step ({@code slipway image}): records the image in {@code dist/artifacts.json}: format,
 * path, index and manifest digests with sizes, tags, pushed references. A release records its
 * image in its own manifest step.
 */
final class RecordImage implements Step<ImageContext> {
    @Override
    public String describe(ImageContext c) {
        return "image in " + ArtifactsFile.PATH;
    }

    @Override
    public String skipReason(ImageContext c) {
        return c.fromDist ? null : "a release records it in its manifest";
    }

    @Override
    public void run(ImageContext c) throws IOException {
        ArtifactsFile.write(c.config(), c.built.withImage(ImageBuilder.recorded(c.serviceDir(), c.result())));
    }
}

package dev.slipway.image;

import dev.slipway.artifact.ArtifactsFile;
import java.io.IOException;

/**
 * Image step ({@code slipway image}): records the image in {@code dist/artifacts.json}: format,
 * path, index and manifest digests with sizes, tags, pushed references. A release records its
 * image in its own manifest step.
 */
final class RecordImage extends DistStep {
    RecordImage() {
        super("image", "a release records it in its manifest");
    }

    @Override
    public void run(ImageContext c) throws IOException {
        ArtifactsFile.write(c.config(), c.built.withImage(ImageBuilder.recorded(c.serviceDir(), c.result())));
    }
}

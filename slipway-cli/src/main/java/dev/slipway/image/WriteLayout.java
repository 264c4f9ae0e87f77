package dev.slipway.image;

import dev.slipway.pipeline.Step;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Image step: the image index over the platforms' manifests, the OCI layout ({@code oci-layout},
 * {@code index.json} with the tags), and for {@code oci-archive} the tar of the layout, its
 * entries at the build time.
 */
final class WriteLayout implements Step<ImageContext> {
    @Override
    public String describe(ImageContext c) {
        return "index and " + c.format;
    }

    @Override
    public void run(ImageContext c) throws IOException {
        c.index = OciImage.writeIndex(c.blobs, c.manifests, c.annotations);
        OciImage.writeLayout(c.layout, c.index, c.tags);
        if (c.format.equals(ImageBuilder.OCI_ARCHIVE)) {
            Files.createDirectories(c.output.getParent());
            OciImage.writeArchive(c.layout, c.facts.time(), c.output);
        }
    }
}

package dev.slipway.release;

import dev.slipway.pipeline.NamedStep;
import dev.slipway.build.Builder;
import dev.slipway.image.ImageBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The OCI image of the linux builds ({@code slipway image}), when {@code image.repository} is
 * set: an oci-archive in {@code dist/}, recorded in the manifest; not a release asset.
 */
final class ImageStep extends NamedStep<ReleaseContext> implements ReleaseStep {
    ImageStep() {
        super("image (OCI, from scratch)");
    }

    @Override
    public String skipReason(ReleaseContext c) {
        if (c.config().image().repository() == null) {
            return "no image.repository in " + c.config().file().getFileName();
        }
        return c.builds().stream().anyMatch(b -> b.platform().os().equals("linux")) ? null : "no linux platform";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        List<ImageBuilder.Source> sources = new ArrayList<>();
        for (Builder.Result b : c.builds()) {
            if (b.platform().os().equals("linux")) {
                sources.add(new ImageBuilder.Source(b.platform(), b.archive(), b.launch().recorded()));
            }
        }
        var info = c.builds().get(0).info();
        c.image(ImageBuilder.build(c.config(), new ImageBuilder.Facts(info.name(), c.version(), info.commit(), info.time()),
                sources, new ImageBuilder.Options(null, ImageBuilder.OCI_ARCHIVE, null, List.of(), null), c.console(), c.env()));
    }
}

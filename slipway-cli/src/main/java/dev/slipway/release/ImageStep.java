package dev.slipway.release;

import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Builder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The OCI image of the linux builds ({@code slipway image}), when {@code image.repository} is
 * set: an oci-archive in {@code dist/}, recorded in the manifest; not a release asset.
 */
final class ImageStep implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        return "image (OCI, from scratch)";
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
        List<dev.slipway.image.ImageBuilder.Source> sources = new ArrayList<>();
        for (Builder.Result b : c.builds()) {
            if (b.platform().os().equals("linux")) {
                sources.add(new dev.slipway.image.ImageBuilder.Source(b.platform(), b.archive(),
                        new Artifacts.Launch(b.launch().mainClass(), b.launch().classpath(),
                                b.launch().jvmOptions(), b.launch().args())));
            }
        }
        var info = c.builds().get(0).info();
        c.image(dev.slipway.image.ImageBuilder.build(c.config(),
                new dev.slipway.image.ImageBuilder.Facts(info.name(), c.version(), info.commit(), info.time()), sources,
                new dev.slipway.image.ImageBuilder.Options(null, dev.slipway.image.ImageBuilder.OCI_ARCHIVE, null,
                        List.of(), null), c.console(), c.env()));
    }
}

package dev.slipway.image;

import dev.slipway.pipeline.Step;
import java.io.IOException;
import java.util.List;

/**
 * Image step ({@code --push}): pushes the index, its manifests and their blobs to the registry
 * ({@link RegistryPush}), with the reference's tag, else the image's tags.
 */
final class Push implements Step<ImageContext> {
    @Override
    public String describe(ImageContext c) {
        return "push to " + c.ref;
    }

    @Override
    public String skipReason(ImageContext c) {
        return c.ref == null ? "no --push" : null;
    }

    @Override
    public void run(ImageContext c) throws IOException {
        List<String> pushTags = c.ref.tag() != null ? List.of(c.ref.tag()) : c.tags;
        c.pushed = RegistryPush.push(c.layout, c.index, List.copyOf(c.manifests.values()), c.ref, pushTags, c.env(),
                c.console());
    }
}

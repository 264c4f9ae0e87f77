package dev.slipway.release;

import dev.slipway.util.Tar;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pushes the image to {@code image.repository} with the tags of {@code image.tags}: the first
 * publishing step, before the manifest, so that {@code dist/artifacts.json} records what was pushed
 * (the digest a kubernetes deploy of the release reads).
 */
final class ImagePush implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        String repository = c.config().image().repository();
        return "push image" + (repository == null ? "" : " to " + repository) + (c.options().dryRun() ? " (dry run)" : "");
    }

    @Override
    public String skipReason(ReleaseContext c) {
        if (c.config().image().repository() == null) {
            return "no image.repository in " + c.config().file().getFileName();
        }
        if (c.image() == null) {
            return "no image";
        }
        return c.snapshot() ? "a snapshot is never published" : c.options().skipPublish() ? "--skip-publish" : null;
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        var ref = dev.slipway.image.RegistryPush.Ref.parse(c.config().image().repository());
        if (c.options().dryRun()) {
            c.image().tags().forEach(t -> c.console().progress("  would push " + ref + ":" + t + "@"
                    + c.image().index().digest()));
            return;
        }
        Path layout = c.dist().resolve(".image-push");
        Trees.deleteTree(layout);
        try {
            Files.createDirectories(layout);
            try (var tar = Tar.plain(c.image().output())) {
                Tar.extract(tar, layout, new Tar.Options(false, Tar.Modes.DEFAULT));
            }
            var pushed = dev.slipway.image.ImageBuilder.pushLayout(layout, c.image().tags().get(0), ref,
                    c.image().tags(), c.env(), c.console());
            pushed.refs().forEach(r -> c.console().progress("  pushed " + r));
            // The manifest, written next, records the pushed references with their digest: what a deploy
            // to kubernetes reads from the release's dist/artifacts.json.
            var i = c.image();
            c.image(new dev.slipway.image.ImageBuilder.Result(i.output(), i.format(), i.index(), i.manifests(), i.sizes(),
                    i.tags(), pushed));
        } finally {
            Trees.deleteTree(layout);
        }
    }
}

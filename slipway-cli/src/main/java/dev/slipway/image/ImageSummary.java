package dev.slipway.image;

import dev.slipway.Console;
import dev.slipway.pipeline.NamedStep;
import java.nio.file.Path;

/** Image step: what was made (stdout): the index, each platform's manifest and sizes, the output and tags, the pushes. */
final class ImageSummary extends NamedStep<ImageContext> {
    ImageSummary() {
        super("summary");
    }

    @Override
    public void run(ImageContext c) {
        Console console = c.console();
        Path dir = c.serviceDir();
        ImageBuilder.Facts facts = c.facts;
        console.println("image " + facts.name() + " " + facts.version() + " (commit "
                + facts.commit().substring(0, Math.min(7, facts.commit().length())) + ")");
        console.println("  index        " + c.index.digest());
        for (var e : c.manifests.entrySet()) {
            long[] s = c.sizes.get(e.getKey());
            console.println("  " + e.getKey() + "  " + e.getValue().digest() + "  " + Console.megabytes(s[0])
                    + " compressed, " + Console.megabytes(s[1]) + " uncompressed");
        }
        Path shown = c.output.startsWith(dir) ? dir.relativize(c.output) : c.output;
        console.println("  " + c.format + "  " + shown + " (tags " + String.join(", ", c.tags) + ")");
        if (c.pushed != null) {
            c.pushed.refs().forEach(ref -> console.println("  pushed " + ref));
        }
    }
}

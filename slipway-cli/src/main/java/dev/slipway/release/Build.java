package dev.slipway.release;

import dev.slipway.artifact.Artifact;
import dev.slipway.build.Builder;
import dev.slipway.build.Compression;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.util.List;

/**
 * Release step: empties {@code dist/} and builds every configured platform with the release
 * version, its single files' runtime and dependency frames at {@link Compression#RELEASE} (level
 * 19: smaller downloads for a slower first compression of each runtime); registers the single files.
 */
final class Build implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        return "build " + c.config().name() + " " + c.version() + " into an empty dist/";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        Trees.deleteTree(c.dist());
        // One Result per platform in slipway.yaml's 'platforms' (default: the host).
        for (Builder.Result b : Builder.build(c.config(), new Builder.Options(c.version(), c.options().compile(),
                true, List.of(), List.of(), c.options().buildTime(), Compression.RELEASE), c.console())) {
            c.builds().add(b);
            c.add(b.executable(), Artifact.Kind.SINGLE_FILE, b.platform().toString());
        }
    }
}

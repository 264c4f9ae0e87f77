package dev.slipway.image;

import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.pipeline.Step;

/**
 * An image step that reads or writes {@code dist/artifacts.json}: it runs when the image is made
 * from the last build ({@code slipway image}), and is skipped when a release hands the build
 * outputs over itself (it reads them from its own context and records the image in its own
 * manifest). The one place that rule is written.
 */
abstract class DistStep implements Step<ImageContext> {
    private final String what;
    private final String otherwise;

    /**
     * @param what      what it reads or writes there, e.g. {@code linux builds}
     * @param otherwise why it is skipped in a release, e.g. {@code build outputs given}
     */
    DistStep(String what, String otherwise) {
        this.what = what;
        this.otherwise = otherwise;
    }

    @Override
    public final String describe(ImageContext c) {
        return what + " in " + ArtifactsFile.PATH;
    }

    @Override
    public final String skipReason(ImageContext c) {
        return c.fromDist ? null : otherwise;
    }
}

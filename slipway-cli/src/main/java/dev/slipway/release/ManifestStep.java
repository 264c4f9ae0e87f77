package dev.slipway.release;

import java.io.IOException;

/** Release step: {@code dist/artifacts.json} with the release facts and every artifact ({@link ReleaseManifest}). */
final class ManifestStep implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        return "manifest (" + ReleaseManifest.PATH + ")";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        ReleaseManifest.write(c);
    }
}

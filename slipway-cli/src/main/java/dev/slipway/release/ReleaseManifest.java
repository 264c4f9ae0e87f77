package dev.slipway.release;

import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.image.ImageBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code dist/artifacts.json} of a release: the build's manifest (same keys, so {@code slipway
 * deploy} reads it) with the release's facts ({@code tag}, {@code previousTag}, {@code snapshot}),
 * every artifact, and the image when {@code image.repository} is set; written by
 * {@link ArtifactsFile}, which documents the format. The file does not list itself.
 */
public final class ReleaseManifest {
    /** The manifest's path relative to the service directory. */
    public static final String PATH = ArtifactsFile.PATH;

    private ReleaseManifest() {}

    /**
     * Writes the manifest.
     *
     * @param c the release context after all other steps before publishing
     * @return the written file
     * @throws IOException when it cannot be written
     */
    public static Path write(ReleaseContext c) throws IOException {
        Artifacts manifest = new Artifacts(c.config().name(), c.version(), c.git().commit(),
                c.builds().isEmpty() ? null : c.builds().get(0).info().isoTime(),
                new Artifacts.ReleaseFacts(c.snapshot() ? null : c.git().tag(), c.git().previousTag(), c.snapshot()),
                c.artifacts(), Map.of(), c.image() == null ? null : ImageBuilder.recorded(c.serviceDir(), c.image()));
        c.registry(manifest);
        return ArtifactsFile.write(c.config(), manifest);
    }
}

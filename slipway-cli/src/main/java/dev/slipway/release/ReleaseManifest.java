package dev.slipway.release;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dist/artifacts.json} of a release: the build's manifest (same keys, so {@code slipway
 * deploy} reads it) extended with the release's facts and every artifact.
 *
 * <pre>
 * { "name", "version", "commit", "date" (ISO-8601 build time), "tag" (null for a snapshot),
 *   "previousTag", "snapshot", "artifacts": [ {path, kind, platform?, size, sha256} ],
 *   "image" (when image.repository is set): {path, format, index, manifests, tags} }
 * </pre>
 *
 * The file does not list itself. Paths are relative to the service directory.
 */
public final class ReleaseManifest {
    /** The manifest's path relative to the service directory (the build's, extended). */
    public static final String PATH = "dist/artifacts.json";

    private ReleaseManifest() {}

    /**
     * Writes the manifest.
     *
     * @param c the release context after all other steps before publishing
     * @return the written file
     * @throws IOException when it cannot be written
     */
    public static Path write(ReleaseContext c) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", c.config().name());
        doc.put("version", c.version());
        doc.put("commit", c.git().commit());
        doc.put("date", c.builds().isEmpty() ? null : c.builds().get(0).info().isoTime());
        doc.put("tag", c.snapshot() ? null : c.git().tag());
        doc.put("previousTag", c.git().previousTag());
        doc.put("snapshot", c.snapshot());
        List<Artifact> artifacts = c.artifacts();
        doc.put("artifacts", artifacts);
        if (c.image() != null) {
            Map<String, Object> image = new LinkedHashMap<>();
            image.put("path", c.serviceDir().relativize(c.image().output()).toString());
            image.put("format", c.image().format());
            image.put("index", c.image().index().digest());
            Map<String, Object> manifests = new LinkedHashMap<>();
            c.image().manifests().forEach((p, d) -> manifests.put(p.toString(), d.digest()));
            image.put("manifests", manifests);
            image.put("tags", c.image().tags());
            doc.put("image", image);
        }
        Path out = c.serviceDir().resolve(PATH);
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(doc) + "\n");
        return out;
    }
}

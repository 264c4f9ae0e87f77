package dev.slipway.image;

import dev.slipway.util.Tar;
import dev.slipway.util.Trees;
import dev.slipway.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.remote.DockerEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Loads one platform of an image into a Docker engine without a registry, as Jib's
 * {@code dockerBuild} does: the engine's platform is picked from the image index and sent to
 * {@code POST /images/load} as a docker-archive ({@code manifest.json} naming the config, the
 * layers and the repository tags, next to the OCI blobs; the engine unpacks gzip layers itself).
 * Format: the engine's {@code image/tarexport} ("docker save"), the OCI image layout spec.
 */
public final class DockerLoad {
    private static final ObjectMapper JSON = Json.MAPPER;

    private DockerLoad() {}

    /**
     * What was loaded.
     *
     * @param platform the platform loaded ({@code linux-amd64})
     * @param imageId  the engine's image id (the config's digest)
     * @param refs     {@code repository:tag} names set in the engine
     */
    public record Result(String platform, String imageId, List<String> refs) {}

    /**
     * Loads the engine's platform of the image that {@code output} holds.
     *
     * @param output     an OCI layout directory or an oci-archive tar
     * @param repository the repository name to tag ({@code myapp} or {@code host:port/acme/myapp})
     * @param tags       the tags to set (at least one)
     * @param engine     the engine
     * @param console    progress and the result
     * @return what was loaded
     * @throws SlipwayException exit 1 when the image has no manifest for the engine's platform, or
     *                          the engine refuses or cannot be reached
     */
    public static Result load(Path output, String repository, List<String> tags, DockerEngine engine, Console console) {
        String platform = engine.platform();
        Path work = null;
        try {
            Path layout = output;
            if (Files.isRegularFile(output)) {
                work = Files.createTempDirectory("slipway-load");
                layout = work.resolve("layout");
                try (TarArchiveInputStream tar = Tar.plain(output)) {
                    Tar.extract(tar, layout, new Tar.Options(false, Tar.Modes.DEFAULT));
                }
            }
            Path blobs = layout.resolve("blobs/sha256");
            JsonNode top = JSON.readTree(layout.resolve("index.json").toFile());
            JsonNode index = JSON.readTree(blob(blobs, top.path("manifests").path(0).path("digest").asText()).toFile());
            String manifestDigest = null;
            List<String> offered = new ArrayList<>();
            for (JsonNode m : index.path("manifests")) {
                String p = m.path("platform").path("os").asText() + "-" + m.path("platform").path("architecture").asText();
                offered.add(p);
                if (p.equals(platform) && manifestDigest == null) {
                    manifestDigest = m.path("digest").asText();
                }
            }
            if (manifestDigest == null) {
                throw SlipwayException.failed("the image has no " + platform + " manifest for this Docker engine (it has "
                        + String.join(", ", offered) + "); build that platform ('platforms' in slipway.yaml)");
            }
            JsonNode manifest = JSON.readTree(blob(blobs, manifestDigest).toFile());
            String config = manifest.path("config").path("digest").asText();
            List<String> layers = new ArrayList<>();
            manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
            List<String> refs = tags.stream().map(t -> repository + ":" + t).toList();

            if (work == null) {
                work = Files.createTempDirectory("slipway-load");
            }
            Path tar = work.resolve("docker-archive.tar");
            writeDockerArchive(blobs, config, layers, refs, tar);
            console.progress("  loading " + platform + " into the Docker engine at " + engine.socket());
            var r = DockerEngine.expectOk("POST", "/images/load", engine.request("POST", "/images/load?quiet=1",
                    "application/x-tar", DockerEngine.Body.of(tar), Duration.ofMinutes(10)));
            for (String line : r.text().split("\n")) {
                if (!line.isBlank() && JSON.readTree(line).has("error")) {
                    throw SlipwayException.failed("the Docker engine could not load the image: "
                            + JSON.readTree(line).path("error").asText());
                }
            }
            refs.forEach(ref -> console.println("  loaded " + ref + " (" + platform + ", image id " + config + ")"));
            return new Result(platform, config, refs);
        } catch (IOException e) {
            throw SlipwayException.failed("loading the image into the Docker engine failed: " + e.getMessage(), e);
        } finally {
            if (work != null) {
                try {
                    Trees.deleteTree(work);
                } catch (IOException ignored) {
                    // a temporary directory; nothing depends on it
                }
            }
        }
    }

    /** The docker-archive: {@code manifest.json} first, then the config and layer blobs it names. */
    static void writeDockerArchive(Path blobs, String config, List<String> layers, List<String> refs, Path out)
            throws IOException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Config", "blobs/sha256/" + hex(config));
        entry.put("RepoTags", refs);
        entry.put("Layers", layers.stream().map(l -> "blobs/sha256/" + hex(l)).toList());
        byte[] manifest = JSON.writeValueAsBytes(List.of(entry));
        try (TarArchiveOutputStream tar = Tar.create(out)) {
            TarArchiveEntry m = new TarArchiveEntry("manifest.json");
            m.setSize(manifest.length);
            tar.putArchiveEntry(m);
            tar.write(manifest);
            tar.closeArchiveEntry();
            List<String> digests = new ArrayList<>(List.of(config));
            layers.stream().filter(l -> !digests.contains(l)).forEach(digests::add);
            for (String d : digests) {
                Tar.putFile(tar, new TarArchiveEntry("blobs/sha256/" + hex(d)), blob(blobs, d));
            }
            tar.finish();
        }
    }

    private static Path blob(Path blobs, String digest) throws IOException {
        Path p = blobs.resolve(hex(digest));
        if (!Files.isRegularFile(p)) {
            throw new IOException("the image layout lacks blob " + digest);
        }
        return p;
    }

    private static String hex(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }
}

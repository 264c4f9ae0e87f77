package dev.slipway.deploy.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.SlipwayException;
import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The release a Kubernetes deploy rolls out: an image pinned by digest plus its version facts.
 *
 * <p>The image comes from, in order: the {@code --image} option, {@code deploy.kubernetes.image},
 * then the image that {@code slipway image --push} recorded in {@code dist/artifacts.json} (the
 * first reference with a digest in {@code image.pushed}; or an artifact whose {@code kind}
 * mentions {@code image} and that has a {@code digest}). A reference without a
 * digest is refused: a tag can move, so the same revision could run different code (OCI
 * distribution spec: a digest names content, a tag names a pointer).
 *
 * @param image   the image reference, {@code NAME@sha256:HEX}
 * @param version the release version (from {@code artifacts.json}, else {@code version} in
 *                slipway.yaml, else the digest's first 12 hex digits)
 * @param commit  the commit id, or {@code ""} when unknown
 */
public record KubeRelease(String image, String version, String commit) {

    /**
     * Finds the image and version to deploy.
     *
     * @param config    the service configuration
     * @param imageFlag the {@code --image} option, or {@code null}
     * @return the release
     * @throws SlipwayException (exit 2) when no image is found or the one found has no digest
     */
    public static KubeRelease resolve(SlipwayConfig config, String imageFlag) {
        String version = null;
        String commit = "";
        String recorded = null;
        String unpushed = null;
        Path manifest = config.serviceDir().resolve("dist/artifacts.json");
        if (Files.isRegularFile(manifest)) {
            try {
                JsonNode doc = new ObjectMapper().readTree(manifest.toFile());
                if (doc.path("name").asText().equals(config.name())) {
                    version = doc.path("version").asText(null);
                    commit = doc.path("commit").asText("");
                }
                // slipway image writes {"image": {"index": "sha256:…", "pushed": ["repo:tag@sha256:…"], …}}
                JsonNode img = doc.path("image");
                for (JsonNode ref : img.path("pushed")) {
                    if (KubernetesConfig.DIGEST_REF.matcher(ref.asText()).matches()) {
                        recorded = ref.asText();
                        break;
                    }
                }
                if (recorded == null && img.hasNonNull("index")) {
                    unpushed = img.path("index").asText();
                }
                for (JsonNode a : recorded != null ? doc.path("none") : doc.path("artifacts")) {
                    String kind = a.path("kind").asText("");
                    String digest = a.path("digest").asText("");
                    if (kind.contains("image") && digest.startsWith("sha256:")) {
                        String ref = firstText(a, "reference", "image", "repository", "name");
                        if (ref != null) {
                            recorded = ref.contains("@") ? ref : stripTag(ref) + "@" + digest;
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                throw SlipwayException.usage("cannot read " + manifest + ": " + e.getMessage());
            }
        }
        String image = imageFlag != null ? imageFlag : config.kubernetes().image() != null
                ? config.kubernetes().image() : recorded;
        String source = imageFlag != null ? "--image" : config.kubernetes().image() != null
                ? "deploy.kubernetes.image" : manifest.toString();
        if (image == null && unpushed != null) {
            throw SlipwayException.usage("the image in " + manifest + " (" + unpushed + ") was built but not pushed:"
                    + " a cluster pulls from a registry; run 'slipway image --push' (image.repository), or give --image"
                    + " NAME@sha256:<digest>");
        }
        if (image == null) {
            throw SlipwayException.usage("no image to deploy for " + config.name() + ": run 'slipway image' (it records"
                    + " the image digest in dist/artifacts.json), or give --image NAME@sha256:<digest>, or set"
                    + " deploy.kubernetes.image");
        }
        if (!KubernetesConfig.DIGEST_REF.matcher(image).matches()) {
            throw SlipwayException.usage("image '" + image + "' (from " + source + ") is not pinned by digest;"
                    + " Slipway deploys NAME@sha256:<64 hex> only, because a tag can move");
        }
        if (version == null) {
            version = config.version() != null ? config.version()
                    : image.substring(image.indexOf("@sha256:") + 8, image.indexOf("@sha256:") + 20);
        }
        return new KubeRelease(image, version, commit);
    }

    private static String firstText(JsonNode a, String... fields) {
        for (String f : fields) {
            if (a.hasNonNull(f) && !a.get(f).asText().isBlank()) {
                return a.get(f).asText();
            }
        }
        return null;
    }

    /** {@code host:5000/app:1.2} to {@code host:5000/app}: the tag is the part after the last '/'s ':'. */
    static String stripTag(String ref) {
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(0, colon) : ref;
    }

    /** @return the commit's first 7 characters, or {@code "-"} */
    public String shortCommit() {
        return commit.isEmpty() ? "-" : commit.substring(0, Math.min(7, commit.length()));
    }
}

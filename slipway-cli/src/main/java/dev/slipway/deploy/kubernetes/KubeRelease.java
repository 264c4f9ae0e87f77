package dev.slipway.deploy.kubernetes;

import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The release a Kubernetes deploy rolls out: an image pinned by digest plus its version facts.
 *
 * <p>The image comes from, in order: the {@code --image} option, {@code deploy.kubernetes.image},
 * then the image that {@code slipway image --push} recorded in {@code dist/artifacts.json} (the
 * first reference with a digest in {@code image.pushed}, as {@link ArtifactsFile} reads it). A reference without a
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
        return resolve(config, imageFlag, "deploy.kubernetes.image", config.kubernetes().image());
    }

    /**
     * Finds the image and version to deploy for a target whose configuration names its image under
     * {@code imageKey} (a container engine's {@code deploy.swarm.image}, for example).
     *
     * @param config     the service configuration
     * @param imageFlag  the {@code --image} option, or {@code null}
     * @param imageKey   the configuration key messages name, e.g. {@code deploy.swarm.image}
     * @param configured that key's value, or {@code null}
     * @return the release
     * @throws SlipwayException (exit 2) when no image is found or the one found has no digest
     */
    public static KubeRelease resolve(SlipwayConfig config, String imageFlag, String imageKey, String configured) {
        String version = null;
        String commit = "";
        String recorded = null;
        String unpushed = null;
        Path manifest = ArtifactsFile.path(config);
        Optional<Artifacts> read;
        try {
            read = ArtifactsFile.read(config);
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + manifest + ": " + e.getMessage());
        }
        if (read.isPresent()) {
            Artifacts doc = read.get();
            if (doc.name().equals(config.name())) {
                version = doc.version().isEmpty() ? null : doc.version();
                commit = doc.commit();
            }
            // slipway image records {"image": {"index": "sha256:…", "pushed": ["repo:tag@sha256:…"], …}}
            if (doc.image() != null) {
                recorded = doc.image().pushed().stream().filter(r -> KubernetesConfig.DIGEST_REF.matcher(r).matches())
                        .findFirst().orElse(null);
                unpushed = recorded == null ? doc.image().index() : null;
            }
        }
        String image = imageFlag != null ? imageFlag : configured != null ? configured : recorded;
        String source = imageFlag != null ? "--image" : configured != null ? imageKey : manifest.toString();
        if (image == null && unpushed != null) {
            throw SlipwayException.usage("the image in " + manifest + " (" + unpushed + ") was built but not pushed:"
                    + " a cluster pulls from a registry; run 'slipway image --push REGISTRY/REPOSITORY' (or '--push' alone"
                    + " with image.repository set), or give --image NAME@sha256:<digest>");
        }
        if (image == null) {
            throw SlipwayException.usage("no image to deploy for " + config.name() + ": a build records none; run"
                    + " 'slipway image --push REGISTRY/REPOSITORY' after it (a cluster pulls from a registry; the pushed"
                    + " digest goes into dist/artifacts.json), or 'slipway ship --push REGISTRY/REPOSITORY' for both, or"
                    + " give --image NAME@sha256:<digest>, or set " + imageKey);
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

    /** @return the commit's first 7 characters, or {@code "-"} */
    public String shortCommit() {
        return commit.isEmpty() ? "-" : commit.substring(0, Math.min(7, commit.length()));
    }
}

package dev.slipway.image;

import dev.slipway.SlipwayException;
import dev.slipway.config.ImageConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.NamedStep;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Image step: the format ({@code oci-archive} unless {@code oci}), the output
 * ({@code dist/<name>_<version>_image[.tar]} unless {@code --output}), the push reference
 * ({@code --push}, or {@code image.repository}), the tags ({@code image.tags} expanded) and the
 * annotations; then an empty work directory and OCI layout. An {@code --output} directory that
 * holds something other than an OCI layout is refused (exit 2), never emptied.
 */
final class ImageTarget extends NamedStep<ImageContext> {
    ImageTarget() {
        super("output, tags and annotations");
    }

    @Override
    public void run(ImageContext c) throws IOException {
        SlipwayConfig config = c.config();
        ImageConfig ic = config.image();
        ImageBuilder.Facts facts = c.facts;
        ImageBuilder.Options options = c.options;
        c.format = options.format() == null ? ImageBuilder.OCI_ARCHIVE : options.format();
        String base = facts.name() + "_" + facts.version() + "_image";
        c.output = options.output() != null ? options.output().toAbsolutePath()
                : c.dist().resolve(c.format.equals(ImageBuilder.OCI) ? base : base + ".tar");
        if (options.push() != null) {
            String target = options.push().isEmpty() ? ic.repository() : options.push();
            if (target == null) {
                throw SlipwayException.usage("--push without a reference needs image.repository in "
                        + config.file().getFileName());
            }
            c.ref = RegistryPush.Ref.parse(target);
        }
        Map<String, String> fields = Map.of("version", facts.version(), "commit", facts.commit(),
                "short commit", facts.commit().length() > 7 ? facts.commit().substring(0, 7) : facts.commit());
        c.tags = ic.tags().stream().map(t -> t.expand(fields, false)).distinct().toList();
        c.annotations = annotations(config, facts);

        c.work = c.dist().resolve(".image");
        Trees.deleteTree(c.work);
        c.layout = c.format.equals(ImageBuilder.OCI) ? c.output : c.work.resolve("layout");
        if (c.format.equals(ImageBuilder.OCI)) {
            if (Files.isDirectory(c.layout) && !Files.exists(c.layout.resolve("oci-layout"))) {
                try (var s = Files.list(c.layout)) {
                    if (s.findAny().isPresent()) {
                        throw SlipwayException.usage(c.layout + " exists and is not an OCI layout; choose an empty or"
                                + " new directory for --output");
                    }
                }
            }
            Trees.deleteTree(c.layout);
        }
        c.blobs = c.layout.resolve("blobs/sha256");
        Files.createDirectories(c.blobs);
    }

    /** The OCI annotations of the manifests and the index (annotations.md's pre-defined keys). */
    static Map<String, String> annotations(SlipwayConfig config, ImageBuilder.Facts facts) {
        Map<String, String> a = new TreeMap<>();
        a.put("org.opencontainers.image.created", facts.time().toString());
        a.put("org.opencontainers.image.revision", facts.commit());
        a.put("org.opencontainers.image.title", facts.name());
        a.put("org.opencontainers.image.version", facts.version());
        String source = config.image().source() != null ? config.image().source() : gitOrigin(config.serviceDir());
        if (source != null) {
            a.put("org.opencontainers.image.source", source);
        }
        a.putAll(config.image().annotations());
        return a;
    }

    /** The git remote {@code origin} URL without user info (never a credential), or {@code null}. */
    static String gitOrigin(Path dir) {
        try (var repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().findGitDir(dir.toFile()).build()) {
            if (repo.getDirectory() == null) {
                return null;
            }
            String url = repo.getConfig().getString("remote", "origin", "url");
            if (url == null) {
                return null;
            }
            return url.replaceFirst("^(https?://)[^@/]*@", "$1");
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}

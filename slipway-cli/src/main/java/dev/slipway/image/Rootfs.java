package dev.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.SlipwayException;
import dev.slipway.build.Platform;
import dev.slipway.pipeline.Step;
import dev.slipway.util.Json;
import dev.slipway.util.Tar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image step ({@code --rootfs DIR}): unpacks the host platform's layers in order into the
 * directory, with their modes (and owners, as root), and writes {@code opt/<name>/app/java.argv},
 * java's arguments each ended by a NUL byte, which the Dockerfile of {@code slipway render dockerfile}
 * gives {@code slipway-start -a} ({@link ImageBuilder#START}).
 */
final class Rootfs implements Step<ImageContext> {
    @Override
    public String describe(ImageContext c) {
        return "root file system in " + c.options.rootfs();
    }

    @Override
    public String skipReason(ImageContext c) {
        return c.options.rootfs() == null ? "no --rootfs" : null;
    }

    @Override
    public void run(ImageContext c) throws IOException {
        Path rootfs = c.options.rootfs();
        Platform host = Platform.host();
        ImageBuilder.Source source = c.resolved.stream().filter(s -> s.platform().equals(host)).findFirst().orElseThrow(
                () -> SlipwayException.usage("--rootfs needs a build for this machine's platform " + host));
        JsonNode manifest = Json.MAPPER.readTree(c.blobs.resolve(c.manifests.get(host).digest().substring(7)).toFile());
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest.path("layers")) {
            try (var tar = Tar.gzipped(c.blobs.resolve(layer.path("digest").asText().substring(7)))) {
                Tar.extract(tar, rootfs, new Tar.Options(false, Tar.Modes.EXACT));
            }
        }
        String home = "/opt/" + c.facts.name();
        java.io.ByteArrayOutputStream args = new java.io.ByteArrayOutputStream();
        // slipway-start's -a file: each argument ended by a NUL byte (no argument can hold one), so
        // any text survives as written, and ${PORT}/${ADDR} expand when the container starts.
        for (String a : ImageBuilder.javaCommand(c.config(), home, source.launch())) {
            args.writeBytes(a.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            args.write(0);
        }
        Files.write(rootfs.resolve("opt/" + c.facts.name() + "/" + ImageBuilder.JAVA_ARGV), args.toByteArray());
    }
}

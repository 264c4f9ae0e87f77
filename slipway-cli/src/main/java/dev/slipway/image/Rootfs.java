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
 * directory, with their modes (and owners, as root), and writes {@code opt/<name>/app/java.args},
 * the entrypoint as a java {@code @file}, for the Dockerfile of {@code slipway render dockerfile}.
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
        StringBuilder args = new StringBuilder();
        // The java launcher's @file: one quoted argument per line; inside quotes \\, \", \n and \r are escapes.
        for (String a : ImageBuilder.javaCommand(c.config(), home, source.launch())) {
            args.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    .replace("\r", "\\r")).append("\"\n");
        }
        Files.writeString(rootfs.resolve("opt/" + c.facts.name() + "/app/java.args"), args.toString());
    }
}

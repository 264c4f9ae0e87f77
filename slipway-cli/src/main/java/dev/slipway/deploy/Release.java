package dev.slipway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.SlipwayException;
import dev.slipway.build.Builder;
import dev.slipway.build.Platform;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A built release ready to deploy: the single file for one platform and its version facts.
 *
 * @param name       the service name
 * @param version    the release version
 * @param commit     the full commit id
 * @param executable the single-file executable
 * @param sha256     its sha256, hex
 */
public record Release(String name, String version, String commit, Path executable, String sha256) {

    /**
     * Reads the last build's {@code dist/artifacts.json} and picks the host platform's single file.
     *
     * @param config the service configuration
     * @return the release
     * @throws SlipwayException (exit 2) when nothing was built, or the build is for another
     *                          service or platform, or its file is gone
     */
    public static Release fromDist(SlipwayConfig config) {
        Path dir = config.serviceDir();
        Path manifest = dir.resolve(Builder.ARTIFACTS);
        if (!Files.isRegularFile(manifest)) {
            throw SlipwayException.usage("nothing built for " + config.name() + ": " + manifest
                    + " does not exist; run 'slipway build " + dir + "' first (or 'slipway ship', which builds and deploys)");
        }
        try {
            JsonNode doc = new ObjectMapper().readTree(manifest.toFile());
            String platform = Platform.host().toString();
            for (JsonNode a : doc.path("artifacts")) {
                if (a.path("kind").asText().equals("single-file") && a.path("platform").asText().equals(platform)) {
                    Path exe = dir.resolve(a.path("path").asText());
                    if (!Files.isRegularFile(exe)) {
                        throw SlipwayException.usage("the last build's " + exe + " is gone; run 'slipway build' again");
                    }
                    if (!doc.path("name").asText().equals(config.name())) {
                        throw SlipwayException.usage(manifest + " is a build of '" + doc.path("name").asText()
                                + "', not '" + config.name() + "'; run 'slipway build' again");
                    }
                    return new Release(config.name(), doc.path("version").asText(), doc.path("commit").asText(),
                            exe, a.path("sha256").asText());
                }
            }
            throw SlipwayException.usage("the last build (" + manifest + ") has no single file for " + platform
                    + "; run 'slipway build' again");
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + manifest + ": " + e.getMessage() + "; run 'slipway build' again");
        }
    }
}

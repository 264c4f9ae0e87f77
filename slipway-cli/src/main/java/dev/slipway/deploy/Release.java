package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.build.Platform;
import dev.slipway.config.SlipwayConfig;
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
        Artifacts built = ArtifactsFile.require(config, " (or 'slipway ship', which builds and deploys)");
        String platform = Platform.host().toString();
        Artifact single = built.singleFile(platform).orElseThrow(() -> SlipwayException.usage("the last build ("
                + ArtifactsFile.path(config) + ") has no single file for " + platform
                + "; run 'slipway build' again"));
        Path exe = config.serviceDir().resolve(single.path());
        if (!Files.isRegularFile(exe)) {
            throw SlipwayException.usage("the last build's " + exe + " is gone; run 'slipway build' again");
        }
        return new Release(config.name(), built.version(), built.commit(), exe, single.sha256());
    }
}

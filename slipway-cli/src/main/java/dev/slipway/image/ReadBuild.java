package dev.slipway.image;

import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.build.Platform;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Image step: the release facts and, per linux platform (all built, or the {@code --platform}
 * subset), the build's archive and launch entry, from {@code dist/artifacts.json}. Exit 2 when
 * nothing was built, the build is of another service, or a platform or its archive is missing.
 */
final class ReadBuild extends DistStep {
    ReadBuild() {
        super("linux builds", "build outputs given");
    }

    @Override
    public void run(ImageContext c) {
        SlipwayConfig config = c.config();
        List<String> wanted = c.options.platforms();
        Artifacts built = ArtifactsFile.require(config, "");
        c.built = built;
        c.facts = new ImageBuilder.Facts(config.name(), built.version(), built.commit(), Instant.parse(built.date()));
        List<ImageBuilder.Source> sources = new ArrayList<>();
        for (Artifact a : built.ofKind(Artifact.Kind.ARCHIVE)) {
            Platform p = Platform.parse(a.platform());
            if (!p.os().equals("linux") || !wanted.isEmpty() && !wanted.contains(p.toString())) {
                continue;
            }
            Artifacts.Launch launch = built.launch().get(p.toString());
            Path archive = c.serviceDir().resolve(a.path());
            if (launch == null || !Files.isRegularFile(archive)) {
                throw SlipwayException.usage("the " + p + " build in " + ArtifactsFile.PATH + " has no "
                        + (launch == null ? "launch entry" : "archive " + archive)
                        + " (a release replaces the build's archives); run 'slipway build' first");
            }
            sources.add(new ImageBuilder.Source(p, archive, launch));
        }
        for (String platform : wanted) {
            if (sources.stream().noneMatch(s -> s.platform().toString().equals(platform))) {
                throw SlipwayException.usage("no linux build for " + platform + " in " + ArtifactsFile.PATH
                        + (config.platforms().contains(platform) ? "; run 'slipway build --platform " + platform + "' first"
                                : "; add it to 'platforms' in " + config.file() + ", then run 'slipway build'"));
            }
        }
        if (sources.isEmpty()) {
            throw SlipwayException.usage("no linux build in " + ArtifactsFile.PATH + "; images are linux only");
        }
        c.sources = sources;
    }
}

package dev.slipway.build;

import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.pipeline.Step;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Build step: registers each platform's single file and archive, and what its launcher starts,
 * and writes them as {@code dist/artifacts.json} ({@link ArtifactsFile}), which {@code image},
 * {@code release} and the deploy targets read.
 */
final class RecordArtifacts implements Step<BuildContext> {
    @Override
    public String describe(BuildContext c) {
        return ArtifactsFile.PATH;
    }

    @Override
    public void run(BuildContext c) throws IOException {
        Map<String, Artifacts.Launch> launch = new LinkedHashMap<>();
        for (Builder.Result r : c.results) {
            c.add(r.executable(), Artifact.Kind.SINGLE_FILE, r.platform().toString(), c.sha256s.get(r.executable()));
            c.add(r.archive(), Artifact.Kind.ARCHIVE, r.platform().toString(), c.sha256s.get(r.archive()));
            launch.put(r.platform().toString(), r.launch().recorded());
        }
        BuildInfo info = c.info;
        c.registry(new Artifacts(info.name(), info.version(), info.commit(), info.isoTime(), null,
                c.registry().artifacts(), launch, null));
        ArtifactsFile.write(c.config(), c.registry());
    }
}

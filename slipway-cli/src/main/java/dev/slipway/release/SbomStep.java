package dev.slipway.release;

import dev.slipway.pipeline.NamedStep;
import dev.slipway.artifact.Artifact;
import dev.slipway.build.Builder;
import java.io.IOException;
import java.nio.file.Path;

/** Release step: a CycloneDX 1.6 SBOM per platform, from the build archive's jars and runtime. */
final class SbomStep extends NamedStep<ReleaseContext> implements ReleaseStep {
    SbomStep() {
        super("SBOM (CycloneDX 1.6 JSON)");
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        for (Builder.Result b : c.builds()) {
            Path out = c.dist().resolve(ReleasePipeline.archiveName(c, b) + ".cdx.json");
            Sbom.write(b.archive(), c.config().name(), c.version(), c.git().commit(), b.platform().toString(),
                    b.info().time(), out);
            c.add(out, Artifact.Kind.SBOM, b.platform().toString());
        }
    }
}

package dev.slipway.release;

import dev.slipway.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Release step: {@code checksums.txt} over the single files, archives and SBOMs. */
final class ChecksumsStep implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        return "checksums (" + c.config().release().checksum().algorithm() + ", " + Checksums.FILE_NAME + ")";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        Path dist = c.serviceDir().relativize(c.dist());
        List<String> files = c.artifacts().stream()
                .filter(a -> List.of(Artifact.Kind.SINGLE_FILE, Artifact.Kind.ARCHIVE, Artifact.Kind.SBOM).contains(a.kind()))
                .map(a -> a.distPath(dist)).toList();
        Path out = Checksums.write(c.dist(), files, c.config().release().checksum().algorithm());
        c.add(out, Artifact.Kind.CHECKSUMS, null);
    }
}

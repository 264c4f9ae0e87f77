package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.build.Builder;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Publishes to a directory (a mounted share, a web server's root): copies every artifact to
 * {@code <directory>/<name>/<version>/<path relative to dist>}. The version directory is written
 * under a temporary name and renamed, so readers never see half a release. Publishing the same
 * version again succeeds when its {@code artifacts.json} is byte-identical (a re-run of the same
 * commit) and fails otherwise: a published version is never overwritten.
 *
 * @param directory the root directory
 */
public record DirectoryPublisher(Path directory) implements Publisher {

    @Override
    public String describe() {
        return "directory " + directory;
    }

    @Override
    public void publish(Request r, boolean dryRun, Console console) {
        Path target = directory.resolve(r.name()).resolve(r.version());
        if (dryRun) {
            console.progress("  would copy " + r.artifacts().size() + " files to " + target);
            return;
        }
        try {
            if (Files.exists(target)) {
                Path ours = r.dist().resolve(ArtifactsFile.FILE_NAME);
                Path published = target.resolve(ours.getFileName());
                if (Files.isRegularFile(published) && Files.mismatch(published, ours) == -1) {
                    console.progress("  " + target + " already holds this release (identical); nothing to do");
                    return;
                }
                throw SlipwayException.failed(r.name() + " " + r.version() + " is already published at " + target
                        + " with different contents; a published version is never overwritten");
            }
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + r.version() + ".tmp");
            Trees.deleteTree(tmp);
            for (Artifact a : r.artifacts()) {
                Path dest = tmp.resolve(a.distPath(r.serviceDir().relativize(r.dist())));
                Files.createDirectories(dest.getParent());
                Files.copy(r.serviceDir().resolve(a.path()), dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            console.progress("  copied " + r.artifacts().size() + " files to " + target);
        } catch (IOException e) {
            throw SlipwayException.failed("publishing to " + directory + " failed: " + e.getMessage(), e);
        }
    }
}

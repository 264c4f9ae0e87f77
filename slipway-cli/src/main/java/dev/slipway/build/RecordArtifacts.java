package dev.slipway.build;

import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.pipeline.Step;
import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
        Optional<Artifacts> previous = previous(c);
        ArtifactsFile.write(c.config(), c.registry());
        previous.ifPresent(p -> removeReplaced(c, p));
    }

    private static Optional<Artifacts> previous(BuildContext c) {
        try {
            return ArtifactsFile.read(c.config());
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable: nothing of it is removed
        }
    }

    /**
     * Removes the single files and archives the previous build recorded in {@code artifacts.json}
     * and this one did not write again (another version's names), as {@code go build} replaces its
     * binary: the output directory holds one build, not every commit's (some 100-200 MB each). Only
     * regular files that the previous manifest names and that lie inside the output directory are
     * removed; anything else there (a release's checksums, a user's own files) stays. Deploys do
     * not need them: every target copies or uploads the file it deploys.
     */
    private static void removeReplaced(BuildContext c, Artifacts previous) {
        Path dist = c.config().dist().toAbsolutePath().normalize();
        Path serviceDir = c.config().serviceDir().toAbsolutePath().normalize();
        Set<Path> kept = new HashSet<>();
        c.registry().artifacts().forEach(a -> kept.add(serviceDir.resolve(a.path()).normalize()));
        List<String> removed = new ArrayList<>();
        for (Artifact a : previous.artifacts()) {
            if (a.kind() != Artifact.Kind.SINGLE_FILE && a.kind() != Artifact.Kind.ARCHIVE) {
                continue;
            }
            Path file = serviceDir.resolve(a.path()).normalize();
            if (kept.contains(file) || !file.startsWith(dist) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.delete(file);
                removed.add(dist.relativize(file).toString());
                // A single file's own directory (dist/<name>_<version>_<os>_<arch>/) goes once empty.
                Path parent = file.getParent();
                if (!parent.equals(dist) && parent.startsWith(dist)) {
                    try (var left = Files.list(parent)) {
                        if (left.findAny().isEmpty()) {
                            Files.delete(parent);
                        }
                    }
                }
            } catch (IOException e) {
                c.console().progress("  warning: cannot remove " + file + " of the previous build: " + SlipwayException.causeLine(e));
            }
        }
        if (!removed.isEmpty()) {
            c.console().progress("  removed the previous build's " + String.join(", ", removed) + " from "
                    + serviceDir.relativize(dist));
        }
    }
}

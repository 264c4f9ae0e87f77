package dev.slipway.release;

import dev.slipway.artifact.Artifact;
import dev.slipway.build.Builder;
import dev.slipway.config.ReleaseConfig;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Release step: the release archives per platform ({@code release.archives}): the build's layout under the name template, with the listed files and the generated systemd unit; they replace the build's archives. */
final class ArchivesStep implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        return "archives (" + c.config().release().archives().nameTemplate() + ")";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        ReleaseConfig.Archives cfg = c.config().release().archives();
        List<Archives.Extra> extras = new ArrayList<>(cfg.files().stream()
                .map(f -> new Archives.Extra(c.serviceDir().resolve(f).normalize(),
                        Path.of(f).normalize().toString().replace('\\', '/')))
                .toList());
        Path work = c.dist().resolve(".release");
        String unitName = c.config().name() + ".service";
        // A listed file of that name is the user's own unit: it wins over the generated one.
        if (cfg.systemdUnit() && extras.stream().noneMatch(x -> x.name().equals(unitName))) {
            Path unit = work.resolve(unitName);
            Files.createDirectories(work);
            Files.writeString(unit, ArchiveUnit.render(c.config(), c.version()));
            extras.add(new Archives.Extra(unit, unit.getFileName().toString()));
        }
        try {
            archive(c, cfg, extras);
        } finally {
            Trees.deleteTree(work);
        }
    }

    private static void archive(ReleaseContext c, ReleaseConfig.Archives cfg, List<Archives.Extra> extras)
            throws IOException {
        for (Builder.Result b : c.builds()) {
            String name = ReleasePipeline.archiveName(c, b);
            String format = cfg.formatFor(b.platform().os());
            Path out = c.dist().resolve(name + "." + format);
            if (!out.equals(b.archive()) || !extras.isEmpty()) {
                // The build's files' time, which a trained cache recorded of the class path jars.
                Archives.write(b.archive(), name, format, extras, dev.slipway.build.BuildInfo.FILE_TIME, out);
            } // else the build's archive already is this archive: same name, same top directory, no extras
            if (!out.equals(b.archive())) {
                Files.deleteIfExists(b.archive()); // the release archive replaces the build's
            }
            c.add(out, Artifact.Kind.ARCHIVE, b.platform().toString());
        }
    }
}

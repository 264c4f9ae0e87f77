package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Builder;
import dev.slipway.build.Exec;
import dev.slipway.config.ReleaseConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.Pipeline;
import dev.slipway.pipeline.Step;
import dev.slipway.util.Hashing;
import dev.slipway.util.Tar;
import dev.slipway.util.Trees;
import dev.slipway.util.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code slipway release}: from a tagged commit (or any tree, as a snapshot) to a complete,
 * verifiable release in {@code dist/}, then published.
 *
 * <p>Order: preflight (exit 2 and nothing changed when the tree is dirty or HEAD untagged for a
 * real release, or a publisher lacks credentials), hooks, build (into an emptied {@code dist/}),
 * SBOM, archives, checksums, changelog, manifest, publish. See {@code docs/release.md}.
 */
public final class ReleasePipeline {
    private ReleasePipeline() {}

    /**
     * Options of one release.
     *
     * @param snapshot    release whatever is checked out, with the snapshot version; never publish
     * @param dryRun      make everything locally but only print what publishing would do
     * @param skipPublish make everything locally and do not publish
     * @param compile     run the build command (false: use the jars already built)
     * @param buildTime   the build time to record (the Maven plugin passes
     *                    {@code project.build.outputTimestamp}), or {@code null} for {@code SOURCE_DATE_EPOCH},
     *                    else the commit time
     */
    public record Options(boolean snapshot, boolean dryRun, boolean skipPublish, boolean compile,
                          java.time.Instant buildTime) {
        /** Options whose build time comes from the environment or git. */
        public Options(boolean snapshot, boolean dryRun, boolean skipPublish, boolean compile) {
            this(snapshot, dryRun, skipPublish, compile, null);
        }
    }

    /**
     * What a release made.
     *
     * @param version   the release version
     * @param artifacts every artifact, as listed in {@code dist/artifacts.json}
     * @param changelog the changelog Markdown
     */
    public record Result(String version, List<Artifact> artifacts, String changelog) {}

    /**
     * Runs a release.
     *
     * @param config  the service configuration
     * @param options the options
     * @param console progress (stderr) and the changelog (stdout)
     * @param env     reads environment variables ({@code System::getenv})
     * @return what was made
     * @throws SlipwayException exit 2 when the release cannot start (nothing changed), exit 1 when a
     *                          step fails
     */
    public static Result run(SlipwayConfig config, Options options, Console console, Function<String, String> env) {
        GitRelease git = GitRelease.of(config.serviceDir());
        ReleaseConfig rc = config.release();
        String version;
        if (options.snapshot()) {
            version = rc.snapshot().versionTemplate().expand(git.snapshotFields(), true);
        } else {
            if (git.dirty()) {
                throw SlipwayException.usage("the work tree has uncommitted changes; a release is made from a clean,"
                        + " tagged commit: commit or stash them, or run 'slipway release --snapshot'");
            }
            if (git.tag() == null) {
                throw SlipwayException.usage("HEAD (" + git.shortCommit() + ") has no tag; a release is made from a"
                        + " tagged commit: tag it (e.g. git tag v1.2.3), or run 'slipway release --snapshot'");
            }
            version = GitRelease.versionOf(git.tag());
        }
        if (!Versions.isValid(version)) {
            throw SlipwayException.usage("the release version '" + version + "' is not valid (from "
                    + (options.snapshot() ? "release.snapshot.versionTemplate" : "tag " + git.tag())
                    + "): use letters, digits, '.', '_', '+' and '-'");
        }
        List<Publisher> publishers = publishers(rc, env);
        if (!options.snapshot() && !options.skipPublish() && !options.dryRun()) {
            publishers.forEach(Publisher::preflight);
        }

        ReleaseContext c = new ReleaseContext(config, options, git, version, console, env);
        console.progress("release " + config.name() + " " + version + " (" + (options.snapshot() ? "snapshot"
                : "tag " + git.tag()) + ", commit " + git.shortCommit() + (git.dirty() ? ", dirty" : "")
                + (options.dryRun() ? ", dry run: nothing remote is changed" : "") + ")");
        new Pipeline<>("release", List.<Step<ReleaseContext>>copyOf(steps(publishers)), true).run(c);
        console.progress("released " + config.name() + " " + version + ": " + c.artifacts().size()
                + " artifacts in " + config.serviceDir().relativize(c.dist()) + "/");
        return new Result(version, c.artifacts(), c.changelog());
    }

    static List<Publisher> publishers(ReleaseConfig rc, Function<String, String> env) {
        List<Publisher> out = new ArrayList<>();
        if (rc.publish().directory() != null) {
            out.add(new DirectoryPublisher(rc.publish().directory()));
        }
        if (rc.publish().github() != null) {
            out.add(new GitHubPublisher(rc.publish().github(), env));
        }
        return out;
    }

    /** @return the steps in order */
    static List<ReleaseStep> steps(List<Publisher> publishers) {
        return List.of(new Hooks(), new Build(), new ImageStep(), new SbomStep(), new ArchivesStep(), new ChecksumsStep(),
                new ChangelogStep(), new ManifestStep(), new ImagePush(), new Publish(publishers));
    }

    /** @return the archive name (without extension) for one build */
    static String archiveName(ReleaseContext c, Builder.Result b) {
        Map<String, String> f = new HashMap<>();
        f.put("name", c.config().name());
        f.put("version", c.version());
        f.put("os", b.platform().os());
        f.put("arch", b.platform().arch());
        f.put("short commit", c.git().shortCommit());
        f.put("commit", c.git().commit());
        return c.config().release().archives().nameTemplate().expand(f, c.snapshot());
    }

    // ---- steps -------------------------------------------------------------------------------

    static final class Hooks implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "before hooks";
        }

        @Override
        public String skipReason(ReleaseContext c) {
            return c.config().release().before().isEmpty() ? "none configured" : null;
        }

        @Override
        public void run(ReleaseContext c) {
            for (String hook : c.config().release().before()) {
                c.console().progress("  $ " + hook);
                Exec.Result r = Exec.run(List.of("sh", "-c", hook), c.serviceDir(), Duration.ofMinutes(30));
                if (!r.output().isEmpty()) {
                    r.output().strip().lines().forEach(l -> c.console().progress("  | " + l));
                }
                if (r.exitCode() != 0) {
                    throw SlipwayException.failed("hook '" + hook + "' failed with exit code " + r.exitCode()
                            + (r.output().isBlank() ? " (no output)" : ":\n" + r.tail(20)));
                }
            }
        }
    }

    static final class Build implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "build " + c.config().name() + " " + c.version() + " into an empty dist/";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            Trees.deleteTree(c.dist());
            // One Result per platform in slipway.yaml's 'platforms' (default: the host).
            for (Builder.Result b : Builder.build(c.config(), new Builder.Options(c.version(), c.options().compile(),
                    true, List.of(), List.of(), c.options().buildTime()), c.console())) {
                c.builds().add(b);
                c.add(b.executable(), Artifact.Kind.SINGLE_FILE, b.platform().toString());
            }
        }
    }

    /**
     * The OCI image of the linux builds ({@code slipway image}), when {@code image.repository} is
     * set: an oci-archive in {@code dist/}, recorded in the manifest; not a release asset.
     */
    static final class ImageStep implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "image (OCI, from scratch)";
        }

        @Override
        public String skipReason(ReleaseContext c) {
            if (c.config().image().repository() == null) {
                return "no image.repository in " + c.config().file().getFileName();
            }
            return c.builds().stream().anyMatch(b -> b.platform().os().equals("linux")) ? null : "no linux platform";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            List<dev.slipway.image.ImageBuilder.Source> sources = new ArrayList<>();
            for (Builder.Result b : c.builds()) {
                if (b.platform().os().equals("linux")) {
                    sources.add(new dev.slipway.image.ImageBuilder.Source(b.platform(), b.archive(),
                            new Artifacts.Launch(b.launch().mainClass(), b.launch().classpath(),
                                    b.launch().jvmOptions(), b.launch().args())));
                }
            }
            var info = c.builds().get(0).info();
            c.image(dev.slipway.image.ImageBuilder.build(c.config(),
                    new dev.slipway.image.ImageBuilder.Facts(info.name(), c.version(), info.commit(), info.time()), sources,
                    new dev.slipway.image.ImageBuilder.Options(null, dev.slipway.image.ImageBuilder.OCI_ARCHIVE, null,
                            List.of(), null), c.console(), c.env()));
        }
    }

    /** Pushes the image to {@code image.repository} with the tags of {@code image.tags}; publishing, so last. */
    static final class ImagePush implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            String repository = c.config().image().repository();
            return "push image" + (repository == null ? "" : " to " + repository) + (c.options().dryRun() ? " (dry run)" : "");
        }

        @Override
        public String skipReason(ReleaseContext c) {
            if (c.config().image().repository() == null) {
                return "no image.repository in " + c.config().file().getFileName();
            }
            if (c.image() == null) {
                return "no image";
            }
            return c.snapshot() ? "a snapshot is never published" : c.options().skipPublish() ? "--skip-publish" : null;
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            var ref = dev.slipway.image.RegistryPush.Ref.parse(c.config().image().repository());
            if (c.options().dryRun()) {
                c.image().tags().forEach(t -> c.console().progress("  would push " + ref + ":" + t + "@"
                        + c.image().index().digest()));
                return;
            }
            Path layout = c.dist().resolve(".image-push");
            Trees.deleteTree(layout);
            try {
                Files.createDirectories(layout);
                try (var tar = Tar.plain(c.image().output())) {
                    Tar.extract(tar, layout, new Tar.Options(false, Tar.Modes.DEFAULT));
                }
                var pushed = dev.slipway.image.ImageBuilder.pushLayout(layout, c.image().tags().get(0), ref,
                        c.image().tags(), c.env(), c.console());
                pushed.refs().forEach(r -> c.console().progress("  pushed " + r));
            } finally {
                Trees.deleteTree(layout);
            }
        }
    }

    static final class SbomStep implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "SBOM (CycloneDX 1.6 JSON)";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            for (Builder.Result b : c.builds()) {
                Path out = c.dist().resolve(archiveName(c, b) + ".cdx.json");
                Sbom.write(b.archive(), c.config().name(), c.version(), c.git().commit(), b.platform().toString(),
                        b.info().time(), out);
                c.add(out, Artifact.Kind.SBOM, b.platform().toString());
            }
        }
    }

    static final class ArchivesStep implements ReleaseStep {
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
                String name = archiveName(c, b);
                String format = cfg.formatFor(b.platform().os());
                Path out = c.dist().resolve(name + "." + format);
                if (!out.equals(b.archive()) || !extras.isEmpty()) {
                    Archives.write(b.archive(), name, format, extras, b.info().time(), out);
                } // else the build's archive already is this archive: same name, same top directory, no extras
                if (!out.equals(b.archive())) {
                    Files.deleteIfExists(b.archive()); // the release archive replaces the build's
                }
                c.add(out, Artifact.Kind.ARCHIVE, b.platform().toString());
            }
        }
    }

    static final class ChecksumsStep implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "checksums (" + c.config().release().checksum().algorithm() + ", " + Checksums.FILE_NAME + ")";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            List<String> files = c.artifacts().stream()
                    .filter(a -> List.of(Artifact.Kind.SINGLE_FILE, Artifact.Kind.ARCHIVE, Artifact.Kind.SBOM).contains(a.kind()))
                    .map(Artifact::distPath).toList();
            Path out = Checksums.write(c.dist(), files, c.config().release().checksum().algorithm());
            c.add(out, Artifact.Kind.CHECKSUMS, null);
        }
    }

    static final class ChangelogStep implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            String prev = c.git().previousTag();
            return "changelog (" + (prev == null ? "first release: all commits" : "since " + prev) + ")";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            Changelog log = Changelog.of(c.serviceDir(), c.git().previousTag(), c.config().release().changelog());
            String md = log.markdown(c.config().name(), c.version());
            Path out = c.dist().resolve("CHANGELOG.md");
            Files.writeString(out, md);
            c.changelog(md);
            c.add(out, Artifact.Kind.CHANGELOG, null);
            c.console().out().print(md);
            c.console().out().flush();
        }
    }

    static final class ManifestStep implements ReleaseStep {
        @Override
        public String describe(ReleaseContext c) {
            return "manifest (" + ReleaseManifest.PATH + ")";
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            ReleaseManifest.write(c);
        }
    }

    static final class Publish implements ReleaseStep {
        private final List<Publisher> publishers;

        Publish(List<Publisher> publishers) {
            this.publishers = publishers;
        }

        @Override
        public String describe(ReleaseContext c) {
            return "publish" + (publishers.isEmpty() ? ""
                    : " to " + String.join(", ", publishers.stream().map(Publisher::describe).toList()))
                    + (c.options().dryRun() ? " (dry run)" : "");
        }

        @Override
        public String skipReason(ReleaseContext c) {
            if (c.snapshot()) {
                return "a snapshot is never published";
            }
            if (c.options().skipPublish()) {
                return "--skip-publish";
            }
            return publishers.isEmpty() ? "no publisher in release.publish" : null;
        }

        @Override
        public void run(ReleaseContext c) throws IOException {
            List<Artifact> all = new ArrayList<>(c.artifacts());
            Path manifest = c.serviceDir().resolve(ReleaseManifest.PATH);
            all.add(Artifact.of(c.serviceDir(), manifest, Artifact.Kind.MANIFEST, null));
            Publisher.Request req = new Publisher.Request(c.serviceDir(), c.config().name(), c.version(),
                    c.git().tag(), c.git().commit(), c.changelog(), List.copyOf(all));
            for (Publisher p : publishers) {
                c.console().progress("  " + p.describe());
                p.publish(req, c.options().dryRun(), c.console());
            }
        }
    }
}

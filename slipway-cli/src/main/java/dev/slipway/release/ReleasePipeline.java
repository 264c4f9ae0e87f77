package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.build.Builder;
import dev.slipway.config.ReleaseConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.Pipeline;
import dev.slipway.pipeline.Step;
import dev.slipway.util.Versions;
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
        return List.of(
                new Hooks(),            // release.before
                new Build(),            // into an emptied dist/: single files and build archives
                new ImageStep(),        // the OCI image of the linux builds (image.repository)
                new SbomStep(),         // CycloneDX per platform
                new ArchivesStep(),     // release archives, replacing the build's
                new ChecksumsStep(),    // checksums.txt
                new ChangelogStep(),    // CHANGELOG.md
                new ImagePush(),        // publishing starts here: the image to its repository
                new ManifestStep(),     // dist/artifacts.json, with the pushed image references
                new Publish(publishers)); // release.publish
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
}

package dev.slipway.cli;

import dev.slipway.release.ReleasePipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway release}: archives, checksums, changelog, SBOM and manifest in dist/, then publish. */
@Command(name = "release", footerHeading = "%nExample:%n", footer = {"  git tag v1.2.0 && slipway release", "  slipway release --snapshot --skip-publish"},
        description = {
    "Build a release from the tagged HEAD: archives, checksums.txt, CHANGELOG.md, a CycloneDX SBOM and"
        + " dist/artifacts.json; then publish it (release.publish in slipway.yaml).",
    "Refuses a dirty tree or an untagged HEAD (exit 2) unless --snapshot is given."})
public final class ReleaseCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Option(names = "--snapshot", description = "Release whatever is checked out (untagged or dirty) with the"
            + " snapshot version (default {next patch}-SNAPSHOT-{short commit}); never publishes.")
    boolean snapshot;

    @Option(names = "--dry-run", description = "Make everything in dist/, but only print what publishing would do.")
    boolean dryRun;

    @Option(names = "--skip-publish", description = "Make everything in dist/ and do not publish.")
    boolean skipPublish;

    @Option(names = "--no-compile", description = "Do not run the build command; use the jars already built.")
    boolean noCompile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        ReleasePipeline.run(service.load(), new ReleasePipeline.Options(snapshot, dryRun, skipPublish, !noCompile),
                SlipwayCli.console(spec), System::getenv);
    }
}

package dev.slipway.cli;

import dev.slipway.build.Builder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway build}: the single-file executable and archive into {@code dist/}. */
@Command(name = "build", footerHeading = "%nExample:%n", footer = {"  slipway build examples/myapp --platform linux-amd64 --version 1.2.0"},
        description = "Build single-file executables (and .tar.gz archives) for the configured platforms into dist/.")
public final class BuildCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Mixin
    BuildOptions build;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // The git facts (commit, dirty) are read beside the configuration's loading.
        dev.slipway.build.GitInfo.readAhead(service.dir);
        Builder.build(service.load(), build.options(), SlipwayCli.console(spec));
    }

    /** Options shared by {@code build} and {@code ship}. */
    public static final class BuildOptions {
        @Option(names = "--version", paramLabel = "VERSION",
                description = "The release version (default: 'version' in slipway.yaml, else git describe).")
        String version;

        @Option(names = "--no-compile", description = "Do not run the build command; use the jars already built.")
        boolean noCompile;

        @Option(names = "--no-cache", description = "Link every runtime afresh; neither read nor fill the runtime cache.")
        boolean noCache;

        @Option(names = "--platform", paramLabel = "OS-ARCH",
                description = "Build only this configured platform (repeatable), e.g. linux-arm64.")
        java.util.List<String> platforms = new java.util.ArrayList<>();

        @Option(names = "--profile", paramLabel = "NAME",
                description = "Apply this build profile (repeatable); default: the profiles marked default: true.")
        java.util.List<String> profiles = new java.util.ArrayList<>();

        Builder.Options options() {
            return new Builder.Options(version, !noCompile, !noCache, java.util.List.copyOf(platforms),
                    java.util.List.copyOf(profiles));
        }

        /** @return these options narrowed to the host platform, for a deploy to this machine */
        Builder.Options hostOnly() {
            return new Builder.Options(version, !noCompile, !noCache,
                    java.util.List.of(dev.slipway.build.Platform.host().toString()), java.util.List.copyOf(profiles));
        }
    }
}

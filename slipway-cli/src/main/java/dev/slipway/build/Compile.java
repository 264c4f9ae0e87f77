package dev.slipway.build;

import dev.slipway.pipeline.NamedStep;

/** Build step: runs the build command ({@code build.command}, else Maven's or Gradle's), unless {@code --no-compile}. */
final class Compile extends NamedStep<BuildContext> {
    Compile() {
        super("build command");
    }

    @Override
    public String skipReason(BuildContext c) {
        return c.options().compile() ? null : "--no-compile";
    }

    @Override
    public void run(BuildContext c) {
        MavenProject.compile(c.config(), c.console());
    }
}

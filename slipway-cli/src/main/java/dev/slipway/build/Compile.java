package dev.slipway.build;

import dev.slipway.pipeline.NamedStep;
import java.io.IOException;
import java.util.Optional;

/**
 * Build step: runs the build command ({@code build.command}, else Maven's or Gradle's), unless
 * {@code --no-compile}, or unless nothing it reads changed since the last build and what that
 * build made is still in place ({@link BuildInputs}): then it says so and skips it.
 */
final class Compile extends NamedStep<BuildContext> {
    Compile() {
        super("build command");
    }

    @Override
    public String skipReason(BuildContext c) {
        return c.options().compile() ? null : "--no-compile";
    }

    @Override
    public void run(BuildContext c) throws IOException {
        BuildInputs.Fingerprint inputs = BuildInputs.fingerprint(c.config(), c.env());
        Optional<Integer> outputs = BuildInputs.unchanged(c.config(), inputs);
        if (outputs.isPresent()) {
            c.console().progress("build command skipped: its inputs (" + inputs.files() + " files of "
                    + c.config().serviceDir().getFileName() + ", by content) did not change since the last build, whose "
                    + outputs.get() + " output files are in place (" + BuildInputs.RECORD + ")");
            return;
        }
        BuildInputs.forget(c.config());
        MavenProject.compile(c.config(), c.console());
        c.compiledInputs = inputs;
    }
}

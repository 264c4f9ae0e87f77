package dev.slipway.release;

import dev.slipway.pipeline.NamedStep;
import dev.slipway.SlipwayException;
import dev.slipway.build.Exec;
import java.time.Duration;
import java.util.List;

/** Release step: runs {@code release.before} hooks in the service directory, in order; a failing hook stops the release. */
final class Hooks extends NamedStep<ReleaseContext> implements ReleaseStep {
    Hooks() {
        super("before hooks");
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

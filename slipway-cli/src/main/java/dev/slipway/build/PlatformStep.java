package dev.slipway.build;

import dev.slipway.pipeline.Step;

/**
 * A step of one platform's build ({@link BuildPipeline#PLATFORM_STEPS}): it describes itself as the
 * platform and what it makes ({@code linux-amd64 runtime}), so that a step class holds only what
 * it does.
 */
abstract class PlatformStep implements Step<PlatformContext> {
    private final String makes;

    /** @param makes what the step makes for the platform, e.g. {@code runtime} */
    PlatformStep(String makes) {
        this.makes = makes;
    }

    @Override
    public final String describe(PlatformContext c) {
        return c.platform + " " + makes;
    }
}

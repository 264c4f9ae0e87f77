package dev.slipway.release;

import dev.slipway.pipeline.Step;

/**
 * One stage of {@code slipway release}: a {@link Step} over the shared {@link ReleaseContext},
 * adding artifacts to its registry. Adding a stage means adding a step to {@link ReleasePipeline#steps}.
 */
public interface ReleaseStep extends Step<ReleaseContext> {
}

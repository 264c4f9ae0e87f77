package dev.slipway.release;

/**
 * One stage of {@code slipway release}, in the manner of GoReleaser's pipes: it describes itself,
 * says whether it is skipped, and runs over the shared {@link ReleaseContext}, adding artifacts to
 * its registry. Adding a stage means adding a step to {@link ReleasePipeline#steps}.
 */
public interface ReleaseStep {
    /** @return what the step does, one line, e.g. {@code checksums (sha256)} */
    String describe(ReleaseContext c);

    /** @return why the step is skipped, or {@code null} when it runs */
    default String skipReason(ReleaseContext c) {
        return null;
    }

    /**
     * Runs the step.
     *
     * @param c the shared context
     * @throws Exception any failure; the pipeline reports it (exit 1 unless a
     *                   {@link dev.slipway.SlipwayException} says otherwise)
     */
    void run(ReleaseContext c) throws Exception;
}

package dev.slipway.pipeline;

/**
 * One stage of a pipeline ({@code build}, {@code image}, {@code release}), in the manner of
 * GoReleaser's pipes: it describes itself, says whether it is skipped, and runs over the shared
 * context, taking values from it and putting new ones (builds, artifacts) into it. A stage is one
 * class in one file; adding one means adding it to its pipeline's list.
 *
 * @param <C> the context of its pipeline
 */
public interface Step<C extends Context> {
    /**
     * @param c the shared context
     * @return what the step does, one line, e.g. {@code checksums (sha256)}
     */
    String describe(C c);

    /**
     * @param c the shared context
     * @return why the step is skipped, or {@code null} when it runs (the default)
     */
    default String skipReason(C c) {
        return null;
    }

    /**
     * Runs the step.
     *
     * @param c the shared context
     * @throws Exception any failure; the {@link Pipeline} reports it (exit 1 unless a
     *                   {@link dev.slipway.SlipwayException} says otherwise)
     */
    void run(C c) throws Exception;
}

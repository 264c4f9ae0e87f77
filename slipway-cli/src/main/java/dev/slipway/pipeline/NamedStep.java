package dev.slipway.pipeline;

/**
 * A {@link Step} whose description is a fixed line, given once to the constructor, so that a step
 * class holds only what it does ({@link #run}) and, where it has one, its skip rule.
 *
 * @param <C> the context of its pipeline
 */
public abstract class NamedStep<C extends Context> implements Step<C> {
    private final String description;

    /** @param description what the step does, one line, e.g. {@code checksums (sha256)} */
    protected NamedStep(String description) {
        this.description = description;
    }

    @Override
    public final String describe(C c) {
        return description;
    }
}

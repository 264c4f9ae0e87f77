package dev.slipway.canary;

import java.nio.file.Path;

/**
 * Where a canary's {@link CanaryState} is kept between commands and across crashes. By default
 * the state file on the deploy machine ({@link #file}); the Kubernetes target keeps it on the
 * canary Deployment itself (an annotation), so that {@code slipway promote} or {@code abort} from
 * another machine continues the same canary.
 */
public interface CanaryStore {

    /**
     * @return the state, or {@code null} when no canary ever ran here
     * @throws dev.slipway.SlipwayException (exit 1) when the stored state is corrupt or cannot be read
     */
    CanaryState load();

    /**
     * Replaces the stored state atomically (a reader sees the old or the new state, never a mix).
     *
     * @param state the state
     * @throws dev.slipway.SlipwayException (exit 1) when it cannot be written
     */
    void save(CanaryState state);

    /** @return where the state is, for messages (a path, or {@code deployment/x annotation y}) */
    String where();

    /**
     * @param file the state file ({@link CanaryState#file})
     * @return a store over that file, rewritten atomically (temp file, rename(2))
     */
    static CanaryStore file(Path file) {
        return new CanaryStore() {
            @Override
            public CanaryState load() {
                return CanaryState.load(file);
            }

            @Override
            public void save(CanaryState state) {
                state.save(file);
            }

            @Override
            public String where() {
                return file.toString();
            }
        };
    }
}

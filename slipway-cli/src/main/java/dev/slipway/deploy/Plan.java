package dev.slipway.deploy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a deploy will do, as a value: an ordered list of steps, each with a description. It is
 * printed by {@code --dry-run} and executed by {@link #execute}.
 */
public final class Plan {
    /** An effect of a plan step; may throw {@code SlipwayException}. */
    @FunctionalInterface
    public interface Action {
        /** Performs the step. */
        void run() throws Exception;
    }

    /**
     * One step.
     *
     * @param description what it does, in the imperative, e.g. {@code switch current -> releases/1.2.0}
     * @param action      the effect
     */
    public record Step(String description, Action action) {}

    private final List<Step> steps = new ArrayList<>();

    /**
     * Adds a step.
     *
     * @return this plan
     */
    public Plan add(String description, Action action) {
        steps.add(new Step(description, action));
        return this;
    }

    /** @return the steps in order */
    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** @return the step descriptions, numbered from 1, one per line */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("%2d. %s%n", i + 1, steps.get(i).description()));
        }
        return sb.toString();
    }

    /**
     * Runs the steps in order and stops at the first failure.
     *
     * @throws Exception the failing step's exception
     */
    public void execute() throws Exception {
        for (Step step : steps) {
            step.action().run();
        }
    }
}

package dev.slipway.pipeline;

import dev.slipway.SlipwayException;
import java.util.List;

/**
 * An ordered list of steps over one context, run top to bottom: a skipped step says why, a
 * failing one stops the run. {@code build}, {@code image} and {@code release} are pipelines, each
 * listed in one place ({@code BuildPipeline.STEPS}, {@code ImagePipeline.STEPS},
 * {@code ReleasePipeline.steps}).
 *
 * @param name     the pipeline's name, for failures ({@code build failed: ...})
 * @param steps    the steps in order
 * @param announce whether each step is announced ({@code • describe}) on the console; quiet
 *                 pipelines print their own progress
 * @param <C>      the context type
 */
public record Pipeline<C extends Context>(String name, List<Step<C>> steps, boolean announce) {

    /** Copies the list. */
    public Pipeline {
        steps = List.copyOf(steps);
    }

    /**
     * Runs every step that is not skipped, in order.
     *
     * @param c the shared context
     * @throws SlipwayException what a step threw, or exit 1 ({@code "<step> failed: ..."} when
     *                          announced, else {@code "<name> failed: ..."}) for any other failure
     */
    public void run(C c) {
        for (Step<C> step : steps) {
            String skip = step.skipReason(c);
            if (skip != null) {
                if (announce) {
                    c.console().progress("• " + step.describe(c) + ": skipped (" + skip + ")");
                }
                continue;
            }
            if (announce) {
                c.console().progress("• " + step.describe(c));
            }
            try {
                step.run(c);
                dev.slipway.Trace.mark(name + ": " + step.describe(c));
            } catch (SlipwayException e) {
                throw e;
            } catch (Exception e) {
                throw SlipwayException.failed((announce ? step.describe(c) : name) + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * @param c a context
     * @return each step's description, in order (what {@code --dry-run}-like listings and tests show)
     */
    public List<String> describe(C c) {
        return steps.stream().map(s -> s.describe(c)).toList();
    }
}

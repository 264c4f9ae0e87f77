package dev.slipway.deploy.kubernetes;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.analysis.Analysis;
import dev.slipway.analysis.AnalysisResult;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.analysis.Sleeper;
import dev.slipway.analysis.Verdict;
import dev.slipway.config.CanaryConfig;
import dev.slipway.config.SlipwayConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A canary release on Kubernetes, step by step with the analysis engine ({@link Analysis}): the
 * steps of {@code canary.steps} set the weight as a replica split ({@link CanarySplit}; the report
 * gives the real weight of each step), then pause or analyse the canary's metrics in the
 * configured Prometheus ({@code canary.prometheus}, {@code canary.metrics}; {@code track} is
 * {@code canary}). A failed analysis aborts (canary to 0 at once), an inconclusive one pauses with
 * the canary running (exit 3: {@code promote} or {@code abort} decides), and after the last step
 * (or a step of weight 100) the canary is promoted.
 */
public final class KubernetesCanary {
    private final SlipwayConfig config;
    private final KubernetesTarget target;
    private final PrometheusClient prometheus;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Console console;

    /**
     * @param config     the service configuration ({@code canary} steps and metrics)
     * @param target     the Kubernetes target
     * @param prometheus the Prometheus the metrics are queried in
     * @param clock      the analysis clock
     * @param sleeper    waits for pauses and between measurements
     * @param console    progress
     */
    public KubernetesCanary(SlipwayConfig config, KubernetesTarget target, PrometheusClient prometheus, Clock clock,
                            Sleeper sleeper, Console console) {
        this.config = config;
        this.target = target;
        this.prometheus = prometheus;
        this.clock = clock;
        this.sleeper = sleeper;
        this.console = console;
    }

    /**
     * One step as it ran.
     *
     * @param weight   the requested weight
     * @param split    the replica split, with the real weight
     * @param analysis the analysis, or {@code null} for a pause step
     */
    public record StepReport(int weight, CanarySplit split, AnalysisResult analysis) {}

    /**
     * The whole run.
     *
     * @param steps   the steps that ran
     * @param outcome {@code promoted}, {@code aborted} or {@code paused}
     * @param message one line for the user
     */
    public record Report(List<StepReport> steps, String outcome, String message) {
        /** @return 0 promoted, 1 aborted, 3 paused */
        public int exitCode() {
            return switch (outcome) {
                case "promoted" -> 0;
                case "aborted" -> SlipwayException.FAILED;
                default -> SlipwayException.INCONCLUSIVE;
            };
        }
    }

    /**
     * Runs the canary steps for a release.
     *
     * @param release the canary release
     * @return the report; the exit code says promoted, aborted or paused
     * @throws SlipwayException exit 2 for a usage error (no stable Deployment, a canary running),
     *                          exit 1 when the canary did not become available (aborted)
     * @throws InterruptedException when interrupted during a pause or an analysis
     */
    public Report run(KubeRelease release) throws InterruptedException {
        CanaryConfig c = config.canary();
        List<StepReport> done = new ArrayList<>();
        boolean started = false;
        for (int i = 0; i < c.steps().size(); i++) {
            CanaryConfig.Step step = c.steps().get(i);
            if (step.weight() >= 100) {
                break;
            }
            int weight = Math.max(1, step.weight());
            CanarySplit split = started ? target.setWeight(weight) : target.canary(release, weight);
            started = true;
            console.progress("step " + (i + 1) + "/" + c.steps().size() + ": " + split.describe());
            AnalysisResult analysis = null;
            if (step.analysis()) {
                Map<String, String> vars = new LinkedHashMap<>(c.vars());
                vars.put("service", config.name());
                vars.put("track", "canary");
                // The window starts at this step's split; too few requests in it is inconclusive (canary.minRequests).
                analysis = Analysis.run(c.metrics(), vars, c.requests(), prometheus, clock, clock.instant(), sleeper,
                        m -> console.progress("  " + m.metric() + " = " + (m.value() == null ? "no value"
                                : dev.slipway.analysis.MetricCheck.fmt(m.value())) + " (" + m.verdict().label() + ")"));
                done.add(new StepReport(step.weight(), split, analysis));
                if (analysis.verdict() == Verdict.FAIL) {
                    target.abort();
                    return new Report(done, "aborted", "canary " + release.version() + " aborted at step " + (i + 1)
                            + " (real weight " + fmt(split.realPercent()) + "): " + analysis.message());
                }
                if (analysis.verdict() == Verdict.INCONCLUSIVE) {
                    return new Report(done, "paused", "canary " + release.version() + " paused at step " + (i + 1)
                            + " (real weight " + fmt(split.realPercent()) + "): " + analysis.message()
                            + "; 'slipway promote --to kubernetes' or 'slipway abort --to kubernetes' decides");
                }
            } else {
                done.add(new StepReport(step.weight(), split, null));
                sleeper.sleepUntil(clock, clock.instant().plus(step.pause()));
            }
        }
        if (!started) {
            throw SlipwayException.usage("canary.steps has no step below weight 100: nothing to try the canary at");
        }
        KubernetesTarget.Outcome o = target.promote();
        return new Report(done, "promoted", "canary " + release.version() + " promoted: " + o.deployment()
                + " revision " + o.revision() + " runs " + o.version());
    }

    private static String fmt(double percent) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", percent);
    }
}

package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.kubernetes.CanarySplit;
import dev.slipway.deploy.swarm.SwarmTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The swarm target's canary: a second Swarm service {@code <service>-canary} beside the stable one,
 * from the same spec with the canary's image and {@code TRACK=canary}, its tasks on the node's
 * network on the port prefix the stable service does not use ({@code deploy.swarm.portPrefixes}), so
 * the proxy in front that lists both prefixes' ports sends them their share. The weight is a task
 * ratio, as Kubernetes' pod ratio ({@link CanarySplit#surge}: canary tasks beside the stable ones,
 * which never shrink; the real weight is printed). The state is the state file on the deploy
 * machine ({@code .slipway/swarm/canary.json}).
 *
 * <p>Promote: the canary service is removed (its tasks free their ports, which the stable service's
 * next release takes), then the stable service is updated to the canary's image by Swarm's rolling
 * update (start-first, health-gated; Swarm rolls it back on a failure). Abort: the canary service is
 * removed, and when the stable service does not serve the stable release (a crash in the middle of a
 * promotion, a failed bake) it is rolled back to it.
 */
public final class SwarmCanaryTarget implements CanaryTarget {
    private final SlipwayConfig config;
    private final Console console;
    private final SwarmTarget swarm;

    /**
     * @param config  the service configuration ({@code deploy.swarm}, with {@code network: host} and
     *                {@code portPrefixes})
     * @param console progress output
     * @param swarm   the swarm target, over a swarm manager's engine
     * @throws SlipwayException (exit 2) without {@code network: host} and {@code portPrefixes}
     */
    public SwarmCanaryTarget(SlipwayConfig config, Console console, SwarmTarget swarm) {
        swarm.requireCanaryLayout();
        this.config = config;
        this.console = console;
        this.swarm = swarm;
    }

    @Override
    public String name() {
        return SwarmTarget.NAME;
    }

    @Override
    public String stableVersion() {
        return swarm.servingVersion();
    }

    @Override
    public void deployStable(Release release) {
        deploy(release);
    }

    @Override
    public void deployCanary(Release release) {
        swarm.putCanary(release.executable().toString(), release.version(), release.commit(), 0);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The canary service gets {@link CanarySplit#surge}'s task count beside the stable replicas
     * (at most as many as stable: 50 %), and each step waits, bounded by {@code deploy.swarm.rolloutTimeout},
     * until those tasks run healthy.
     */
    @Override
    public void setWeight(int percent) {
        int stable = config.swarm().replicas();
        CanarySplit split = CanarySplit.surge(stable, percent);
        swarm.scaleCanary(split.canary());
        if (split.canary() == 0) {
            console.progress("  " + swarm.canaryName() + " scaled to 0 tasks: no canary traffic");
            return;
        }
        String version = swarm.canaryVersion();
        swarm.awaitCanary(version, split.canary(), config.swarm().rolloutTimeout()).ifPresent(why -> {
            throw new CanaryNotReady(why);
        });
        console.progress("  " + split.canary() + " canary task" + (split.canary() == 1 ? "" : "s") + " beside " + stable
                + " stable: real weight " + String.format(java.util.Locale.ROOT, "%.1f%%", split.realPercent())
                + " (requested " + percent + "%)");
    }

    @Override
    public void promote(Release release) {
        swarm.removeCanary();
        deploy(release);
    }

    @Override
    public void abort(String stableVersion) {
        swarm.removeCanary();
        String serving = swarm.servingVersion();
        if (stableVersion != null && serving != null && !serving.equals(stableVersion)) {
            console.progress("  " + config.swarm().service() + " serves " + serving + ", not the stable " + stableVersion
                    + " (an interrupted promotion, or a failed bake): rolling it back");
            Report r = swarm.apply(swarm.rollback(new Target.RollbackTo(stableVersion, null, Duration.ZERO)));
            if (r.exitCode() != 0) {
                throw SlipwayException.failed(r.message());
            }
        }
    }

    @Override
    public List<String> problems(String stableVersion) {
        List<String> out = new ArrayList<>();
        if (!swarm.canaryTasks().isEmpty() || swarm.canaryVersion() != null) {
            out.add("the canary service " + swarm.canaryName() + " still exists");
        }
        String serving = swarm.servingVersion();
        if (stableVersion != null && !stableVersion.equals(serving)) {
            out.add(config.swarm().service() + " serves " + (serving == null ? "nothing" : serving) + ", not " + stableVersion);
        } else if (stableVersion != null && swarm.runningTasks(stableVersion) < config.swarm().replicas()) {
            out.add(swarm.runningTasks(stableVersion) + " of " + config.swarm().replicas() + " tasks of "
                    + config.swarm().service() + " run " + stableVersion + " healthy");
        }
        return out;
    }

    @Override
    public List<String> describe() {
        List<String> out = new ArrayList<>(swarm.status().lines());
        out.addAll(swarm.canaryTasks());
        return out;
    }

    /** Deploys {@code release}'s image to the stable service (Swarm's rolling update); exit 1 when it did not converge. */
    private void deploy(Release release) {
        Report r = swarm.apply(swarm.planImage(release.executable().toString(), release.version(), release.commit()));
        if (r.exitCode() != 0) {
            throw SlipwayException.failed(r.message());
        }
    }
}

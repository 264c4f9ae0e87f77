package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.hosts.HostsTarget;
import dev.slipway.deploy.hosts.SshConnector;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import java.util.List;
import java.util.function.Supplier;

/**
 * Opens a {@link CanaryTarget} by name, as {@code deploy.Targets} opens a deploy target: the one
 * place that knows which class serves {@code canary --to local}, {@code --to hosts} and
 * {@code --to kubernetes}, what each holds open (the nginx proxy's host, the cluster's client), and
 * which release a new canary gets.
 */
public final class CanaryTargets {
    /** The targets a canary runs on, in the order help and errors list them. */
    public static final List<String> NAMES = List.of("local", "hosts", "kubernetes");

    private CanaryTargets() {}

    /**
     * An opened canary target; closing it closes what it holds open.
     *
     * @param target  the target
     * @param release the release a new canary gets: the last build ({@code local}, {@code hosts}) or
     *                the last image ({@code kubernetes}); read only when a canary starts
     * @param api     how a call reaches the target: on kubernetes every API error becomes exit 1 with the
     *                API's message; elsewhere the call as it is
     * @param opened  what to close
     */
    public record Session(CanaryTarget target, Supplier<Release> release, Api api, AutoCloseable opened)
            implements AutoCloseable {
        /**
         * @param call what to run against the target
         * @param <T>  its result type
         * @return its result
         */
        public <T> T call(Supplier<T> call) {
            return api.call(call);
        }

        @Override
        public void close() {
            try {
                opened.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw SlipwayException.failed("cannot close the " + target.name() + " canary target: " + e.getMessage(), e);
            }
        }
    }

    /** How calls reach a target (see {@link Session#api}). */
    public interface Api {
        /**
         * @param call what to run
         * @param <T>  its result type
         * @return its result
         */
        <T> T call(Supplier<T> call);
    }

    /**
     * Opens the canary target {@code name}.
     *
     * @param name    {@code local}, {@code hosts} or {@code kubernetes}
     * @param config  the service configuration
     * @param console progress output
     * @param image   kubernetes: the image for a new canary ({@code deploy --canary --image}), or
     *                {@code null} as a deploy resolves it; ignored elsewhere
     * @return the session; close it
     * @throws SlipwayException (exit 2) for a target that has no canaries (saying which do), an
     *                          unknown name (the closest target named), or a target without its configuration
     */
    public static Session open(String name, SlipwayConfig config, Console console, String image) {
        Supplier<Release> lastBuild = () -> Release.fromDist(config);
        Api direct = Supplier::get;
        switch (name) {
            case "kubernetes" -> {
                KubernetesTarget t = KubernetesTarget.connect(config, console);
                try {
                    return new Session(new KubernetesCanaryTarget(config, console, t),
                            () -> KubernetesCanaryTarget.release(config.name(), KubeRelease.resolve(config, image)), t::api, t);
                } catch (RuntimeException e) {
                    t.close();
                    throw e;
                }
            }
            case "hosts" -> {
                HostsTarget hosts = SshConnector.target(config, console, List.of());
                Host proxy = SshConnector.canaryProxy(config);
                try {
                    return new Session(new HostsCanaryTarget(config, console, hosts, proxy), lastBuild, direct, proxy);
                } catch (RuntimeException e) {
                    proxy.close();
                    throw e;
                }
            }
            case "local" -> {
                LocalHost proxy = new LocalHost("local");
                try {
                    return new Session(new LocalCanaryTarget(config, console, proxy), lastBuild, direct, proxy);
                } catch (RuntimeException e) {
                    proxy.close();
                    throw e;
                }
            }
            default -> {
                dev.slipway.deploy.Targets.requireKnown(name); // an unknown name: "did you mean", every target listed
                throw SlipwayException.usage("canaries work with --to " + String.join(", ", NAMES) + "; " + name
                        + " has none yet (deploy there with 'slipway deploy --to " + name + "'); nothing was changed");
            }
        }
    }
}

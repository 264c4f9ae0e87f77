package dev.slipway.canary;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.analysis.AnalysisResult;
import dev.slipway.analysis.Measurement;
import dev.slipway.analysis.MetricCheck;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.hosts.HostsTarget;
import dev.slipway.deploy.hosts.SshConnector;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import dev.slipway.deploy.swarm.SwarmTarget;
import dev.slipway.remote.DockerEngine;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import java.util.List;
import java.util.function.Supplier;

/**
 * Opens a {@link CanaryTarget} by name, as {@code deploy.Targets} opens a deploy target: the one
 * place that knows which class serves {@code canary --to local}, {@code --to hosts} and
 * {@code --to kubernetes} and {@code --to swarm}, what each holds open (the nginx proxy's host, the
 * cluster's client), and which release a new canary gets.
 */
public final class CanaryTargets {
    /** The targets a canary runs on, in the order help and errors list them. */
    public static final List<String> NAMES = List.of("local", "hosts", "kubernetes", "swarm");

    private CanaryTargets() {}

    /**
     * An opened canary target; closing it closes what it holds open.
     *
     * @param target  the target
     * @param release the release a new canary gets: the last build ({@code local}, {@code hosts}) or
     *                the last image ({@code kubernetes}, {@code swarm}: its reference is the release's
     *                {@code executable}); read only when a canary starts
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
     * Why a service with no port ({@code readiness.type: process}, a worker) has no canary on any
     * target: a canary sends a share of the requests to the new release and judges it by their
     * metrics; a worker takes no requests, so there is nothing to send it or to judge.
     *
     * @param target the canary target asked for
     * @return the refusal's words, naming how to deploy such a service instead
     */
    public static String noCanaryWithoutPort(String target) {
        String instead = target.equals("local") || target.equals("hosts") ? "'slipway deploy --to " + target + "'"
                : "'slipway deploy' to the local or hosts target (the " + target + " target does not run such services yet)";
        return "service.readiness.type is process (a service with no port): a canary sends a share of the requests to"
                + " the new release, and a service with no port takes none, so it has no canary on any target; deploy it"
                + " with " + instead + "; nothing was changed";
    }

    /**
     * Opens the canary target {@code name}.
     *
     * @param name    {@code local}, {@code hosts}, {@code kubernetes} or {@code swarm}
     * @param config  the service configuration
     * @param console progress output
     * @param image   kubernetes and swarm: the image for a new canary ({@code deploy --canary --image}), or
     *                {@code null} as a deploy resolves it; ignored elsewhere
     * @return the session; close it
     * @throws SlipwayException (exit 2) for a service with no port ({@link #noCanaryWithoutPort}, at
     *                          {@code service.readiness.type}), a target that has no canaries (saying which
     *                          do), an unknown name (the closest target named), or a target without its configuration
     */
    public static Session open(String name, SlipwayConfig config, Console console, String image) {
        if (NAMES.contains(name)) {
            // Before the target's own settings (canary.local.stable, canary.hosts): none of them helps a worker.
            SlipwayConfig.Probe.refuseWithoutPort(config, noCanaryWithoutPort(name));
        }
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
            case "swarm" -> {
                // The deploys a canary makes are its progress: stdout is the canary's report (--json).
                SwarmTarget t = new SwarmTarget(config, DockerEngine.fromEnv(System::getenv),
                        new Console(console.err(), console.err(), console.interactive()));
                return new Session(new SwarmCanaryTarget(config, console, t), () -> KubernetesCanaryTarget.release(
                        config.name(), KubeRelease.resolve(config, image, "deploy.swarm.image", config.swarm().image())),
                        direct, t);
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

    /**
     * {@code slipway status}: what the deploy target reports, with the canary on it. The canary's
     * lines (phase, step, weight, each metric's last value and verdict, from the state file) follow
     * the target's; on {@code local}, while the canary's instances run, they are what serves and the
     * report lists them ({@link LocalCanaryTarget#status}); on {@code hosts} the traffic split as
     * last applied ({@link HostsCanaryTarget#upstreamLine}) follows. Connects to nothing beyond what
     * {@link Target#status} does.
     *
     * @param target the deploy target, open
     * @param config the service configuration
     * @param canary whether to read the canary at all ({@code false} on a configuration rebuilt from a
     *               recorded state, which has no canary steps)
     * @return the report to print; its exit code is the target's (or, on local while the canary's
     *         instances run, theirs)
     */
    public static Report status(Target target, SlipwayConfig config, boolean canary) {
        Report plain = target.status();
        List<String> lines = canary && NAMES.contains(target.name()) ? stateLines(config, target.name()) : List.of();
        if (lines.isEmpty()) {
            return plain;
        }
        try (LocalHost here = new LocalHost("local")) {
            CanaryTarget t = forStatus(target.name(), config, here);
            return t == null ? plain.withLines(lines) : t.status(plain, lines);
        }
    }

    /**
     * @return the canary target {@code name} made for {@link CanaryTarget#status} only, reaching no
     *         host (on hosts its proxy is one that refuses every command); {@code null} for a target
     *         whose canary is not configured (its state lines alone are shown) or that has no such class
     */
    private static CanaryTarget forStatus(String name, SlipwayConfig config, LocalHost here) {
        Console quiet = new Console(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()), false);
        try {
            return switch (name) {
                case "local" -> new LocalCanaryTarget(config, quiet, here);
                case "hosts" -> new HostsCanaryTarget(config, quiet, null, NO_HOST);
                default -> null;
            };
        } catch (SlipwayException e) {
            return null; // not configured (exit 2 for a canary command): status shows the state lines alone
        }
    }

    /** The proxy of a hosts canary target made for status: it must reach no host. */
    private static final Host NO_HOST = new Host() {
        @Override
        public String name() {
            return "proxy (not connected for status)";
        }

        @Override
        public CommandResult run(String command, java.time.Duration timeout) {
            throw new IllegalStateException("status reaches no canary proxy");
        }

        @Override
        public void upload(java.nio.file.Path local, String remotePath, int mode, Progress progress) {
            throw new IllegalStateException("status reaches no canary proxy");
        }

        @Override
        public void write(byte[] content, String remotePath, int mode) {
            throw new IllegalStateException("status reaches no canary proxy");
        }

        @Override
        public void close() {}
    };

    /**
     * The canary's phase, step, weight, each metric's last value and verdict, from its state file.
     *
     * @param config the service configuration
     * @param target the canary target's name
     * @return the lines, empty when no canary ran on that target (or it keeps its state elsewhere)
     */
    static List<String> stateLines(SlipwayConfig config, String target) {
        CanaryState s = CanaryState.load(CanaryState.file(config.serviceDir(), target));
        if (s == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        int steps = config.canary().steps().size();
        if (s.phase() == CanaryState.Phase.PROMOTED && s.stableVersion() == null) {
            out.add("canary     none yet; " + s.canaryVersion() + " deployed to the stable instances (the first release:"
                    + " nothing to compare a canary with)");
        } else if (s.phase() == CanaryState.Phase.PROMOTED) {
            out.add("canary     " + s.canaryVersion() + " promoted after " + s.steps().stream()
                    .filter(x -> !"bake".equals(x.kind())).count() + "/" + steps
                    + (steps == 1 ? " step" : " steps") + "; it is the stable release now (was " + s.stableVersion() + ")");
        } else {
            out.add("canary     " + s.canaryVersion() + " " + s.phase().name().toLowerCase() + ", step "
                    + Math.min(s.step() + 1, steps) + "/" + steps
                    + ", weight " + s.weight() + " % (stable " + (s.stableVersion() == null ? "-" : s.stableVersion()) + ")");
        }
        out.add("           " + s.message());
        if (!s.steps().isEmpty()) {
            AnalysisResult a = s.steps().get(s.steps().size() - 1).analysis();
            if (a != null) {
                java.util.Map<String, Measurement> lastBy = new java.util.LinkedHashMap<>();
                a.measurements().forEach(m -> lastBy.put(m.metric(), m));
                lastBy.values().forEach(m -> out.add("  metric   " + m.metric() + " = "
                        + (m.value() == null ? "no value" : MetricCheck.fmt(m.value())) + " (" + m.verdict().label()
                        + ", " + m.time() + ")"));
            }
        }
        return out;
    }
}

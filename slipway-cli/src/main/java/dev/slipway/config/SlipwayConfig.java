package dev.slipway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The resolved contents of a service's {@code slipway.yaml}, with every default filled in.
 *
 * <p>Parsed by {@link ConfigLoader}; the reference for each key is {@code docs/config.md}.
 *
 * @param file    the file this was read from
 * @param name    the service name: names the executable, archives, and state (required,
 *                {@code [a-z0-9][a-z0-9._-]*})
 * @param version a fixed version, or {@code null} to derive it from {@code git describe}
 * @param main    the main class, or {@code null} to read {@code Main-Class} from the jar manifest
 * @param platforms the target platforms ({@code os-arch}), after {@code ignore} rules; default the host
 * @param build   how to build the service's jars and link its runtime
 * @param profiles build profiles by name, in file order (Go's build tags)
 * @param train   the training run that makes the AOT/CDS cache at build time
 * @param service how the service runs: port, env, probes, drain timeout
 * @param local   settings of the {@code local} deploy target
 * @param release what {@code slipway release} makes and where it publishes
 * @param warnings warnings about the file (deprecated keys), each {@code file:line:col: warning: ...}
 * @param image   what {@code slipway image} puts into the OCI image and where it pushes
 * @param canary  canary releases: steps, analysis metrics, Prometheus, the nginx traffic split
 * @param hosts   the {@code hosts} deploy target ({@code deploy.hosts}), or {@code null} when not configured
 * @param kubernetes settings of the {@code kubernetes} deploy target ({@code deploy.kubernetes})
 */
public record SlipwayConfig(Path file, String name, String version, String main, List<String> platforms,
                            Build build, Map<String, Profile> profiles, Train train, Service service, Local local,
                            ReleaseConfig release, List<String> warnings, ImageConfig image, CanaryConfig canary,
                            HostsConfig hosts, KubernetesConfig kubernetes) {

    /** The directory that holds {@code slipway.yaml}: the service's root. */
    public Path serviceDir() {
        return file.toAbsolutePath().getParent();
    }

    /**
     * How the service's jars are built and its runtime is linked.
     *
     * @param command    the build command run in the service directory, as argv
     * @param jar        the application jar relative to the service directory, or {@code null}
     *                   to find the single runnable jar under {@code target/}
     * @param modules    JDK modules added to those that jdeps and the module rules find; with
     *                   {@code detectModules} false, the whole module set
     * @param excludeModules JDK modules to leave out although jdeps finds them (code paths the app
     *                   never runs, such as a library's optional GUI); {@code java.base} cannot be left out
     * @param jvmOptions options baked into the launcher, before {@code $JAVA_OPTS}
     * @param jdk        the JDK whose {@code jlink} and {@code jmods/} link the runtime, or
     *                   {@code null} for {@code $JAVA_HOME}, then the JDK running Slipway
     * @param targetJdks per platform ({@code linux-arm64}), a JDK of that platform whose
     *                   {@code jmods/} are linked; the host platform uses {@code jdk}
     * @param defaultsResource the class path resource that receives the active profiles'
     *                   {@code defaults}, e.g. {@code slipway-defaults.properties}
     * @param detectModules whether jdeps and the module rules choose the modules (default true);
     *                   false links exactly {@code modules} (plus java.base)
     */
    public record Build(List<String> command, String jar, List<String> modules, List<String> excludeModules,
                        List<String> jvmOptions, Path jdk, Map<String, Path> targetJdks, String defaultsResource,
                        boolean detectModules) {}

    /**
     * A build profile, the Java form of a Go build tag: extra class path entries, resources and
     * baked-in default settings, for some platforms.
     *
     * @param name      the profile name, e.g. {@code production}
     * @param isDefault whether it applies when no {@code --profile} is given
     * @param always    whether it applies whatever {@code --profile} selects (e.g. native jars per platform)
     * @param platforms platform patterns it applies to: {@code linux-arm64}, {@code linux-*}, {@code *}
     * @param defaults  settings written to {@link Build#defaultsResource()} (later profiles win)
     * @param classpath extra jars, absolute
     * @param resources a directory whose files join the class path, or {@code null}
     */
    public record Profile(String name, boolean isDefault, boolean always, List<String> platforms, Map<String, String> defaults,
                          List<Path> classpath, Path resources) {
        /** @return whether this profile applies to {@code platform} ({@code os-arch}) */
        public boolean appliesTo(String platform) {
            return platforms.stream().anyMatch(glob -> glob.equals("*") || glob.equals(platform)
                    || glob.endsWith("-*") && platform.startsWith(glob.substring(0, glob.length() - 1)));
        }
    }

    /**
     * The training run at build time (see {@code dev.slipway.build.Training}).
     *
     * @param enabled whether to train (default true)
     * @param urls    paths requested once the app is ready; empty for a program that is not a
     *                server, which then runs with {@code args} until it exits
     * @param args    program arguments of the training run
     * @param env     extra environment of the training run (it gets PORT, ADDR and DATA_DIR)
     * @param timeout the longest the training run may take to become ready, and to exit
     */
    public record Train(boolean enabled, List<String> urls, List<String> args, Map<String, String> env,
                        Duration timeout) {}

    /**
     * How the service runs.
     *
     * @param port         the TCP port the service listens on, passed as {@code PORT}
     * @param env          environment variables for the service
     * @param readiness    the readiness probe used as the deploy's health gate
     * @param liveness     the liveness probe
     * @param drainTimeout how long a stop waits after SIGTERM before SIGKILL
     */
    public record Service(int port, Map<String, String> env, Probe readiness, Probe liveness,
                          Duration drainTimeout) {}

    /**
     * An HTTP probe, in the sense of Kubernetes' readiness and liveness probes.
     *
     * @param path         the HTTP path, e.g. {@code /health/ready}
     * @param interval     time between two attempts
     * @param timeout      how long the probe may keep failing before the gate fails
     * @param startupGrace time to wait after start before the first attempt
     */
    public record Probe(String path, Duration interval, Duration timeout, Duration startupGrace) {}

    /**
     * The {@code local} deploy target: this machine.
     *
     * @param address the address the service binds and is probed on
     * @param retain  how many releases to keep under {@code .slipway/local/releases}
     */
    public record Local(String address, int retain) {}
}

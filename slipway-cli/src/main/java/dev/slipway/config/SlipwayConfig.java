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
 * @param swarm   settings of the {@code swarm} deploy target ({@code deploy.swarm})
 * @param dist    the output directory, absolute: {@code dist/} in the service directory (GoReleaser's
 *                convention), or the Maven plugin's {@code outputDirectory} ({@link #withDist})
 */
public record SlipwayConfig(Path file, String name, String version, String main, List<String> platforms,
                            Build build, Map<String, Profile> profiles, Train train, Service service, Local local,
                            ReleaseConfig release, List<String> warnings, ImageConfig image, CanaryConfig canary,
                            HostsConfig hosts, KubernetesConfig kubernetes, SwarmConfig swarm, Path dist) {

    /** The output directory's name in the service directory, unless another is given ({@link #withDist}). */
    public static final String DIST = "dist";

    /**
     * The same configuration writing to (and reading the build from) another output directory; the
     * Maven plugin puts it under {@code target/} so that {@code mvn clean} removes it.
     *
     * @param dir the output directory (made absolute)
     * @return a copy with that {@link #dist()}
     */
    public SlipwayConfig withDist(Path dir) {
        return new SlipwayConfig(file, name, version, main, platforms, build, profiles, train, service, local, release,
                warnings, image, canary, hosts, kubernetes, swarm, dir.toAbsolutePath().normalize());
    }

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
     * @param jvmOptions options baked into the launcher, before {@code $JAVA_OPTS}; may hold
     *                   {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}} ({@link References})
     * @param jdk        the JDK whose {@code jlink} and {@code jmods/} link the runtime, or
     *                   {@code null} for {@code $JAVA_HOME}, then the JDK running Slipway
     * @param targetJdks per platform ({@code linux-arm64}), a JDK of that platform whose
     *                   {@code jmods/} are linked; the host platform uses {@code jdk}
     * @param defaultsResource the class path resource that receives the active profiles'
     *                   {@code defaults}, e.g. {@code slipway-defaults.properties}
     * @param detectModules whether jdeps and the module rules choose the modules (default true);
     *                   false links exactly {@code modules} (plus java.base)
     * @param lib        the directory of the runtime dependency jars relative to the service
     *                   directory, or {@code null} to take them from the detected build output
     *                   (see {@code dev.slipway.build.BuildOutputs})
     * @param files      extra files or directories relative to the service directory, copied into
     *                   the layout root under the same relative path; none starts with
     *                   {@code runtime/}, {@code app/} or {@code bin/}
     */
    public record Build(List<String> command, String jar, List<String> modules, List<String> excludeModules,
                        List<String> jvmOptions, Path jdk, Map<String, Path> targetJdks, String defaultsResource,
                        boolean detectModules, String lib, List<String> files) {}

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
     * @param args    program arguments of the training run, after {@code service.args}
     * @param env     environment of the training run after {@code service.env} (it also gets PORT,
     *                ADDR and DATA_DIR, which it may not set); values as written, see {@link References}
     * @param timeout the longest the training run may take to become ready, and to exit
     */
    public record Train(boolean enabled, List<String> urls, List<String> args, Map<String, String> env,
                        Duration timeout) {}

    /**
     * How the service runs.
     *
     * @param port         the TCP port the service listens on, passed as {@code PORT}
     * @param env          environment variables for the service, as written: their values may hold
     *                     {@code ${PORT}} and {@code ${ADDR}}, expanded per instance ({@link References})
     * @param args         program arguments baked into the launcher after the main class, before the
     *                     user's own; may hold {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}}
     * @param readiness    the readiness probe used as the deploy's health gate
     * @param liveness     the liveness probe
     * @param drainTimeout how long a stop waits after SIGTERM before SIGKILL
     * @param path         {@code service.path}: the path the service's routes are under, with a leading
     *                     and a trailing {@code /} ({@code /} or e.g. {@code /api/}); the URLs Slipway
     *                     prints end in it
     * @param scheme       {@code service.scheme}: what the service port speaks, {@code http} or {@code https}
     *                     (HTTPS only, with tcp probes); the URLs Slipway prints of an instance start with it
     */
    public record Service(int port, Map<String, String> env, List<String> args, Probe readiness, Probe liveness,
                          Duration drainTimeout, String path, String scheme) {
        /**
         * @return the scheme of the address Slipway prints of an instance: {@code grpc} for a gRPC
         *         server (a {@code grpc} readiness probe on a cleartext port: clients such as grpcurl
         *         take {@code host:port} with plaintext), else {@link #scheme()}
         */
        public String urlScheme() {
            return readiness.grpc() && scheme.equals("http") ? "grpc" : scheme;
        }

        /**
         * @return what follows {@code host:port} in the address Slipway prints: {@link #path()}, or
         *         nothing for a gRPC server (its calls name {@code /package.Service/Method})
         */
        public String urlPath() {
            return urlScheme().equals("grpc") ? "" : path;
        }
    }

    /**
     * A probe, in the sense of Kubernetes' readiness and liveness probes: an HTTP GET that passes on
     * a 2xx answer, a TCP connection that passes when the port accepts it, or a gRPC health check
     * (grpc.health.v1) that passes on {@code SERVING}.
     *
     * @param type         what an attempt is
     * @param path         the HTTP path, e.g. {@code /health/ready}; {@code null} for {@link Type#TCP}
     *                     and {@link Type#GRPC}
     * @param interval     time between two attempts
     * @param timeout      how long the probe may keep failing before the gate fails
     * @param startupGrace time to wait after start before the first attempt
     * @param service      the grpc.health.v1 service name a {@link Type#GRPC} probe asks about
     *                     ({@code ""}: the server as a whole, the health protocol's convention);
     *                     {@code null} for the other types
     */
    public record Probe(Type type, String path, Duration interval, Duration timeout, Duration startupGrace,
                        String service) {
        /** What one attempt of a probe is. */
        public enum Type {
            /** GET the path; a 2xx status passes (Kubernetes' {@code httpGet}). */
            HTTP,
            /** Open a TCP connection to the port; an accepted connection passes (Kubernetes' {@code tcpSocket}). */
            TCP,
            /**
             * Call {@code grpc.health.v1.Health/Check} over cleartext HTTP/2; status {@code SERVING}
             * passes (Kubernetes' {@code grpc} probe, since 1.24; grpc-health-probe's check).
             */
            GRPC,
            /**
             * No request at all, for a service that listens on no port (a queue consumer, a
             * scheduler, a batch worker): the gate passes when the service's process still runs
             * after the probe's {@code timeout}, its settle window, and fails when it exits (or, on
             * a host, systemd restarts it) within it. Kubernetes' counterpart is a Deployment
             * without probes and {@code minReadySeconds}; Swarm's a service without a health check.
             */
            PROCESS;

            /** @return the name in {@code slipway.yaml}: {@code http}, {@code tcp}, {@code grpc} or {@code process} */
            public String key() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /**
         * A probe of a type with no gRPC service name (an {@code http} or {@code tcp} probe, or a
         * {@code grpc} one asking about the whole server).
         *
         * @param type         what an attempt is
         * @param path         the HTTP path, or {@code null}
         * @param interval     time between two attempts
         * @param timeout      how long the probe may keep failing
         * @param startupGrace time to wait before the first attempt
         */
        public Probe(Type type, String path, Duration interval, Duration timeout, Duration startupGrace) {
            this(type, path, interval, timeout, startupGrace, type == Type.GRPC ? "" : null);
        }

        /**
         * An HTTP probe.
         *
         * @param path         the HTTP path
         * @param interval     time between two attempts
         * @param timeout      how long the probe may keep failing
         * @param startupGrace time to wait before the first attempt
         */
        public Probe(String path, Duration interval, Duration timeout, Duration startupGrace) {
            this(Type.HTTP, path, interval, timeout, startupGrace);
        }

        /** @return whether an attempt is a TCP connection rather than an HTTP GET */
        public boolean tcp() {
            return type == Type.TCP;
        }

        /** @return whether an attempt is a gRPC health check */
        public boolean grpc() {
            return type == Type.GRPC;
        }

        /**
         * @return whether the probe asks nothing of a port: a {@code process} probe, which passes when
         *         the process still runs after its {@link #timeout()} (the settle window)
         */
        public boolean process() {
            return type == Type.PROCESS;
        }

        /**
         * Why an image target ({@code kubernetes}, {@code swarm}) refuses a service with no port (a
         * {@code process} readiness probe): one wording for the configuration's checks, the
         * manifests and {@code slipway ship}.
         *
         * @param target the target's name
         * @return {@code service.readiness.type is process (...): the TARGET target does not run such services yet; ...}
         */
        public static String noPortRefusal(String target) {
            return "service.readiness.type is process (a service with no port): the " + target + " target does not"
                    + " run such services yet; deploy it with the local or hosts target";
        }

        /**
         * Refuses a command that needs a port (an image target, a canary) for a service with none.
         *
         * @param config the configuration whose {@code service.readiness} is checked
         * @param why    the refusal's words after its position ({@link #noPortRefusal}, or the canary's)
         * @throws ConfigException (exit 2) at {@code service.readiness.type}'s line and column when the
         *                         readiness probe is {@code process}
         */
        public static void refuseWithoutPort(SlipwayConfig config, String why) {
            if (config.service().readiness().process()) {
                throw ConfigLoader.errorAtKey(config.file(), "service.readiness.type", why);
            }
        }

        /** @return whether the probe has an HTTP path (an {@code http} probe) */
        public boolean http() {
            return type == Type.HTTP;
        }

        /** @return the same probe with another timeout and startup grace (e.g. zero for one attempt) */
        public Probe with(Duration newTimeout, Duration newStartupGrace) {
            return new Probe(type, path, interval, newTimeout, newStartupGrace, service);
        }

        /**
         * @param host a host name or address, IPv6 in brackets
         * @param port the port
         * @return what the probe checks, for messages: {@code http://127.0.0.1:8080/health/ready},
         *         {@code tcp://127.0.0.1:8080} or {@code grpc://127.0.0.1:50051} (with
         *         {@code ?service=NAME} for a named service)
         */
        public String target(String host, int port) {
            return switch (type) {
                case TCP -> "tcp://" + host + ":" + port;
                case PROCESS -> "process running for " + dev.slipway.Console.seconds(timeout);
                case GRPC -> "grpc://" + host + ":" + port + (service.isEmpty() ? "" : "?service=" + service);
                case HTTP -> "http://" + host + ":" + port + path;
            };
        }

        /**
         * @param host a host name or address, IPv6 in brackets
         * @param port the port
         * @return what one attempt does, e.g. {@code GET http://127.0.0.1:8080/health/ready},
         *         {@code TCP connect 127.0.0.1:8080} or {@code gRPC health check 127.0.0.1:50051}
         */
        public String describe(String host, int port) {
            return switch (type) {
                case TCP -> "TCP connect " + host + ":" + port;
                case PROCESS -> "check that the process still runs";
                case GRPC -> "gRPC health check " + host + ":" + port + (service.isEmpty() ? "" : " service " + service);
                case HTTP -> "GET http://" + host + ":" + port + path;
            };
        }
    }

    /**
     * The {@code local} deploy target: this machine.
     *
     * @param address the address the service binds and is probed on
     * @param retain  how many releases to keep under {@code .slipway/local/releases}
     * @param proxy   nginx in front of the instances ({@code deploy.local.proxy}), or {@code null}:
     *                then a deploy stops the old process before it starts the new one
     */
    public record Local(String address, int retain, Proxy proxy) {
        /**
         * Without a proxy.
         *
         * @param address the address the service binds and is probed on
         * @param retain  how many releases to keep
         */
        public Local(String address, int retain) {
            this(address, retain, null);
        }
    }

    /**
     * nginx on this machine in front of the local target's instances ({@code deploy.local.proxy}):
     * a deploy or rollback starts the new release beside the old one on the other of two ports,
     * gates it, rewrites the upstream file, tests and reloads nginx, then stops the old instance.
     * The reference is docs/config.md, section {@code deploy.local}; the guide docs/local-deploy.md.
     *
     * @param config     the absolute path of the upstream file Slipway renders (the site includes it)
     * @param listenHost where nginx serves the service: its host or address (IPv6 without brackets)
     * @param listenPort and its port
     * @param ports      the two instance ports, each instance on one of them, both on {@code deploy.local.address}
     * @param upstream   the upstream's name ({@code proxy_pass http://NAME;})
     * @param reload     the shell command that reloads nginx
     * @param test       the shell command that checks nginx's configuration before the reload
     */
    public record Proxy(String config, String listenHost, int listenPort, List<Integer> ports, String upstream,
                        String reload, String test) {
        /** Copies the list. */
        public Proxy {
            ports = List.copyOf(ports);
        }

        /** @return where nginx serves, e.g. {@code http://127.0.0.1:80/} */
        public java.net.URI url() {
            return java.net.URI.create("http://" + (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":"
                    + listenPort + "/");
        }
    }
}

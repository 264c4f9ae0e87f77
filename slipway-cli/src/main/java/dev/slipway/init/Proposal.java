package dev.slipway.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.init.Project.BuildTool;
import dev.slipway.init.Project.Framework;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code slipway init} proposes for a {@link Project}: the build command and its output, the
 * port and address mapping, program arguments, probes and timeouts, chosen per framework so that
 * the file ships the project as its framework's starter generates it, with no edits. Each value
 * comes with the comment lines that say why (rendered by {@link InitFile}).
 *
 * <p>The rules, per framework (see docs/adopting.md):
 * <ul>
 *   <li>Spring Boot: Spring Boot's own build (the repackaged jar, or Gradle's {@code bootJar});
 *       {@code SERVER_PORT}/{@code SERVER_ADDRESS}; Actuator's readiness and liveness groups when
 *       Actuator is a dependency (with {@code MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED}), else TCP.</li>
 *   <li>Quarkus: Quarkus's own build (fast-jar {@code target/quarkus-app/} unless the project asks for
 *       another jar type); {@code QUARKUS_HTTP_PORT}/{@code QUARKUS_HTTP_HOST}; SmallRye Health's
 *       {@code /q/health/ready} and {@code /q/health/live} when it is a dependency, else TCP (also
 *       with {@code quarkus.management.enabled}: health on the management interface's own port).</li>
 *   <li>Micronaut: {@code MICRONAUT_SERVER_PORT}/{@code MICRONAUT_SERVER_HOST}; the management
 *       module's {@code /health/readiness} and {@code /health/liveness}, else TCP.</li>
 *   <li>Helidon SE 4: {@code SERVER_PORT}/{@code SERVER_HOST}; {@code /observe/health/ready} and
 *       {@code /observe/health/live} with the health observer, else TCP. Helidon MP 4: the same
 *       variables; MicroProfile Health's {@code /health/ready} and {@code /health/live}, else TCP.
 *       With Helidon's application parent the build copies the libraries to {@code target/libs}.</li>
 *   <li>Dropwizard: {@code server config.yml} arguments, the file shipped with {@code build.files},
 *       the port through {@code dw.} system properties (Dropwizard's configuration overrides).</li>
 *   <li>Javalin and plain {@code main}: the code chooses the port; the sources are read for
 *       {@code System.getenv("PORT")} or a fixed port. A Maven build that makes an uber
 *       jar (shade, assembly in an execution) runs as it is, and the uber jar is the input.</li>
 *   <li>Vert.x: as plain {@code main}, with {@code listen(8888, ...)} as the fixed port; a verticle
 *       reading {@code config().getInteger("http.port", N)} under {@code io.vertx.core.Launcher}
 *       gets {@code run VERTICLE -conf {"http.port": ${PORT}}}.</li>
 * </ul>
 * Where the framework's health module is missing (or, for Javalin, Vert.x and plain {@code main},
 * there is none), the probes use the health route the code registers ({@link HealthRoutes}: a
 * readiness route first), else TCP; {@code probeSource} says which and why.
 *
 * <p>A service that serves HTTPS only ({@link HttpsOnly}: Spring Boot's {@code server.ssl}, Quarkus
 * without insecure requests, Micronaut's SSL, Helidon's {@code server.tls}, the JDK's
 * {@code HttpsServer}) gets tcp probes whatever its health module, since the probes speak plain
 * HTTP; Quarkus and Micronaut, whose HTTPS port is a key of its own, get PORT there.
 *
 * @param project      the detected project
 * @param command      the build command, or {@code null} for Slipway's default
 * @param commandNotes why this command (comment lines)
 * @param lib          {@code build.lib}, or {@code null} for the default of the build output
 * @param jvmOptions   {@code build.jvmOptions}
 * @param jvmNotes     comment lines for the JVM options
 * @param args         {@code service.args}, empty for none
 * @param files        {@code build.files}, empty for none
 * @param argNotes     comment lines for the arguments and files
 * @param port         {@code service.port}
 * @param path         {@code service.path}: the framework's context path (e.g. {@code /api}), or
 *                     empty for the root
 * @param portSource   where the port was read, for init's output (e.g. {@code server.port=8181 in
 *                     src/main/resources/application.properties}), or {@code null} (the option or 8080)
 * @param env          {@code service.env}
 * @param portNotes    how the app learns its port (comment lines)
 * @param readiness    the readiness probe
 * @param liveness     the liveness probe
 * @param probeNotes   where the probes come from and how to change them (comment lines)
 * @param probeSource  why these probes, one line for init's output (the health module, the route
 *                     found in the sources, or no health endpoint found)
 * @param httpsOnly    what shows that the service serves HTTPS only on its port (e.g. {@code
 *                     server.ssl.key-store=classpath:app.p12 in src/main/resources/application.properties}),
 *                     or {@code null}; then the probes are tcp ({@link HttpsOnly})
 * @param timeout      the readiness timeout, e.g. {@code 120s}
 * @param train        the {@code train} section, or {@code null} when the defaults fit
 * @param warnings     things the user should know before shipping (printed by {@code init})
 * @param startVariables environment variables the app needs at start and has no default for (a
 *                     Spring {@code ${KEY}} placeholder with no value), sorted; the training run
 *                     names the unset ones when it fails
 */
public record Proposal(Project project, List<String> command, List<String> commandNotes, String lib,
                       List<String> jvmOptions, List<String> jvmNotes, List<String> args, List<String> files,
                       List<String> argNotes, int port, String path, String portSource, Map<String, String> env, List<String> portNotes,
                       Probe readiness, Probe liveness, List<String> probeNotes, String probeSource, String httpsOnly,
                       String timeout, Train train,
                       List<String> warnings, List<String> startVariables) {

    private static final Pattern READS_PORT = Pattern.compile(
            "getenv\\(\\s*\"PORT\"\\s*\\)|getenv\\(\\s*\\)\\s*\\.\\s*(?:get|getOrDefault)\\(\\s*\"PORT\"");
    /**
     * The app's configuration file reading PORT: HOCON's optional substitution {@code ${?PORT}}
     * (Ktor's generated application.conf: {@code port = ${?PORT}}), {@code ${PORT}} or
     * {@code ${PORT:8080}}, and Ktor's YAML {@code "$PORT:8080"}.
     */
    private static final Pattern CONFIG_READS_PORT = Pattern.compile("\\$\\{\\??PORT[}:]|\"\\$PORT(?::[^\"]*)?\"");
    /** Configuration files in {@code src/main/resources} that a framework-less app (or Ktor) reads at start. */
    private static final List<String> CONFIG_FILES = List.of("application.conf", "application.yaml", "application.yml",
            "application.properties");
    private static final Pattern JAVALIN_FIXED = Pattern.compile("\\.start\\(\\s*(\\d{2,5})\\s*\\)");
    private static final String SHADE = "org.apache.maven.plugins:maven-shade-plugin";
    private static final String ASSEMBLY = "org.apache.maven.plugins:maven-assembly-plugin";
    private static final String JAR = "org.apache.maven.plugins:maven-jar-plugin";
    /** Vert.x 4's launcher: {@code run VERTICLE [-conf JSON]}, and Main-Verticle from the manifest without arguments. */
    static final String VERTX_LAUNCHER = "io.vertx.core.Launcher";
    /**
     * Vert.x 5's launcher (vertx-launcher-application, the Vert.x 5 starter's {@code launcher.class}):
     * {@code [-conf=JSON] [MAIN_VERTICLE]}, the verticle a positional argument (no {@code run}
     * command), else Main-Verticle from the manifest (its usage text, "Vert.x Application Launcher").
     */
    static final String VERTX_APPLICATION = "io.vertx.launcher.application.VertxApplication";
    /** {@code HttpServer.listen(8888)}, {@code listen(8888, handler)}, {@code listen(8888, "host", ...)}. */
    private static final Pattern VERTX_FIXED = Pattern.compile("\\.listen\\(\\s*(\\d{2,5})\\s*[,)]");
    /** A configured port: {@code 8181} or a placeholder with a default, {@code ${PORT:8181}}. */
    private static final Pattern CONFIGURED_PORT = Pattern.compile("(\\d{1,5})|\\$\\{[\\w.-]+:(\\d{1,5})}");

    /** {@code config().getInteger("http.port", 8888)}: the key and the default. */
    private static final Pattern VERTX_CONFIG_PORT = Pattern.compile(
            "config\\(\\)\\s*\\.\\s*getInteger\\(\\s*\"([\\w.-]*port[\\w.-]*)\"\\s*,\\s*(\\d{2,5})\\s*\\)",
            Pattern.CASE_INSENSITIVE);
    /** {@code config().getString("http.host", ...)}: the key. */
    private static final Pattern VERTX_CONFIG_HOST = Pattern.compile(
            "config\\(\\)\\s*\\.\\s*getString\\(\\s*\"([\\w.-]*host[\\w.-]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern VERTICLE = Pattern.compile("\\bextends\\s+(?:io\\.vertx\\.core\\.)?(?:AbstractVerticle|VerticleBase)\\b");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /**
     * A server's port fixed in a framework-less {@code main}: a number, or a name that
     * {@link #CONSTANT} gives one in the same file (group 1 or 2). The shapes: the JDK's
     * {@code new InetSocketAddress([host,] N)}; gRPC's {@code ServerBuilder.forPort(N)},
     * {@code NettyServerBuilder.forPort(N)} and {@code Grpc.newServerBuilderForPort(N, credentials)}
     * (grpc-java's examples: {@code int port = 50051;}); Jetty 12's {@code new Server(N)} and
     * {@code connector.setPort(N)} (a connector's: a data source's or a client's port is no server's); Undertow's {@code addHttpListener(N, host)}.
     */
    private static final Pattern SOCKET_FIXED = Pattern.compile(
            "(?:new\\s+InetSocketAddress\\(\\s*(?:\"[^\"]*\"\\s*,\\s*|[\\w.]+\\s*,\\s*)?"
            + "|\\bforPort\\(\\s*|\\bnewServerBuilderForPort\\(\\s*|\\bnew\\s+Server\\(\\s*|\\b\\w*[Cc]onnector\\.setPort\\(\\s*"
            + "|\\baddHttpListener\\(\\s*)(?:(\\d{2,5})|([A-Za-z_]\\w*))\\s*[,)]");
    /**
     * What a framework-less {@code main} that listens somewhere has in its sources: the JDK's server
     * sockets and HTTP server, an {@code InetSocketAddress}, Netty's {@code ServerBootstrap}, gRPC's
     * and Jetty's and Undertow's server builders ({@link #SOCKET_FIXED}'s shapes, with any port).
     * Also the calls by which HTTP libraries that init does not know by name take a port or start
     * (Spark's {@code port(8080)}, Armeria's {@code Server.builder().http(8080)}, {@code listen(...)},
     * {@code bind(...)}): a false match only keeps the port's probes, as before {@code process} existed.
     * A {@code main} with none of them (and no server among its dependencies) listens on no port.
     */
    private static final Pattern LISTENS = Pattern.compile(
            "\\b(?:ServerSocket|ServerSocketChannel|AsynchronousServerSocketChannel|HttpServer|HttpsServer"
            + "|ServerBootstrap|InetSocketAddress|forPort|newServerBuilderForPort|addHttpListener|ServerConnector"
            + "|DatagramSocket|DatagramChannel)\\b|\\bnew\\s+Server\\s*\\("
            + "|\\b\\w*Server\\s*\\.\\s*(?:builder|create|start)\\s*\\(|\\.https?\\s*\\(\\s*\\w|\\b(?:port|listen|bind)\\s*\\(");
    /**
     * Dependencies of HTTP and RPC servers whose artifact names {@code WEB_ARTIFACT} does not catch
     * (Armeria, Spark, avaje-jex, Ratpack, Finagle, Ktor, http4k, MINA, XNIO, ActiveJ): a plain main
     * that has one is taken to listen, whatever its sources show.
     */
    private static final Pattern SERVER_LIBRARY = Pattern.compile(
            "armeria|^spark-core|^jex|avaje-jex|ratpack|finagle|ktor|http4k|^mina-|xnio|activej|socket|rsocket");
    /** {@code int port = 50051;}, {@code static final int PORT = 8080;}, Kotlin's {@code val port = 50051}: a name and its number. */
    private static final String CONSTANT = "\\b(?:int|val|var|final\\s+var)\\s+%s\\s*(?::\\s*Int\\s*)?=\\s*(\\d{2,5})\\s*[;\\n]";

    /**
     * A probe as {@code slipway.yaml} writes it.
     *
     * @param type {@code http}, {@code tcp} (brief decision 6: the port accepts a connection),
     *             {@code grpc} (the grpc.health.v1 service of a gRPC server) or {@code process} (a
     *             service with no port: its process still runs after the settle window)
     * @param path the HTTP path for {@code http}, {@code null} for the others
     */
    public record Probe(String type, String path) {
        static Probe http(String path) {
            return new Probe("http", path);
        }

        static Probe tcp() {
            return new Probe("tcp", null);
        }

        static Probe grpc() {
            return new Probe("grpc", null);
        }

        static Probe process() {
            return new Probe("process", null);
        }

        /** @return whether this is a {@code process} probe: the service listens on no port */
        public boolean noPort() {
            return type.equals("process");
        }

        /** @return {@code http PATH} or {@code tcp}, for the facts */
        public String describe() {
            return path == null ? type : type + " " + path;
        }
    }

    /**
     * The {@code train} section, when the defaults do not fit.
     *
     * @param enabled {@code false} to ship without training, or {@code null} to leave the default
     * @param timeout the training run's timeout, or {@code null} for the default
     * @param urls    the URLs to request, or {@code null} for the default (the readiness path)
     * @param env     {@code train.env}: variables of the training run only, after {@code service.env}
     *                (empty for none)
     * @param notes   why (comment lines)
     */
    public record Train(Boolean enabled, String timeout, List<String> urls, Map<String, String> env,
                        List<String> notes) {}

    /**
     * Computes the proposal.
     *
     * @param p         the project
     * @param port      the service port ({@code --port}), or {@code null} for the app's own (a fixed
     *                  port found in the sources) or 8080
     * @return the proposal
     * @throws dev.slipway.SlipwayException (exit 1) when a source or configuration file cannot be read
     */
    public static Proposal of(Project p, Integer port) {
        return new Builder(p, port).build();
    }

    /** @return the facts {@code --dry-run} prints: the project's, then the proposal's */
    public Map<String, String> facts() {
        Map<String, String> m = new LinkedHashMap<>(project.facts());
        m.put("build command", command == null ? "(Slipway's default: mvn package + copy-dependencies)"
                : String.join(" ", command));
        if (lib != null) {
            m.put("lib", lib);
        }
        if (!path.isEmpty()) {
            m.put("path", path);
        }
        m.put("port", readiness.noPort() ? "none (readiness type process)" : port + (portSource == null ? "" : " (" + portSource + ")") + (env.isEmpty() ? "" : " (" + String.join(", ", env.keySet().stream()
                .filter(k -> env.get(k).contains("${PORT}") || env.get(k).contains("${ADDR}")).toList()) + ")"));
        if (!args.isEmpty()) {
            m.put("args", String.join(" ", args));
        }
        if (!files.isEmpty()) {
            m.put("files", String.join(", ", files));
        }
        m.put("readiness", readiness.describe() + " (timeout " + timeout + ")");
        m.put("liveness", liveness.describe());
        m.put("probes", probeSource);
        if (httpsOnly != null) {
            m.put("https only", httpsOnly);
        }
        return m;
    }

    private static final class Builder {
        final Project p;
        final Integer portOption;
        List<String> command;
        final List<String> commandNotes = new ArrayList<>();
        String lib;
        final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+ExitOnOutOfMemoryError"));
        final List<String> jvmNotes = new ArrayList<>(List.of(
                "Exit on OutOfMemoryError so that the supervisor restarts a clean process."));
        final List<String> args = new ArrayList<>();
        /** Environment variables the app needs at start with no default, sorted ({@link #springRequiredVariables}). */
        final java.util.SortedSet<String> startVariables = new java.util.TreeSet<>();
        final List<String> files = new ArrayList<>();
        final List<String> argNotes = new ArrayList<>();
        int port;
        String portSource;
        final Map<String, String> env = new LinkedHashMap<>();
        final List<String> portNotes = new ArrayList<>();
        /** What {@link #portEnv} put into {@link #env} and {@link #portNotes}: a service with no port drops it. */
        final List<String> portEnvKeys = new ArrayList<>();
        final List<String> portEnvNotes = new ArrayList<>();
        Probe readiness;
        Probe liveness;
        final List<String> probeNotes = new ArrayList<>();
        String probeSource;
        /** {@link Proposal#httpsOnly}, found before the framework's rules run (it moves Quarkus's and Micronaut's port). */
        String httpsOnly;
        /** Notes on the readiness timeout, written after the probe notes (which an HTTPS-only service replaces). */
        final List<String> timeoutNotes = new ArrayList<>();
        String timeout;
        Train train;
        /** {@code train.env} and why: written in the {@code train} section with the timeout. */
        final Map<String, String> trainEnv = new LinkedHashMap<>();
        final List<String> trainNotes = new ArrayList<>();
        /** {@code train.timeout} to write whatever the gate's timeout: how long a service with no port trains. */
        String trainTimeout;
        final List<String> warnings = new ArrayList<>();

        /** {@link #app}'s value, read on first use. */
        private AppConfig app;

        /** @return the app's own configuration ({@link Proposal#appConfig}), read once per proposal */
        AppConfig app() {
            if (app == null) {
                app = appConfig(p);
            }
            return app;
        }

        Builder(Project p, Integer port) {
            this.p = p;
            this.portOption = port;
            this.port = port == null ? 8080 : port;
        }

        Proposal build() {
            httpsOnly = HttpsOnly.find(p);
            if (httpsOnly != null && portOption == null && HttpsOnly.ownPort(p.framework()) != null) {
                port = HttpsOnly.DEFAULT_OWN_PORT;
            }
            switch (p.framework()) {
                case SPRING_BOOT -> springBoot();
                case QUARKUS -> quarkus();
                case MICRONAUT -> micronaut();
                case HELIDON_SE, HELIDON_MP -> helidon();
                case DROPWIZARD -> dropwizard();
                case JAVALIN, PLAIN -> codeChoosesPort();
                case VERTX -> vertx();
                case CAMEL_MAIN -> camelMain();
                case JOOBY -> jooby();
                default -> throw new IllegalStateException(p.framework().name());
            }
            if (httpsOnly != null) {
                httpsProbes();
            }
            probeNotes.addAll(timeoutNotes);
            moduleServices();
            boolean longer = timeout != null && dev.slipway.config.ConfigLoader.parseDuration(timeout)
                    .compareTo(dev.slipway.config.ConfigLoader.DEFAULT_TRAIN_TIMEOUT) > 0;
            if (train == null && longer) {
                // A gate longer than the training run's default: the build's training run starts the
                // same app on the same machine, so it gets as long (else a start that a deploy would
                // wait for fails the build).
                trainNotes.add(0, "The training run starts the app like a deploy does: give it as long as the gate.");
            }
            if (train == null && !trainNotes.isEmpty()) {
                train = new Train(null, trainTimeout != null ? trainTimeout : longer ? timeout : null, null,
                        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trainEnv)), List.copyOf(trainNotes));
            }
            return new Proposal(p, command == null ? null : List.copyOf(command), List.copyOf(commandNotes), lib,
                    List.copyOf(jvmOptions), List.copyOf(jvmNotes), List.copyOf(args), List.copyOf(files),
                    List.copyOf(argNotes), port, contextPath(), portSource, env, List.copyOf(portNotes), readiness, liveness,
                    List.copyOf(probeNotes), probeSource, httpsOnly, timeout, train, List.copyOf(warnings),
                    List.copyOf(startVariables));
        }

        /** {@code provides SERVICE with IMPL, ...;} in a module declaration (JLS 7.7.4). */
        private static final Pattern PROVIDES = Pattern.compile(
                "\\bprovides\\s+([\\w.]+)\\s+with\\s+([\\w.\\s,]+);");

        /**
         * A modular app ({@code module-info.java}) runs on the class path in the single file, as an
         * unnamed module, where {@link java.util.ServiceLoader} finds providers only through
         * {@code META-INF/services/SERVICE} files, not through the descriptor's {@code provides}
         * (ServiceLoader's "Deploying service providers on the class path"). A {@code provides}
         * without that file works under {@code java -p} and finds nothing here: warn, naming the file.
         */
        void moduleServices() {
            String info = p.sources().get("src/main/java/module-info.java");
            if (info == null) {
                return;
            }
            String code = info.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
            Matcher m = PROVIDES.matcher(code);
            while (m.find()) {
                String service = m.group(1);
                if (!service.contains(".")) {
                    Matcher imp = Pattern.compile(
                            "\\bimport\\s+([\\w.]+\\." + service + ")\\s*;").matcher(code);
                    service = imp.find() ? imp.group(1) : service;
                }
                Path file = p.serviceDir().resolve("src/main/resources/META-INF/services").resolve(service);
                if (!Files.isRegularFile(file)) {
                    warnings.add("module-info.java provides " + service + ", but the single file runs the app on the"
                            + " class path, where ServiceLoader reads only META-INF/services: add"
                            + " src/main/resources/META-INF/services/" + service + " listing "
                            + m.group(2).replaceAll("\\s+", "").replace(",", ", "));
                }
            }
        }

        // ---- build commands -------------------------------------------------------------------

        /** {@code mvn -q -B [-f ROOT] -DskipTests package [-pl :ARTIFACT -am]}: the framework's own build. */
        List<String> mavenPackage() {
            List<String> cmd = new ArrayList<>(List.of("mvn", "-q", "-B"));
            if (p.multiModule()) {
                cmd.add("-f");
                cmd.add(p.serviceDir().relativize(p.rootDir()).resolve("pom.xml").toString());
            }
            cmd.add("-DskipTests");
            cmd.add("package");
            if (p.multiModule()) {
                cmd.addAll(List.of("-pl", ":" + p.pom().artifactId(), "-am"));
            }
            return cmd;
        }

        /** Slipway's default (package + copy-dependencies), from the reactor root for a module. */
        List<String> mavenDefault() {
            if (!p.multiModule()) {
                return null;
            }
            List<String> cmd = mavenPackage();
            List<String> def = dev.slipway.config.ConfigLoader.DEFAULT_BUILD_COMMAND;
            cmd.addAll(def.subList(def.indexOf("package") + 1, def.size()));
            return cmd;
        }

        /** The wrapper (or {@code gradle}) running {@code task} for the application project. */
        List<String> gradle(String task) {
            Path wrapper = p.rootDir().resolve("gradlew");
            String exe = Files.isRegularFile(wrapper)
                    ? (p.multiModule() ? p.serviceDir().relativize(wrapper).toString() : "./gradlew") : "gradle";
            String path = p.multiModule() ? ":" + p.modulePath().replace('/', ':') + ":" + task : task;
            if (exe.equals("gradle")) {
                commandNotes.add("No Gradle wrapper (gradlew) in " + (p.multiModule() ? "the root project" : "the project")
                        + ": 'gradle' must be on the PATH.");
            }
            return new ArrayList<>(List.of(exe, "-q", path));
        }

        void moduleNote() {
            if (p.multiModule()) {
                commandNotes.add(p.buildTool() == BuildTool.MAVEN
                        ? "One module of a multi-module build: build it and the modules it needs from the root."
                        : "One project of a multi-project build: the task path builds it and the projects it needs.");
            }
        }

        // ---- frameworks -----------------------------------------------------------------------

        void springBoot() {
            moduleNote();
            if (p.buildTool() == BuildTool.GRADLE) {
                command = gradle("bootJar");
                commandNotes.add("Spring Boot's own build: bootJar writes the executable jar to build/libs/; Slipway reads");
                commandNotes.add("its classes, libraries and their order (BOOT-INF/classpath.idx) from it, and ships what");
                commandNotes.add("the jar ships (developmentOnly dependencies such as devtools stay out).");
            } else {
                command = mavenPackage();
                commandNotes.add("Spring Boot's own build: the repackaged jar in target/ is the input; Slipway reads its");
                commandNotes.add("classes, libraries and their order (BOOT-INF/classpath.idx) from it, and ships what the");
                commandNotes.add("jar ships (optional dependencies such as devtools and docker-compose stay out).");
            }
            portEnv();
            AppConfig app = app();
            Map<String, String> conf = app.values();
            boolean worker = springWebServer(app);
            boolean actuator = p.uses("org.springframework.boot:spring-boot-starter-actuator")
                    || p.uses("org.springframework.boot:spring-boot-actuator")
                    || p.uses("org.springframework.boot:spring-boot-actuator-autoconfigure");
            String mgmtPort = conf.get("management.server.port");
            if (worker) {
                // No web server: no health endpoint either (Actuator's is served over HTTP); process probes are set.
                actuator = false;
            } else if (actuator && mgmtPort == null) {
                // Actuator serves the readiness and liveness groups outside Kubernetes only when enabled.
                env.put("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "true");
                // On the server port, Actuator's endpoints are under the context path (servlet) or base
                // path (WebFlux), then management.endpoints.web.base-path (default /actuator).
                String actuatorBase = conf.getOrDefault("management.endpoints.web.base-path", "/actuator").strip()
                        .replaceAll("/+$", "");
                actuatorBase = actuatorBase.contains("$") ? "/actuator"
                        : actuatorBase.isEmpty() || actuatorBase.startsWith("/") ? actuatorBase : "/" + actuatorBase;
                String base = contextPath() + actuatorBase;
                httpProbes(base + "/health/readiness", base + "/health/liveness",
                        "Actuator's readiness and liveness groups (spring-boot-starter-actuator is a dependency;",
                        "MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED turns them on outside Kubernetes).");
                if (!base.equals("/actuator")) {
                    probeNotes.add("Actuator's base path here is " + base + " (the context path and"
                            + " management.endpoints.web.base-path).");
                }
            } else if (actuator) {
                fallbackProbes("Actuator is on its own port", "Actuator listens on its own port (management.server.port=" + mgmtPort + "), which the",
                        "probes cannot reach: they check that the service port accepts connections.");
                if (ownManagementPort(mgmtPort, conf.get("server.port"))) {
                    // A fixed management port is bound by every instance: the build's training run
                    // would fail ("Port 8081 was already in use") while the service runs on this
                    // machine. Port 0 is a free port the kernel picks (ManagementPortType.DIFFERENT).
                    trainEnv.put("MANAGEMENT_SERVER_PORT", "0");
                    trainNotes.add("Actuator's own port (management.server.port=" + mgmtPort + ") is bound by every instance:");
                    trainNotes.add("the training run takes a free one, so it trains while the service runs here.");
                }
            } else {
                fallbackProbes("no Actuator", "No Actuator: the probes check that the port accepts connections. For real health,",
                        "add spring-boot-starter-actuator, set MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: \"true\"",
                        "in env and 'path: /actuator/health/readiness' (liveness: /actuator/health/liveness).");
            }
            if (p.uses("org.springframework.boot:spring-boot-starter-security")
                    || p.uses("org.springframework.boot:spring-boot-starter-oauth2-resource-server")
                    || p.uses("org.springframework.boot:spring-boot-starter-oauth2-client")
                    || p.uses("org.springframework.security")) {
                // Spring Boot's default security (SpringBootWebSecurityConfiguration) authenticates every
                // request; ManagementWebSecurityAutoConfiguration permits the health endpoint and its groups.
                probeNotes.add("Spring Security is on the class path: a fresh app answers 401 on every endpoint but");
                probeNotes.add((actuator && mgmtPort == null ? "Actuator's health groups, which Spring Boot permits, so the probes pass"
                        : "none: the probes check the port, so they pass") + "; the app's own endpoints need a");
                probeNotes.add("SecurityFilterChain bean that permits them (or a login).");
                warnings.add("Spring Security is on the class path: the app's endpoints answer 401 until it defines a"
                        + " SecurityFilterChain; the probes pass");
            }
            env.put("SERVER_SHUTDOWN", "graceful");
            springRequiredVariables(app);
            springDatabase(conf);
            springProfiles(conf);
            springCanaryMetrics(conf, actuator);
            boolean jpa = p.uses("org.springframework.boot:spring-boot-starter-data-jpa")
                    || p.uses("org.hibernate.orm:hibernate-core");
            if (worker) {
                // The settle window covers the start, where a bad setting or an unreachable database fails it.
                timeout = "60s";
                timeoutNotes.add("Spring Boot starts slowly on a busy 2-core machine, and a bad setting fails it during"
                        + " the start: the process must run " + timeout + " before its release counts as started.");
                return;
            }
            timeout = jpa ? "180s" : "120s";
            timeoutNotes.add("Spring Boot" + (jpa ? " with JPA" : "") + " starts slowly on a busy 2-core machine: " + timeout
                    + " before the gate fails.");
        }

        /**
         * Words in a dependency's artifact id that may bring an HTTP server onto the class path:
         * Spring Boot's web starters ({@code spring-boot-starter-web}, {@code -webflux}, {@code -webmvc},
         * {@code -websocket}, {@code -web-services}, {@code -jersey}, {@code -hateoas},
         * {@code -data-rest}, {@code -graphql}), its servers ({@code -tomcat}, {@code -jetty},
         * {@code -undertow}, {@code -reactor-netty}) and third-party starters that pull one in
         * (Vaadin's, Spring Cloud Gateway, Camel's HTTP and servlet starters). A word matched too
         * often only costs the check below its certainty, never a web app.
         */
        private static final Pattern WEB_ARTIFACT = Pattern.compile(
                "web|tomcat|jetty|undertow|netty|jersey|servlet|vaadin|gateway|hateoas|rest|graphql|http|server|rsocket");

        /**
         * A Spring Boot app that starts no web server listens on no port at all (a
         * {@code CommandLineRunner} worker, a scheduler, a queue consumer: Spring Initializr's project
         * with no web dependency is {@code spring-boot-starter} alone). Spring Boot decides by the class
         * path ({@code WebApplicationType.deduceFromClasspath}: the servlet API with spring-web, or
         * spring-webflux; else {@code NONE}), or by {@code spring.main.web-application-type=none}.
         * A probe on the service's port (http, tcp or grpc) never passes for such an app: before,
         * init proposed tcp probes on port 8080, and {@code slipway ship} failed after the whole
         * training timeout with "raise train.timeout". When that is certain (no dependency that may
         * bring a server, and none of the project's own modules, whose dependencies init does not
         * read), init proposes {@code process} probes ({@link #processProbes}); when a module of the
         * build may bring the server, it keeps the port's probes and warns.
         *
         * @param app the app's configuration, with the file of each key
         * @return whether the app certainly starts no web server (its probes are then set)
         */
        boolean springWebServer(AppConfig app) {
            String type = app.values().getOrDefault("spring.main.web-application-type", "").strip();
            String why;
            boolean certain;
            if (type.equalsIgnoreCase("none")) {
                why = "spring.main.web-application-type=none in " + app.files().get("spring.main.web-application-type");
                certain = true;
            } else {
                if (p.dependencies().stream().map(d -> d.substring(d.indexOf(':') + 1))
                        .anyMatch(a -> WEB_ARTIFACT.matcher(a).find())) {
                    return false;
                }
                why = "no web starter (spring-boot-starter-web or -webflux) nor server among its dependencies";
                String group = p.pom() != null ? p.pom().groupId() : null;
                List<String> own = p.dependencies().stream()
                        .filter(d -> group != null && d.startsWith(group + ":")).toList();
                certain = !p.multiModule() && own.isEmpty();
                if (!certain) {
                    why += " (" + (own.isEmpty() ? "unless another project of this build brings one"
                            : "unless " + String.join(", ", own) + " brings one") + ")";
                }
            }
            if (certain) {
                processProbes("A Spring Boot app that starts no web server (" + why + ")");
                return true;
            }
            warnings.add("the app may start no web server (" + why + "); if it listens on no port, no release passes"
                    + " the readiness gate, which checks the port: set service.readiness.type: process (and liveness)"
                    + " for a worker, or give it a port with its health: add spring-boot-starter-web and"
                    + " spring-boot-starter-actuator (Actuator's readiness and liveness groups then answer on SERVER_PORT)");
            return false;
        }

        /**
         * Probes for a service that listens on no port (a worker, a scheduler, a queue consumer):
         * {@code process}, which passes when the process still runs after the readiness timeout (the
         * settle window). Its training run runs it for {@code train.timeout}, then stops it.
         *
         * @param what what the app is and why it has no port, e.g. {@code A plain main that opens no server socket}
         */
        void processProbes(String what) {
            // The framework's port and address variables ({@link #portEnv}) tell a server where to listen; a
            // service with no port has none to be told.
            portEnvKeys.forEach(env::remove);
            portNotes.removeAll(portEnvNotes);
            readiness = Probe.process();
            liveness = Probe.process();
            probeNotes.add(what + ": it listens on no port, so no request can check it. The gate passes when its"
                    + " process still runs after the readiness timeout (the settle window) and fails when it exits"
                    + " within it; systemd (or the local supervisor) restarts it when it exits later.");
            probeSource = "process: " + what.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + what.substring(1)
                    + ", which listens on no port";
            trainNotes.add("A service with no port is trained by running it for train.timeout, then stopping it (SIGTERM).");
            trainTimeout = p.framework() == Framework.SPRING_BOOT ? "60s" : "20s";
            portNotes.add("No port (service.port is left out): the service listens on none.");
        }

        /** {@code @Value("...")} (also {@code @Value(value = "...")}) in Spring code: its text. */
        private static final Pattern SPRING_VALUE = Pattern.compile(
                "@Value\\(\\s*(?:value\\s*=\\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"");
        /** {@code ${key}} with no {@code :default} (and no nested placeholder) in a Spring placeholder. */
        private static final Pattern REQUIRED_PLACEHOLDER = Pattern.compile("\\$\\{([^${}:]+)}");

        /**
         * The variables the app needs at start with no default: a {@code @Value("${KEY}")} in
         * {@code src/main/java} whose key the app's configuration does not set (or sets to a
         * {@code ${OTHER}} it does not set either) makes Spring fail the start with "Could not
         * resolve placeholder" (PropertySourcesPlaceholderConfigurer). So does a value of the
         * configuration itself that is such a placeholder, as {@code spring.datasource.url=${DB_URL}}:
         * Spring Boot binds it unresolved (the Binder ignores unresolvable placeholders) and the
         * start then fails where it is used (the JDBC driver refuses the URL {@code ${DB_URL}}). The
         * environment supplies such a key under its variable name (SystemEnvironmentPropertySource:
         * upper case, {@code .} and {@code -} as {@code _}). Slipway cannot know the value and
         * secrets never go into slipway.yaml: say which variables, where the app asks for them
         * ({@code @Value} in a source file, or the configuration's keys in its file), and where to
         * set them.
         *
         * @param app the app's configuration, with the file of each key ({@link #app})
         */
        void springRequiredVariables(AppConfig app) {
            Map<String, String> conf = app.values();
            // variable -> {the file that asks for it, what in it asks: @Value, or a configuration key}
            Map<String, String[]> needed = new java.util.TreeMap<>();
            p.sources().forEach((file, code) -> {
                Matcher v = SPRING_VALUE.matcher(code);
                while (v.find()) {
                    Matcher ph = REQUIRED_PLACEHOLDER.matcher(v.group(1));
                    while (ph.find()) {
                        String key = ph.group(1).strip();
                        String set = conf.get(key);
                        if (set == null) {
                            needed.putIfAbsent(springEnvName(key), new String[] {file, "@Value"});
                            continue;
                        }
                        Matcher inner = REQUIRED_PLACEHOLDER.matcher(set);
                        while (inner.find()) {
                            String other = inner.group(1).strip();
                            if (!conf.containsKey(other)) {
                                needed.putIfAbsent(springEnvName(other), new String[] {file, "@Value"});
                            }
                        }
                    }
                }
            });
            conf.forEach((key, value) -> {
                Matcher ph = REQUIRED_PLACEHOLDER.matcher(value);
                while (ph.find()) {
                    String other = ph.group(1).strip();
                    if (!conf.containsKey(other)) {
                        needed.putIfAbsent(springEnvName(other), new String[] {app.files().get(key), key});
                    }
                }
            });
            needed.keySet().removeIf(n -> n.isEmpty() || env.containsKey(n) || RESERVED_ENV.contains(n)
                    || n.startsWith("RANDOM_") || n.startsWith("JAVA_") || n.startsWith("USER_") || n.startsWith("OS_"));
            if (needed.isEmpty()) {
                return;
            }
            startVariables.addAll(needed.keySet());
            String names = String.join(", ", needed.keySet());
            Map<String, java.util.SortedSet<String>> askers = new java.util.TreeMap<>();
            needed.values().forEach(fa -> askers.computeIfAbsent(fa[0], f -> new java.util.TreeSet<>()).add(fa[1]));
            List<String> where = new ArrayList<>();
            askers.forEach((file, what) -> where.add(String.join(", ", what) + " in " + file));
            String files = String.join("; ", where);
            portNotes.add("The app needs " + names + " at start, with no default (" + files + ").");
            portNotes.add("Set a plain value here under env; a secret goes in the environment 'slipway ship' runs in");
            portNotes.add("(local), deploy.hosts.service.secrets or secretsFile (hosts), never in this file.");
            warnings.add("the app needs " + names + " at start with no default (" + files + "): Spring stops"
                    + " without " + (needed.size() == 1 ? "it" : "them") + " (\"Could not resolve placeholder\", or where the unresolved"
                    + " value is used); set " + (needed.size() == 1 ? "it" : "them")
                    + " in the environment of 'slipway ship', or in service.env (not for secrets)");
        }

        /**
         * How Spring Boot opens a database connection at start: its starters, the embedded databases
         * it starts by itself when no URL is set (EmbeddedDatabaseConnection), the drivers of a
         * database server each with the shape of its URL (the driver's documentation), the property
         * of the URL, the prefix of the variables Spring Boot binds to it, and what its failure
         * analysis says without a URL.
         */
        record SpringDatabaseAccess(List<String> starters, List<String> embedded, List<Map.Entry<String, String>> drivers,
                                    String urlKey, String envPrefix, String failure) {}

        /** JDBC (JPA, JDBC, jOOQ: a {@code DataSource}) and R2DBC (a {@code ConnectionFactory}). */
        static final List<SpringDatabaseAccess> SPRING_DATABASE_ACCESS = List.of(
                new SpringDatabaseAccess(List.of("org.springframework.boot:spring-boot-starter-data-jpa",
                        "org.springframework.boot:spring-boot-starter-jdbc", "org.springframework.boot:spring-boot-starter-data-jdbc",
                        "org.springframework.boot:spring-boot-starter-jooq"),
                        List.of("com.h2database:h2", "org.hsqldb:hsqldb", "org.apache.derby:derby"),
                        List.of(Map.entry("org.postgresql:postgresql", "jdbc:postgresql://HOST:5432/DATABASE"),
                                Map.entry("com.mysql:mysql-connector-j", "jdbc:mysql://HOST:3306/DATABASE"),
                                Map.entry("mysql:mysql-connector-java", "jdbc:mysql://HOST:3306/DATABASE"),
                                Map.entry("org.mariadb.jdbc:mariadb-java-client", "jdbc:mariadb://HOST:3306/DATABASE"),
                                Map.entry("com.oracle.database.jdbc", "jdbc:oracle:thin:@//HOST:1521/SERVICE"),
                                Map.entry("com.microsoft.sqlserver:mssql-jdbc", "jdbc:sqlserver://HOST:1433;databaseName=DATABASE")),
                        "spring.datasource.url", "SPRING_DATASOURCE", "Failed to configure a DataSource"),
                new SpringDatabaseAccess(List.of("org.springframework.boot:spring-boot-starter-data-r2dbc",
                        "org.springframework.boot:spring-boot-starter-r2dbc"),
                        List.of("io.r2dbc:r2dbc-h2"),
                        List.of(Map.entry("org.postgresql:r2dbc-postgresql", "r2dbc:postgresql://HOST:5432/DATABASE"),
                                Map.entry("io.asyncer:r2dbc-mysql", "r2dbc:mysql://HOST:3306/DATABASE"),
                                Map.entry("org.mariadb:r2dbc-mariadb", "r2dbc:mariadb://HOST:3306/DATABASE"),
                                Map.entry("io.r2dbc:r2dbc-mssql", "r2dbc:mssql://HOST:1433/DATABASE"),
                                Map.entry("com.oracle.database.r2dbc", "r2dbc:oracle://HOST:1521/SERVICE")),
                        "spring.r2dbc.url", "SPRING_R2DBC", "Failed to configure a ConnectionFactory"));
        /** Docker Compose files Spring Boot's docker-compose support looks for (DockerComposeFile.SEARCH_ORDER). */
        private static final List<String> COMPOSE_FILES = List.of(
                "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml");

        /**
         * A Spring Boot app with a database starter (JPA, JDBC, jOOQ, R2DBC) and the driver of a
         * database server, but no embedded database and no URL in its configuration, as
         * start.spring.io generates "Spring Data JPA + PostgreSQL Driver": it stops at once with
         * "Failed to configure a DataSource: 'url' attribute is not specified" (R2DBC: "…a
         * ConnectionFactory…"), first in the build's training run. Spring Boot's docker-compose
         * support does not help there: it starts {@code compose.yaml}'s services only in
         * development (the IDE, {@code mvn spring-boot:run}), and the repackaged jar leaves the
         * module out. Name the variables Spring Boot binds to the connection
         * ({@code SPRING_DATASOURCE_URL}, {@code _USERNAME}, {@code _PASSWORD}; R2DBC:
         * {@code SPRING_R2DBC_…}) and where they go; a placeholder URL with no default is
         * {@link #springRequiredVariables}'s.
         *
         * @param conf the app's configuration ({@link #appConfig})
         */
        void springDatabase(Map<String, String> conf) {
            for (SpringDatabaseAccess access : SPRING_DATABASE_ACCESS) {
                String urlVar = access.envPrefix() + "_URL";
                if (access.starters().stream().noneMatch(p::uses) || access.embedded().stream().anyMatch(p::uses)
                        || conf.containsKey(access.urlKey()) || env.containsKey(urlVar)) {
                    continue;
                }
                String url = access.drivers().stream().filter(d -> p.uses(d.getKey())).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                if (url == null) {
                    continue;
                }
                String vars = urlVar + " (" + url + "), " + access.envPrefix() + "_USERNAME and " + access.envPrefix()
                        + "_PASSWORD";
                String compose = COMPOSE_FILES.stream().filter(f -> Files.isRegularFile(p.serviceDir().resolve(f)))
                        .findFirst().orElse(p.uses("org.springframework.boot:spring-boot-docker-compose") ? "Docker Compose" : null);
                databaseNotes(access.urlKey(), vars);
                if (compose != null) {
                    portNotes.add(compose + " is for development only: spring-boot-docker-compose starts it from the IDE,");
                    portNotes.add("'mvn spring-boot:run' or bootRun; the shipped jar leaves it out, so Slipway never runs it.");
                }
                warnings.add("the app needs a database and its configuration names none (no " + access.urlKey() + "): Spring"
                        + " Boot stops with \"" + access.failure() + "\"; export " + vars + " before 'slipway ship'"
                        + (compose != null ? " (" + compose + " is started only in development (the IDE, spring-boot:run)"
                        + " by spring-boot-docker-compose, not by the shipped app)" : ""));
            }
        }

        /** The comment above {@code service.env} for an app whose configuration names no database URL. */
        private void databaseNotes(String urlKey, String vars) {
            portNotes.add("The app needs a database: no " + urlKey + " is configured. Export " + vars);
            portNotes.add("before 'slipway ship': the training run and a local deploy inherit them; on hosts, the");
            portNotes.add("password goes in deploy.hosts.service.secrets or secretsFile, never in this file.");
        }

        /**
         * Quarkus's JDBC driver extensions for a database server, each with the shape of its URL (the
         * driver's documentation). With one of them Quarkus infers {@code quarkus.datasource.db-kind};
         * Dev Services start a database in dev mode and tests only.
         */
        static final List<Map.Entry<String, String>> QUARKUS_JDBC_DRIVERS = List.of(
                Map.entry("io.quarkus:quarkus-jdbc-postgresql", "jdbc:postgresql://HOST:5432/DATABASE"),
                Map.entry("io.quarkus:quarkus-jdbc-mysql", "jdbc:mysql://HOST:3306/DATABASE"),
                Map.entry("io.quarkus:quarkus-jdbc-mariadb", "jdbc:mariadb://HOST:3306/DATABASE"),
                Map.entry("io.quarkus:quarkus-jdbc-oracle", "jdbc:oracle:thin:@//HOST:1521/SERVICE"),
                Map.entry("io.quarkus:quarkus-jdbc-mssql", "jdbc:sqlserver://HOST:1433;databaseName=DATABASE"),
                Map.entry("io.quarkus:quarkus-jdbc-db2", "jdbc:db2://HOST:50000/DATABASE"));

        /** Micronaut's JDBC connection pools (micronaut-sql); each needs {@code datasources.default.url} outside tests. */
        static final List<String> MICRONAUT_JDBC_POOLS = List.of("io.micronaut.sql:micronaut-jdbc-hikari",
                "io.micronaut.sql:micronaut-jdbc-tomcat", "io.micronaut.sql:micronaut-jdbc-dbcp",
                "io.micronaut.sql:micronaut-jdbc-ucp");

        /**
         * A Quarkus or Micronaut app with a database server's JDBC driver and no URL in its
         * configuration, as code.quarkus.io's "Hibernate ORM with Panache + JDBC Driver -
         * PostgreSQL" and Micronaut Launch's "data-jdbc + postgres" generate: their Dev Services
         * (Quarkus) and Test Resources (Micronaut) start a database in development and tests only,
         * so the shipped app stops at once ("Datasource '&lt;default&gt;' was deactivated
         * automatically because its URL is not set"; "Error configuring data source 'default'. No
         * URL specified"), first in the build's training run. Name the variables the framework binds
         * to the connection ({@link DatabaseVariables}) and where they go, as for Spring Boot.
         *
         * @param conf    the app's configuration ({@link #appConfig}); Quarkus's {@code %prod.} key counts
         * @param pools   dependencies of which one opens the connection (empty: the driver does)
         * @param drivers the drivers of a database server, with the shape of their URL
         * @param devOnly what starts a database in development only, for the comment
         * @param failure what the framework says at start without a URL
         */
        void frameworkDatabase(Map<String, String> conf, List<String> pools, List<Map.Entry<String, String>> drivers,
                               String devOnly, String failure) {
            DatabaseVariables v = DatabaseVariables.of(p.framework()).orElseThrow();
            if (!pools.isEmpty() && pools.stream().noneMatch(p::uses) || conf.containsKey(v.urlKey())
                    || conf.containsKey("%prod." + v.urlKey()) || env.containsKey(v.url())) {
                return;
            }
            String url = drivers.stream().filter(d -> p.uses(d.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
            if (url == null) {
                return;
            }
            String vars = v.url() + " (" + url + "), " + v.username() + " and " + v.password();
            databaseNotes(v.urlKey(), vars);
            portNotes.add(devOnly + " start a database in development and tests only, not for the shipped app.");
            warnings.add("the app needs a database and its configuration names none (no " + v.urlKey() + "): "
                    + v.framework() + " stops with \"" + failure + "\"; export " + vars + " before 'slipway ship'");
        }

        /** A profile's configuration file: {@code application-NAME.properties|yml|yaml}. */
        private static final Pattern PROFILE_FILE = Pattern.compile("application-([\\w.-]+)\\.(?:properties|ya?ml)");

        /** Variables Slipway sets itself ({@code service.env} may not name them). */
        private static final java.util.Set<String> RESERVED_ENV = java.util.Set.of("PORT", "ADDR", "DRAIN_TIMEOUT");

        /** Spring's environment name of a property key: upper case, {@code .} and {@code -} as {@code _}. */
        static String springEnvName(String key) {
            return key.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
        }

        /**
         * What a canary analysis reads from a Spring Boot service (docs/canary.md): Micrometer's
         * request timer on Actuator's {@code prometheus} endpoint, with a {@code track} label from
         * the {@code TRACK} variable Slipway gives each instance. With Actuator and
         * {@code micrometer-registry-prometheus} among the dependencies, the two settings the app's
         * configuration leaves unset go into {@code service.env}, where Spring Boot reads them
         * (relaxed binding: {@code MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE},
         * {@code MANAGEMENT_METRICS_TAGS_TRACK}, the tag's value {@code ${TRACK:stable}} a Spring
         * placeholder, which Slipway leaves as written). An exposure list of the app's own without
         * {@code prometheus} is the app's choice: a warning says so.
         *
         * @param conf     the app's configuration under its active profiles
         * @param actuator whether Actuator is a dependency
         */
        void springCanaryMetrics(Map<String, String> conf, boolean actuator) {
            if (!actuator || !p.uses("io.micrometer:micrometer-registry-prometheus")) {
                return;
            }
            String include = conf.get("management.endpoints.web.exposure.include");
            boolean exposure = include == null;
            if (exposure) {
                env.put("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "health,prometheus");
            } else if (!include.contains("prometheus") && !include.strip().equals("*")) {
                warnings.add("management.endpoints.web.exposure.include=" + include + " leaves out prometheus: a canary"
                        + " analysis reads the request timer from /actuator/prometheus (docs/canary.md)");
            }
            boolean track = !conf.containsKey("management.metrics.tags.track");
            if (track) {
                env.put("MANAGEMENT_METRICS_TAGS_TRACK", "${TRACK:stable}");
            }
            if (exposure && track) {
                portNotes.add("For a canary analysis (docs/canary.md): Actuator's prometheus endpoint exposed, and a");
                portNotes.add("track tag on every metric (Slipway sets TRACK, stable or canary; Spring expands ${TRACK:stable}).");
            } else if (exposure) {
                portNotes.add("For a canary analysis (docs/canary.md): Actuator's prometheus endpoint exposed.");
            } else if (track) {
                portNotes.add("For a canary analysis (docs/canary.md): a track tag on every metric (Slipway sets TRACK,");
                portNotes.add("stable or canary; Spring expands ${TRACK:stable}).");
            }
        }

        /**
         * Spring profiles the app ships ({@code application-NAME.properties|yml|yaml} in
         * {@code src/main/resources}) and none that the base configuration activates: none of them
         * runs unless {@code SPRING_PROFILES_ACTIVE} names it. Say so, so that a profile meant for
         * production is switched on by choice, not forgotten.
         *
         * @param conf the app's configuration ({@link #appConfig})
         */
        void springProfiles(Map<String, String> conf) {
            Path res = p.serviceDir().resolve("src/main/resources");
            java.util.SortedSet<String> profiles = new java.util.TreeSet<>();
            try (Stream<Path> s = Files.isDirectory(res) ? Files.list(res) : Stream.empty()) {
                s.map(f -> f.getFileName().toString())
                        .map(PROFILE_FILE::matcher)
                        .filter(Matcher::matches).forEach(m -> profiles.add(m.group(1)));
            } catch (IOException e) {
                return;
            }
            // A document of application.properties/.yml/.yaml for a profile (spring.config.activate.on-profile).
            for (String n : List.of("application.properties", "application.yml", "application.yaml")) {
                try {
                    if (Files.isRegularFile(res.resolve(n))) {
                        springDocuments(res.resolve(n)).stream().map(d -> d.get(ON_PROFILE)).filter(java.util.Objects::nonNull)
                                .flatMap(on -> java.util.Arrays.stream(on.split("[,&|]")))
                                .map(t -> t.strip().replaceFirst("^!", "").strip())
                                .filter(t -> t.matches("[\\w.-]+") && !t.equals("default")).forEach(profiles::add);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    // does not load: the app's own concern
                }
            }
            if (profiles.isEmpty() || conf.containsKey("spring.profiles.active")) {
                return;
            }
            portNotes.add("Spring profiles in src/main/resources: " + String.join(", ", profiles) + "; none is active"
                    + " unless");
            String example = profiles.stream().filter(n -> n.startsWith("prod")).findFirst().orElse(profiles.first());
            portNotes.add("SPRING_PROFILES_ACTIVE names it (e.g. SPRING_PROFILES_ACTIVE: \"" + example + "\" under env).");
        }

        void quarkus() {
            moduleNote();
            Map<String, String> conf = app().values();
            String type = conf.getOrDefault("quarkus.package.jar.type", conf.getOrDefault("quarkus.package.type",
                    "fast-jar"));
            if (p.buildTool() == BuildTool.GRADLE) {
                command = gradle("quarkusBuild");
                commandNotes.add("Quarkus's own build (" + type + "): Slipway reads build/quarkus-app/ (quarkus-run.jar,");
                commandNotes.add("lib/, app/, quarkus/) as it is.");
            } else {
                command = mavenPackage();
                if (type.equals("uber-jar")) {
                    commandNotes.add("Quarkus's own build: quarkus.package.jar.type=uber-jar, so the input is the one");
                    commandNotes.add("runnable jar target/*-runner.jar.");
                } else {
                    commandNotes.add("Quarkus's own build: the " + type + " in target/quarkus-app/ (quarkus-run.jar, lib/,");
                    commandNotes.add("app/, quarkus/), which Slipway reads as it is.");
                }
            }
            portEnv();
            boolean managementInterface = "true".equalsIgnoreCase(conf.getOrDefault("quarkus.management.enabled", "").strip());
            if (p.uses("io.quarkus:quarkus-smallrye-health") && managementInterface) {
                // quarkus.management.enabled moves SmallRye Health to the management interface, its own
                // server on quarkus.management.port (default 9000): /q/health/ready on the service port
                // is a 404, so the gate never passed (Quarkus's management interface reference).
                String mgmtPort = conf.getOrDefault("quarkus.management.port", "9000");
                fallbackProbes("the management interface is on its own port", "quarkus.management.enabled=true: SmallRye Health listens on the management interface's own",
                        "port (quarkus.management.port=" + mgmtPort + "), which the probes cannot reach: they check that the",
                        "service port accepts connections.");
                if (ownManagementPort(mgmtPort, conf.get("quarkus.http.port"))) {
                    // Every instance binds the fixed management port: a training run while the service
                    // runs on this machine fails with "Port 9000 seems to be in use by another process".
                    // Quarkus maps QUARKUS_MANAGEMENT_PORT to quarkus.management.port; 0 is a free port.
                    trainEnv.put("QUARKUS_MANAGEMENT_PORT", "0");
                    trainNotes.add("The management interface's own port (quarkus.management.port=" + mgmtPort + ") is bound by every");
                    trainNotes.add("instance: the training run takes a free one, so it trains while the service runs here.");
                }
            } else if (p.uses("io.quarkus:quarkus-smallrye-health")) {
                // A relative non-application root is under quarkus.http.root-path; one with a leading / is not.
                String root = conf.getOrDefault("quarkus.http.non-application-root-path", "q").strip();
                root = (root.startsWith("/") ? root : contextPath() + "/" + root).replaceAll("/+$", "");
                httpProbes(root + "/health/ready", root + "/health/live",
                        "SmallRye Health's readiness and liveness (quarkus-smallrye-health is a dependency).");
            } else {
                fallbackProbes("no quarkus-smallrye-health", "No quarkus-smallrye-health: the probes check that the port accepts connections. For real",
                        "health, add io.quarkus:quarkus-smallrye-health and 'path: /q/health/ready' (/q/health/live).");
            }
            frameworkDatabase(conf, List.of(), QUARKUS_JDBC_DRIVERS, "Quarkus's Dev Services",
                    "Datasource '<default>' was deactivated automatically because its URL is not set");
            timeout = "90s";
        }

        void micronaut() {
            moduleNote();
            installDistOrPackage(List.of("Gradle's installDist (the Micronaut application plugin applies 'application'):",
                    "the jar and its runtime libraries in build/install/" + p.name() + "/lib."),
                    () -> p.pom().builds("io.micronaut.maven:micronaut-maven-plugin") && "jar".equals(p.pom().packaging())
                            || p.pom().builds(SHADE),
                    "Micronaut's own build: the Micronaut Maven plugin shades the runnable jar (every",
                    "dependency inside), the one runnable jar in target/.");
            portEnv();
            Map<String, String> conf = app().values();
            String endpointsPort = conf.get("endpoints.all.port");
            if (p.uses("io.micronaut:micronaut-management") && endpointsPort != null) {
                fallbackProbes("the management endpoints are on their own port", "The management endpoints listen on their own port (endpoints.all.port="
                        + endpointsPort + "), which the", "probes cannot reach: they check that the service port accepts connections.");
                if (ownManagementPort(endpointsPort, conf.get("micronaut.server.port"))) {
                    // Every instance binds the fixed endpoints port: the build's training run failed
                    // ("Unable to start Micronaut server on *:8085", Address already in use) once its
                    // main port had answered, while the service ran on this machine. Micronaut maps
                    // ENDPOINTS_ALL_PORT to endpoints.all.port; 0 makes Netty bind a free port.
                    trainEnv.put("ENDPOINTS_ALL_PORT", "0");
                    trainNotes.add("The management endpoints' own port (endpoints.all.port=" + endpointsPort + ") is bound by every");
                    trainNotes.add("instance: the training run takes a free one, so it trains while the service runs here.");
                }
            } else if (p.uses("io.micronaut:micronaut-management")) {
                // Endpoints are under endpoints.all.context-path when set (Micronaut 4.5+), else the
                // server's context path, then endpoints.all.path (default "/").
                String context = conf.containsKey("endpoints.all.context-path")
                        ? pathPrefix(conf.get("endpoints.all.context-path")) : contextPath();
                String base = context + pathPrefix(conf.getOrDefault("endpoints.all.path", "/"));
                httpProbes(base + "/health/readiness", base + "/health/liveness",
                        "The management module's health endpoint (micronaut-management is a dependency).");
                if (!base.isEmpty()) {
                    probeNotes.add("The endpoints' base path here is " + base + " (the context path and endpoints.all.path).");
                }
            } else {
                fallbackProbes("no micronaut-management", "No micronaut-management: the probes check that the port accepts connections. For real",
                        "health, add io.micronaut:micronaut-management and 'path: /health/readiness' (/health/liveness).");
            }
            frameworkDatabase(conf, MICRONAUT_JDBC_POOLS, SPRING_DATABASE_ACCESS.get(0).drivers(), "Micronaut's Test Resources",
                    "Error configuring data source 'default'. No URL specified");
            timeout = "90s";
        }

        void helidon() {
            moduleNote();
            boolean mp = p.framework() == Framework.HELIDON_MP;
            if (installDistOrPackage(List.of(), () -> p.pom().parent() != null
                            && p.pom().parent().startsWith("io.helidon.applications:")
                            && p.pom().builds("org.apache.maven.plugins:maven-dependency-plugin"),
                    "Helidon's own build: the application parent's copy-libs puts the runtime libraries in",
                    "target/libs next to the jar (build.lib says where).")) {
                lib = "target/libs";
            }
            portEnv();
            portNotes.add("Helidon's config maps the variable to " + (mp ? "server.port (MicroProfile Config)"
                    : "server.port (its environment-variables source)") + ".");
            String health = mp ? "io.helidon.microprofile.health:helidon-microprofile-health"
                    : "io.helidon.webserver.observe:helidon-webserver-observe-health";
            boolean has = p.uses(health) || (mp && p.uses("io.helidon.microprofile.bundles:helidon-microprofile"));
            // Helidon SE 4's observers are under the observe feature's endpoint (ObserveFeatureConfig:
            // server.features.observe.endpoint, default /observe); health is "health" below it.
            String observe = pathPrefix(app().values().getOrDefault("server.features.observe.endpoint", "/observe"));
            String base = mp ? "/health" : (observe.isEmpty() ? "/observe" : observe) + "/health";
            if (has) {
                httpProbes(base + "/ready", base + "/live", (mp ? "MicroProfile Health"
                        : "Helidon SE 4's health observer, under " + base) + " (" + health.substring(health.indexOf(':') + 1)
                        + " is a dependency).");
            } else {
                fallbackProbes("no " + health.substring(health.indexOf(':') + 1), "No " + health.substring(health.indexOf(':') + 1) + ": the probes check that the port",
                        "accepts connections. For real health, add " + health + " and",
                        "'path: " + base + "/ready' (" + base + "/live).");
            }
            timeout = "90s";
        }

        void dropwizard() {
            moduleNote();
            installDistOrPackage(List.of(), () -> p.pom().builds(SHADE),
                    "The project's own build: the shade plugin makes the one runnable jar in target/",
                    "(every dependency inside).");
            portNotes.add("Dropwizard reads no port variable: the dw. system properties in build.jvmOptions set"
                    + " its connector to $PORT at $ADDR (Dropwizard's configuration overrides).");
            Path config = dropwizardConfig(p.serviceDir());
            args.add("server");
            JsonNode server = null;
            if (config != null) {
                String rel = p.serviceDir().relativize(config).toString();
                args.add("${APP_HOME}/" + rel);
                files.add(rel);
                argNotes.add("Dropwizard's 'server' command with " + rel + ", which build.files puts next to the");
                argNotes.add("runtime in the single file (${APP_HOME}/" + rel + ").");
                server = readYaml(config).path("server");
            } else {
                argNotes.add("Dropwizard's 'server' command; the project has no config.yml, so the defaults apply.");
            }
            boolean simpleType = "simple".equals(server == null ? null : server.path("type").asText(null));
            boolean connectors = server != null && server.has("applicationConnectors");
            if (server != null && portOption == null) {
                String at = simpleType ? "server.connector.port" : "server.applicationConnectors[0].port";
                JsonNode n = simpleType ? server.path("connector").path("port") : server.path("applicationConnectors").path(0).path("port");
                Matcher m = CONFIGURED_PORT.matcher(n.isValueNode() ? n.asText() : "");
                int configured = m.matches() ? Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)) : 0;
                if (configured >= 1 && configured <= 65535) {
                    String rel = p.serviceDir().relativize(config).toString();
                    port = configured;
                    portSource = at + "=" + n.asText() + " in " + rel;
                    portNotes.add("service.port " + configured + ": the port " + at + " sets in " + rel
                            + " (the app's own default; the dw. override below sets $PORT).");
                }
            }
            String dw = "-Ddw.server.";
            if (simpleType) {
                jvmOptions.add(dw + "connector.port=${PORT}");
                jvmOptions.add(dw + "connector.bindHost=${ADDR}");
                jvmNotes.add("The simple server's one connector on $PORT at $ADDR (Dropwizard's dw. overrides).");
                String admin = server.path("adminContextPath").asText("/admin");
                httpProbes(admin.replaceAll("/$", "") + "/healthcheck", admin.replaceAll("/$", "") + "/ping",
                        "The admin servlet's health checks on the service port (the simple server).");
            } else if (config == null || connectors) {
                jvmOptions.add(dw + "applicationConnectors[0].port=${PORT}");
                jvmOptions.add(dw + "applicationConnectors[0].bindHost=${ADDR}");
                jvmNotes.add("The application connector on $PORT at $ADDR (Dropwizard's dw. overrides).");
                if (config == null || server.has("adminConnectors")) {
                    jvmOptions.add(dw + "adminConnectors[0].port=0");
                    jvmNotes.add("The admin connector (default 8081) on a free port, so that two instances (a deploy's");
                    jvmNotes.add("new and old, the training run) never collide.");
                } else {
                    warnings.add("config.yml sets server.applicationConnectors but no adminConnectors: the admin"
                            + " connector keeps Dropwizard's default port 8081, so two instances on one machine"
                            + " collide; add server.adminConnectors to config.yml");
                }
                fallbackProbes("Dropwizard's health checks are on the admin port", "Dropwizard's health checks are on the admin port: the probes check that the service",
                        "port accepts connections.");
            } else {
                // config.yml without connectors: an index override needs the list in the file
                // (dw.server.applicationConnectors[0] fails with "node with index not found"), so run
                // Dropwizard's simple server: one connector, the app at /, the admin servlet at /admin.
                jvmOptions.add(dw + "type=simple");
                jvmOptions.add(dw + "applicationContextPath=/");
                jvmOptions.add(dw + "connector.type=http");
                jvmOptions.add(dw + "connector.port=${PORT}");
                jvmOptions.add(dw + "connector.bindHost=${ADDR}");
                jvmNotes.add(p.serviceDir().relativize(config) + " sets no server connectors, which dw. overrides need to set");
                jvmNotes.add("a port; so Slipway runs Dropwizard's simple server: one connector on $PORT at $ADDR, the app");
                jvmNotes.add("at / and the admin servlet at /admin. To keep a separate admin port, add");
                jvmNotes.add("server.applicationConnectors and adminConnectors to the file and run 'slipway init --force'.");
                httpProbes("/admin/healthcheck", "/admin/ping",
                        "The admin servlet's health checks (all registered HealthChecks) on the service port.");
            }
            timeout = "90s";
        }

        /**
         * The port a framework-less source file fixes ({@link #SOCKET_FIXED}): the first server
         * whose port is a number, or a name the same file gives a number ({@code int port = 50051;}).
         *
         * @param source a Java or Kotlin source file's text
         * @return the port, or {@code null} when the file fixes none (a port from the environment)
         */
        static Integer fixedPort(String source) {
            Matcher m = SOCKET_FIXED.matcher(source);
            while (m.find()) {
                if (m.group(1) != null) {
                    return Integer.valueOf(m.group(1));
                }
                Matcher c = Pattern.compile(String.format(CONSTANT, Pattern.quote(m.group(2)))).matcher(source);
                if (c.find()) {
                    return Integer.valueOf(c.group(1));
                }
            }
            return null;
        }

        void codeChoosesPort() {
            moduleNote();
            codeBuild();
            Map.Entry<String, String> reads = null;
            Map.Entry<String, Integer> fixed = null;
            Map<String, String> sources = new LinkedHashMap<>(p.sources());
            sources.putAll(p.kotlinSources());
            for (Map.Entry<String, String> e : sources.entrySet()) {
                if (reads == null && READS_PORT.matcher(e.getValue()).find()) {
                    reads = e;
                }
                if (fixed == null) {
                    Integer n = p.framework() == Framework.JAVALIN ? javalinFixed(e.getValue()) : fixedPort(e.getValue());
                    fixed = n == null ? null : Map.entry(e.getKey(), n);
                }
            }
            String config = reads == null ? configReadingPort() : null;
            if (reads != null) {
                portNotes.add("Slipway passes PORT and ADDR; " + reads.getKey() + " reads PORT (System.getenv).");
            } else if (config != null) {
                portNotes.add("Slipway passes PORT and ADDR; " + config + " reads PORT.");
            } else if (fixed != null && fixed.getValue() <= 65535) {
                fixedPort(fixed, p.framework() == Framework.JAVALIN
                        ? ".start(Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"" + fixed.getValue() + "\")))"
                        : "Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"" + fixed.getValue() + "\"))");
            } else if (p.framework() == Framework.PLAIN && sources.values().stream().noneMatch(s -> LISTENS.matcher(s).find())
                    && p.dependencies().stream().map(d -> d.substring(d.indexOf(':') + 1))
                            .noneMatch(a -> WEB_ARTIFACT.matcher(a).find() || SERVER_LIBRARY.matcher(a).find()
                                    || a.startsWith("grpc"))) {
                processProbes("A plain main that opens no server socket (no listener in src/main/java, no server among"
                        + " its dependencies)");
                timeout = "10s";
                execArguments();
                return;
            } else {
                portNotes.add("Slipway passes PORT and ADDR: the app must listen on $PORT ("
                        + (p.framework() == Framework.JAVALIN ? "Javalin reads" : "the JDK reads") + " no port variable"
                        + " by itself).");
                noPortWarning();
            }
            String health = p.framework() == Framework.PLAIN ? grpcHealthService() : null;
            if (health != null) {
                grpcProbes(health);
            } else {
                tcpProbes(p.framework() == Framework.JAVALIN ? "Javalin has" : "The app has");
            }
            timeout = "60s";
            execArguments();
        }

        /**
         * Where a gRPC server registers the standard health service (grpc.health.v1), or
         * {@code null}: grpc-java's {@code io.grpc:grpc-services} on the class path and its
         * {@code HealthStatusManager} (or the {@code HealthStatusManager}'s service,
         * {@code getHealthService()}) in the sources, as grpc-java's examples and the grpc-ecosystem
         * starters (whose health service is this one) register it.
         */
        String grpcHealthService() {
            if (!p.dependencies().contains("io.grpc:grpc-services")) {
                return null;
            }
            Map<String, String> sources = new LinkedHashMap<>(p.sources());
            sources.putAll(p.kotlinSources());
            return sources.entrySet().stream().filter(e -> e.getValue().contains("HealthStatusManager"))
                    .map(e -> "HealthStatusManager in " + e.getKey()).findFirst().orElse(null);
        }

        /**
         * grpc probes for a gRPC server with the standard health service: the gate, the image's
         * health check and Kubernetes' native gRPC probe call {@code grpc.health.v1.Health/Check}
         * and pass on SERVING.
         *
         * @param where where the health service is registered, for the notes
         */
        void grpcProbes(String where) {
            readiness = Probe.grpc();
            liveness = Probe.grpc();
            probeNotes.add("A gRPC server with the standard health service (" + where + "): the probes call");
            probeNotes.add("grpc.health.v1.Health/Check and pass when it answers SERVING (the whole server, service \"\").");
            probeSource = "grpc: " + where;
        }

        /**
         * The program arguments of an app its team runs with the exec plugin ({@code mvn exec:java}),
         * whose main class init took from that plugin: {@code service.args}, so the service starts as
         * {@code mvn exec:java} starts it. An argument naming a file of the project (relative to its
         * directory, as exec runs from there) goes into {@code build.files} and is passed as
         * {@code ${APP_HOME}/FILE}, where the release has it.
         */
        void execArguments() {
            if (!p.mainSource().startsWith("the exec plugin") && !p.mainSource().endsWith(" exec.mainClass")) {
                return;
            }
            List<String> given = Project.execProgramArguments(p.pom());
            if (given.isEmpty()) {
                return;
            }
            List<String> shipped = new ArrayList<>();
            for (String a : given) {
                Path file = a.isEmpty() || a.startsWith("-") || a.contains("${") ? null
                        : p.serviceDir().resolve(a).normalize();
                if (file != null && file.startsWith(p.serviceDir()) && Files.isRegularFile(file)) {
                    String rel = p.serviceDir().relativize(file).toString();
                    files.add(rel);
                    shipped.add(rel);
                    args.add("${APP_HOME}/" + rel);
                } else {
                    args.add(a);
                }
            }
            argNotes.add("The arguments the exec plugin runs " + p.mainClass() + " with in pom.xml (mvn exec:java)"
                    + (shipped.isEmpty() ? "." : ";"));
            if (!shipped.isEmpty()) {
                argNotes.add(String.join(", ", shipped) + " in build.files, next to the runtime in the single file"
                        + " (${APP_HOME}/).");
            }
        }

        /**
         * @return the configuration file in {@code src/main/resources} ({@link #CONFIG_FILES}) that
         *         substitutes PORT ({@link #CONFIG_READS_PORT}), as {@code src/main/resources/NAME},
         *         or {@code null}
         */
        String configReadingPort() {
            for (String name : CONFIG_FILES) {
                Path f = p.serviceDir().resolve("src/main/resources").resolve(name);
                try {
                    if (Files.isRegularFile(f) && CONFIG_READS_PORT.matcher(Files.readString(f)).find()) {
                        return "src/main/resources/" + name;
                    }
                } catch (IOException e) {
                    throw dev.slipway.SlipwayException.failed("cannot read " + f + ": " + e.getMessage(), e);
                }
            }
            return null;
        }

        /**
         * Apache Camel Main with camel-platform-http-main: its HTTP server listens on
         * {@code camel.server.port} at {@code camel.server.host} (default 8080, 0.0.0.0), and with
         * {@code camel.management.enabled} and {@code camel.management.health-check-enabled} its
         * management server serves {@code camel.management.health-path} (default
         * {@code /observe/health}) with {@code /ready} and {@code /live} below it, on
         * {@code camel.management.port} (default 8080; the same server when it equals the server
         * port). Camel Main's environment mapping ({@code CAMEL_SERVER_PORT}) ignores variables
         * ending in {@code _PORT} (MainHelper skips them as Kubernetes service links), so the port
         * goes in as system properties, which override application.properties (Camel Main's
         * "Configuring Camel Main applications" page). Property names are relaxed: kebab and camel
         * case alike.
         */
        void camelMain() {
            moduleNote();
            codeBuild();
            if (!p.uses("org.apache.camel:camel-platform-http-main")) {
                portNotes.add("No camel-platform-http-main: the routes' own endpoints (e.g. netty-http, jetty URIs)");
                portNotes.add("choose their ports; they must listen on $PORT for the probes to reach the app.");
                warnings.add("no camel-platform-http-main: Camel Main has no HTTP server of its own here; the app's"
                        + " routes must listen on $PORT (e.g. {{env:PORT}} in the endpoint URI) for the probes to reach it");
                tcpProbes("Camel Main without camel-platform-http-main has");
                timeout = "60s";
                return;
            }
            Map<String, String> conf = new LinkedHashMap<>();
            app().values().forEach((k, v) -> conf.put(k.replace("-", "").toLowerCase(java.util.Locale.ROOT), v.strip()));
            Matcher configured = CONFIGURED_PORT.matcher(conf.getOrDefault("camel.server.port", "8080"));
            if (portOption == null && configured.matches()) {
                int n = Integer.parseInt(configured.group(1) != null ? configured.group(1) : configured.group(2));
                if (n >= 1 && n <= 65535) {
                    port = n;
                    portSource = conf.containsKey("camel.server.port") ? "camel.server.port in application.properties"
                            : "camel.server.port's default";
                }
            }
            jvmOptions.add("-Dcamel.server.port=${PORT}");
            jvmOptions.add("-Dcamel.server.host=${ADDR}");
            jvmNotes.add("Camel's HTTP server on $PORT at $ADDR: Camel Main maps no variable ending in _PORT (it");
            jvmNotes.add("skips them as Kubernetes service links), so system properties set camel.server.*.");
            portNotes.add("Slipway gives each instance its PORT and ADDR; the camel.server.* system properties in");
            portNotes.add("build.jvmOptions pass them to Camel Main.");
            if (!"true".equalsIgnoreCase(conf.get("camel.server.enabled"))) {
                warnings.add("camel.server.enabled is not true in application.properties: Camel Main starts no HTTP"
                        + " server, so nothing listens on $PORT; set camel.server.enabled=true");
            }
            boolean management = "true".equalsIgnoreCase(conf.get("camel.management.enabled"));
            String mgmtPort = conf.get("camel.management.port");
            boolean shared = mgmtPort == null || mgmtPort.equals(conf.getOrDefault("camel.server.port", "8080"));
            if (management && shared) {
                // The management server's port defaults to 8080 like the server's: one server while
                // they are equal, so it follows $PORT too (else a second server binds 8080).
                jvmOptions.add("-Dcamel.management.port=${PORT}");
                jvmNotes.add("The management server (camel.management.enabled) shares that port, as in application.properties.");
            }
            String mgmtPath = conf.getOrDefault("camel.management.path", "/");
            if (management && shared && "true".equalsIgnoreCase(conf.get("camel.management.healthcheckenabled"))
                    && mgmtPath.replaceAll("/+$", "").isEmpty()) {
                String health = pathPrefix(conf.getOrDefault("camel.management.healthpath", "/observe/health"));
                httpProbes(health + "/ready", health + "/live",
                        "Camel's health checks on the management server (camel.management.health-check-enabled).");
            } else if (management && !shared) {
                fallbackProbes("Camel's management server is on its own port",
                        "Camel's management server listens on its own port (camel.management.port=" + mgmtPort
                                + "), which the probes cannot reach: they check that the service port accepts connections.");
                warnings.add("camel.management.port=" + mgmtPort + " is bound by every instance: the build's training run"
                        + " fails while the service runs on this machine, and so do two instances on one host; leave it"
                        + " unset (it then shares the server's port) or set train.enabled: false");
            } else {
                fallbackProbes("Camel's health checks are not enabled",
                        "Camel's health checks are off: the probes check that the port accepts connections.",
                        "For real health, set camel.management.enabled=true and camel.management.health-check-enabled=true",
                        "and 'path: /observe/health/ready' (/observe/health/live).");
            }
            timeout = "90s";
        }

        /**
         * Jooby: its server listens on {@code server.port} (default 8080) at {@code server.host}
         * from {@code application.conf}, which Jooby looks for in {@code conf/} (the starter's
         * directory, also on the class path through the POM's resources) and at the class path's
         * root. Jooby maps no environment variable to these keys (it adds the environment under its
         * raw names), but system properties override the file (Jooby's {@code Environment}:
         * program arguments, system properties, environment variables, then the file), so the
         * instance's PORT and ADDR go in as {@code -Dserver.port} and {@code -Dserver.host}.
         */
        void jooby() {
            moduleNote();
            codeBuild();
            Map.Entry<String, Integer> configured = joobyConfiguredPort(p.serviceDir());
            if (portOption == null && configured != null) {
                port = configured.getValue();
                portSource = "server.port in " + configured.getKey();
            }
            jvmOptions.add("-Dserver.port=${PORT}");
            jvmOptions.add("-Dserver.host=${ADDR}");
            jvmNotes.add("Jooby's server on $PORT at $ADDR: Jooby maps no environment variable to server.port, and");
            jvmNotes.add("system properties override application.conf.");
            portNotes.add("Slipway gives each instance its PORT and ADDR; the server.* system properties in");
            portNotes.add("build.jvmOptions pass them to Jooby" + (configured == null ? "." : " (over "
                    + configured.getKey() + "'s server.port = " + configured.getValue() + ")."));
            tcpProbes("Jooby has");
            timeout = "60s";
        }

        /**
         * Eclipse Vert.x: the verticle chooses its port in {@code HttpServer.listen(port, ...)}, or
         * reads it from its config ({@code config().getInteger("http.port", 8888)}), which
         * {@code io.vertx.core.Launcher}'s {@code run VERTICLE -conf JSON} sets (the Launcher's
         * {@code -conf} takes a file or a JSON object; Vert.x core docs, "The vertx command line").
         */
        void vertx() {
            moduleNote();
            codeBuild();
            boolean launcher5 = VERTX_APPLICATION.equals(p.mainClass());
            boolean launcher = launcher5 || VERTX_LAUNCHER.equals(p.mainClass());
            String verticle = mainVerticle();
            // Vert.x 4's Launcher takes the command 'run' before the verticle; Vert.x 5's takes the verticle alone.
            List<String> run = verticle == null ? List.of() : launcher5 ? List.of(verticle) : List.of("run", verticle);
            String launcherName = launcher5 ? "Vert.x's application launcher" : "Vert.x's Launcher";
            Map.Entry<String, String> reads = null;
            Map.Entry<String, Integer> fixed = null;
            Map.Entry<String, Matcher> conf = null;
            String hostKey = null;
            for (Map.Entry<String, String> e : p.sources().entrySet()) {
                if (reads == null && READS_PORT.matcher(e.getValue()).find()) {
                    reads = e;
                }
                Matcher c = VERTX_CONFIG_PORT.matcher(e.getValue());
                if (conf == null && c.find()) {
                    conf = Map.entry(e.getKey(), c);
                    Matcher h = VERTX_CONFIG_HOST.matcher(e.getValue());
                    hostKey = h.find() ? h.group(1) : null;
                }
                Matcher m = VERTX_FIXED.matcher(e.getValue());
                if (fixed == null && m.find()) {
                    fixed = Map.entry(e.getKey(), Integer.parseInt(m.group(1)));
                }
            }
            boolean uber = p.buildTool() == BuildTool.MAVEN && uberBuild() != null;
            if (reads != null) {
                portNotes.add("Slipway passes PORT and ADDR; " + reads.getKey() + " reads PORT (System.getenv).");
            } else if (conf != null && launcher && verticle != null) {
                String key = conf.getValue().group(1);
                int def = Integer.parseInt(conf.getValue().group(2));
                if (portOption == null && def <= 65535) {
                    port = def;
                }
                String json = "{\"" + key + "\": ${PORT}" + (hostKey == null ? "" : ", \"" + hostKey + "\": \"${ADDR}\"") + "}";
                args.addAll(run);
                args.addAll(List.of("-conf", json));
                argNotes.add(launcherName + " runs " + verticle + " with a JSON config (-conf): "
                        + conf.getKey() + " reads " + key + (hostKey == null ? "" : " and " + hostKey)
                        + " from config(), so each instance gets its $PORT" + (hostKey == null ? "." : " and $ADDR."));
                portNotes.add("Slipway passes PORT and ADDR; service.args hands them to the verticle's config.");
            } else {
                if (fixed == null && conf != null) {
                    fixed = Map.entry(conf.getKey(), Integer.parseInt(conf.getValue().group(2)));
                }
                if (fixed != null && fixed.getValue() <= 65535) {
                    fixedPort(fixed, "listen(Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \""
                            + fixed.getValue() + "\")))");
                } else {
                    portNotes.add("Slipway passes PORT and ADDR: the verticle must listen on $PORT (Vert.x reads no"
                            + " port variable by itself).");
                    noPortWarning();
                }
            }
            if (args.isEmpty() && launcher && verticle != null && !uber) {
                // The plain jar's manifest has no Main-Verticle: name the verticle to the Launcher.
                args.addAll(run);
                argNotes.add(launcherName + " runs " + verticle + " (the plain jar's manifest names no Main-Verticle).");
            }
            if (launcher && verticle == null && !uber) {
                warnings.add(p.mainClass() + " needs a verticle: set service.args to ["
                        + (launcher5 ? "" : "run, ") + "YOUR_VERTICLE]");
            }
            if (p.uses("io.vertx:vertx-health-check")) {
                // The module is there but no route serves it: say how to mount it, not that Vert.x has none.
                fallbackProbes("vertx-health-check mounted on no route", "vertx-health-check is a dependency, but no route serves"
                        + " its HealthCheckHandler: the probes check that the port accepts connections.",
                        "For real health, mount it: router.get(\"/health*\").handler(HealthCheckHandler.create(vertx)) (Vert.x"
                        + " answers GET /health), then set 'path: /health' instead of 'type: tcp'.");
            } else {
                tcpProbes("Vert.x has");
            }
            timeout = "60s";
        }

        /** The main verticle: the manifest entry the build writes, else the one verticle class in the sources. */
        String mainVerticle() {
            if (p.pom() != null) {
                for (String plugin : List.of(SHADE, ASSEMBLY, JAR)) {
                    String v = p.pom().pluginConfig(plugin, "*", "manifestEntries", "Main-Verticle");
                    if (v != null && !v.isBlank() && !v.contains("${")) {
                        return v;
                    }
                }
                String v = p.pom().property("main.verticle");
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return v;
                }
            }
            List<String> found = new ArrayList<>();
            for (Map.Entry<String, String> e : p.sources().entrySet()) {
                if (VERTICLE.matcher(e.getValue()).find()) {
                    Matcher pkg = PACKAGE.matcher(e.getValue());
                    String simple = Path.of(e.getKey()).getFileName().toString().replace(".java", "");
                    found.add(pkg.find() ? pkg.group(1) + "." + simple : simple);
                }
            }
            return found.size() == 1 ? found.get(0) : null;
        }

        /** @return "shade" or "assembly" when the Maven build makes an uber jar in 'package', else {@code null} */
        String uberBuild() {
            if (p.pom().runs(SHADE, "shade")) {
                return "shade";
            }
            if (p.pom().runs(ASSEMBLY, "single")) {
                return "assembly";
            }
            return null;
        }

        /**
         * The build of an app whose code chooses its port: Gradle's installDist; the project's own
         * {@code mvn package} when it makes an uber jar (shade, assembly), which is then the input
         * (BuildOutputs ships it alone); else Slipway's default.
         */
        void codeBuild() {
            String uber = p.buildTool() == BuildTool.MAVEN ? uberBuild() : null;
            boolean own = installDistOrPackage(List.of(), () -> uber != null,
                    "The project's own build: the " + uber + " plugin's uber jar in target/ (every dependency",
                    "inside" + (p.framework() == Framework.VERTX ? ", and its manifest's Main-Verticle" : "")
                            + ") is the input, shipped alone.");
            if (!own && p.buildTool() == BuildTool.MAVEN && (p.pom().builds(SHADE) || p.pom().builds(ASSEMBLY))) {
                commandNotes.add("The shade/assembly plugin runs in no execution of 'mvn package': the plain jar and");
                commandNotes.add("the copied libraries are shipped.");
            }
        }

        /**
         * The build command of an app built the usual way: Gradle's installDist (the jar and its
         * runtime libraries in {@code build/install/NAME/lib}); for Maven the project's own
         * {@code mvn package} when it makes what ships, else Slipway's default command.
         *
         * @param gradleNotes what installDist makes, note lines; empty for the usual line
         * @param ownBuild    whether the project's own Maven build makes what ships (asked for Maven only)
         * @param ownNotes    what the project's own Maven build makes, note lines
         * @return whether the project's own Maven build was chosen
         */
        boolean installDistOrPackage(List<String> gradleNotes, java.util.function.BooleanSupplier ownBuild,
                                     String... ownNotes) {
            if (p.buildTool() == BuildTool.GRADLE) {
                command = gradle("installDist");
                commandNotes.addAll(gradleNotes.isEmpty() ? List.of("Gradle's installDist: the jar and its runtime libraries"
                        + " in build/install/" + p.name() + "/lib.") : gradleNotes);
                return false;
            }
            if (ownBuild.getAsBoolean()) {
                command = mavenPackage();
                commandNotes.addAll(List.of(ownNotes));
                return true;
            }
            command = mavenDefault();
            defaultNote();
            return false;
        }

        /**
         * Whether Spring Boot's {@code management.server.port} puts Actuator on a port of its own (a
         * fixed one every instance binds): not {@code -1} (off), {@code 0} (a free port) or the server
         * port itself (Spring Boot's ManagementPortType: SAME when it equals {@code server.port}).
         */
        static boolean ownManagementPort(String mgmtPort, String serverPort) {
            java.util.regex.Matcher m = CONFIGURED_PORT.matcher(mgmtPort.strip());
            if (!m.matches()) {
                return false;
            }
            String value = m.group(1) != null ? m.group(1) : m.group(2);
            return !value.equals("0") && !value.equals(serverPort == null ? "8080" : serverPort.strip());
        }

        static Integer javalinFixed(String source) {
            Matcher m = JAVALIN_FIXED.matcher(source);
            return m.find() ? Integer.valueOf(m.group(1)) : null;
        }

        void fixedPort(Map.Entry<String, Integer> fixed, String how) {
            if (portOption == null) {
                port = fixed.getValue();
            }
            portNotes.add("The app listens on the fixed port " + fixed.getValue() + " (" + fixed.getKey() + ") and does not read");
            portNotes.add("PORT. Deploys work on that port; to run two instances side by side and to train, make it");
            portNotes.add("listen on $PORT: " + how);
            train = new Train(false, null, null, Map.of(), List.of(
                    "The training run gives the app a free PORT, which this app ignores: no training until",
                    "it listens on $PORT (then remove this section)."));
            warnings.add(fixed.getKey() + " listens on the fixed port " + fixed.getValue() + ": the service ships on that"
                    + " port without a trained cache; make it read PORT to train and to run two instances");
        }

        void noPortWarning() {
            warnings.add("no System.getenv(\"PORT\") in src/main/java: the app must listen on $PORT for the probes"
                    + " to reach it");
        }

        void tcpProbes(String who) {
            fallbackProbes(who + " no built-in health endpoint", who + " no built-in health endpoint: the probes check that the port accepts connections.",
                    "For real health, serve one (e.g. GET /health/ready answering 200) and set 'path:' instead of"
                    + " 'type: tcp'.");
        }

        /**
         * Probes where the framework's health module is missing (or out of reach): HTTP on the health
         * route the service's own code registers when {@link HealthRoutes} finds one (a readiness path
         * first, then a general health path), else TCP with {@code tcpNotes}.
         *
         * @param why      why the framework gives no health endpoint the probes can reach, a few words
         *                 for init's output ({@code no Actuator})
         * @param tcpNotes why TCP and how to get real health, one line each, used when no route is found
         */
        void fallbackProbes(String why, String... tcpNotes) {
            Map<String, String> sources = new LinkedHashMap<>(p.sources());
            sources.putAll(p.kotlinSources());
            List<HealthRoutes.Route> routes = HealthRoutes.find(sources);
            HealthRoutes.Route ready = HealthRoutes.readiness(routes);
            if (ready == null) {
                portProbes(tcpNotes);
                probeSource = "tcp: " + why + ", and no health route (such as GET /health or /ready) in the sources";
                return;
            }
            String base = contextPath();
            HealthRoutes.Route live = HealthRoutes.liveness(routes);
            readiness = Probe.http(base + ready.path());
            liveness = live == null ? Probe.tcp() : Probe.http(base + live.path());
            probeNotes.add("The readiness probe requests the health route the code registers: " + ready.describe()
                    + (base.isEmpty() ? "" : ", under the context path " + base) + ".");
            if (live == null) {
                probeNotes.add("No liveness or general health route: liveness checks that the port accepts connections"
                        + " (a failed readiness takes no restart).");
            } else if (live != ready) {
                probeNotes.add("Liveness: " + live.describe() + ".");
            }
            List<String> others = routes.stream().filter(r -> r != ready && r != live).map(HealthRoutes.Route::path).toList();
            if (!others.isEmpty()) {
                probeNotes.add("Also found: " + String.join(", ", others) + ".");
            }
            probeSource = "http " + base + ready.path() + ": " + ready.describe()
                    + (ready.kind() == HealthRoutes.Kind.READINESS ? " (a readiness route, preferred)" : "");
        }

        /**
         * A configured path as a prefix: a leading {@code /}, no trailing one, empty for the root or a
         * value with a {@code ${...}} placeholder (its value is only known when the app runs).
         *
         * @param v the configured value, e.g. {@code admin/} or {@code /}
         * @return e.g. {@code /admin}, or {@code ""}
         */
        static String pathPrefix(String v) {
            v = v.strip().replaceAll("/+$", "");
            return v.isEmpty() || v.contains("$") ? "" : (v.startsWith("/") ? v : "/" + v);
        }

        /**
         * The path the framework puts the app's own routes under, from its configuration: Spring
         * Boot's {@code server.servlet.context-path} or {@code spring.webflux.base-path}, Quarkus's
         * {@code quarkus.http.root-path}, Micronaut's {@code micronaut.server.context-path}.
         *
         * @return the path without a trailing {@code /}, or empty
         */
        String contextPath() {
            String key = switch (p.framework()) {
                case SPRING_BOOT -> "server.servlet.context-path";
                case QUARKUS -> "quarkus.http.root-path";
                case MICRONAUT -> "micronaut.server.context-path";
                default -> null;
            };
            if (key == null) {
                return "";
            }
            Map<String, String> conf = app().values();
            String v = conf.getOrDefault(key, p.framework() == Framework.SPRING_BOOT
                    ? conf.getOrDefault("spring.webflux.base-path", "") : "");
            return pathPrefix(v);
        }

        /**
         * Probes on the service's health endpoint.
         *
         * @param ready the readiness path, e.g. {@code /q/health/ready}
         * @param live  the liveness path
         * @param notes why, one line each (the comment above {@code readiness:} in slipway.yaml)
         */
        void httpProbes(String ready, String live, String... notes) {
            readiness = Probe.http(ready);
            liveness = Probe.http(live);
            probeNotes.addAll(List.of(notes));
            probeSource = "http " + ready + ": " + String.join(" ", notes);
        }

        /**
         * TCP probes for a service that serves HTTPS only: Slipway's probes speak plain HTTP, which
         * such a port never answers (the gate would stop with "the port speaks TLS (HTTPS) only").
         * The health path the framework's rules chose stays in the notes, for a probe through a
         * TLS-terminating proxy.
         */
        void httpsProbes() {
            String health = readiness.path();
            probeNotes.clear();
            portProbes("The service serves HTTPS only (" + httpsOnly + "), and the probes speak plain HTTP: they",
                    "check that the port accepts connections (a plain HTTP request would get no answer).");
            if (health != null) {
                probeNotes.add("Its health endpoint, for a check over HTTPS: " + health + ".");
            }
            probeSource = "tcp: the service serves HTTPS only (" + httpsOnly + ") and the probes speak plain HTTP"
                    + (health == null ? "" : "; its health endpoint is " + health);
        }

        /**
         * Probes that pass when the service port accepts a TCP connection (no health endpoint the
         * probes can reach).
         *
         * @param notes why, one line each
         */
        void portProbes(String... notes) {
            readiness = Probe.tcp();
            liveness = Probe.tcp();
            probeNotes.addAll(List.of(notes));
            probeSource = "tcp: " + String.join(" ", notes);
        }

        void defaultNote() {
            commandNotes.add("The jar goes to target/, the runtime dependencies to target/slipway/lib"
                    + (p.multiModule() ? "." : " (Slipway's default command)."));
        }

        void portEnv() {
            Framework fw = p.framework();
            HttpsOnly.OwnPort tls = httpsOnly == null ? null : HttpsOnly.ownPort(fw);
            String portEnv = tls == null ? fw.portEnv() : tls.env();
            env.put(portEnv, "${PORT}");
            env.put(fw.hostEnv(), "${ADDR}");
            portEnvKeys.addAll(List.of(portEnv, fw.hostEnv()));
            portEnvNotes.add("Slipway gives each instance its PORT and ADDR; " + fw.label() + " reads " + portEnv
                    + " and " + fw.hostEnv() + ".");
            if (tls != null) {
                portEnvNotes.add(fw.label() + " serves HTTPS on its own port (" + tls.key() + ", default "
                        + HttpsOnly.DEFAULT_OWN_PORT + ") and no plain HTTP here: PORT goes there.");
            }
            portNotes.addAll(portEnvNotes);
            if (portOption == null) {
                configuredPort();
            }
        }

        /**
         * Takes {@code service.port} from the port the app's configuration sets, where the starters
         * put it: Spring Boot's {@code server.port}, Quarkus's {@code quarkus.http.port}, Micronaut's
         * {@code micronaut.server.port}, Helidon's {@code server.port} (SE: application.yaml; MP: also
         * META-INF/microprofile-config.properties); for Spring Boot, an active profile's file first. {@code ${VAR:N}} counts as N; 0 (a random port)
         * and other values are left alone, so the port stays 8080.
         */
        void configuredPort() {
            HttpsOnly.OwnPort tls = httpsOnly == null ? null : HttpsOnly.ownPort(p.framework());
            String key = tls != null ? tls.key() : switch (p.framework()) {
                case QUARKUS -> "quarkus.http.port";
                case MICRONAUT -> "micronaut.server.port";
                default -> "server.port";
            };
            Map<String, Map<String, String>> files = new LinkedHashMap<>();
            String setBy = app().files().getOrDefault(key, "");
            if (setBy.startsWith("src/main/resources/application-")) {
                // An active Spring profile's file sets it (appConfig): that value wins.
                files.put(setBy.substring("src/main/resources/".length()), Map.of(key, app().values().get(key)));
            }
            files.putAll(configFiles(p));
            for (Map.Entry<String, Map<String, String>> e : files.entrySet()) {
                String f = e.getKey();
                Map<String, String> conf = e.getValue();
                Matcher m = CONFIGURED_PORT.matcher(conf.getOrDefault(key, ""));
                if (m.matches()) {
                    int n = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
                    if (n >= 1 && n <= 65535) {
                        port = n;
                        portSource = key + "=" + conf.get(key) + " in src/main/resources/" + f;
                        portNotes.add("service.port " + n + ": the port " + key + " sets in src/main/resources/" + f
                                + " (the app's own default; PORT overrides it).");
                        return;
                    }
                }
            }
        }
    }

    // ---- files the proposals read ------------------------------------------------------------

    /**
     * Each configuration file the framework reads at start, in its order, flattened to dotted keys:
     * {@code application.properties}, {@code application.yml}, {@code application.yaml} in
     * {@code src/main/resources}, and for Helidon MP {@code META-INF/microprofile-config.properties}.
     * A properties file that does not load is left out (the app's own concern).
     *
     * @param p the project
     * @return the file's name under {@code src/main/resources} to its keys and values
     */
    static Map<String, Map<String, String>> configFiles(Project p) {
        Path res = p.serviceDir().resolve("src/main/resources");
        List<String> names = new ArrayList<>(List.of("application.properties", "application.yml", "application.yaml"));
        if (p.framework() == Framework.HELIDON_MP) {
            names.add("META-INF/microprofile-config.properties");
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        java.util.Set<String> profiles = p.framework() == Framework.SPRING_BOOT ? springActiveProfiles(p.serviceDir()) : null;
        for (String n : names) {
            Path file = res.resolve(n);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            Map<String, String> conf = new LinkedHashMap<>();
            if (profiles != null) {
                try {
                    out.put(n, springActiveDocuments(springDocuments(file), profiles));
                } catch (IOException | IllegalArgumentException e) {
                    // does not load: the app's own concern
                }
                continue;
            }
            if (n.endsWith(".properties")) {
                Properties pr = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    pr.load(r);
                } catch (IOException | IllegalArgumentException e) {
                    continue;
                }
                pr.stringPropertyNames().forEach(k -> conf.put(k, pr.getProperty(k).trim()));
            } else {
                flatten("", readYaml(file), conf);
            }
            out.put(n, conf);
        }
        return out;
    }

    /**
     * The application's own configuration and where each key is set.
     *
     * @param values the flattened keys and their values ({@link #appConfig})
     * @param files  for each key of {@code values}, the file that set it, relative to the service
     *               directory with {@code /} (e.g. {@code src/main/resources/application.yml})
     */
    record AppConfig(Map<String, String> values, Map<String, String> files) {}

    /**
     * The application's own configuration, flattened to dotted keys: {@code application.properties},
     * then {@code application.yml}/{@code .yaml} in {@code src/main/resources} (the files Spring Boot,
     * Quarkus and Micronaut read by default), with the file each key came from (the first file that
     * sets it), so that a message can name where a key asks for something. For Spring Boot, the
     * files of the profiles that this configuration's {@code spring.profiles.active} switches on
     * ({@code application-NAME.properties}, then {@code .yml}/{@code .yaml}) override it, the later
     * profile winning, as Spring Boot loads them ("Profile Specific Files" of its reference,
     * "Externalized Configuration"): {@code server.servlet.context-path} or
     * {@code management.endpoints.web.base-path} set in {@code application-dev.yaml} moves the
     * probes. Spring Boot's files are read as it reads them: every document of a multi-document file
     * ({@code ---}, or {@code #---} in a properties file) that applies under the active profiles
     * ({@code spring.config.activate.on-profile}), a later one winning ({@link #springActiveDocuments}). A proposal reads it once ({@code Builder.app()}).
     *
     * @param p the project
     * @return the values and their files
     * @throws dev.slipway.SlipwayException (exit 1) when a {@code .properties} file cannot be read
     */
    static AppConfig appConfig(Project p) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> files = new java.util.HashMap<>();
        java.util.Set<String> profiles = p.framework() == Framework.SPRING_BOOT ? springActiveProfiles(p.serviceDir()) : null;
        readConfigFiles(p.serviceDir(), "application", out, files, profiles);
        if (profiles != null) {
            for (String name : profiles) {
                // ${...} placeholders and Maven's @...@ filtering are not knowable here: skipped.
                if (name.strip().matches("[\\w.-]+")) {
                    Map<String, String> profile = new LinkedHashMap<>();
                    Map<String, String> profileFiles = new java.util.HashMap<>();
                    readConfigFiles(p.serviceDir(), "application-" + name.strip(), profile, profileFiles, profiles);
                    profile.forEach((k, v) -> {
                        out.put(k, v);
                        files.put(k, profileFiles.get(k));
                    });
                }
            }
        }
        return new AppConfig(java.util.Collections.unmodifiableMap(out), java.util.Collections.unmodifiableMap(files));
    }

    /**
     * Reads {@code BASE.properties}, then {@code BASE.yml} and {@code BASE.yaml} from
     * {@code src/main/resources} into {@code out} (a key's first value kept) and the file of each
     * key into {@code files}. With {@code profiles} (Spring Boot), each file's documents that apply
     * under them ({@link #springActiveDocuments}); with {@code null}, a YAML file's first document.
     */
    private static void readConfigFiles(Path serviceDir, String base, Map<String, String> out, Map<String, String> files,
                                        java.util.Set<String> profiles) {
        String dir = "src/main/resources/";
        Path res = serviceDir.resolve(dir);
        Path props = res.resolve(base + ".properties");
        if (profiles != null) {
            for (String n : List.of(base + ".properties", base + ".yml", base + ".yaml")) {
                if (!Files.isRegularFile(res.resolve(n))) {
                    continue;
                }
                List<Map<String, String>> docs;
                try {
                    docs = springDocuments(res.resolve(n));
                } catch (IOException | IllegalArgumentException e) {
                    if (n.endsWith(".properties")) {
                        throw dev.slipway.SlipwayException.failed("cannot read " + res.resolve(n) + ": " + e.getMessage(), e);
                    }
                    continue; // not YAML: the app's own concern
                }
                springActiveDocuments(docs, profiles).forEach((k, v) -> {
                    if (out.putIfAbsent(k, v) == null) {
                        files.put(k, dir + n);
                    }
                });
            }
            return;
        }
        if (Files.isRegularFile(props)) {
            Properties pr = new Properties();
            try (Reader r = Files.newBufferedReader(props)) {
                pr.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw dev.slipway.SlipwayException.failed("cannot read " + props + ": " + e.getMessage(), e);
            }
            pr.stringPropertyNames().forEach(k -> {
                out.put(k, pr.getProperty(k).trim());
                files.put(k, dir + base + ".properties");
            });
        }
        for (String n : List.of(base + ".yml", base + ".yaml")) {
            if (Files.isRegularFile(res.resolve(n))) {
                Map<String, String> one = new LinkedHashMap<>();
                flatten("", readYaml(res.resolve(n)), one);
                one.forEach((k, v) -> {
                    if (out.putIfAbsent(k, v) == null) {
                        files.put(k, dir + n);
                    }
                });
            }
        }
    }

    /** The key that limits a Spring Boot configuration document to profiles (Spring Boot 2.4+). */
    private static final String ON_PROFILE = "spring.config.activate.on-profile";
    /** The key that limits a document to a cloud platform (Kubernetes, Cloud Foundry...). */
    private static final String ON_CLOUD_PLATFORM = "spring.config.activate.on-cloud-platform";
    /** A properties file's document separator: a line {@code #---} or {@code !---} (Spring Boot 2.4+). */
    private static final Pattern PROPERTIES_SEPARATOR = Pattern.compile("(?m)^[#!]---\\s*$");

    /**
     * A Spring Boot configuration file's documents, each flattened to dotted keys: YAML's
     * {@code ---}-separated documents, or a properties file's {@code #---}/{@code !---}-separated
     * ones ("Working With Multi-Document Files" of Spring Boot's reference). A list under
     * {@code spring.config.activate.on-profile} becomes its comma-joined names.
     *
     * @param file an {@code application*.properties}, {@code .yml} or {@code .yaml}
     * @return the documents in file order
     * @throws IOException when the file cannot be read or is not YAML
     * @throws IllegalArgumentException when a properties document has a malformed escape
     */
    static List<Map<String, String>> springDocuments(Path file) throws IOException {
        List<Map<String, String>> docs = new ArrayList<>();
        if (file.getFileName().toString().endsWith(".properties")) {
            for (String text : PROPERTIES_SEPARATOR.split(Files.readString(file), -1)) {
                Properties pr = new Properties();
                pr.load(new java.io.StringReader(text));
                Map<String, String> doc = new LinkedHashMap<>();
                pr.stringPropertyNames().forEach(k -> doc.put(k, pr.getProperty(k).trim()));
                docs.add(doc);
            }
            return docs;
        }
        try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> it = new ObjectMapper(new YAMLFactory())
                .readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                Map<String, String> doc = new LinkedHashMap<>();
                flatten("", n, doc);
                JsonNode on = n.at("/spring/config/activate/on-profile");
                if (on.isArray()) {
                    List<String> names = new ArrayList<>();
                    on.forEach(e -> names.add(e.asText()));
                    doc.put(ON_PROFILE, String.join(",", names));
                }
                docs.add(doc);
            }
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e); // Jackson wraps a parse error of a later document
        }
        return docs;
    }

    /**
     * The documents that apply under these profiles, merged, a later document's value winning as
     * in Spring Boot: those with no {@code spring.config.activate.on-profile} and those whose
     * profile expression the profiles match. A document for a cloud platform
     * ({@code on-cloud-platform}) is left out: the local deploy, hosts and the training run are none.
     *
     * @param docs     the file's documents ({@link #springDocuments})
     * @param profiles the active profiles ({@link #springActiveProfiles})
     * @return the merged keys and values
     */
    static Map<String, String> springActiveDocuments(List<Map<String, String>> docs, java.util.Set<String> profiles) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, String> doc : docs) {
            String on = doc.get(ON_PROFILE);
            if (doc.containsKey(ON_CLOUD_PLATFORM) || on != null && !profilesMatch(on, profiles)) {
                continue;
            }
            out.putAll(doc);
        }
        return out;
    }

    /**
     * Whether Spring's profile expression holds for these profiles: a comma-separated list, any of
     * which may hold; each a name, {@code !name}, or names joined by {@code &} (all) or {@code |}
     * (any), as {@code Profiles.of} reads them (parentheses are not read: such an expression never
     * holds here).
     */
    static boolean profilesMatch(String expression, java.util.Set<String> profiles) {
        for (String one : expression.split(",")) {
            String e = one.strip();
            if (e.contains("(")) {
                continue;
            }
            boolean holds = e.contains("|")
                    ? java.util.Arrays.stream(e.split("\\|")).anyMatch(t -> profileHolds(t, profiles))
                    : java.util.Arrays.stream(e.split("&")).allMatch(t -> profileHolds(t, profiles));
            if (holds && !e.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean profileHolds(String term, java.util.Set<String> profiles) {
        String t = term.strip();
        return t.startsWith("!") ? !profiles.contains(t.substring(1).strip()) : profiles.contains(t);
    }

    /**
     * The profiles a Spring Boot app runs with when nothing outside its files chooses
     * ({@code init} writes no {@code SPRING_PROFILES_ACTIVE}): {@code spring.profiles.active} of the
     * profile-less documents of {@code application.properties}, then {@code .yml}, then
     * {@code .yaml} (a later document winning within a file); without it
     * {@code spring.profiles.default}, else {@code default}.
     *
     * @param serviceDir the service directory
     * @return the profile names, in order
     */
    static java.util.Set<String> springActiveProfiles(Path serviceDir) {
        Path res = serviceDir.resolve("src/main/resources");
        String active = null;
        String fallback = null;
        for (String n : List.of("application.properties", "application.yml", "application.yaml")) {
            if (!Files.isRegularFile(res.resolve(n))) {
                continue;
            }
            Map<String, String> plain = new LinkedHashMap<>();
            try {
                springDocuments(res.resolve(n)).stream()
                        .filter(d -> !d.containsKey(ON_PROFILE) && !d.containsKey(ON_CLOUD_PLATFORM)).forEach(plain::putAll);
            } catch (IOException | IllegalArgumentException e) {
                continue;
            }
            active = active != null ? active : plain.get("spring.profiles.active");
            fallback = fallback != null ? fallback : plain.get("spring.profiles.default");
        }
        String names = active != null ? active : fallback != null ? fallback : "default";
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                out.add(name.strip());
            }
        }
        return out;
    }

    /** Flattens a YAML document to dotted keys ({@code a.b.c}), the first value of a key kept. */
    static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isValueNode() && !prefix.isEmpty()) {
            out.putIfAbsent(prefix, n.asText());
        }
    }

    /** @return the YAML document, or an empty node when it is empty or not YAML (the app's own concern) */
    static JsonNode readYaml(Path file) {
        try {
            JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** HOCON's {@code server.port = 8080} (or {@code :}), flat or in a {@code server { ... }} block. */
    private static final Pattern HOCON_SERVER_PORT = Pattern.compile(
            "^\\s*server\\.port\\s*[=:]\\s*(\\d{1,5})\\s*$"
                    + "|^\\s*server\\s*[=:]?\\s*\\{[^}]*?^\\s*port\\s*[=:]\\s*(\\d{1,5})\\s*$",
            Pattern.MULTILINE | Pattern.DOTALL);

    /**
     * The port Jooby's {@code application.conf} gives its server: the first of
     * {@code conf/application.conf} (the starter's) and {@code src/main/resources/application.conf}
     * that sets {@code server.port} to a number.
     *
     * @param dir the service directory
     * @return the file (relative to {@code dir}) and the port, or {@code null} when none sets one
     */
    static Map.Entry<String, Integer> joobyConfiguredPort(Path dir) {
        for (String rel : List.of("conf/application.conf", "src/main/resources/application.conf")) {
            Path f = dir.resolve(rel);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw dev.slipway.SlipwayException.failed("cannot read " + f + ": " + e.getMessage(), e);
            }
            Matcher m = HOCON_SERVER_PORT.matcher(text.replaceAll("(?m)(#|//).*$", ""));
            if (m.find()) {
                int n = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
                if (n >= 1 && n <= 65535) {
                    return Map.entry(rel, n);
                }
            }
        }
        return null;
    }

    /**
     * Dropwizard's configuration file: {@code config.yml} or {@code config.yaml} in the service
     * directory, else the one other YAML file there (not {@code slipway.yaml}, not a compose file).
     */
    static Path dropwizardConfig(Path dir) {
        for (String n : List.of("config.yml", "config.yaml")) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> yml = s.filter(f -> Files.isRegularFile(f)).filter(f -> {
                String n = f.getFileName().toString();
                return (n.endsWith(".yml") || n.endsWith(".yaml")) && !n.equals("slipway.yaml")
                        && !n.startsWith(".") && !n.contains("compose");
            }).toList();
            return yml.size() == 1 ? yml.get(0) : null;
        } catch (IOException e) {
            return null;
        }
    }
}

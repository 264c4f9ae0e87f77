package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.Tools;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility suite of issue 15: every project under {@code compat/} (each in the shape its
 * framework's starter generates) is copied into a fresh git repository, then {@code slipway init
 * --port P} and {@code slipway ship} run on it with <b>no edits</b> to the project or to the
 * {@code slipway.yaml} that init wrote. The readiness check init proposed (its HTTP path answers
 * 2xx, as the gate accepts, or its TCP port accepts a connection) and the project's own endpoint
 * (200 with the expected text) are then checked from outside, and {@code slipway stop} ends it.
 *
 * <p>Slipway runs as a child process ({@code java -cp <this class path> dev.slipway.cli.SlipwayCli}),
 * as a user runs it, so that each project gets the environment its users have: Helidon 4 needs
 * Java 21, so its run has {@code JAVA_HOME} set to a JDK 21+ (Temurin 25 here). The Maven
 * repository ({@code ~/.m2}) and Slipway's runtime cache ({@code ~/.cache/slipway}) are the user's
 * own, shared by all projects and kept between runs; the first run downloads the projects'
 * dependencies from Maven Central through the projects' own builds. Each project gets its own
 * free port. The CLI's output of each step is kept in {@code target/compat/<project>/} and its
 * error lines are quoted in a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompatibilitySuiteTest {
    /** A JDK 21 or newer for Helidon 4 (which compiles for Java 21). */
    static final Path JDK21_PLUS = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    /** How long one CLI step may take: a first ship downloads the project's dependencies. */
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(15);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * One project of the suite.
     *
     * @param dir      its directory under {@code compat/}
     * @param endpoint the real endpoint to call after the ship (GET, must answer 200); {@code null}
     *                 for a gRPC server, which must answer a gRPC health check instead
     * @param body     text the endpoint's answer must contain ({@code null} with no endpoint)
     * @param jdk21    whether the project needs a JDK 21+ as {@code JAVA_HOME}
     */
    record App(String dir, String endpoint, String body, boolean jdk21) {
        @Override
        public String toString() {
            return dir;
        }
    }

    /**
     * @return the projects; with {@code -Dcompat.apps=grpc,javalin} only those (to rerun one case
     *         without the whole suite), else all
     */
    static Stream<App> apps() {
        Set<String> only = Set.of(System.getProperty("compat.apps", "").split(","));
        return all().filter(a -> only.equals(Set.of("")) || only.contains(a.dir()));
    }

    private static Stream<App> all() {
        return Stream.of(
                new App("spring-mvc", "/hello", "Hello, world!", false),
                new App("spring-webflux", "/hello", "Hello from WebFlux!", false),
                new App("quarkus-fastjar", "/hello", "Hello from Quarkus REST", false),
                new App("quarkus-nohealth", "/hello", "Hello from Quarkus REST (no health extension)", false),
                new App("micronaut", "/hello", "Hello from Micronaut", false),
                new App("helidon-se", "/hello", "Hello from Helidon SE", true),
                new App("javalin", "/hello", "Hello from Javalin", false),
                new App("dropwizard", "/hello", "Hello from Dropwizard", false),
                new App("jooby", "/hello", "Hello from Jooby", false),
                new App("reactor", "/hello", "Hello, reactor!", false),
                new App("plain-exec", "/hello", "Hello from exec:java", false),
                new App("gradle-app", "/hello", "Hello from Gradle", false),
                new App("grpc", null, null, false));
    }

    private final Set<Integer> usedPorts = new HashSet<>();
    private final long suiteStart = System.nanoTime();

    @BeforeAll
    void tools() {
        Tools.require("mvn");
        Tools.require("git");
    }

    @AfterAll
    void printTheTime() {
        System.err.printf("compatibility suite: %d s for %d projects%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - suiteStart), apps().count());
    }

    @ParameterizedTest(name = "{0}: slipway init, then ship with no edits")
    @MethodSource("apps")
    void initThenShipWithNoEdits(App app, @TempDir Path tmp) throws Exception {
        if (app.jdk21()) {
            Tools.requireThat(Files.isExecutable(JDK21_PLUS.resolve("bin/javac")), "a JDK 21+ at " + JDK21_PLUS + " for " + app.dir());
        }
        Path logs = Files.createDirectories(Path.of("target/compat", app.dir()).toAbsolutePath());
        Path project = tmp.resolve(app.dir());
        Path source = repo().resolve("compat").resolve(app.dir());
        Example.copyTree(source, project, Set.of("target", "build", "dist", ".slipway", "slipway.yaml"));
        Example.commit(project);
        int port = freePort();
        String javaHome = app.jdk21() ? JDK21_PLUS.toString() : null;

        Step init = slipway(project, logs, "init", javaHome, "init", project.toString(), "--port", Integer.toString(port));
        assertEquals(0, init.code(), app.dir() + ": slipway init failed\n" + init.summary());
        Path serviceDir = findConfig(project);
        Files.copy(serviceDir.resolve("slipway.yaml"), logs.resolve("slipway.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(serviceDir.resolve("slipway.yaml").toFile());
        assertEquals(port, yaml.path("service").path("port").asInt(), "init --port sets service.port:\n" + yaml);
        String address = yaml.path("deploy").path("local").path("address").asText("127.0.0.1");

        try {
            Step ship = slipway(project, logs, "ship", javaHome, "ship", serviceDir.toString());
            assertEquals(0, ship.code(), app.dir() + ": slipway ship failed\n" + ship.summary());

            JsonNode readiness = yaml.path("service").path("readiness");
            if (app.endpoint() == null) {
                // A gRPC server with the standard health service: init proposed grpc probes, the
                // deploy gated on SERVING, and ship printed a grpc:// address, not an http:// URL.
                assertEquals("grpc", readiness.path("type").asText(), app.dir() + ": init's readiness probe:\n" + yaml);
                assertTrue((ship.out() + ship.err()).contains("grpc://" + address + ":" + port), app.dir() + ": ship's address\n" + ship.out() + ship.err());
                assertFalse((ship.out() + ship.err()).contains("http://" + address + ":" + port), app.dir() + ": ship's address\n" + ship.out() + ship.err());
                dev.slipway.remote.Gate.Verdict v = dev.slipway.remote.Gate.grpcHealthOnce(address, port, "", Duration.ofSeconds(10));
                assertTrue(v.ready(), app.dir() + ": " + v.describe());
            } else if ("tcp".equals(readiness.path("type").asText("http"))) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, port), 2000);
                }
            } else {
                String path = readiness.path("path").asText();
                HttpResponse<String> r = get(address, port, path);
                assertTrue(r.statusCode() / 100 == 2, app.dir() + ": readiness " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            if (app.endpoint() == null) {
                // No HTTP/1.1 at all: its training run was trained by a gRPC health check, and so is this one.
                assertTrue(dev.slipway.remote.Gate.answersGrpc(address, port, Duration.ofSeconds(10)),
                        app.dir() + ": no answer to " + dev.slipway.remote.Gate.GRPC_HEALTH_CHECK);
                return;
            }
            HttpResponse<String> hello = get(address, port, app.endpoint());
            assertEquals(200, hello.statusCode(), app.dir() + ": GET " + app.endpoint() + " answered: " + hello.body());
            assertTrue(hello.body().contains(app.body()), app.dir() + ": GET " + app.endpoint() + " answered: " + hello.body());
        } finally {
            Step stop = slipway(project, logs, "stop", javaHome, "stop", serviceDir.toString());
            assertEquals(0, stop.code(), app.dir() + ": slipway stop failed\n" + stop.summary());
        }
    }

    /** @return the directory where init wrote slipway.yaml: the project, or its application module */
    private static Path findConfig(Path project) throws IOException {
        try (Stream<Path> s = Files.walk(project, 4)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().equals("slipway.yaml")).toList();
            if (found.size() != 1) {
                fail("expected one slipway.yaml under " + project + " after init, found " + found);
            }
            return found.get(0).getParent();
        }
    }

    private static HttpResponse<String> get(String address, int port, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A free port that no earlier project of this run used (a port is never handed out twice). */
    private int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (usedPorts.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no free port");
    }

    static Path repo() {
        return Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
    }

    /**
     * The output of one CLI step.
     *
     * @param code exit code
     * @param out  standard output
     * @param err  standard error (progress and errors)
     */
    record Step(int code, String out, String err) {
        /** @return the lines that say what went wrong, then the last lines of the output */
        String summary() {
            List<String> lines = (out + "\n" + err).lines().toList();
            String errors = lines.stream()
                    .filter(l -> l.matches("(?i).*(error|exception|failed|cannot|not found|refus|no such).*"))
                    .limit(20).collect(Collectors.joining("\n"));
            String tail = lines.subList(Math.max(0, lines.size() - 30), lines.size()).stream().collect(Collectors.joining("\n"));
            return "exit " + code + "\n--- error lines\n" + errors + "\n--- last lines\n" + tail;
        }
    }

    /**
     * Runs Slipway as a child process in {@code cwd} and keeps its output in {@code logs/<name>.log}.
     *
     * @param javaHome {@code JAVA_HOME} for the child, or {@code null} to inherit this process's
     */
    private static Step slipway(Path cwd, Path logs, String name, String javaHome, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), SlipwayCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".log");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            return new Step(-1, Files.readString(out), Files.readString(err) + "\n(timed out after " + STEP_TIMEOUT + ")");
        }
        return new Step(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}

package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.DockerTestbed;
import dev.slipway.LocalRegistry;
import dev.slipway.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slipway's image run by a real Docker engine ({@code testbed/docker.sh}, {@code DOCKER_HOST}):
 * {@code slipway image --docker} loads the engine's platform without a registry; the two-platform
 * index pushed to a loopback {@code docker-registry} is pulled by digest and the engine picks
 * amd64; the container answers readiness, becomes healthy through the image's own health check
 * ({@code slipway-probe}: no shell or curl in the image), runs java as PID 1 with UID 65534, and
 * {@code docker stop} (SIGTERM) drains it within the drain timeout. Names and ports are derived per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerImageTest {
    private static final Path ARM64 = Path.of(System.getenv().getOrDefault("SLIPWAY_ARM64_ROOT",
            "/var/cache/slipway-testbed/arm64"));
    /** The service's drain timeout in this test (seconds); docker stop waits longer. */
    private static final int DRAIN = 10;

    Path dir;
    String commit;
    String repository;
    LocalRegistry registry;
    final List<String> containers = new ArrayList<>();
    final List<String> images = new ArrayList<>();

    @BeforeAll
    void buildTwoPlatforms(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.require("docker-registry");
        Tools.requireThat(Files.isDirectory(ARM64.resolve("jdk/jmods")), "the arm64 testbed (testbed/arm64.sh)");
        registry = LocalRegistry.start(tmp.resolve("registry"), "127.0.3.1", null);
        repository = registry.address() + "/acme/" + DockerTestbed.unique("myapp");
        dir = tmp.resolve("myapp");
        Example.copy(dir);
        String yaml = Files.readString(dir.resolve("slipway.yaml"))
                .replace("  defaultsResource: myapp-defaults.properties", "  defaultsResource: myapp-defaults.properties\n"
                        + "  targetJdks: {linux-arm64: " + ARM64.resolve("jdk") + "}")
                .replace("  drainTimeout: 30s", "  drainTimeout: " + DRAIN + "s")
                + """
                platforms: [linux-amd64, linux-arm64]
                image:
                  repository: %s
                  sysroots: {linux-arm64: %s}
                """.formatted(repository, ARM64.resolve("sysroot"));
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        commit = Example.commit(dir);
        var b = CliRunner.run("build", dir.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
    }

    @AfterAll
    void cleanUp() throws Exception {
        for (String c : containers) {
            docker(60, "rm", "-f", c);
        }
        for (String i : images) {
            docker(60, "rmi", "-f", i);
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void imageDockerLoadsTheEnginesPlatformWithoutARegistry() throws Exception {
        var i = CliRunner.run("image", dir.toString(), "--docker");
        assertEquals(0, i.code(), i.toString());
        String ref = repository + ":1.0.0";
        images.add(ref);
        assertTrue(i.toString().contains("loaded " + ref + " (linux-amd64"), i.toString());
        JsonNode artifacts = new ObjectMapper().readTree(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH).toFile());
        String manifest = artifacts.path("image").path("manifests").path("linux-amd64").path("digest").asText();
        assertTrue(manifest.startsWith("sha256:"), artifacts.toString());

        JsonNode inspect = json(docker(60, "image", "inspect", ref).ok().out()).path(0);
        assertEquals("amd64", inspect.path("Architecture").asText(), inspect.toString());
        assertEquals("65534:65534", inspect.path("Config").path("User").asText());
        assertEquals(commit, inspect.path("Config").path("Labels").path("org.opencontainers.image.revision").asText());
        JsonNode health = inspect.path("Config").path("Healthcheck");
        assertEquals("[\"CMD\",\"/usr/bin/slipway-probe\",\"http\",\"/health/ready\",\"1\"]", health.path("Test").toString(),
                inspect.toString());
        assertEquals(30_000_000_000L, health.path("StartPeriod").asLong(), "startup grace + readiness timeout");

        // The probe alone, against a port nothing listens on: exit 1 and why, for docker's health log.
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        var probe = docker(60, "run", "--rm", "--network", "host", "-e", "PORT=" + closed, "-e", "ADDR=127.0.0.1",
                "--entrypoint", "/usr/bin/slipway-probe", ref, "http", "/health/ready", "2");
        assertEquals(1, probe.code(), probe.toString());
        assertTrue(probe.err().contains("slipway-probe: cannot connect: Connection refused"), probe.toString());

        var v = docker(120, "run", "--rm", "--network", "host", ref, "version").ok();
        assertTrue(v.out().contains("Git Commit: " + commit), v.toString());
    }

    @Test
    @Order(2)
    void pulledByDigestItAnswersRunsJavaAsPid1AsNobodyAndDrainsOnDockerStop() throws Exception {
        var push = CliRunner.run("image", dir.toString(), "--push");
        assertEquals(0, push.code(), push.toString());
        JsonNode artifacts = new ObjectMapper().readTree(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH).toFile());
        String index = artifacts.path("image").path("index").asText();
        String byDigest = repository + "@" + index;
        images.add(byDigest);
        docker(300, "pull", byDigest).ok();
        JsonNode pulled = json(docker(60, "image", "inspect", byDigest).ok().out()).path(0);
        assertEquals("amd64", pulled.path("Architecture").asText(), "the engine picked its platform from the index");
        assertTrue(pulled.path("RepoDigests").toString().contains(byDigest), pulled.path("RepoDigests").toString());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String name = DockerTestbed.unique("myapp-run");
        containers.add(name);
        docker(120, "run", "-d", "--name", name, "--network", "host", "-e", "PORT=" + port, "-e", "ADDR=127.0.0.1",
                byDigest).ok();
        int status = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (status != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = LocalRegistry.status("http://127.0.0.1:" + port + "/health/ready");
        }
        assertEquals(200, status, "readiness in the container\n" + docker(30, "logs", name));

        // The image's own health check (slipway-probe, no shell in the image) turns the container healthy.
        String health = "";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!health.equals("healthy") && System.nanoTime() < until) {
            Thread.sleep(500);
            health = docker(30, "inspect", "-f", "{{.State.Health.Status}}", name).ok().out().strip();
        }
        assertEquals("healthy", health, docker(30, "inspect", "-f", "{{json .State.Health}}", name).out());

        long pid = Long.parseLong(docker(30, "inspect", "-f", "{{.State.Pid}}", name).ok().out().strip());
        List<String> proc = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        assertEquals("java", Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), "the container's first process");
        assertTrue(proc.stream().anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")), proc.toString());
        assertTrue(proc.stream().anyMatch(l -> l.matches("NSpid:\\s+" + pid + "\\s+1")), "java is PID 1: " + proc);

        long start = System.nanoTime();
        docker(90, "stop", "-t", String.valueOf(DRAIN + 20), name).ok();
        long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertTrue(took < DRAIN, "docker stop's SIGTERM drained it within the drain timeout (" + took + " s)");
        JsonNode state = json(docker(30, "inspect", name).ok().out()).path(0).path("State");
        assertEquals(0, state.path("ExitCode").asInt(), "java exits 0 after draining: " + state);
        String logs = docker(30, "logs", name).toString();
        assertTrue(logs.contains("received SIGTERM, draining"), logs);
        assertTrue(logs.contains("drained in"), logs);
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }
}

package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.DockerTestbed;
import dev.slipway.LocalRegistry;
import dev.slipway.Tools;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway render dockerfile} built for real by the engine of {@code testbed/docker.sh}, as a
 * Docker user would build it, and the image it makes answers readiness.
 *
 * <p>No registry can be reached, so the two build arguments name local images: {@code BASE} is
 * Debian bookworm made with debootstrap and imported ({@code docker.sh base}, cached), and
 * {@code SLIPWAY} an image of Slipway's distribution ({@code slipway.jar} from the classes under test,
 * {@code lib/} from the test's class path). The classic builder runs it (Debian's docker 20.10 has no
 * buildx for named contexts) with {@code --network host}: the {@code jdk} stage installs its
 * packages from the apt mirror and the {@code maven} stage resolves online, while the build command
 * after {@code COPY . ./} runs offline ({@code mvn -o}): it passes only when the dependency layer
 * resolved every plugin the package phase needs. The jdk stage and that dependency layer are kept
 * (tagged) as the next run's build cache, which the builder reuses only while their inputs are the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileBuildTest {
    final List<String> containers = new ArrayList<>();
    final List<String> images = new ArrayList<>();

    @AfterAll
    void cleanUp() {
        for (String c : containers) {
            docker(60, "rm", "-f", c);
        }
        for (String i : images) {
            docker(120, "rmi", "-f", i);
        }
        // The classic builder keeps every stage's layers as untagged images (over 1 GB a build); the
        // jdk stage (JDK_CACHE) and the maven stage's dependency layer (DEPENDENCY_CACHE) are tagged, so this
        // keeps them for the next run and drops the rest.
        docker(300, "image", "prune", "-f");
    }

    /** The jdk stage (apt packages) as the next run's build cache. */
    private static final String JDK_CACHE = "slipway-testbed/dockerfile-jdk:cache";

    /**
     * The maven stage's dependency layer ({@code COPY pom.xml} and the online {@code dependency:go-offline}
     * run) as the next run's build cache: the classic builder reuses it while the jdk stage and
     * {@code pom.xml} are the same (its cache key), and builds it online again when either changes.
     */
    private static final String DEPENDENCY_CACHE = "slipway-testbed/dockerfile-dependencies:cache";

    /**
     * Tags the image the classic builder made (or took from its cache) for the Dockerfile's
     * {@code RUN mvn ... dependency:go-offline} step, so the prune after the class keeps it (it is
     * then no longer dangling). Only a build cache: the offline build step after {@code COPY . ./}
     * still runs, and still passes only if that layer holds every plugin the package phase needs.
     *
     * @param buildOutput the classic builder's output ({@code Step N/M : ...} then {@code  ---> ID})
     */
    private static void keepDependencyLayer(String buildOutput) {
        boolean inStep = false;
        for (String line : buildOutput.lines().toList()) {
            if (line.startsWith("Step ")) {
                inStep = line.matches("Step \\d+/\\d+ : RUN mvn .*dependency:go-offline.*");
            } else if (inStep && line.matches(" ---> [0-9a-f]{12}")) {
                docker(60, "tag", line.substring(" ---> ".length()), DEPENDENCY_CACHE).ok();
                return;
            }
        }
        System.out.println("DockerfileBuildTest: no dependency:go-offline step in the build output; nothing kept");
    }

    @Test
    void theRenderedDockerfileBuildsAndItsImageAnswersReadiness(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.require("debootstrap");
        String base = DockerTestbed.base();

        Path dir = tmp.resolve("myapp");
        Example.copy(dir);
        Example.commit(dir);
        var render = CliRunner.run("render", "dockerfile", dir.toString());
        assertEquals(0, render.code(), render.toString());
        assertTrue(Files.readString(dir.resolve("Dockerfile")).contains("FROM ${BASE} AS jdk"));

        String dist = DockerTestbed.unique("slipway-dist");
        DockerTestbed.importDirectory(distribution(tmp.resolve("dist")), dist);
        images.add(dist);

        String tag = DockerTestbed.unique("myapp-dockerfile") + ":1";
        long start = System.nanoTime();
        DockerTestbed.run(1500, List.of("env", "DOCKER_BUILDKIT=0", DockerTestbed.client(), "build", "--network", "host",
                "--target", "jdk", "--build-arg", "BASE=" + base, "--build-arg", "SLIPWAY=" + dist, "-t", JDK_CACHE,
                dir.toString())).ok();
        var build = DockerTestbed.run(1500, List.of("env", "DOCKER_BUILDKIT=0", DockerTestbed.client(), "build",
                "--network", "host", "--build-arg", "BASE=" + base, "--build-arg", "SLIPWAY=" + dist, "-t", tag,
                dir.toString()));
        images.add(tag);
        assertEquals(0, build.code(), build.toString());
        keepDependencyLayer(build.out());
        System.out.println("DockerfileBuildTest: docker build took "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s");
        // The offline build step ran (and so every plugin was resolved in the dependency layer).
        assertTrue(build.out().contains("\"mvn\",\"-o\""), build.out());

        JsonNode config = new ObjectMapper().readTree(docker(60, "image", "inspect", tag).ok().out()).path(0).path("Config");
        assertEquals("65534:65534", config.path("User").asText(), config.toString());
        // -d: descriptor 9 on the image's home, by which a build-time class-data archive or AOT cache names its class path.
        assertEquals("[\"/usr/bin/slipway-start\",\"-a\",\"/opt/myapp/app/java.argv\",\"-d\",\"/opt/myapp\",\"--\",\"/opt/myapp/runtime/bin/java\"]",
                config.path("Entrypoint").toString());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String name = DockerTestbed.unique("myapp-dockerfile-run");
        containers.add(name);
        docker(120, "run", "-d", "--name", name, "--network", "host", "-e", "PORT=" + port, "-e", "ADDR=127.0.0.1",
                tag).ok();
        int status = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (status != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = LocalRegistry.status("http://127.0.0.1:" + port + "/health/ready");
        }
        assertEquals(200, status, "readiness of the Dockerfile's image\n" + docker(30, "logs", name));
        String health = "";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!health.equals("healthy") && System.nanoTime() < until) {
            Thread.sleep(500);
            health = docker(30, "inspect", "-f", "{{.State.Health.Status}}", name).ok().out().strip();
        }
        assertEquals("healthy", health, "the HEALTHCHECK (slipway-probe): "
                + docker(30, "inspect", "-f", "{{json .State.Health}}", name).out());
        long pid = Long.parseLong(docker(30, "inspect", "-f", "{{.State.Pid}}", name).ok().out().strip());
        assertEquals("java", Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), "java is the first process");
    }

    /**
     * Slipway's distribution as {@code slipway-cli/target} holds it after {@code mvn package}:
     * {@code slipway.jar} (here: the classes under test) and {@code lib/} (the jars of the class path).
     */
    private static Path distribution(Path dist) throws Exception {
        Files.createDirectories(dist.resolve("lib"));
        Path classes = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && p.getFileName().toString().equals("classes")) {
                classes = p;
            } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Files.copy(p, dist.resolve("lib").resolve(p.getFileName().toString()));
            }
        }
        assertTrue(classes != null, "target/classes on the class path: " + System.getProperty("java.class.path"));
        Path jar = Path.of(System.getProperty("java.home"), "bin", "jar");
        DockerTestbed.run(300, List.of(jar.toString(), "cf", dist.resolve("slipway.jar").toString(), "-C",
                classes.toString(), ".")).ok();
        return dist;
    }
}

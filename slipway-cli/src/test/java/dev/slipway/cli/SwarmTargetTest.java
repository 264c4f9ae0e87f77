package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.Console;
import dev.slipway.DockerTestbed;
import dev.slipway.LocalRegistry;
import dev.slipway.Tools;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.swarm.SwarmTarget;
import dev.slipway.remote.DockerEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code swarm} target against a real one-node swarm ({@code docker swarm init
 * --advertise-addr 127.0.0.1} in the engine of {@code testbed/docker.sh}): v1 with 3 replicas,
 * v2 rolled out start-first one task at a time, a v3 whose readiness never passes is rolled back
 * by Swarm itself (every task on v2, exit 1, the task error reported), {@code rollback} to v1,
 * then {@code status} and {@code history} from the service's labels. The image is pushed to a
 * loopback registry and deployed by digest; the versions are the same image under three release
 * versions (the task template's labels carry the version, so each one rolls every task). The
 * service name and published port are derived per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmTargetTest {
    Path dir;
    String service;
    LocalRegistry registry;
    final StringWriter out = new StringWriter();

    @BeforeAll
    void buildAndPush(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.require("docker-registry");
        String state = docker(30, "info", "-f", "{{.Swarm.LocalNodeState}}").ok().out().strip();
        if (!state.equals("active")) {
            var init = docker(60, "swarm", "init", "--advertise-addr", "127.0.0.1");
            assertTrue(init.code() == 0 || init.err().contains("already part of a swarm"), init.toString());
        }
        registry = LocalRegistry.start(tmp.resolve("registry"), "127.0.3.1", null);
        service = DockerTestbed.unique("swarm");
        int published;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            published = s.getLocalPort();
        }
        dir = tmp.resolve("myapp");
        Example.copy(dir);
        String yaml = Files.readString(dir.resolve("slipway.yaml"))
                .replace("  drainTimeout: 30s", "  drainTimeout: 5s")
                .replace("deploy:\n", """
                        deploy:
                          swarm:
                            service: %s
                            replicas: 3
                            delay: 1s
                            monitor: 5s
                            publishedPort: %d
                            rolloutTimeout: 4m
                            env: {LOG_FORMAT: json}
                        """.formatted(service, published))
                + "image:\n  repository: " + registry.address() + "/acme/" + service + "\n";
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        Example.commit(dir);
        var b = CliRunner.run("build", dir.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
        var i = CliRunner.run("image", dir.toString(), "--push");
        assertEquals(0, i.code(), i.toString());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (service != null) {
            docker(120, "service", "rm", service);
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void deploysRollsOutRollsBackOnAFailedReleaseAndKeepsHistory() throws Exception {
        // v1: a new service, planned first (the dry run changes nothing).
        DeployPlan plan = target().plan(new Target.DeployRequest(null, Duration.ZERO, true));
        String text = plan.describe();
        assertTrue(text.contains("create service " + service + ": 3 replicas of 1.0.0, update parallelism 1, delay 1s,"
                + " order start-first, monitor 5s, failure action rollback"), text);
        assertEquals(List.of("apply", "rollout", "record"), plan.steps().stream().map(s -> s.kind().id()).toList());
        var dry = CliRunner.run("deploy", dir.toString(), "--to", "swarm", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.toString().contains("create service " + service + ": 3 replicas of 1.0.0"), dry.toString());
        assertEquals(1, docker(30, "service", "inspect", service).code(), "a plan creates nothing");
        Report v1 = target().apply(plan);
        assertEquals(0, v1.exitCode(), v1.toString());
        assertTasks(v1, "1.0.0");

        JsonNode spec = json(docker(30, "service", "inspect", service).ok().out()).path(0).path("Spec");
        assertEquals("start-first", spec.path("UpdateConfig").path("Order").asText());
        assertEquals("rollback", spec.path("UpdateConfig").path("FailureAction").asText());
        assertEquals(1, spec.path("UpdateConfig").path("Parallelism").asInt());
        assertEquals(10_000_000_000L, spec.path("TaskTemplate").path("ContainerSpec").path("StopGracePeriod").asLong(),
                "stop_grace_period: the drain timeout + 5 s");
        assertEquals("[\"CMD\",\"/usr/bin/slipway-probe\",\"http\",\"/health/ready\",\"1\"]",
                spec.path("TaskTemplate").path("ContainerSpec").path("Healthcheck").path("Test").toString());
        assertTrue(spec.path("TaskTemplate").path("ContainerSpec").path("Env").toString().contains("LOG_FORMAT=json"));
        assertTrue(spec.path("TaskTemplate").path("ContainerSpec").path("Image").asText().contains("@sha256:"),
                "deployed by digest: " + spec);

        // v2: a rolling update, one task at a time, each new task healthy before the old one stops.
        setVersion("2.0.0");
        Report v2 = target().apply(target().plan(new Target.DeployRequest(null, Duration.ZERO, true)));
        assertEquals(0, v2.exitCode(), v2.toString());
        assertTasks(v2, "2.0.0");

        // v3 never becomes ready: Swarm's health-gated update fails and Swarm rolls back to v2.
        setVersion("3.0.0");
        Files.writeString(dir.resolve("slipway.yaml"), Files.readString(dir.resolve("slipway.yaml"))
                .replace("    path: /health/ready", "    path: /never-ready"));
        Report v3 = target().apply(target().plan(new Target.DeployRequest(null, Duration.ZERO, true)));
        assertEquals(1, v3.exitCode(), v3.toString());
        assertEquals("rolled-back", v3.outcome(), v3.toString());
        assertEquals("2.0.0", v3.version(), v3.toString());
        assertTrue(v3.message().contains("rolled " + service + " back to 2.0.0"), v3.message());
        assertTrue(v3.message().contains("task "), "the report names the task error: " + v3.message());
        Files.writeString(dir.resolve("slipway.yaml"), Files.readString(dir.resolve("slipway.yaml"))
                .replace("    path: /never-ready", "    path: /health/ready"));
        Report after = target().status();
        assertEquals("2.0.0", after.version(), after.toString());
        assertTasks(after, "2.0.0");

        // rollback: the release served before the current one (v1), from the history in the labels.
        DeployPlan back = target().rollback(new Target.RollbackTo(null, null, Duration.ZERO));
        assertEquals("1.0.0", back.version());
        Report r = target().apply(back);
        assertEquals(0, r.exitCode(), r.toString());
        assertTasks(r, "1.0.0");

        Report status = target().status();
        assertEquals("1.0.0", status.version());
        assertEquals(4, status.revision(), status.toString());
        List<Revision> history = target().history();
        assertEquals(List.of("1.0.0 deployed", "2.0.0 deployed", "3.0.0 rolled-back", "1.0.0 rollback"),
                history.stream().map(h -> h.version() + " " + h.outcome()).toList());
        assertEquals(List.of(1, 2, 3, 4), history.stream().map(Revision::revision).toList());
        assertTrue(history.get(2).note().contains("task "), history.get(2).toString());
    }

    private SwarmTarget target() {
        Console console = new Console(new PrintWriter(out, true), new PrintWriter(out, true), false);
        return new SwarmTarget(ConfigLoader.loadFromDir(dir), DockerEngine.fromEnv(System::getenv), console);
    }

    /** Every running task of the report (one line each) is healthy on {@code version}: 3 of them. */
    private static void assertTasks(Report report, String version) {
        List<String> lines = report.lines();
        assertEquals(3, lines.size(), report.toString());
        for (String l : lines) {
            assertTrue(l.matches("\\S+\\.[123] \\w{12} running " + java.util.regex.Pattern.quote(version)), l);
        }
    }

    /** A new release version of the same image: artifacts.json's version, as a new build would write it. */
    private void setVersion(String version) throws Exception {
        Path manifest = dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH);
        ObjectNode doc = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
        doc.put("version", version);
        new ObjectMapper().writeValue(manifest.toFile(), doc);
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }
}

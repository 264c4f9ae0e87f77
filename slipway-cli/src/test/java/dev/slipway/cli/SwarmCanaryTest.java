package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.DockerTestbed;
import dev.slipway.LocalRegistry;
import dev.slipway.Tools;
import dev.slipway.analysis.PrometheusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm target's canary through the CLI, on a real one-node swarm (the engine of
 * {@code testbed/docker.sh}) with a real Prometheus scraping every task port: the first
 * {@code canary --to swarm} deploys 1.0.0 to the stable service directly; 2.0.0 runs as the service
 * {@code <service>-canary} (1 task, {@code TRACK=canary}, on the other port prefix) at weight 50,
 * passes the built-in error-rate analysis on its own requests and is promoted (the canary service
 * removed, the stable service on 2.0.0); 3.0.0 fails its analysis and is aborted (the canary service
 * removed, 2.0.0 untouched). {@code stop --to swarm} scales the service to 0 tasks and {@code start}
 * back; {@code rollback --to swarm} to a version it never had is refused with exit 2 and changes nothing.
 *
 * <p>Traffic: as in {@code SwarmTargetTest} the tasks run on the host network, each on its own
 * port (prefix + slot), because the test engine has no iptables for the routing mesh. A request
 * loop that sends each request to the next task port, skipping refused ones, stands in for the
 * proxy in front of both prefixes; the analysis waits 6 s for its first measurement so that a loaded
 * machine (load average 30) still sends the canary its 5 requests. Versions are one image under several release versions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmCanaryTest {
    Path dir;
    String service;
    LocalRegistry registry;
    PrometheusServer prometheus;
    int prefixA;
    int prefixB;
    String baseYaml;

    @BeforeAll
    void buildAndPush(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.require("docker-registry");
        Tools.require("prometheus");
        DockerTestbed.swarm();
        registry = LocalRegistry.start(tmp.resolve("registry"), "127.0.3.2", null);
        service = DockerTestbed.unique("swcanary");
        List<Integer> prefixes = DockerTestbed.portPrefixes(2100, 2);
        prefixA = prefixes.get(0);
        prefixB = prefixes.get(1);
        dir = tmp.resolve("myapp");
        Example.copy(dir);
        String yaml = SwarmTargetTest.swarmYaml(dir, """
                  swarm:
                    service: %s
                    replicas: 1
                    delay: 1s
                    monitor: 2s
                    network: host
                    portPrefixes: [%d, %d]
                    rolloutTimeout: 6m
                """.formatted(service, prefixA, prefixB), registry.address() + "/acme/" + service);
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        Example.commit(dir);
        var b = CliRunner.run("build", dir.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
        var i = CliRunner.run("image", dir.toString(), "--push");
        assertEquals(0, i.code(), i.toString());
        prometheus = PrometheusServer.start(tmp.resolve("prometheus"), "myapp", List.of(
                "127.0.0.1:" + (10 * prefixA + 1), "127.0.0.1:" + (10 * prefixB + 1)));
        baseYaml = Files.readString(dir.resolve("slipway.yaml"));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (service != null) {
            docker(120, "service", "rm", service + "-canary");
            docker(120, "service", "rm", service);
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void promotesAGoodCanaryAbortsABadOneAndRefusesARollbackToAnUnknownRelease() throws Exception {
        // The built-in error-rate on the canary's own requests (track="canary": the task's TRACK).
        configure("""
                    - name: error-rate
                      interval: 3s
                      count: 2
                      initialDelay: 6s
                """);
        // 1.0.0: nothing serves yet, so it goes to the stable service directly.
        var first = CliRunner.run("canary", dir.toString(), "--to", "swarm");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.err().contains("no stable release on swarm yet: 1.0.0 goes to the stable instances directly"),
                first.err());
        assertEquals("1.0.0", label(service));

        try (Traffic traffic = Traffic.start(List.of(10 * prefixA + 1, 10 * prefixB + 1))) {
            // 2.0.0: a canary service beside the stable one, analysed, promoted.
            SwarmTargetTest.setVersion(dir, "2.0.0");
            var dry = CliRunner.run("canary", dir.toString(), "--to", "swarm", "--dry-run");
            assertEquals(0, dry.code(), dry.toString());
            assertEquals(1, docker(30, "service", "inspect", service + "-canary").code(), "a dry run creates nothing");
            var good = CliRunner.run("canary", dir.toString(), "--to", "swarm", "--json");
            assertEquals(0, good.code(), good.toString());
            JsonNode report = new ObjectMapper().readTree(good.out());
            assertEquals("PROMOTED", report.path("phase").asText(), report.toString());
            assertEquals("pass", report.path("steps").path(0).path("outcome").asText(), report.toString());
            assertTrue(good.err().contains("creating Swarm service " + service + "-canary (2.0.0, TRACK=canary, 0 tasks"),
                    good.err());
            assertTrue(good.err().contains("1 canary task beside 1 stable: real weight 50.0% (requested 50%)"), good.err());
            assertTrue(good.err().contains("removing Swarm service " + service + "-canary"), good.err());
            assertEquals("2.0.0", label(service));
            assertEquals(1, docker(30, "service", "inspect", service + "-canary").code(), "the canary service is gone");

            // 3.0.0: the analysis fails (its request count is above the metric's max), the canary is aborted.
            configure("""
                        - name: canary-requests
                          query: sum(since_start(http_requests_total{job="{{job}}",track="{{track}}"}))
                          max: 1
                          interval: 3s
                          count: 2
                          initialDelay: 3s
                    """);
            SwarmTargetTest.setVersion(dir, "3.0.0");
            var bad = CliRunner.run("canary", dir.toString(), "--to", "swarm");
            assertEquals(1, bad.code(), bad.toString());
            assertTrue(bad.out().contains("canary 3.0.0 aborted on swarm"), bad.toString());
            assertEquals("2.0.0", label(service), "stable untouched");
            assertEquals(1, docker(30, "service", "inspect", service + "-canary").code(), "the canary service is gone");
            var status = CliRunner.run("status", dir.toString(), "--to", "swarm");
            assertEquals(0, status.code(), status + "\n--- docker service ps\n"
                    + docker(30, "service", "ps", "--no-trunc", service) + "\n--- docker service ls\n" + docker(30, "service", "ls"));
            assertTrue(status.out().contains("canary     3.0.0 aborted"), status.out());
            assertTrue(traffic.answered() > 100, "traffic ran: " + traffic);
            assertEquals(0, traffic.non2xx(), "every answer was 2xx (one image under every version): " + traffic);
        }

        // stop scales the service to 0 tasks, start scales it back and waits for them, with --json.
        var stopped = CliRunner.run("stop", dir.toString(), "--to", "swarm", "--json");
        assertEquals(0, stopped.code(), stopped.toString());
        assertEquals("stop", new ObjectMapper().readTree(stopped.out()).path("action").asText(), stopped.out());
        assertEquals(0, replicas(service));
        var down = CliRunner.run("status", dir.toString(), "--to", "swarm");
        assertEquals(1, down.code(), "nothing serves after stop: " + down);
        assertTrue(down.err().contains(service + " runs no task of 2.0.0"), down.toString());
        var again = CliRunner.run("stop", dir.toString(), "--to", "swarm");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains(service + " was not running"), again.toString());
        var started = CliRunner.run("start", dir.toString(), "--to", "swarm");
        assertEquals(0, started.code(), started.toString());
        assertTrue(started.out().matches("(?s)" + java.util.regex.Pattern.quote(service) + "\\.1 \\w{12} running 2\\.0\\.0\n"),
                "one healthy task of 2.0.0: " + started);
        assertEquals(1, replicas(service));
        assertEquals("2.0.0", label(service), "start changed nothing else");
        assertEquals(0, CliRunner.run("status", dir.toString(), "--to", "swarm").code(), "serving again after start");

        // While a canary service runs beside the service, deploy, rollback and stop are refused: exit 2,
        // nothing changed (a stand-in canary service with no task, labelled as the driver labels it).
        String image = new ObjectMapper().readTree(docker(30, "service", "inspect", service).ok().out()).path(0)
                .path("Spec").path("TaskTemplate").path("ContainerSpec").path("Image").asText();
        docker(120, "service", "create", "--detach", "--no-resolve-image", "--name", service + "-canary", "--replicas", "0",
                "--label", "dev.slipway.version=9.0.0", image).ok();
        try {
            String held = docker(30, "service", "inspect", service).ok().out();
            for (String[] cmd : List.of(new String[] {"deploy"}, new String[] {"rollback"}, new String[] {"stop"})) {
                var r = CliRunner.run(cmd[0], dir.toString(), "--to", "swarm");
                assertEquals(2, r.code(), cmd[0] + " beside a canary: " + r);
                assertTrue(r.err().contains("while a canary runs beside it (service " + service + "-canary, 9.0.0)"), r.toString());
            }
            assertEquals(held, docker(30, "service", "inspect", service).ok().out(), "the service is as it was");
        } finally {
            docker(120, "service", "rm", service + "-canary");
        }

        // Issue 17: a rollback to a release the target never had: exit 2, nothing changed.
        String before = docker(30, "service", "inspect", service).ok().out();
        var rollback = CliRunner.run("rollback", dir.toString(), "--to", "swarm", "--version", "9.9.9");
        assertEquals(2, rollback.code(), rollback.toString());
        assertTrue(rollback.err().contains("nothing was changed"), rollback.err());
        assertEquals(before, docker(30, "service", "inspect", service).ok().out(), "the service is as it was");
        assertFalse(rollback.err().contains("Exception"), rollback.err());
    }

    /** Writes slipway.yaml with a canary section: one step at 50 %, the given metrics, this run's Prometheus. */
    private void configure(String metrics) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), baseYaml + "canary:\n  prometheus: " + prometheus.url()
                + "\n  scrapeInterval: 1s\n  minRequests: 5\n  steps:\n    - {weight: 50, analysis: true}\n  metrics:\n"
                + metrics);
    }

    private static int replicas(String name) throws Exception {
        JsonNode s = new ObjectMapper().readTree(docker(30, "service", "inspect", name).ok().out()).path(0);
        return s.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt(-1);
    }

    private static String label(String name) throws Exception {
        JsonNode s = new ObjectMapper().readTree(docker(30, "service", "inspect", name).ok().out()).path(0);
        return s.path("Spec").path("Labels").path("dev.slipway.version").asText();
    }

    /**
     * Requests to {@code /} spread over the task ports as a proxy in front of both prefixes would: each
     * request goes to the next port; a refused connection (no task there now) moves on. A request every 20 ms at most.
     */
    static final class Traffic implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong served = new AtomicLong();
        private final AtomicLong non2xx = new AtomicLong();
        private final Thread thread;

        private Traffic(List<Integer> ports) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            thread = new Thread(() -> {
                for (long n = 0; !stop.get(); n++) {
                    int port = ports.get((int) (n % ports.size()));
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                        served.incrementAndGet();
                        if (r.statusCode() / 100 != 2) {
                            non2xx.incrementAndGet();
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception refused) {
                        // no task on that port now: the next one
                    }
                }
            }, "swarm-canary-traffic");
            thread.setDaemon(true);
            thread.start();
        }

        static Traffic start(List<Integer> ports) {
            return new Traffic(ports);
        }

        long answered() {
            return served.get();
        }

        long non2xx() {
            return non2xx.get();
        }

        @Override
        public String toString() {
            return served + " answered, " + non2xx + " not 2xx";
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }
}

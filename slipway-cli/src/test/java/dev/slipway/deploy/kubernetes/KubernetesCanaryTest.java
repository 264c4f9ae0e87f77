package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.Console;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.analysis.PrometheusServer;
import dev.slipway.analysis.Sleeper;
import dev.slipway.analysis.Verdict;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary on the kubernetes target with the analysis engine against a real Prometheus (Debian's
 * package, on loopback). The pods are the mock server's, so the canary's metrics come from a
 * small exporter in the test that Prometheus scrapes every second as job {@code myapp}: a gauge
 * {@code canary_error_ratio} per track, set by the test.
 */
class KubernetesCanaryTest {
    static final String QUERY = "max(canary_error_ratio{job=\"{{service}}\",track=\"{{track}}\"})";

    @TempDir
    Path dir;
    MockCluster cluster;
    HttpServer exporter;
    PrometheusServer prometheus;
    final AtomicReference<String> metrics = new AtomicReference<>("");
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        exporter.createContext("/metrics", ex -> {
            byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        exporter.start();
        prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prom")), "myapp",
                List.of("127.0.0.1:" + exporter.getAddress().getPort()));
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (exporter != null) {
            exporter.stop(0);
        }
    }

    SlipwayConfig config() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: myapp
                deploy:
                  kubernetes: {replicas: 10, progressDeadline: 10s}
                canary:
                  prometheus: %s
                  minRequests: 0   # the exporter here has a gauge, no request counter
                  steps:
                    - {weight: 10, analysis: true}
                    - {weight: 33, pause: 1s}
                  metrics:
                    - {name: errors, query: '%s', max: 0.05, interval: 1s, count: 2, initialDelay: 2s}
                """.formatted(prometheus.url(), QUERY));
        return ConfigLoader.load(dir.resolve("slipway.yaml"));
    }

    KubernetesCanary.Report run(SlipwayConfig c, KubeRelease r) throws Exception {
        try (KubernetesTarget t = new KubernetesTarget(c, cluster.server.createClient(), console(), Duration.ofMillis(100),
                false)) {
            return new KubernetesCanary(c, t, new PrometheusClient(c.canary().prometheus(), Duration.ofSeconds(5)),
                    Clock.systemUTC(), Sleeper.SYSTEM, console()).run(r);
        }
    }

    Console console() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false);
    }

    void deployStable(SlipwayConfig c) {
        try (KubernetesTarget t = new KubernetesTarget(c, cluster.server.createClient(), console(), Duration.ofMillis(100),
                false)) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
        }
    }

    /** Sets the exporter's metrics and waits (at most 30 s) until Prometheus has scraped them. */
    void serve(String text, String track) throws Exception {
        metrics.set(text);
        PrometheusClient p = new PrometheusClient(prometheus.url(), Duration.ofSeconds(5));
        String q = "count(canary_error_ratio{job=\"myapp\",track=\"" + track + "\"})";
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                if (!p.query(q, java.time.Instant.now()).isEmpty()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not ready yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus did not scrape the exporter within 30 s: " + prometheus.log());
    }

    String image(String name) {
        var d = cluster.client.apps().deployments().inNamespace("default").withName(name).get();
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    int replicas(String name) {
        return cluster.client.apps().deployments().inNamespace("default").withName(name).get().getSpec().getReplicas();
    }

    @Test
    void aHealthyCanaryPassesItsStepsAndIsPromoted() throws Exception {
        SlipwayConfig c = config();
        deployStable(c);
        serve("canary_error_ratio{track=\"canary\"} 0.0\ncanary_error_ratio{track=\"stable\"} 0.5\n", "canary");
        KubernetesCanary.Report r = run(c, new KubeRelease(KubernetesTargetTest.V2, "2.0.0", "c2"));
        assertEquals("promoted", r.outcome(), r.message() + "\n" + err);
        assertEquals(0, r.exitCode());
        assertEquals(2, r.steps().size());
        assertEquals("1 canary + 9 stable pods: real weight 10.0% (requested 10%)", r.steps().get(0).split().describe());
        assertEquals(Verdict.PASS, r.steps().get(0).analysis().verdict());
        assertEquals(0.0, r.steps().get(0).analysis().measurements().get(0).value());
        assertEquals(3, r.steps().get(1).split().canary(), "33% of 10 pods");
        assertNull(r.steps().get(1).analysis());
        assertEquals(KubernetesTargetTest.V2, image("myapp"));
        assertEquals(10, replicas("myapp"));
        assertEquals(0, replicas("myapp-canary"));
    }

    @Test
    void aFailingCanaryIsAbortedAtTheFirstStep() throws Exception {
        SlipwayConfig c = config();
        deployStable(c);
        serve("canary_error_ratio{track=\"canary\"} 0.3\ncanary_error_ratio{track=\"stable\"} 0.0\n", "canary");
        KubernetesCanary.Report r = run(c, new KubeRelease(KubernetesTargetTest.V2, "2.0.0", "c2"));
        assertEquals("aborted", r.outcome(), r.message());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.steps().size());
        assertTrue(r.message().contains("real weight 10.0%") && r.message().contains("0.3"), r.message());
        assertEquals(0, replicas("myapp-canary"));
        assertEquals(10, replicas("myapp"));
        assertEquals(KubernetesTargetTest.V1, image("myapp"), "the stable template is never touched");
    }

    @Test
    void noDataPausesWithTheCanaryRunning() throws Exception {
        SlipwayConfig c = config();
        deployStable(c);
        serve("canary_error_ratio{track=\"stable\"} 0.0\n", "stable");
        KubernetesCanary.Report r = run(c, new KubeRelease(KubernetesTargetTest.V2, "2.0.0", "c2"));
        assertEquals("paused", r.outcome(), r.message());
        assertEquals(3, r.exitCode());
        assertEquals(1, replicas("myapp-canary"), "paused: the canary keeps its pods until promote or abort");
        assertEquals(9, replicas("myapp"));
    }
}

package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.Console;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.analysis.PrometheusServer;
import dev.slipway.canary.CanaryRun;
import dev.slipway.canary.CanaryState;
import dev.slipway.canary.KubernetesCanaryTarget;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
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
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes canary through the shared driver ({@link CanaryRun} over {@link KubernetesCanaryTarget})
 * against fabric8's mock API server in CRUD mode ({@link MockCluster} plays the Deployment
 * controller; a thread of this test plays the HPA) and a real Prometheus (Debian's package, on
 * loopback) that scrapes an exporter in the test every second. The exporter stands in for the pods:
 * it serves myapp's {@code http_requests_total} per track, and a track's series exist only while
 * pods of it run: the canary's appear when {@code <name>-canary} gets pods (at its first step's
 * start) and count from 0; a promoted release's stable series appear with its pods.
 */
class KubernetesCanaryTest {
    static final String V1 = KubernetesTargetTest.V1;
    static final String V2 = KubernetesTargetTest.V2;

    @TempDir
    Path dir;
    MockCluster cluster;
    HttpServer exporter;
    PrometheusServer prometheus;
    final StringWriter err = new StringWriter();

    /** Requests per second the canary's pods answer, and the share of them that are 500. */
    volatile double canaryRate = 60;
    volatile double canaryErrors = 0;
    /** The share of 500s the stable pods answer once they run the canary's image (V2). */
    volatile double promotedErrors = 0;
    private long canarySince = -1;
    private long v2Since = -1;
    private final long t0 = System.nanoTime();

    @BeforeEach
    void start() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        exporter.createContext("/metrics", ex -> {
            byte[] body;
            try {
                body = metrics().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                body = new byte[0];
            }
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

    /** The exposition: each series exists while pods of its kind run, and counts from 0 since they started. */
    private synchronized String metrics() {
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder("# TYPE http_requests_total counter\n");
        double sinceT0 = (now - t0) / 1e9;
        Deployment canary = live("myapp-canary");
        boolean canaryUp = canary != null && canary.getSpec().getReplicas() != null && canary.getSpec().getReplicas() > 0;
        canarySince = canaryUp ? (canarySince < 0 ? now : canarySince) : -1;
        Deployment stable = live("myapp");
        boolean v2 = stable != null && V2.equals(KubernetesTargetTest.image(stable));
        v2Since = v2 ? (v2Since < 0 ? now : v2Since) : -1;
        if (canaryUp) {
            double t = (now - canarySince) / 1e9;
            series(sb, "canary", "c1", canaryRate * t, canaryErrors);
        }
        if (v2) {
            series(sb, "stable", "v2", 60 * (now - v2Since) / 1e9, promotedErrors);
        } else {
            series(sb, "stable", "v1", 60 * sinceT0, 0);
        }
        return sb.toString();
    }

    private static void series(StringBuilder sb, String track, String pod, double total, double errors) {
        sb.append(String.format(Locale.ROOT, "http_requests_total{track=\"%s\",pod=\"%s\",route=\"/api\",status=\"200\"} %d%n",
                track, pod, Math.round(total * (1 - errors))));
        sb.append(String.format(Locale.ROOT, "http_requests_total{track=\"%s\",pod=\"%s\",route=\"/api\",status=\"500\"} %d%n",
                track, pod, Math.round(total * errors)));
    }

    SlipwayConfig config(String kubernetes, String canary) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: myapp
                deploy:
                  kubernetes:
                %scanary:
                  prometheus: %s
                  scrapeInterval: 1s
                  metrics:
                    - {name: error-rate, interval: 2s, count: 2}
                %s""".formatted(kubernetes, prometheus.url(), canary));
        return ConfigLoader.load(dir.resolve("slipway.yaml"));
    }

    static final String WITH_HPA = """
                progressDeadline: 20s
                hpa: {minReplicas: 2, maxReplicas: 6, cpu: 70}
                resources: {requests: {cpu: 100m}}
                pdb: {maxUnavailable: 1}
            """.indent(2);

    KubernetesTarget target(SlipwayConfig c) {
        return new KubernetesTarget(c, cluster.server.createClient(), console(), Duration.ofMillis(100), false);
    }

    Console console() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false);
    }

    CanaryRun.Result run(SlipwayConfig c, java.util.function.Function<CanaryRun, CanaryRun.Result> what) {
        try (KubernetesTarget t = target(c)) {
            CanaryRun run = new CanaryRun(c, new KubernetesCanaryTarget(c, console(), t),
                    new PrometheusClient(c.canary().prometheus(), Duration.ofSeconds(5)), Clock.systemUTC(), console());
            return t.api(() -> what.apply(run));
        }
    }

    Supplier<dev.slipway.deploy.Release> release(String image, String version) {
        return () -> KubernetesCanaryTarget.release("myapp", new KubeRelease(image, version, "c" + version));
    }

    Deployment live(String name) {
        return cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName(name).get();
    }

    HorizontalPodAutoscaler hpa() {
        return cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(MockCluster.NS).withName("myapp").get();
    }

    static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    /**
     * Plays the HPA: every 100 ms it scales the stable Deployment to {@code load} pods within the
     * HPA's live bounds (as an HPA under that load would). The load drops to 0 as soon as the
     * canary has pods (an HPA on its own bounds then goes down to {@code minReplicas}). While
     * {@code watching}, it records every tick at which fewer than {@code least} stable pods were
     * ready, until the HPA has its own {@code minReplicas} back after having been pinned (from then
     * on the count is the HPA's own again).
     */
    final class HpaPlayer implements AutoCloseable {
        static final int OWN_MIN = 2;
        volatile int load;
        volatile int least;
        volatile boolean watching;
        volatile int maxMinSeen;
        final List<String> below = new CopyOnWriteArrayList<>();
        int ticks;
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::loop, "test-hpa");

        HpaPlayer(int load) {
            this.load = load;
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running) {
                try {
                    HorizontalPodAutoscaler h = hpa();
                    Deployment d = live("myapp");
                    Deployment c = live("myapp-canary");
                    if (c != null && replicas(c) > 0) {
                        load = 0;
                    }
                    if (h != null && d != null) {
                        int min = h.getSpec().getMinReplicas();
                        maxMinSeen = Math.max(maxMinSeen, min);
                        if (watching && maxMinSeen > OWN_MIN && min == OWN_MIN) {
                            watching = false; // restored: the HPA's own bounds again
                        }
                        int want = Math.max(min, Math.min(h.getSpec().getMaxReplicas(), load));
                        if (replicas(d) != want) {
                            cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").scale(want);
                        }
                        if (watching) {
                            ticks++;
                            int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                                    : d.getStatus().getReadyReplicas();
                            if (ready < least) {
                                below.add(ready + " ready stable pods (image " + KubernetesTargetTest.image(d) + ")");
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    // a write that raced the CLI's: the next tick tries again
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Waits (at most 10 s) until the player saw the HPA pinned and then restored. */
        void awaitRestored() throws InterruptedException {
            long end = System.nanoTime() + 10_000_000_000L;
            while (watching && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertFalse(watching, "the HPA was not seen pinned (min " + maxMinSeen + ") and then restored");
        }

        /** Waits (at most 30 s) until {@code n} stable pods are ready. */
        void awaitReady(int n) throws InterruptedException {
            long end = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < end) {
                Deployment d = live("myapp");
                if (d != null && d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                        && d.getStatus().getReadyReplicas() == n && replicas(d) == n) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("the stable Deployment did not reach " + n + " ready pods");
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    void deployStable(SlipwayConfig c) {
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
        }
    }

    /**
     * Deploys 1.0.0, lets the HPA player scale it to its load (N pods), then runs the canary of
     * 2.0.0 while the player checks that N stable pods are ready at every tick, until it saw the
     * HPA pinned and restored.
     */
    CanaryRun.Result canaryUnder(HpaPlayer hpa, SlipwayConfig c) throws Exception {
        deployStable(c);
        int n = hpa.load;
        hpa.awaitReady(n);
        awaitScraped("stable");
        hpa.least = n;
        hpa.watching = true;
        CanaryRun.Result r = run(c, run -> run.run(release(V2, "2.0.0")));
        hpa.awaitRestored();
        return r;
    }

    /** Waits (at most 30 s) until Prometheus has a series for {@code track}. */
    void awaitScraped(String track) throws Exception {
        PrometheusClient p = new PrometheusClient(prometheus.url(), Duration.ofSeconds(5));
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                if (!p.query("count(http_requests_total{job=\"myapp\",track=\"" + track + "\"})", java.time.Instant.now())
                        .isEmpty()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not ready yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus did not scrape the exporter within 30 s: " + prometheus.log());
    }

    @Test
    void aHealthyCanaryIsPromotedAndAFailingBakeUndoesItNeverBelowTheStablePods() throws Exception {
        SlipwayConfig c = config(WITH_HPA, """
                  steps: [{weight: 20, analysis: true}, {weight: 50, pause: 1s}]
                  bake: 4s
                """);
        try (HpaPlayer hpa = new HpaPlayer(4)) {
            promotedErrors = 0.5;
            CanaryRun.Result r = canaryUnder(hpa, c);

            assertEquals(CanaryRun.Outcome.ABORTED, r.outcome(), r.state().message() + "\n" + err);
            CanaryState s = r.state();
            assertTrue(s.message().contains("bake after the promotion failed: error-rate failed"), s.message());
            // the steps passed: the canary's series appeared at step 1's start and counted from 0, under the defaults
            assertEquals("pass", s.steps().get(0).outcome(), s.steps().toString());
            assertTrue(s.steps().get(0).analysis().measurements().stream().allMatch(m -> m.value() != null
                    && m.value() == 0.0), s.steps().get(0).analysis().measurements().toString());
            assertEquals("pass", s.steps().get(1).outcome());
            assertEquals("bake", s.steps().get(2).kind());
            assertEquals("fail", s.steps().get(2).outcome());
            assertTrue(s.steps().get(2).analysis().measurements().get(0).value() > 0.4,
                    s.steps().get(2).analysis().toString());
            // the promotion happened (stable got V2), then the bake's failure undid it
            assertTrue(err.toString().contains("stable myapp gets its template and 4 pods"), err.toString());
            assertTrue(err.toString().contains("weight 20 %: 1 canary pod beside 4 stable: real weight 20.0% (requested 20%)"),
                    err.toString());
            assertTrue(err.toString().contains("weight 50 %: 4 canary pods beside 4 stable: real weight 50.0%"), err.toString());
            Deployment stable = live("myapp");
            assertEquals(V1, KubernetesTargetTest.image(stable), "the release is undone");
            assertEquals("1.0.0", stable.getMetadata().getAnnotations().get(Manifests.VERSION));
            assertEquals(0, replicas(live("myapp-canary")));

            // capacity: never fewer than the 4 stable pods the canary started with, through canary, promotion and undo
            assertTrue(hpa.ticks > 50, "the HPA player watched " + hpa.ticks + " ticks");
            assertTrue(hpa.below.isEmpty(), "ticks below 4 ready stable pods: " + hpa.below);
            assertEquals(4, hpa.maxMinSeen, "the HPA was pinned at the 4 pods the canary started with");
            assertEquals(List.of(2, 6), List.of(hpa().getSpec().getMinReplicas(), hpa().getSpec().getMaxReplicas()),
                    "the HPA's own bounds are back");
            hpa.awaitReady(2); // and it scales down again on its own
            assertEquals(java.util.Map.of("app", "myapp"), cluster.client.policy().v1().podDisruptionBudget()
                    .inNamespace(MockCluster.NS).withName("myapp").get().getSpec().getSelector().getMatchLabels(),
                    "the PodDisruptionBudget covers both tracks");
        }
    }

    @Test
    void aFailingCanaryIsAbortedWithStableFirstAndTheAbortIsChecked() throws Exception {
        SlipwayConfig c = config(WITH_HPA, """
                  steps: [{weight: 20, analysis: true}, {weight: 50, analysis: true}]
                """);
        try (HpaPlayer hpa = new HpaPlayer(3)) {
            canaryErrors = 0.3;
            CanaryRun.Result r = canaryUnder(hpa, c);
            assertEquals(CanaryRun.Outcome.ABORTED, r.outcome(), r.state().message() + "\n" + err);
            assertTrue(r.state().message().contains("step 1 analysis failed: error-rate failed"), r.state().message());
            assertEquals(1, r.state().steps().size(), "step 2 never started");
            assertEquals(0, replicas(live("myapp-canary")));
            assertEquals(V1, KubernetesTargetTest.image(live("myapp")), "the stable template is never touched");
            assertTrue(hpa.below.isEmpty(), "ticks below 3 ready stable pods: " + hpa.below);
            assertEquals(3, hpa.maxMinSeen);
            assertEquals(2, hpa().getSpec().getMinReplicas(), "restored");

            // An abort is checked: with the HPA left pinned (as a crash in the middle of an abort leaves
            // it), a new canary refuses until an abort converged.
            hpa.watching = false;
            cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(MockCluster.NS).withName("myapp")
                    .edit(h -> {
                        h.getSpec().setMinReplicas(3);
                        return h;
                    });
            dev.slipway.SlipwayException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.slipway.SlipwayException.class, () -> run(c, run -> run.run(release(V2, "2.0.0"))));
            assertEquals(2, refused.exitCode(), refused.getMessage());
            assertTrue(refused.getMessage().contains("the HPA myapp is still pinned"), refused.getMessage());
            CanaryRun.Result again = run(c, run -> run.abort("aborted by slipway abort"));
            assertEquals(CanaryRun.Outcome.ABORTED, again.outcome());
            assertEquals(2, hpa().getSpec().getMinReplicas(), "the second abort converged");
        }
    }

    @Test
    void aCanaryThatNeverBecomesAvailableIsAborted() throws Exception {
        SlipwayConfig c = config("    replicas: 3\n    progressDeadline: 3s\n", """
                  steps: [{weight: 10, analysis: true}]
                """);
        deployStable(c);
        cluster.crashing.add(KubernetesTargetTest.BAD);
        CanaryRun.Result r = run(c, run -> run.run(release(KubernetesTargetTest.BAD, "2.0.0")));
        assertEquals(CanaryRun.Outcome.ABORTED, r.outcome());
        assertTrue(r.state().message().contains("did not become available") && r.state().message().contains("CrashLoopBackOff"),
                r.state().message());
        assertEquals(0, replicas(live("myapp-canary")));
        assertEquals(3, replicas(live("myapp")));
        assertEquals(V1, KubernetesTargetTest.image(live("myapp")));
    }

    @Test
    void aCanaryInterruptedInItsFirstStepResumesThereFromTheStateOnTheCluster() throws Exception {
        SlipwayConfig c = config("    replicas: 3\n    progressDeadline: 20s\n", """
                  steps: [{weight: 20, analysis: true}, {weight: 50, analysis: true}]
                """);
        deployStable(c);
        awaitScraped("stable");
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                run(c, run -> run.run(release(V2, "2.0.0")));
            } catch (Throwable e) {
                ended.set(e);
            }
        }, "first-canary");
        first.start();
        long end = System.nanoTime() + 60_000_000_000L;
        CanaryState at = null;
        while (System.nanoTime() < end) {
            Deployment d = live("myapp-canary");
            String json = d == null ? null : d.getMetadata().getAnnotations().get(KubernetesTarget.CANARY_STATE);
            at = json == null ? null : CanaryState.parse(json, "test");
            if (at != null && at.steps().stream().anyMatch(x -> x.index() == 0 && x.analysis() != null)) {
                break; // the first measurement of step 1 was taken
            }
            Thread.sleep(100);
        }
        assertNotNull(at);
        first.interrupt(); // as Ctrl-C stops the command between two measurements
        first.join(30_000);
        assertFalse(first.isAlive());
        assertTrue(ended.get() instanceof dev.slipway.SlipwayException && ended.get().getMessage().contains("interrupted"),
                String.valueOf(ended.get()));
        CanaryState left = CanaryState.parse(live("myapp-canary").getMetadata().getAnnotations()
                .get(KubernetesTarget.CANARY_STATE), "test");
        assertEquals(CanaryState.Phase.PROGRESSING, left.phase());
        assertEquals(0, left.step());
        assertEquals(1, replicas(live("myapp-canary")), "the canary stays as it was: 1 pod beside 3");

        CanaryRun.Result r = run(c, run -> run.run(() -> {
            throw new AssertionError("a resumed canary takes its release from the state, not the last build");
        }));
        assertEquals(CanaryRun.Outcome.PROMOTED, r.outcome(), r.state().message() + "\n" + err);
        assertTrue(err.toString().contains("resuming the canary of 2.0.0 at step 1/2"), err.toString());
        assertEquals(List.of("pass", "pass"), r.state().steps().stream().map(CanaryState.StepRecord::outcome).toList());
        assertEquals(V2, KubernetesTargetTest.image(live("myapp")));
        assertEquals(3, replicas(live("myapp")));
        assertEquals(0, replicas(live("myapp-canary")));
    }

    @Test
    void pausedAtStepOneOfThreeThenPromoteGoesOnAtStepTwoWithJsonReports() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: tester, user: {token: not-a-secret}}]
                contexts: [{name: mock, context: {cluster: mock, user: tester}}]
                current-context: mock
                """.formatted(cluster.url()));
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Path svc = Files.createDirectories(dir.resolve("svc"));
            Files.writeString(svc.resolve("slipway.yaml"), """
                    name: myapp
                    deploy:
                      kubernetes: {replicas: 4, progressDeadline: 20s}
                    canary:
                      prometheus: %s
                      scrapeInterval: 1s
                      steps:
                        - {weight: 20, analysis: true}
                        - {weight: 50, pause: 2s}
                        - {weight: 20, analysis: true}
                      metrics:
                        - {name: error-rate, interval: 2s, count: 2}
                    """.formatted(prometheus.url()));
            Files.createDirectories(svc.resolve("dist"));
            Files.writeString(svc.resolve("dist/artifacts.json"), artifacts("1.0.0", "1"));
            KubernetesCliTest.Run deploy = KubernetesCliTest.cli("deploy", svc.toString(), "--to", "kubernetes");
            assertEquals(0, deploy.code(), deploy.toString());
            awaitScraped("stable");

            Files.writeString(svc.resolve("dist/artifacts.json"), artifacts("2.0.0", "2"));
            canaryRate = 1; // a few requests: below minRequests (default 100), never a pass
            KubernetesCliTest.Run paused = KubernetesCliTest.cli("canary", svc.toString(), "--to", "kubernetes", "--json");
            assertEquals(3, paused.code(), paused.toString());
            JsonNode p = new com.fasterxml.jackson.databind.ObjectMapper().readTree(paused.out());
            assertEquals("PAUSED", p.path("phase").asText());
            assertEquals(0, p.path("step").asInt());
            assertEquals(0, p.path("weight").asInt(), "drained while paused");
            assertTrue(p.path("message").asText().contains("too few requests to judge"), p.toString());
            assertEquals("INCONCLUSIVE", p.path("steps").get(0).path("analysis").path("verdict").asText());
            assertEquals(0, replicas(live("myapp-canary")), "a paused canary has no pods: nothing watches it");
            assertEquals(4, replicas(live("myapp")));
            assertNotNull(live("myapp-canary").getMetadata().getAnnotations().get(KubernetesTarget.CANARY_STATE),
                    "the state is on the canary Deployment");

            KubernetesCliTest.Run deployDuring = KubernetesCliTest.cli("deploy", svc.toString(), "--to", "kubernetes");
            assertEquals(2, deployDuring.code(), deployDuring.toString());
            assertTrue(deployDuring.err().contains("is paused"), deployDuring.err());
            KubernetesCliTest.Run again = KubernetesCliTest.cli("canary", svc.toString(), "--to", "kubernetes");
            assertEquals(3, again.code(), "a paused canary is reported again, not restarted: " + again);

            // promote goes on at step 2 (weight 50: 4 canary pods beside 4 stable), then step 3's analysis
            canaryRate = 60;
            List<Integer> seen = new CopyOnWriteArrayList<>();
            Thread watch = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Deployment d = live("myapp-canary");
                    if (d != null && (seen.isEmpty() || seen.get(seen.size() - 1) != replicas(d))) {
                        seen.add(replicas(d));
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watch.start();
            KubernetesCliTest.Run promoted = KubernetesCliTest.cli("promote", svc.toString(), "--to", "kubernetes", "--json");
            watch.interrupt();
            watch.join();
            // The last change may fall between the watcher's last look and the end of promote: look once more.
            Deployment last = live("myapp-canary");
            if (last != null && (seen.isEmpty() || seen.get(seen.size() - 1) != replicas(last))) {
                seen.add(replicas(last));
            }
            assertEquals(0, promoted.code(), promoted.toString());
            assertTrue(promoted.err().contains("step 2/3: weight 50 %"), promoted.err());
            assertTrue(promoted.err().contains("4 canary pods beside 4 stable: real weight 50.0% (requested 50%)"),
                    promoted.err());
            assertEquals(List.of(0, 4, 1, 0), seen, "the canary's pod counts: paused, step 2, step 3, promoted");
            JsonNode done = new com.fasterxml.jackson.databind.ObjectMapper().readTree(promoted.out());
            assertEquals("PROMOTED", done.path("phase").asText());
            assertEquals(3, done.path("steps").size());
            assertEquals("promoted-by-user (was inconclusive)", done.path("steps").get(0).path("outcome").asText());
            assertEquals("pass", done.path("steps").get(1).path("outcome").asText());
            assertEquals("pass", done.path("steps").get(2).path("outcome").asText());
            assertEquals(V2, KubernetesTargetTest.image(live("myapp")));
            assertEquals(4, replicas(live("myapp")));
            assertFalse(promoted.out().contains("step 2/3"), "progress goes to stderr, the report to stdout");
        } finally {
            System.clearProperty("kubeconfig");
        }
    }

    static String artifacts(String version, String digit) {
        return """
                {"name": "myapp", "version": "%s", "commit": "%s",
                 "artifacts": [{"kind": "image", "reference": "registry.test/myapp:%s",
                                "digest": "sha256:%s"}]}
                """.formatted(version, digit.repeat(11), version, digit.repeat(64));
    }
}

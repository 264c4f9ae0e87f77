package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Testbed;
import dev.slipway.Tools;
import dev.slipway.analysis.PrometheusServer;
import dev.slipway.canary.CanaryState;
import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary on the hosts target, end to end with real parts: four Debian hosts booted by
 * {@code testbed/hosts.sh} at 127.0.1.21-24 (web1 and web2 stable, web3 the canary, lb the proxy
 * with a real nginx whose upstream weights Slipway rewrites over SSH), myapp single files under
 * systemd, and a real Prometheus on this machine scraping the three instances every second. The
 * analysis windows are seconds long; the load is bounded in requests and time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsCanaryTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The canary host as written; {@link #at} gives its address in this run. */
    private static final String CANARY = "127.0.1.23";
    private static final String UPSTREAM_FILE = "/etc/nginx/conf.d/myapp-upstream.conf";

    Testbed testbed;
    Path service;
    Path work;
    String baseYaml;
    int port;
    int proxyPort;
    PrometheusServer prometheus;

    @BeforeAll
    void bootHostsProxyPrometheusAndBuild(@TempDir Path tmp) throws Exception {
        Tools.require("prometheus");
        work = tmp;
        port = PrometheusServer.freePort();
        proxyPort = PrometheusServer.freePort();
        testbed = Testbed.up(4, "cy", "127.0.1.21");
        service = tmp.resolve("myapp");
        Example.copy(service);
        baseYaml = Files.readString(service.resolve("slipway.yaml"));
        writeConfig("{weight: 25, analysis: true}", "{weight: 50, analysis: true}");
        Example.commit(service);
        build("1.0.0");
        build("1.1.0", "--no-compile");
        build("1.1.1-bad", "--no-compile", "--profile", "canary-fault-test");
        build("1.2.0", "--no-compile");
        build("1.3.0", "--no-compile");
        startProxy();
        prometheus = PrometheusServer.start(work.resolve("prometheus"), "myapp",
                List.of(at("127.0.1.21") + ":" + port, at("127.0.1.22") + ":" + port, canary() + ":" + port));
    }

    /** @return this run's {@code 127.0.X.} (the hosts are written as 127.0.1.21-24; see {@code TestbedSlot}) */
    private static String net() {
        return dev.slipway.TestbedSlot.current().net();
    }

    /** @return an address as written ({@code 127.0.1.K}) in this run's range */
    private static String at(String address) {
        return dev.slipway.TestbedSlot.current().address(address);
    }

    /** @return the canary host's address in this run */
    private static String canary() {
        return at(CANARY);
    }

    @AfterAll
    void stopEverything() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    /** nginx on lb (127.0.1.24): a site that proxies to the upstream Slipway renders, naming the answering instance. */
    private void startProxy() {
        try (Host lb = ssh(4)) {
            lb.write(("upstream myapp { server " + at("127.0.1.21") + ":" + port + "; }\n").getBytes(StandardCharsets.UTF_8), UPSTREAM_FILE, 0644);
            lb.write("""
                    server {
                      listen 127.0.1.24:%d;
                      location / {
                        proxy_pass http://myapp;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        add_header X-Upstream $upstream_addr always;
                      }
                    }
                    """.formatted(proxyPort).replace("127.0.1.", net()).getBytes(StandardCharsets.UTF_8),
                    "/etc/nginx/conf.d/myapp-site.conf", 0644);
            Host.CommandResult r = lb.run("systemctl start nginx 2>&1 && nginx -t 2>&1", Duration.ofSeconds(60));
            assertTrue(r.ok(), "nginx on lb: " + r.stdout() + r.stderr());
        }
    }

    private void writeConfig(String... steps) throws IOException {
        writeConfig(List.of(steps), List.of(metric("error-rate", "max: 0.05"), metric("latency-p99", "max: 2.0")));
    }

    private void writeConfig(List<String> steps, List<String> metrics) throws IOException {
        // myapp's own build section and profiles (canary-fault-test), then this test's service, hosts and canary
        Files.writeString(service.resolve("slipway.yaml"), baseYaml.substring(0, baseYaml.indexOf("\nservice:") + 1) + """
                service:
                  port: %d
                  drainTimeout: 3s
                  readiness: {path: /health/ready, interval: 200ms, timeout: 60s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: 127.0.1.21, bind: 127.0.1.21}
                      - {name: web2, address: 127.0.1.22, bind: 127.0.1.22}
                      - {name: web3, address: 127.0.1.23, bind: 127.0.1.23}
                    rollout: {batchSize: 1, retain: 4}
                canary:
                  prometheus: %s
                  scrapeInterval: 1s
                  minRequests: 20
                  steps:
                %s
                  metrics:
                %s
                  nginx: {config: %s}
                  hosts:
                    canary: [web3]
                    proxy: {address: 127.0.1.24}
                """.formatted(port, Testbed.clientKey(), testbed.knownHostsHashed(), prometheus == null
                        ? "http://127.0.0.1:9090" : prometheus.url(),
                String.join("\n", steps.stream().map(s -> "    - " + s).toList()), String.join("\n", metrics),
                UPSTREAM_FILE).replace("127.0.1.", net()));
    }

    /** A metric with test-sized windows: every 3 s, twice, after 3 s, unless overridden. */
    private static String metric(String name, String... settings) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("interval", "3s");
        m.put("count", "2");
        m.put("initialDelay", "3s");
        for (String s : settings) {
            int c = s.indexOf(':');
            m.put(s.substring(0, c).strip(), s.substring(c + 1).strip());
        }
        return "    - {name: " + name + ", " + String.join(", ", m.entrySet().stream().map(e -> e.getKey() + ": "
                + e.getValue()).toList()) + "}";
    }

    private void build(String version, String... extra) throws Exception {
        CanaryEndToEndTest.build(service, version, extra);
    }

    private void use(String version) throws IOException {
        CanaryEndToEndTest.useBuild(service, version);
    }

    private Host ssh(int i) {
        Testbed.Node n = testbed.node(i);
        return SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name()).withIdentities(List.of(Testbed.clientKey()))
                .withKnownHosts(testbed.knownHosts()));
    }

    private String onHost(int i, String command) {
        try (Host h = ssh(i)) {
            return h.run(command, Duration.ofSeconds(30)).stdout();
        }
    }

    /** @return {@code version track} that host i's instance reports (its page and its metrics' track label) */
    private String serving(int i) {
        String base = "http://" + net() + (20 + i) + ":" + port;
        try {
            String page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher v = Pattern.compile("<span id=\"version\">([^<]+)</span>").matcher(page);
            Matcher t = Pattern.compile("track=\"([a-z]+)\"").matcher(metrics);
            return (v.find() ? v.group(1) : "?") + " " + (t.find() ? t.group(1) : "?");
        } catch (IOException e) {
            return "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** @return the systemd MainPID and start time of myapp on host i: changes when the service restarts */
    private String process(int i) {
        return onHost(i, "systemctl show myapp -p MainPID -p ExecMainStartTimestampMonotonic").strip().replace('\n', ' ');
    }

    /** @return host i's history: one {@code outcome version} per line; checks that revision numbers only go up */
    private List<String> history(int i) {
        List<String[]> rows = onHost(i, "grep -v '^#' /opt/slipway/myapp/history.tsv").lines().map(l -> l.split("\t")).toList();
        for (int r = 1; r < rows.size(); r++) {
            assertTrue(Integer.parseInt(rows.get(r)[0]) > Integer.parseInt(rows.get(r - 1)[0]),
                    "web" + i + ": revision numbers are unique and increasing: " + rows.stream().map(x -> x[0]).toList());
        }
        return rows.stream().map(f -> f[4] + " " + f[1]).toList();
    }

    private CliRunner.Run slipway(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, service.toString());
        all.addAll(List.of("--to", "hosts"));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private URI proxy() {
        return URI.create("http://" + at("127.0.1.24") + ":" + proxyPort + "/");
    }

    // ---- tests ----------------------------------------------------------------------------------

    @Test
    @Order(1)
    void theFirstReleaseGoesToEveryHostThenAGoodCanaryIsPromotedUnderLoad() throws Exception {
        writeConfig("{weight: 25, analysis: true}", "{weight: 50, analysis: true}");
        use("1.0.0");
        CliRunner.Run first = slipway("canary");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.err().contains("no stable release on hosts yet: 1.0.0 goes to the stable instances directly"),
                first.err());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.0.0 stable", serving(i), "web" + i);
        }
        assertTrue(onHost(4, "cat " + UPSTREAM_FILE).contains("server " + canary() + ":" + port + " weight=1 max_fails=0;"),
                "web3 is in the pool");

        use("1.1.0");
        List<CanaryEndToEndTest.Load.Response> all;
        CliRunner.Run r;
        String upstreamDuringCanary;
        try (CanaryEndToEndTest.Load load = CanaryEndToEndTest.Load.start(proxy(), 2, Duration.ofSeconds(150))) {
            r = slipway("canary", "--json");
            all = load.stop();
        }
        assertEquals(0, r.code(), r.toString());
        JsonNode report = JSON.readTree(r.out());
        Files.writeString(Path.of("target", "canary-report-hosts-good.json"), r.out()); // for docs/canary.md
        assertEquals("PROMOTED", report.path("phase").asText());
        assertEquals("hosts", report.path("target").asText());
        assertEquals("1.0.0", report.path("stableVersion").asText());
        assertEquals(2, report.path("steps").size());
        for (JsonNode step : report.path("steps")) {
            assertEquals("pass", step.path("outcome").asText(), step.toString());
            assertEquals(4, step.path("analysis").path("measurements").size(), "2 metrics x count 2");
        }
        assertTrue(r.err().contains("web3: [batch 1] switch"), "the canary went to web3 first: " + r.err());
        assertTrue(all.stream().anyMatch(x -> x.upstream().startsWith(canary())), "the canary served traffic");
        assertEquals(0, all.stream().filter(x -> x.status() >= 500).count(), "no 5xx, also not during the promotion");
        long unanswered = all.stream().filter(x -> x.status() == 0).count();
        assertTrue(unanswered * 100 <= all.size(), unanswered + " of " + all.size() + " requests got no answer");
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.1.0 stable", serving(i), "web" + i + " after the promotion");
        }
        assertEquals(List.of("deployed 1.0.0", "canary 1.1.0", "promoted 1.1.0"), history(3));
        assertEquals(List.of("deployed 1.0.0", "promoted 1.1.0"), history(1));
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"), "every server back in the pool");

        String status = slipway("status").out();
        assertTrue(status.contains("canary     1.1.0 promoted"), status);
        assertTrue(status.contains("every server in the pool"), status);
        String history = slipway("history").out();
        assertTrue(history.contains("canary") && history.contains("promoted"), history);
    }

    @Test
    @Order(2)
    void aBadCanaryIsAbortedWithinOneIntervalAndTheStableHostsAreNeverTouched() throws Exception {
        writeConfig(List.of("{weight: 25, analysis: true}", "{weight: 50, analysis: true}"),
                List.of(metric("error-rate", "max: 0.05", "count: 4")));
        String web1 = process(1);
        String web2 = process(2);
        use("1.1.1-bad");
        List<CanaryEndToEndTest.Load.Response> all;
        CliRunner.Run r;
        try (CanaryEndToEndTest.Load load = CanaryEndToEndTest.Load.start(proxy(), 2, Duration.ofSeconds(150))) {
            r = slipway("canary", "--json");
            Thread.sleep(1500); // traffic after the abort: none of it may reach the canary
            all = load.stop();
        }
        assertEquals(1, r.code(), r.toString());
        JsonNode report = JSON.readTree(r.out());
        Files.writeString(Path.of("target", "canary-report-hosts-bad.json"), r.out()); // for docs/canary.md
        assertEquals("ABORTED", report.path("phase").asText());
        assertEquals(1, report.path("steps").size(), "the first step failed; the second never started");
        JsonNode failing = null;
        for (JsonNode m : report.path("steps").get(0).path("analysis").path("measurements")) {
            if (m.path("verdict").asText().equals("FAIL")) {
                failing = m;
                break;
            }
        }
        assertNotNull(failing, report.toString());
        // web3 serves again after the abort, with the stable release: a canary answer is one from web3 that is not 1.1.0
        java.util.function.Predicate<CanaryEndToEndTest.Load.Response> fromCanary = x -> x.upstream().startsWith(canary())
                && !x.version().equals("1.1.0");
        Instant failedAt = Instant.parse(failing.path("time").asText());
        Instant lastCanary = all.stream().filter(fromCanary).map(CanaryEndToEndTest.Load.Response::time)
                .max(Instant::compareTo).orElseThrow();
        assertTrue(!lastCanary.isAfter(failedAt.plusSeconds(3)), "last canary response " + lastCanary
                + ", failing measurement " + failedAt + ": the abort took the traffic away within one interval");
        Instant firstCanary = all.stream().filter(fromCanary).map(CanaryEndToEndTest.Load.Response::time)
                .min(Instant::compareTo).orElseThrow();
        List<CanaryEndToEndTest.Load.Response> during = all.stream()
                .filter(x -> !x.time().isBefore(firstCanary) && !x.time().isAfter(lastCanary)).toList();
        long errors = during.stream().filter(x -> x.status() >= 500).count();
        double share = (double) errors / during.size();
        double canaryShare = (double) during.stream().filter(fromCanary).count() / during.size();
        System.out.printf("hosts bad canary: %d requests while the canary had traffic, canary served %.1f %%, errors %.2f %%"
                + " (expected 25 %% x 30 %% = 7.5 %%)%n", during.size(), 100 * canaryShare, 100 * share);
        assertEquals(0, all.stream().filter(x -> !fromCanary.test(x) && x.status() >= 500).count(),
                "the stable release answered no 5xx");
        assertTrue(all.stream().anyMatch(x -> x.upstream().startsWith(canary()) && x.time().isAfter(lastCanary)
                && x.version().equals("1.1.0")), "web3 rejoined the pool with the stable release");
        assertTrue(canaryShare > 0.12 && canaryShare < 0.38, "canary share " + canaryShare);
        assertTrue(share > 0.02 && share < 0.14, "error share " + share);

        assertEquals(web1, process(1), "web1 was never restarted");
        assertEquals(web2, process(2), "web2 was never restarted");
        assertEquals("1.1.0 stable", serving(3), "web3 went back to the stable release with TRACK=stable");
        List<String> h = history(3);
        assertEquals(List.of("canary 1.1.1-bad", "canary-aborted 1.1.0"), h.subList(h.size() - 2, h.size()));
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"), "web3 is back in the pool");
        String status = slipway("status").out();
        assertTrue(status.contains("canary     1.1.1-bad aborted"), status);
        assertTrue(status.contains("metric   error-rate = ") && status.contains("(fail"), status);

        // an abort again (as after one that could not finish) re-checks and changes nothing that is right
        CliRunner.Run again = slipway("abort");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("applying the abort again"), again.err());
        assertEquals(web1, process(1), "web1 untouched by a second abort");
        assertEquals("1.1.0 stable", serving(3));
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"));

        // every abort is checked after the fact: a stable server that does not serve is named (exit 1) ...
        onHost(2, "systemctl stop myapp");
        CliRunner.Run left = slipway("abort");
        assertEquals(1, left.code(), left.toString());
        assertTrue(left.err().contains("the abort did not converge: stable server web2: its unit is inactive, is not ready"),
                left.err());
        assertTrue(onHost(4, "cat " + UPSTREAM_FILE).contains(at("127.0.1.22") + ":" + port + " weight=1 max_fails=0 down;"),
                "web2 stays out of the upstream");
        // ... and once it serves again, the next abort converges and puts it back
        onHost(2, "systemctl start myapp");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!serving(2).equals("1.1.0 stable")) {
            assertTrue(System.nanoTime() < deadline, "web2 serves again after systemctl start");
            Thread.sleep(200);
        }
        CliRunner.Run fixed = slipway("abort");
        assertEquals(0, fixed.code(), fixed.toString());
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"), "web2 is back in the pool");
    }

    @Test
    @Order(3)
    void aCrashBetweenStepsAbortsCleanlyWhenToldAndResumesOtherwise() throws Exception {
        writeConfig(List.of("{weight: 10, pause: 1s}", "{weight: 30, pause: 6s}", "{weight: 50, pause: 1s}"),
                List.of(metric("error-rate")));
        use("1.2.0");
        Path state = CanaryState.file(service, "hosts");
        String web1 = process(1);
        String web2 = process(2);

        crashAtStep(state, 1);
        assertEquals("1.2.0 canary", serving(3), "the canary outlives the crashed slipway");
        assertTrue(onHost(4, "cat " + UPSTREAM_FILE).contains("canary weight 30 %"));
        CliRunner.Run deploy = slipway("deploy");
        assertEquals(2, deploy.code(), deploy.toString());
        assertTrue(deploy.err().contains("a canary of 1.2.0 is progressing on the hosts (weight 30 %); 'slipway promote"
                + " --to hosts' or 'slipway abort --to hosts' first, then deploy; nothing was changed"), deploy.err());
        CliRunner.Run abort = slipway("abort", "--json");
        assertEquals(0, abort.code(), abort.toString());
        assertEquals("ABORTED", JSON.readTree(abort.out()).path("phase").asText());
        assertEquals("1.1.0 stable", serving(3));
        assertEquals(web1, process(1), "stable hosts untouched by the abort");
        assertEquals(web2, process(2), "stable hosts untouched by the abort");
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"));

        // killed while the canary is being deployed: the rerun deploys it before any step gives it traffic
        crashWhen(() -> {
            CanaryState s = Files.exists(state) ? CanaryState.load(state) : null;
            return s != null && s.phase() == CanaryState.Phase.PROGRESSING && s.message().equals("deploying the canary")
                    && s.canaryVersion().equals("1.2.0");
        });
        CliRunner.Run resumed = slipway("canary", "--json");
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.err().contains("resuming the canary of 1.2.0 at step 1/3 (the last run stopped there: deploying the"
                + " canary)"), resumed.err());
        assertTrue(resumed.err().indexOf("web3: [batch 1] switch") < resumed.err().indexOf("step 1/3: weight 10 %"),
                "the canary was deployed before its first step: " + resumed.err());
        assertEquals("PROMOTED", JSON.readTree(resumed.out()).path("phase").asText());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.2.0 stable", serving(i), "web" + i);
        }
        List<String> h = history(3);
        assertTrue(h.contains("canary 1.2.0") && h.get(h.size() - 1).equals("promoted 1.2.0"), h.toString());
    }

    @Test
    @Order(4)
    void anAbortAfterAnInterruptedPromotionRollsBackTheServersAlreadyPromoted() throws Exception {
        writeConfig(List.of("{weight: 20, pause: 1s}"), List.of(metric("error-rate")));
        use("1.3.0");
        // killed during the promotion, once web1 serves the canary's release
        crashWhen(() -> serving(1).startsWith("1.3.0"));
        CanaryState s = CanaryState.load(CanaryState.file(service, "hosts"));
        assertEquals(CanaryState.Phase.PROMOTING, s.phase());
        // a resume needs the canary's release as the last build: the hosts get the last build
        use("1.2.0");
        CliRunner.Run other = slipway("canary");
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("the canary is 1.3.0 but the last build is 1.2.0"), other.err());
        assertEquals(CanaryState.Phase.PROMOTING, CanaryState.load(CanaryState.file(service, "hosts")).phase(), "nothing changed");
        use("1.3.0");
        CliRunner.Run abort = slipway("abort");
        assertEquals(0, abort.code(), () -> abort + "\n--- the killed run:\n" + CanaryEndToEndTest.read(work.resolve("crash.log"))
                + "\n--- web1 lock now: " + onHost(1, "cat /opt/slipway/myapp/lock/info; date -u"));
        assertTrue(abort.err().contains("an interrupted promotion left web1 on another release"), abort.err());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.2.0 stable", serving(i), "web" + i + " is back on the stable release");
        }
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"), "every server back in the pool");
        List<String> h = history(1);
        assertEquals("canary-aborted 1.2.0", h.get(h.size() - 1), h.toString());

        // a deploy afterwards ends the canary's record: a later abort cannot re-apply the old one over it
        use("1.2.0");
        CliRunner.Run deploy = slipway("deploy");
        assertEquals(0, deploy.code(), deploy.toString());
        CliRunner.Run late = slipway("abort");
        assertEquals(2, late.code(), late.toString());
        assertTrue(late.err().contains("no canary in progress on hosts to abort"), late.err());
        assertTrue(Files.exists(service.resolve(".slipway/hosts/canary.last.json")), "the record is kept aside");
    }

    @Test
    @Order(5)
    void anAbortDuringAnotherProcesssPromotionStopsItAndEveryServerEndsOnStable() throws Exception {
        writeConfig(List.of("{weight: 20, pause: 1s}"), List.of(metric("error-rate")));
        use("1.3.0");
        Process p = startCanary("promoting.log");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!serving(1).startsWith("1.3.0")) {
                assertTrue(p.isAlive(), () -> CanaryEndToEndTest.read(work.resolve("promoting.log")));
                assertTrue(System.nanoTime() < deadline, "web1 was not promoted in 150 s");
                Thread.sleep(100);
            }
            CliRunner.Run abort = slipway("abort");
            assertEquals(0, abort.code(), abort.toString());
            assertTrue(abort.err().contains("another slipway process drives the canary: waiting"), abort.err());
            assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the promoting process stops");
            assertEquals(1, p.exitValue(), "it reports the abort: " + CanaryEndToEndTest.read(work.resolve("promoting.log")));
        } finally {
            p.destroyForcibly();
        }
        assertTrue(CanaryEndToEndTest.read(work.resolve("promoting.log")).contains("the canary was aborted elsewhere"));
        assertEquals(CanaryState.Phase.ABORTED, CanaryState.load(CanaryState.file(service, "hosts")).phase());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.2.0 stable", serving(i), "web" + i + " ends on the stable release");
        }
        assertFalse(onHost(4, "cat " + UPSTREAM_FILE).contains("down"), "every server back in the pool");
    }

    /** Starts {@code slipway canary --to hosts} in a child JVM, its output in {@code log}. */
    private Process startCanary(String log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "canary", service.toString(), "--to", "hosts")
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile()).start();
    }

    /** Runs {@code slipway canary --to hosts} in a child JVM and kills it (SIGKILL) once {@code when} holds (at most 150 s). */
    private void crashWhen(java.util.function.BooleanSupplier when) throws Exception {
        Process p = startCanary("crash.log");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!when.getAsBoolean()) {
                assertTrue(p.isAlive(), () -> CanaryEndToEndTest.read(work.resolve("crash.log")));
                assertTrue(System.nanoTime() < deadline, "the crash point was not reached in 150 s");
                Thread.sleep(100);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        afterCrash();
    }

    /** {@link #crashWhen} once the canary of 1.2.0 is at {@code step} with traffic, and the weight had a second to reach nginx. */
    private void crashAtStep(Path state, int step) throws Exception {
        long[] reached = {0};
        crashWhen(() -> {
            CanaryState s = Files.exists(state) ? CanaryState.load(state) : null;
            if (s == null || s.phase() != CanaryState.Phase.PROGRESSING || s.step() != step || s.weight() == 0
                    || !s.canaryVersion().equals("1.2.0")) {
                return false;
            }
            reached[0] = reached[0] == 0 ? System.nanoTime() : reached[0];
            return System.nanoTime() - reached[0] >= TimeUnit.SECONDS.toNanos(1);
        });
    }

    /** kill -9 may leave a host's deploy lock behind (no shutdown hook ran); the documented recovery clears it. */
    private void afterCrash() {
        CliRunner.Run release = CliRunner.run("lock", "release", service.toString(), "--force");
        assertEquals(0, release.code(), release.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals("", onHost(i, "ls -d /opt/slipway/myapp/lock 2>/dev/null").strip(), "web" + i + " unlocked: " + release);
        }
    }
}

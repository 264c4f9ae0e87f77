package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.Console;
import dev.slipway.DockerTestbed;
import dev.slipway.LocalRegistry;
import dev.slipway.SlipwayException;
import dev.slipway.Tools;
import dev.slipway.config.ConfigLoader;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.swarm.SwarmSpec;
import dev.slipway.deploy.swarm.SwarmTarget;
import dev.slipway.remote.DockerEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code swarm} target against a real one-node swarm ({@code docker swarm init
 * --advertise-addr 127.0.0.1} in the engine of {@code testbed/docker.sh}): v1 with 3 replicas,
 * v2 rolled out start-first one task at a time under a bounded load through nginx (0 non-2xx, 0 socket
 * errors), a v3 whose readiness never passes is rolled back by Swarm itself (every task on v2, exit
 * 1, the task error reported), {@code rollback} to v1, {@code status} and {@code history} from the
 * service's labels (also through the CLI; the dry run with {@code --json}), a Docker secret mounted in every task,
 * a deploy killed with SIGKILL mid-rollout that a rerun finishes, and {@code ship --to swarm}, which builds,
 * pushes the image of that build and rolls it out.
 *
 * <p>Traffic: the test engine runs with {@code --iptables=false --bridge=none}, so Swarm's routing
 * mesh (an iptables DNAT to the ingress network) does not answer here. The tasks run on the host
 * network instead, each on its own port ({@code portPrefixes}: prefix + slot, alternating between
 * releases), and nginx in front lists all six ports and passes a refused connection to the next one
 * ({@code proxy_next_upstream error}), as a node-local proxy in front of host-network tasks would.
 * Readiness gating is Swarm's: a new task counts (and the next old one stops) only once its health
 * check passes. The image is pushed to a loopback registry and deployed by digest; the versions are
 * the same image under several release versions (the task template's labels carry the version, so
 * each one rolls every task). The service name and ports are derived per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmTargetTest {
    Path dir;
    String service;
    LocalRegistry registry;
    Path work;
    int prefixA;
    int prefixB;
    final StringWriter out = new StringWriter();

    @BeforeAll
    void buildAndPush(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.require("docker-registry");
        DockerTestbed.swarm();
        registry = LocalRegistry.start(tmp.resolve("registry"), "127.0.3.1", null);
        service = DockerTestbed.unique("swarm");
        work = tmp;
        List<Integer> prefixes = DockerTestbed.portPrefixes(2000, 3);
        prefixA = prefixes.get(0);
        prefixB = prefixes.get(1);
        dir = tmp.resolve("myapp");
        Example.copy(dir);
        // SHUTDOWN_DELAY_MS: a stopped task keeps serving 1.5 s (already unready), as behind any proxy.
        String yaml = swarmYaml(dir, """
                  swarm:
                    service: %s
                    replicas: 3
                    delay: 1s
                    monitor: 2s
                    network: host
                    portPrefixes: [%d, %d]
                    rolloutTimeout: 8m
                    env: {LOG_FORMAT: json, SHUTDOWN_DELAY_MS: "1500"}
                    secrets: [SLIPWAY_TEST_SECRET]
                """.formatted(service, prefixA, prefixB), registry.address() + "/acme/" + service)
                // myapp told its port by an argument, as frameworks are by their own variable or flag: the
                // image's entrypoint expands ${PORT} from each task's PORT (prefix + slot). Baked at
                // service.port, every task would bind 8080 and none would become ready.
                .replace("  drainTimeout: 5s\n", "  drainTimeout: 5s\n  args: [\"--port=${PORT}\"]\n");
        assertTrue(yaml.contains("  args: [\"--port=${PORT}\"]\n"), yaml);
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
            String ids = docker(60, "secret", "ls", "-q", "--filter", "label=dev.slipway.service=" + service).out().strip();
            if (!ids.isEmpty()) {
                List<String> rm = new java.util.ArrayList<>(List.of("secret", "rm"));
                rm.addAll(List.of(ids.split("\\s+")));
                docker(60, rm.toArray(String[]::new));
            }
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void deploysRollsOutUnderLoadRollsBackOnAFailedReleaseSurvivesAKillAndKeepsHistory() throws Exception {
        // v1: a new service, planned first (the dry run changes nothing).
        DeployPlan plan = target().plan(new Target.DeployRequest(null, Duration.ZERO, true));
        String text = plan.describe();
        assertTrue(text.contains("create service " + service + ": 3 replicas of 1.0.0, update parallelism 1, delay 1s,"
                + " order start-first, monitor 2s, failure action rollback"), text);
        assertTrue(text.contains("host network, task ports " + prefixA + "{slot}"), text);
        assertTrue(text.contains("secrets SLIPWAY_TEST_SECRET from this environment"), text);
        assertEquals(List.of("apply", "rollout", "record"), plan.steps().stream().map(s -> s.kind().id()).toList());
        var dry = cli("deploy", dir.toString(), "--to", "swarm", "--dry-run", "--json");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(json(dry.out()).toString().contains("create service " + service + ": 3 replicas of 1.0.0"), dry.toString());
        assertEquals(1, docker(30, "service", "inspect", service).code(), "a plan creates nothing");
        var noSecret = CliRunner.run("deploy", dir.toString(), "--to", "swarm");
        assertEquals(2, noSecret.code(), "a missing secret is a usage error before any change: " + noSecret);
        assertTrue(noSecret.err().contains("SLIPWAY_TEST_SECRET is not set"), noSecret.toString());
        assertEquals(1, docker(30, "service", "inspect", service).code(), "nothing was created");
        Report v1 = target().apply(plan);
        assertEquals(0, v1.exitCode(), v1.toString());
        assertTasks(v1, "1.0.0");
        assertFalse(out.toString().contains(SECRET), "the secret's value is never printed");

        JsonNode spec = json(docker(30, "service", "inspect", service).ok().out()).path(0).path("Spec");
        assertEquals("start-first", spec.path("UpdateConfig").path("Order").asText());
        assertEquals("rollback", spec.path("UpdateConfig").path("FailureAction").asText());
        assertEquals(1, spec.path("UpdateConfig").path("Parallelism").asInt());
        JsonNode container = spec.path("TaskTemplate").path("ContainerSpec");
        assertEquals(10_000_000_000L, container.path("StopGracePeriod").asLong(), "stop_grace_period: the drain timeout + 5 s");
        assertEquals("[\"CMD\",\"/usr/bin/slipway-probe\",\"http\",\"/health/ready\",\"2\"]",
                container.path("Healthcheck").path("Test").toString());
        assertTrue(container.path("Env").toString().contains("LOG_FORMAT=json"));
        assertTrue(container.path("Env").toString().contains("\"PORT=" + prefixA + "{{.Task.Slot}}\""), container.toString());
        assertTrue(container.path("Image").asText().contains("@sha256:"), "deployed by digest: " + spec);
        assertFalse(spec.toString().contains(SECRET), "the secret's value is not in the spec");
        // Every task has the secret as a file only the image's user reads, and its name in SLIPWAY_TEST_SECRET_FILE.
        assertEquals("SLIPWAY_TEST_SECRET", container.path("Secrets").path(0).path("File").path("Name").asText(), spec.toString());
        assertTrue(container.path("Env").toString().contains("SLIPWAY_TEST_SECRET_FILE=/run/secrets/SLIPWAY_TEST_SECRET"));
        String task = docker(30, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service).ok().out()
                .strip().lines().findFirst().orElseThrow();
        long pid = Long.parseLong(docker(30, "inspect", "-f", "{{.State.Pid}}", task).ok().out().strip());
        assertEquals(SECRET, Files.readString(Path.of("/proc/" + pid + "/root/run/secrets/SLIPWAY_TEST_SECRET")));
        for (int slot = 1; slot <= 3; slot++) {
            assertEquals(200, LocalRegistry.status("http://127.0.0.1:" + (10 * prefixA + slot) + "/health/ready"),
                    "task " + slot + " on its own port");
        }

        // v2: a rolling update, one task at a time, each new task healthy before the old one stops; a load
        // through nginx (all six task ports) sees no failed request.
        setVersion("2.0.0");
        Load load = underLoad(() -> target().apply(target().plan(new Target.DeployRequest(null, Duration.ZERO, true))),
                "2.0.0");
        assertTrue(load.requests() > 500, "too little load to mean anything:\n" + load.text());
        assertEquals(0, load.non2xx(), load.text());
        assertEquals(0, load.errors(), load.text());
        assertTrue(docker(30, "service", "inspect", service).ok().out().contains("PORT=" + prefixB + "{{.Task.Slot}}"),
                "v2's tasks use the other prefix");

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

        // rollback --version <bad>: refused on swarm as on every target, exit 2, nothing changed.
        for (String bad : List.of("..", "/etc", "9.9.9", "1.0.0")) {
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> target().rollback(new Target.RollbackTo(bad, null, Duration.ZERO)), bad);
            assertEquals(2, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().endsWith("; nothing was changed"), e.getMessage());
        }
        var refused = CliRunner.run("rollback", dir.toString(), "--to", "swarm", "--version", "9.9.9");
        assertEquals(2, refused.code(), refused.toString());

        // status and history, through the target and the CLI.
        Report status = target().status();
        assertEquals("1.0.0", status.version());
        assertEquals(4, status.revision(), status.toString());
        List<Revision> history = target().history();
        assertEquals(List.of("1.0.0 deployed", "2.0.0 deployed", "3.0.0 rolled-back", "1.0.0 rollback"),
                history.stream().map(h -> h.version() + " " + h.outcome()).toList());
        assertEquals(List.of(1, 2, 3, 4), history.stream().map(Revision::revision).toList());
        assertTrue(history.get(2).note().contains("task "), history.get(2).toString());
        var st = CliRunner.run("status", dir.toString(), "--to", "swarm");
        assertEquals(0, st.code(), st.toString());
        assertEquals(3, st.out().lines().filter(l -> l.matches("\\s*" + java.util.regex.Pattern.quote(service)
                + "\\.[123] \\w{12} running 1\\.0\\.0")).count(), st.toString());
        var hist = CliRunner.run("history", dir.toString(), "--to", "swarm");
        assertEquals(0, hist.code(), hist.toString());
        assertTrue(hist.out().contains("3.0.0") && hist.out().contains("rolled-back"), hist.toString());

        // kill -9 of slipway mid-rollout: Swarm rolls on; the rerun sees the spec in place, waits, converges.
        setVersion("4.0.0");
        ProcessBuilder killed = new ProcessBuilder(cliCommand("deploy", dir.toString(), "--to", "swarm"))
                .redirectErrorStream(true).redirectOutput(work.resolve("killed.log").toFile());
        killed.environment().put("SLIPWAY_TEST_SECRET", SECRET);
        Process p = killed.start();
        String state = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode svc = json(docker(30, "service", "inspect", service).ok().out()).path(0);
            if (svc.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText().equals("4.0.0")) {
                state = svc.path("UpdateStatus").path("State").asText();
                break;
            }
            assertTrue(p.isAlive(), () -> read(work.resolve("killed.log")));
            Thread.sleep(100);
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        assertEquals("updating", state, "killed while Swarm was rolling out 4.0.0: " + read(work.resolve("killed.log")));
        var rerun = cli("deploy", dir.toString(), "--to", "swarm");
        assertEquals(0, rerun.code(), rerun.toString());
        assertTrue(rerun.out().contains("already has the spec of 4.0.0") || rerun.err().contains("already has the spec of 4.0.0"),
                rerun.toString());
        assertTasks(target().status(), "4.0.0");
        assertEquals(List.of("1.0.0 deployed", "2.0.0 deployed", "3.0.0 rolled-back", "1.0.0 rollback", "4.0.0 deployed"),
                target().history().stream().map(h -> h.version() + " " + h.outcome()).toList(), "recorded once");

        // ship: a build starts a new dist/artifacts.json with no image, so ship itself builds the image and
        // pushes it (image.repository) before the deploy; it said "no image to deploy" (new-user finding).
        var ship = cli(900, "ship", dir.toString(), "--to", "swarm", "--version", "5.0.0", "--no-compile");
        assertEquals(0, ship.code(), ship.toString());
        assertTrue(ship.out().contains("pushed " + registry.address() + "/acme/" + service + ":5.0.0@sha256:"), ship.toString());
        assertTasks(target().status(), "5.0.0");
    }

    /** The secret's value in this test (never printed, never in the spec). */
    private static final String SECRET = "s3cr3t-" + Long.toHexString(System.nanoTime());

    /** Runs {@code deploy} while a bounded load loop GETs through nginx in front of both prefixes' task ports. */
    private Load underLoad(java.util.concurrent.Callable<Report> deploy, String version) throws Exception {
        Tools.require("nginx");
        Path prefix = work.resolve("nginx-" + version);
        Files.createDirectories(prefix.resolve("logs"));
        int port = HostsDeployTest.freePort();
        StringBuilder servers = new StringBuilder();
        for (int p : List.of(prefixA, prefixB)) {
            for (int slot = 1; slot <= 3; slot++) {
                // max_fails=0: a refused port is tried again on the next request (no 'no live upstreams').
                servers.append("    server 127.0.0.1:").append(10 * p + slot).append(" max_fails=0;\n");
            }
        }
        Files.writeString(prefix.resolve("nginx.conf"), """
                daemon off;
                worker_processes 1;
                error_log %1$s/logs/error.log;
                pid %1$s/nginx.pid;
                events {}
                http {
                  access_log off;
                  upstream tasks {
                %2$s  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://tasks;
                      proxy_connect_timeout 2s;
                      proxy_next_upstream error timeout http_502 http_503;
                      proxy_next_upstream_tries 0;
                    }
                  }
                }
                """.formatted(prefix, servers, port));
        Process nginx = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout").toFile()).start();
        try {
            String url = "http://127.0.0.1:" + port + "/health/live";
            int code = -1;
            for (int i = 0; i < 100 && code != 200; i++) {
                Thread.sleep(100);
                code = LocalRegistry.status(url);
            }
            assertEquals(200, code, "nginx answers before the load: " + read(prefix.resolve("logs/stdout")));
            // A bounded load: 4 clients, each a GET then 5 ms of pause (a few hundred requests a
            // second), so that the load does not starve the tasks' health checks on a 2-core machine.
            java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong non2xx = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
            java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<Thread> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread client = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            int answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                    .timeout(Duration.ofSeconds(5)).build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                            requests.incrementAndGet();
                            if (answer / 100 != 2) {
                                non2xx.incrementAndGet();
                                failures.add("HTTP " + answer);
                            }
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            requests.incrementAndGet();
                            errors.incrementAndGet();
                            failures.add(e.toString());
                        }
                    }
                });
                client.setDaemon(true);
                client.start();
                clients.add(client);
            }
            Report r;
            long start = System.nanoTime();
            try {
                r = deploy.call();
            } finally {
                stop.set(true);
                for (Thread t : clients) {
                    t.join(10_000);
                }
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            String text = requests + " requests in " + seconds + " s, " + non2xx + " non-2xx, " + errors
                    + " socket errors; first failures: " + failures.stream().limit(5).toList();
            System.out.println("load during the swarm rollout of " + version + ": " + text);
            assertEquals(0, r.exitCode(), r.toString());
            assertTasks(r, version);
            return new Load(requests.get(), errors.get(), non2xx.get(), text + "\nnginx error.log:\n"
                    + read(prefix.resolve("logs/error.log")) + "\n" + out);
        } finally {
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The load's summary: requests, socket errors (connect, read, timeout), non-2xx answers. */
    record Load(long requests, long errors, long non2xx, String text) {}

    /** The CLI in a child JVM with the secret in its environment; stdout and stderr. */
    private DockerTestbed.Run cli(String... args) throws Exception {
        return cli(300, args);
    }

    /** The CLI in a child JVM, as {@link #cli(String...)}, given at most {@code seconds}. */
    private DockerTestbed.Run cli(int seconds, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cliCommand(args));
        pb.environment().put("SLIPWAY_TEST_SECRET", SECRET);
        Path log = work.resolve("cli-" + System.nanoTime() + ".err");
        Process p = pb.redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String stdout = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "slipway " + String.join(" ", args) + " ran longer than " + seconds + " s");
        return new DockerTestbed.Run(p.exitValue(), stdout, read(log));
    }

    private static List<String> cliCommand(String... args) {
        return dev.slipway.LauncherJvm.command(SlipwayCli.class.getName(), args);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (java.io.IOException e) {
            return "(unreadable " + file + ")";
        }
    }

    private SwarmTarget target() {
        Console console = new Console(new PrintWriter(out, true), new PrintWriter(out, true), false);
        return new SwarmTarget(ConfigLoader.loadFromDir(dir), DockerEngine.fromEnv(System::getenv), console,
                name -> name.equals("SLIPWAY_TEST_SECRET") ? SECRET : System.getenv(name));
    }

    /** Every running task of the report (one line each) is healthy on {@code version}: 3 of them. */
    private static void assertTasks(Report report, String version) {
        List<String> lines = report.lines();
        assertEquals(3, lines.size(), report.toString());
        for (String l : lines) {
            assertTrue(l.matches("\\S+\\.[123] \\w{12} running " + java.util.regex.Pattern.quote(version)), l);
        }
    }

    /**
     * The example's slipway.yaml for a swarm test: a 5 s drain; the health check's deadline is the
     * readiness interval (2 s) and its start period the readiness timeout (90 s, for a loaded machine:
     * a JVM took over 30 s to start at load 46); {@code swarm} as the deploy section's first entry.
     *
     * @param dir        the example's copy
     * @param swarm      the {@code swarm:} section, indented by two
     * @param repository the image repository
     * @return the text
     */
    static String swarmYaml(Path dir, String swarm, String repository) throws java.io.IOException {
        return Files.readString(dir.resolve("slipway.yaml"))
                .replace("  drainTimeout: 30s", "  drainTimeout: 5s")
                .replace("    interval: 1s", "    interval: 2s")
                .replace("    timeout: 30s", "    timeout: 90s")
                .replace("deploy:\n", "deploy:\n" + swarm)
                + "image:\n  repository: " + repository + "\n";
    }

    /** A new release version of the same image: artifacts.json's version, as a new build would write it. */
    private void setVersion(String version) throws Exception {
        setVersion(dir, version);
    }

    /** A new release version of the same image in {@code dir}: artifacts.json's version, as a new build would write it. */
    static void setVersion(Path dir, String version) throws Exception {
        Path manifest = dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH);
        ObjectNode doc = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
        doc.put("version", version);
        new ObjectMapper().writeValue(manifest.toFile(), doc);
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }
}

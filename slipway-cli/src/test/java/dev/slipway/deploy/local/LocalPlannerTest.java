package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.Revision;
import dev.slipway.remote.LocalHost;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The local target's plans from facts alone ({@link LocalPlanner}), as {@code HostsPlanTest} checks
 * the hosts target's: no process, port, file or directory is touched; every fact (what runs, what
 * {@code releases/} holds, the history, which ports are taken) is a value here.
 */
class LocalPlannerTest {
    private static final Path YAML = Path.of("/srv/svc/slipway.yaml");
    private static final Release RELEASE = new Release("svc", "2.0.0", "beef", Path.of("/srv/svc/dist/svc"), "b".repeat(64));

    private static SlipwayConfig config(String local) {
        return ConfigLoader.parse(YAML, """
                name: svc
                service:
                  port: 8080
                  drainTimeout: 7s
                  readiness: {path: /ready, interval: 250ms, timeout: 9s}
                %s""".formatted(local));
    }

    private static final SlipwayConfig PLAIN = config("");

    private static final SlipwayConfig PROXIED = config("""
            deploy:
              local:
                proxy: {config: nginx/upstream.conf, listen: 127.0.0.1:9000, ports: [8081, 8082]}
            """);

    private static LocalPlanner planner(SlipwayConfig c) {
        return new LocalPlanner(c, c.local().proxy() == null ? null
                : LocalProxy.of(c.local().proxy(), c.local().address(), new LocalHost("local")));
    }

    /** Facts under construction: nothing deployed, nothing runs, every port free. */
    private static final class F {
        String current;
        final Map<Integer, LocalFacts.Instance> instances = new LinkedHashMap<>();
        int live = -1;
        final Map<String, LocalFacts.Held> releases = new LinkedHashMap<>();
        final List<Revision> history = new ArrayList<>();
        final Map<Integer, String> taken = new LinkedHashMap<>();
        final List<Integer> asked = new ArrayList<>();

        F held(String name, String commit, Integer port) {
            releases.put(name, new LocalFacts.Held(true, true, commit, "b".repeat(64), "", null, port));
            return this;
        }

        F served(String version, String outcome) {
            history.add(new Revision(history.size() + 1, version, "c", Instant.EPOCH, outcome, "me", "local", ""));
            return this;
        }

        F runs(int port, long pid, String release) {
            instances.put(port, new LocalFacts.Instance(pid, Optional.ofNullable(release)));
            return this;
        }

        LocalFacts facts() {
            return new LocalFacts(Optional.ofNullable(current), instances, live, releases, history, p -> {
                asked.add(p);
                return taken.containsKey(p) ? new LocalFacts.PortCheck(false, Optional.of(taken.get(p)), null)
                        : LocalFacts.PortCheck.FREE;
            });
        }
    }

    private static String kinds(DeployPlan p) {
        return p.steps().stream().map(s -> s.kind().id()).collect(Collectors.joining(" "));
    }

    private static LocalTarget.Detail detail(DeployPlan p) {
        return (LocalTarget.Detail) p.detail();
    }

    @Test
    void aFirstDeployInstallsPreparesSwitchesStartsAndGates() {
        F f = new F();
        DeployPlan p = planner(PLAIN).deploy(f.facts(), RELEASE, Duration.ofSeconds(3));
        assertEquals("lock upload env prepare switch start gate record prune unlock", kinds(p));
        assertEquals(DeployPlan.Action.DEPLOY, p.action());
        assertEquals("2.0.0", p.version());
        assertEquals("beef", p.commit());
        assertEquals("state .slipway/local: current none, serving nothing", p.facts().get(0));
        assertTrue(p.facts().get(1).startsWith("no proxy (deploy.local.proxy): the old process stops"), p.facts().toString());
        assertEquals("install dist/svc as releases/2.0.0/svc with its release.json: into a"
                + " temporary directory, sha256 verified, then renamed", p.steps().get(1).description());
        assertEquals("write releases/2.0.0/service.env (mode 0600, " + planner(PLAIN).serviceEnv(8080).size()
                + " variables)", p.steps().get(2).description(), "the env file is its own step, as on hosts");
        assertEquals("start releases/2.0.0/svc on http://127.0.0.1:8080/ (log: .slipway/local/svc.log)",
                p.steps().get(5).description());
        assertEquals("wait for readiness http://127.0.0.1:8080/ready (every 0.3 s, up to 9.0 s); on failure switch back and"
                + " restart nothing", p.steps().get(6).description());
        LocalTarget.Detail d = detail(p);
        assertEquals("2.0.0", d.dirName());
        assertTrue(d.install());
        assertEquals(null, d.previous());
        assertEquals(-1, d.running());
        assertEquals(Duration.ofSeconds(3), d.lockWait());
        assertEquals(List.of(8080), f.asked, "nothing runs: the port it starts on was checked");
        assertTrue(p.steps().stream().allMatch(s -> "local".equals(s.where())));
        assertEquals(List.of("back local: stop 2.0.0; nothing served before, nothing to restart; recorded failed"),
                p.back().stream().map(s -> s.kind().id() + " " + s.where() + ": " + s.description()).toList());
        assertTrue(p.describe().endsWith("  if a step fails once what serves began to change, go back:\n"
                + "     - stop 2.0.0; nothing served before, nothing to restart; recorded failed\n"), p.describe());
    }

    @Test
    void aPortTakenByAnotherProcessIsRefusedBeforeAnythingButOurOwnInstanceHoldsItFreely() {
        F f = new F();
        f.taken.put(8080, "nc (pid 7)");
        SlipwayException e = assertThrows(SlipwayException.class, () -> planner(PLAIN).deploy(f.facts(), RELEASE, Duration.ZERO));
        assertEquals(2, e.exitCode());
        assertEquals("port 8080 on 127.0.0.1 is already in use by another process; it is nc (pid 7); stop it or set"
                + " service.port in slipway.yaml", e.getMessage());

        // Our own 1.0.0 holds it: a restart, not a refusal, and the port is not even looked at.
        f.asked.clear();
        f.current = "1.0.0";
        f.held("1.0.0", "c1", 8080).served("1.0.0", History.DEPLOYED).runs(8080, 4242, "1.0.0");
        DeployPlan p = planner(PLAIN).deploy(f.facts(), RELEASE, Duration.ZERO);
        assertEquals(List.of(), f.asked);
        assertEquals("lock upload env prepare switch restart gate record prune unlock", kinds(p));
        assertTrue(p.steps().get(5).description().startsWith("restart, by a detached helper: stop svc 1.0.0 (pid 4242):"
                + " SIGTERM, SIGKILL after 7.0 s; then start releases/2.0.0/svc"), p.steps().get(5).description());
        assertTrue(p.steps().get(6).description().endsWith("on failure switch back and restart 1.0.0"));
        assertEquals("stop 2.0.0, switch current back to releases/1.0.0 and restart it with the environment it served"
                + " with, gated; recorded rolled-back", p.back().get(0).description());
        assertEquals("switch current -> releases/2.0.0 (was 1.0.0)", p.steps().get(4).description());
        assertEquals("1.0.0", detail(p).previous());
        assertEquals(4242, detail(p).running());
        assertEquals("state .slipway/local: current 1.0.0, serving 1.0.0 (pid 4242)", p.facts().get(0));
    }

    @Test
    void anInstalledReleaseIsReusedAndOneWithOtherSettingsGetsItsOwnDirectory() {
        LocalPlanner planner = planner(PLAIN);
        F f = new F();
        f.releases.put("2.0.0", new LocalFacts.Held(true, true, "beef", "b".repeat(64), planner.fingerprint(RELEASE), null, 8080));
        DeployPlan same = planner.deploy(f.facts(), RELEASE, Duration.ZERO);
        assertFalse(detail(same).install());
        assertEquals("skip install, releases/2.0.0/svc is there (sha256 bbbbbbbbbbbb)", same.steps().get(1).description());
        assertEquals("keep releases/2.0.0/service.env: written with the release (its directory's name covers its"
                + " environment)", same.steps().get(2).description());

        f.releases.put("2.0.0", new LocalFacts.Held(true, true, "beef", "b".repeat(64), "other", null, 8080));
        DeployPlan other = planner.deploy(f.facts(), RELEASE, Duration.ZERO);
        assertEquals("2.0.0+" + planner.fingerprint(RELEASE).substring(0, 8), detail(other).dirName());
        assertTrue(detail(other).install());

        // A directory a full disk left (no release.json) is installed over, under the version's name.
        f.releases.put("2.0.0", new LocalFacts.Held(false, false, null, "", "", null, null));
        DeployPlan incomplete = planner.deploy(f.facts(), RELEASE, Duration.ZERO);
        assertEquals("2.0.0", detail(incomplete).dirName());
        assertTrue(detail(incomplete).install());
    }

    @Test
    void afterAFailedFirstDeployThereIsNothingToGoBackTo() {
        F f = new F();
        f.current = "1.0.0";
        f.held("1.0.0", "c1", 8080).served("1.0.0", History.FAILED);
        DeployPlan p = planner(PLAIN).deploy(f.facts(), RELEASE, Duration.ZERO);
        assertEquals(null, detail(p).previous());
        assertTrue(p.steps().get(6).description().endsWith("restart nothing"), p.steps().get(6).description());
    }

    @Test
    void aRollbackGoesToTheReleaseServedBeforeOnItsOwnPortAndProbe() {
        F f = new F();
        f.current = "2.0.0";
        SlipwayConfig.Probe tcp = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null, Duration.ofSeconds(1),
                Duration.ofSeconds(4), Duration.ZERO);
        f.releases.put("1.0.0", new LocalFacts.Held(true, true, "c1", "a".repeat(64), "", tcp, 7070));
        f.held("2.0.0", "c2", 8080).served("1.0.0", History.DEPLOYED).served("2.0.0", History.DEPLOYED);
        DeployPlan p = planner(PLAIN).rollback(f.facts(), null, Duration.ZERO);
        assertEquals("lock prepare switch start gate record unlock", kinds(p), "nothing runs: start, no prune");
        assertEquals(DeployPlan.Action.ROLLBACK, p.action());
        assertEquals("1.0.0", p.version());
        assertEquals("c1", p.commit());
        assertEquals(List.of(7070), f.asked, "the port 1.0.0 recorded, not service.port");
        assertTrue(p.steps().get(3).description().startsWith("start releases/1.0.0/svc on http://127.0.0.1:7070/"));
        assertEquals("wait for readiness tcp://127.0.0.1:7070; on failure switch back and restart 2.0.0",
                p.steps().get(4).description(), "its own probe");
        assertEquals("2.0.0", detail(p).previous());
    }

    @Test
    void aRollbackToWhatIsNotHeldCompleteOrServesAlreadyIsRefusedWithNothingChanged() {
        F f = new F();
        LocalPlanner planner = planner(PLAIN);
        SlipwayException none = assertThrows(SlipwayException.class, () -> planner.rollback(f.facts(), null, Duration.ZERO));
        assertEquals(2, none.exitCode());
        assertEquals("nothing is deployed to local for svc; nothing to roll back", none.getMessage());

        f.current = "2.0.0";
        f.held("2.0.0", "c2", 8080).served("2.0.0", History.DEPLOYED);
        f.releases.put("1.5.0", new LocalFacts.Held(false, false, null, "", "", null, null));
        SlipwayException first = assertThrows(SlipwayException.class, () -> planner.rollback(f.facts(), null, Duration.ZERO));
        assertEquals("no earlier release of svc to roll back to; retained: 1.5.0, 2.0.0", first.getMessage());
        for (String bad : List.of("..", "/etc", "1.5.0", "9.9.9", ".hidden")) {
            SlipwayException e = assertThrows(SlipwayException.class, () -> planner.rollback(f.facts(), bad, Duration.ZERO));
            assertEquals(2, e.exitCode());
            assertEquals("local does not hold release " + bad + " (it has 2.0.0); nothing was changed", e.getMessage());
        }
        SlipwayException same = assertThrows(SlipwayException.class, () -> planner.rollback(f.facts(), "2.0.0", Duration.ZERO));
        assertEquals("2.0.0 is already the current release; nothing to roll back; nothing was changed", same.getMessage());
        assertEquals(List.of(), f.asked);
    }

    @Test
    void startPlansNothingWhenItRunsAndRefusesWhatCannotStart() {
        F f = new F();
        LocalPlanner planner = planner(PLAIN);
        SlipwayException none = assertThrows(SlipwayException.class, () -> planner.start(f.facts()));
        assertEquals("nothing is deployed to local for svc; run 'slipway ship' or 'slipway deploy' first", none.getMessage());
        f.current = "1.0.0";
        f.releases.put("1.0.0", new LocalFacts.Held(false, true, "c1", "", "", null, 8080));
        SlipwayException incomplete = assertThrows(SlipwayException.class, () -> planner.start(f.facts()));
        assertEquals("current names releases/1.0.0, which is incomplete; deploy again; nothing was changed",
                incomplete.getMessage());
        f.held("1.0.0", "c1", 8080);
        DeployPlan start = planner.start(f.facts());
        assertEquals("lock prepare start gate unlock", kinds(start));
        assertEquals("c1", start.commit());
        f.runs(8080, 55, "1.0.0");
        assertEquals("lock unlock", kinds(planner.start(f.facts())));
    }

    @Test
    void stopDrainsEveryInstanceThatRuns() {
        F f = new F();
        assertEquals("lock unlock", kinds(planner(PROXIED).stop(f.facts())));
        f.current = "2.0.0";
        f.runs(8080, 10, "1.0.0").runs(8082, 11, null);
        DeployPlan stop = planner(PROXIED).stop(f.facts());
        assertEquals("lock stop stop unlock", kinds(stop));
        assertEquals("local", stop.steps().get(1).where());
        assertEquals("stop svc 1.0.0 (pid 10): SIGTERM, SIGKILL after 7.0 s", stop.steps().get(1).description());
        assertEquals(":8082", stop.steps().get(2).where());
        assertEquals("stop svc 2.0.0 on http://127.0.0.1:8082/ (pid 11): SIGTERM, SIGKILL after 7.0 s",
                stop.steps().get(2).description(), "an instance whose pid file names no release runs current");
    }

    @Test
    void withAProxyADeployStartsBesideTheServingInstanceAndStopsItLast() {
        F f = new F();
        f.current = "1.0.0";
        f.live = 8081;
        f.held("1.0.0", "c1", 8081).served("1.0.0", History.DEPLOYED).runs(8081, 21, "1.0.0").runs(8082, 22, "0.9.0");
        f.taken.put(8082, "our stray");
        DeployPlan p = planner(PROXIED).deploy(f.facts(), RELEASE, Duration.ZERO);
        assertEquals("lock upload env prepare start gate proxy switch stop record prune unlock", kinds(p));
        DeployPlan.Step start = p.steps().get(4);
        assertEquals(":8082", start.where());
        assertTrue(start.description().contains(" beside 1.0.0 on :8081 (pid 21), which keeps serving; first stop what a"
                + " killed run left on :8082 (0.9.0, pid 22)"), start.description());
        assertEquals(List.of(), f.asked, "a port our stray holds is not refused: the start stops it first");
        assertTrue(p.steps().get(6).description().startsWith("point nginx's upstream svc (/srv/svc/nginx/upstream.conf) at"
                + " 127.0.0.1:8082"), p.steps().get(6).description());
        assertEquals(":8081", p.steps().get(8).where());
        assertEquals(List.of(new DeployPlan.Step(DeployPlan.Kind.BACK, ":8082", 0, "stop the new instance on :8082; 1.0.0"
                + " serves on :8081 behind nginx (never stopped; a rejected upstream was put back)")), p.back());
        LocalTarget.Detail d = detail(p);
        assertEquals(8082, d.port());
        assertEquals(8081, d.oldPort());
        assertEquals(21, d.running());
        assertTrue(p.facts().get(1).startsWith("nginx at http://127.0.0.1:9000/: upstream svc -> 127.0.0.1:8081;"
                + " instance ports 8081 and 8082"), p.facts().toString());

        // A rollback beside: no upload, no prune; the new instance's port must be free of other processes.
        f.instances.remove(8082);
        f.taken.put(8082, "nc (pid 9)");
        f.held("0.9.0", "c0", 8082).served("0.9.0", History.DEPLOYED).served("1.0.0", History.DEPLOYED);
        SlipwayException taken = assertThrows(SlipwayException.class,
                () -> planner(PROXIED).rollback(f.facts(), "0.9.0", Duration.ZERO));
        assertTrue(taken.getMessage().endsWith("stop it or set deploy.local.proxy.ports in slipway.yaml"), taken.getMessage());
        f.taken.clear();
        DeployPlan back = planner(PROXIED).rollback(f.facts(), "0.9.0", Duration.ZERO);
        assertEquals("lock prepare start gate proxy switch stop record unlock", kinds(back));
        assertEquals(1, back.back().size(), "a rollback beside goes back the same way");
        assertEquals(":8082", back.back().get(0).where());
        assertEquals(List.of(), planner(PROXIED).stop(f.facts()).back(), "a stop has nothing to go back to");
    }

    @Test
    void withAProxyStartPointsNginxAtWhatServesOrStartsTheCurrentRelease() {
        F f = new F();
        f.current = "1.0.0";
        f.held("1.0.0", "c1", 8081).served("1.0.0", History.DEPLOYED).runs(8081, 21, "1.0.0");
        f.live = 8081;
        assertEquals("lock unlock", kinds(planner(PROXIED).start(f.facts())), "it serves behind nginx: nothing to do");
        f.live = -1;
        DeployPlan point = planner(PROXIED).start(f.facts());
        assertEquals("lock proxy unlock", kinds(point), "it runs, nginx does not point at it");
        assertEquals(8081, detail(point).port());
        f.instances.clear();
        DeployPlan start = planner(PROXIED).start(f.facts());
        assertEquals("lock prepare start gate proxy unlock", kinds(start));
        assertEquals(8081, detail(start).port(), "nothing runs: the first free proxy port");
    }

    @Test
    void theUrlIsNginxsWithAProxyElseThePortOfWhatServes() {
        F f = new F();
        assertEquals("http://127.0.0.1:8080/", planner(PLAIN).url(f.facts()).toString());
        f.current = "1.0.0";
        f.held("1.0.0", "c1", 7070);
        assertEquals("http://127.0.0.1:7070/", planner(PLAIN).url(f.facts()).toString());
        assertEquals("http://127.0.0.1:9000/", planner(PROXIED).url(f.facts()).toString());
    }

    /** A WebFlux base path or servlet context path: the app answers under it, so the URL printed ends in it. */
    @Test
    void theUrlEndsInTheServicePath() {
        F f = new F();
        SlipwayConfig plain = ConfigLoader.parse(YAML, "name: svc\nservice:\n  path: /api\n");
        assertEquals("http://127.0.0.1:8080/api/", planner(plain).url(f.facts()).toString());
        SlipwayConfig proxied = ConfigLoader.parse(YAML, "name: svc\nservice:\n  path: /api/v1/\n"
                + "deploy:\n  local:\n    proxy: {config: nginx/upstream.conf, listen: 127.0.0.1:9000, ports: [8081, 8082]}\n");
        assertEquals("http://127.0.0.1:9000/api/v1/", planner(proxied).url(f.facts()).toString());
        SlipwayConfig https = ConfigLoader.parse(YAML, "name: svc\nservice:\n  path: /api\n  scheme: https\n"
                + "  readiness: {type: tcp}\n");
        assertEquals("https://127.0.0.1:8080/api/", planner(https).url(f.facts()).toString(),
                "an HTTPS-only service: the URL it answers");
        assertEquals("https://127.0.0.1:8081/api/", planner(https).instanceUrl(8081).toString());
    }

    /** A gRPC server (grpc probes): the address printed is grpc://host:port, which gRPC clients take, not an http:// URL. */
    @Test
    void aGrpcServersAddressIsGrpcNotHttp() {
        F f = new F();
        SlipwayConfig grpc = ConfigLoader.parse(YAML, "name: svc\nservice:\n  port: 50051\n  readiness: {type: grpc}\n");
        assertEquals("grpc://127.0.0.1:50051", planner(grpc).url(f.facts()).toString());
        assertEquals("grpc://127.0.0.1:50052", planner(grpc).instanceUrl(50052).toString());
    }
}

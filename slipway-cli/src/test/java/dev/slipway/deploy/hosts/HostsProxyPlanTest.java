package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.ConfigException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.remote.LocalHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollout.strategy: proxy} without hosts: the configuration, the plan (start beside, gate,
 * switch the host's nginx, stop the old; prepare before the first switch; no prepare for a
 * rollback), the facts it reads, the template unit and the nginx files.
 */
class HostsProxyPlanTest {
    static SlipwayConfig config(String rollout, String proxy) {
        return ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  readiness: {path: /ready, interval: 500ms, timeout: 15s}
                deploy:
                  hosts:
                    servers:
                      - {name: a, address: 10.0.0.1}
                      - {name: b, address: 10.0.0.2, bind: 10.0.0.2}
                      - {name: c, address: 10.0.0.3}
                    rollout: %s
                    proxy: %s
                """.formatted(rollout, proxy));
    }

    /** Facts of a host: current release, the live port of its upstream file, the plain unit's state. */
    static HostFacts facts(String current, int live, String active) {
        return new HostFacts("x86_64", "linux-amd64", current, current == null ? List.of() : List.of(current), "", "u1",
                active, List.of(), live, live == 0 ? Map.of() : Map.of(live, current), live == 0 ? Map.of()
                : Map.of(live, "active"));
    }

    static HostsPlan plan(SlipwayConfig c, Map<String, HostFacts> facts, boolean rollback) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Map<Integer, String>> portEnvs = new LinkedHashMap<>();
        facts.keySet().forEach(k -> {
            env.put(k, "# x\nPORT=\"9000\"\n");
            portEnvs.put(k, Map.of(9000, "PORT=\"9000\"\n", 9001, "PORT=\"9001\"\n"));
        });
        return HostsPlan.of(c.hosts(), 9000, "api", rollback ? "1.0.0" : "2.0.0", "c0ffee",
                rollback ? Map.of() : Map.of("linux-amd64", HostsPlanTest.AMD), facts, rollback ? Map.of() : env,
                rollback ? Map.of() : portEnvs, "unit", "u1", rollback);
    }

    static String kinds(HostsPlan p) {
        return p.steps().stream().map(s -> s.kind().id() + (s.where() == null ? "" : ":" + s.where()))
                .collect(Collectors.joining(" "));
    }

    @Test
    void defaultsAndBadValues() {
        SlipwayConfig c = config("{}", "{}");
        assertFalse(c.hosts().rollout().proxySwitch(), "the restart strategy stays the default");
        assertEquals(List.of(9000, 9001), c.hosts().proxy().ports());
        assertEquals("/etc/nginx/slipway/api.upstream.conf", c.hosts().proxy().upstreamFile());
        assertTrue(config("{strategy: proxy}", "{ports: [8080, 8090]}").hosts().rollout().proxySwitch());
        ConfigException e = assertThrows(ConfigException.class, () -> config("{strategy: blue-green}", "{}"));
        assertTrue(e.getMessage().startsWith("slipway.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("'blue-green' is not a strategy: restart or proxy"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("{strategy: proxy}", "{ports: [8080, 8080]}"));
        assertTrue(e.getMessage().contains("two different ports"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("{strategy: proxy}", "{upstreamFile: nginx/up.conf}"));
        assertTrue(e.getMessage().contains("must be an absolute path"), e.getMessage());
    }

    @Test
    void everyHostPreparesBeforeTheFirstStartThenEachBatchStartsGatesSwitchesAndStops() {
        Map<String, HostFacts> f = new LinkedHashMap<>();
        f.put("a", facts("1.0.0", 9000, "inactive"));
        f.put("b", facts("1.0.0", 9001, "inactive"));
        f.put("c", facts("1.0.0", 9000, "inactive"));
        HostsPlan p = plan(config("{strategy: proxy, batchSize: 2}", "{}"), f, false);
        assertEquals("lock:a lock:b lock:c "
                + "upload:a env:a unit:a prepare:a upload:b env:b unit:b prepare:b upload:c env:c unit:c prepare:c "
                + "start:a start:b gate:a gate:b proxy:a proxy:b stop:a stop:b "
                + "start:c gate:c proxy:c stop:c "
                + "record:a prune:a unlock:a record:b prune:b unlock:b record:c prune:c unlock:c", kinds(p));
        // The new instance takes the port nginx does not use.
        assertEquals(List.of(9001, 9000, 9001), p.hosts().stream().map(HostsPlan.HostPlan::port).toList());
        assertEquals(List.of(9000, 9001, 9000), p.hosts().stream().map(HostsPlan.HostPlan::oldPort).toList());
        String text = p.describe();
        assertTrue(text.contains("a: [batch 1] start 2.0.0 beside 1.0.0 (api@9000.service): /opt/slipway/api/slots/9001"
                + " -> releases/2.0.0, systemctl restart api@9001.service"), text);
        assertTrue(text.contains("b: [batch 1] gate: GET http://10.0.0.2:9000/ready on the host"), text);
        assertTrue(text.contains("(after 0.0 s; the batch's gates run together); on failure the new instances stop"), text);
        assertTrue(text.contains("a: [batch 1] nginx on the host: /etc/nginx/slipway/api.upstream.conf -> 127.0.0.1:9001,"
                + " nginx -t (else the old file goes back), nginx -s reload;"
                + " /opt/slipway/api/current -> releases/2.0.0"), text);
        assertTrue(text.contains("b: [batch 1] (in the background, beside the next batch) wait until nginx's workers of before"
                + " the reload have ended their requests, then drain and stop api@9001.service (1.0.0, port 9001)"), text);
        assertTrue(text.contains("env-9000, env-9001"), text);
        assertTrue(text.contains("a: unit api@.service unchanged, no daemon-reload"), text);
        assertTrue(text.contains("a (root@10.0.0.1:22): linux-amd64, current 1.0.0, nginx -> port 9000, port 9000 active (1.0.0)"),
                text);
    }

    @Test
    void aFirstHostStartsOnTheFirstPortAndTheRestartStrategysUnitIsStoppedAfterTheSwitch() {
        Map<String, HostFacts> f = new LinkedHashMap<>();
        f.put("a", facts(null, 0, ""));
        f.put("b", facts("1.0.0", 0, "active"));
        f.put("c", facts("1.0.0", 0, "failed"));
        HostsPlan p = plan(config("{strategy: proxy}", "{}"), f, false);
        HostsPlan.HostPlan a = p.hosts().get(0);
        HostsPlan.HostPlan b = p.hosts().get(1);
        assertEquals(9000, a.port());
        assertEquals(0, a.oldPort());
        assertEquals(9001, b.port(), "beside the restart strategy's unit, which holds service.port");
        assertTrue(b.legacy());
        assertEquals(9000, p.hosts().get(2).port(), "a unit that does not run holds no port");
        String kinds = kinds(p);
        assertTrue(kinds.contains("start:a gate:a proxy:a start:b"), "nothing to stop on a: " + kinds);
        assertTrue(p.describe().contains("then drain and stop api.service (1.0.0, port 9000) and disable it"),
                p.describe());
    }

    @Test
    void aRollbackMovesBackToTheRetainedReleaseWithoutUploadEnvOrPrepare() {
        Map<String, HostFacts> f = new LinkedHashMap<>();
        for (String h : List.of("a", "b", "c")) {
            // Both releases were deployed with the proxy strategy: they have their env-<port> files.
            f.put(h, new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("1.0.0", "2.0.0"), "", "u1", "inactive",
                    List.of(), 9001, Map.of(9000, "1.0.0", 9001, "2.0.0"), Map.of(9000, "inactive", 9001, "active"),
                    Map.of("1.0.0", Set.of(9000, 9001), "2.0.0", Set.of(9000, 9001))));
        }
        HostsPlan p = plan(config("{strategy: proxy}", "{}"), f, true);
        String kinds = kinds(p);
        assertFalse(kinds.contains("upload") || kinds.contains("env") || kinds.contains("prepare"), kinds);
        // Every host keeps serving on its instance until its own switch: one batch, whatever batchSize says.
        assertTrue(kinds.startsWith("lock:a lock:b lock:c unit:a unit:b unit:c start:a start:b start:c gate:a gate:b gate:c"
                + " proxy:a proxy:b proxy:c stop:a stop:b stop:c record:a"), kinds);
        assertTrue(p.steps().stream().allMatch(s -> s.batch() <= 1), p.describe());
        assertEquals(9000, p.hosts().get(0).port(), "back to the port whose slot holds 1.0.0");
        assertTrue(p.describe().contains("start 1.0.0 beside 2.0.0 (api@9001.service): /opt/slipway/api/slots/9000"),
                p.describe());
    }

    @Test
    void factsReadTheLivePortSlotsAndInstances() {
        HostFacts f = HostFacts.parse("machine=x86_64\ncurrent=2.0.0\nactive=inactive\nlive=9001\nslot=9000 1.0.0\n"
                + "instance=9000 inactive\nslot=9001 2.0.0\ninstance=9001 active\n");
        assertEquals(9001, f.livePort());
        assertEquals(Map.of(9000, "1.0.0", 9001, "2.0.0"), f.slots());
        assertEquals("active", f.instances().get(9001));
        assertEquals(0, HostFacts.parse("machine=x86_64\n").livePort());
    }

    @Test
    void theTemplateUnitAndTheNginxFilesFollowTheStrategy() {
        SlipwayConfig c = config("{strategy: proxy}", "{}");
        String unit = HostUnit.render(c);
        assertTrue(unit.contains("ExecStart=/opt/slipway/api/slots/%i/api\n"), unit);
        assertTrue(unit.contains("EnvironmentFile=/opt/slipway/api/slots/%i/env-%i\n"), unit);
        assertTrue(unit.contains("DynamicUser=yes\nUser=api\n"), "one user for both instances:\n" + unit);
        assertTrue(unit.contains("CacheDirectory=api\n"), unit);
        assertEquals("api@.service", HostUnit.fileName(c.hosts()));
        String site = NginxConf.render(c);
        assertTrue(site.contains("include /etc/nginx/slipway/api.upstream.conf;"), site);
        assertFalse(site.contains("upstream api_backend {"), site);
        assertTrue(site.contains("proxy_pass http://api_backend;"), site);
        // An HTTPS-only service: nginx speaks TLS to the instance.
        SlipwayConfig tls = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service: {port: 9000, scheme: https, readiness: {type: tcp}}
                deploy:
                  hosts:
                    servers: [{name: a, address: 10.0.0.1}]
                    rollout: {strategy: proxy}
                """);
        assertTrue(NginxConf.render(tls).contains("proxy_pass https://api_backend;"), NginxConf.render(tls));
        String up = NginxConf.upstream("api", c.hosts(), "127.0.0.1", 9001);
        assertTrue(up.contains("upstream api_backend {\n    server 127.0.0.1:9001 max_fails=0;\n"), up);
        // The restart strategy keeps its unit and its upstream over every server.
        SlipwayConfig r = config("{}", "{}");
        assertTrue(HostUnit.render(r).contains("ExecStart=/opt/slipway/api/current/api\n"));
        assertTrue(NginxConf.render(r).contains("upstream api_backend {"));
    }

    /** Host facts of a release held with or without its env-<port> files, 2.0.0 serving on {@code live}. */
    static HostFacts held(int live, String restartUnit, Map<String, Set<Integer>> envPorts) {
        return new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("1.0.0", "2.0.0"), "", "u1", restartUnit, List.of(),
                live, live == 0 ? Map.of() : Map.of(live, "2.0.0"), live == 0 ? Map.of() : Map.of(live, "active"), envPorts);
    }

    @Test
    void aRollbackToAReleaseOfTheRestartStrategyWritesItsEnvForThePortFromItsOwnEnvFirst(@TempDir Path tmp) throws Exception {
        // a: 1.0.0 was deployed with the proxy strategy; b: with the restart strategy (env only); c: the
        // restart strategy's unit still serves 2.0.0 (a change of strategy by a rollback).
        Map<String, HostFacts> f = new LinkedHashMap<>();
        f.put("a", held(9000, "inactive", Map.of("1.0.0", Set.of(9000, 9001))));
        f.put("b", held(9000, "inactive", Map.of("2.0.0", Set.of(9000, 9001))));
        f.put("c", held(0, "active", Map.of()));
        String lines = "SERVER_PORT=\"9001\"\nPORT=\"9001\"\n";
        Map<String, Map<Integer, String>> portLines = new LinkedHashMap<>();
        f.keySet().forEach(h -> portLines.put(h, Map.of(9000, "", 9001, lines)));
        HostsPlan p = HostsPlan.of(config("{strategy: proxy}", "{}").hosts(), 9000, "api", "1.0.0", "c0ffee", Map.of(), f,
                Map.of(), portLines, "unit", "u1", true);
        String kinds = kinds(p);
        assertTrue(kinds.startsWith("lock:a lock:b lock:c unit:a env:b unit:b env:c unit:c start:a start:b start:c gate:a"), kinds);
        assertFalse(kinds.contains("upload") || kinds.contains("prepare") || kinds.contains("env:a"), kinds);
        assertEquals(List.of(9001, 9001, 9001), p.hosts().stream().map(HostsPlan.HostPlan::port).toList());
        assertEquals(Map.of(), p.hosts().get(0).portEnvs(), "a's 1.0.0 has its env-9001");
        assertEquals(Map.of(9001, lines), p.hosts().get(1).portEnvs());
        String text = p.describe();
        assertTrue(text.contains("b: write /opt/slipway/api/releases/1.0.0/env-9001 from its env (the release was deployed"
                + " without it) with SERVER_PORT, PORT for port 9001 (mode 0600)"), text);
        assertTrue(text.contains("c: [batch 1] (in the background, beside the next batch) wait until nginx's workers of before"
                + " the reload have ended their requests, then drain and stop api.service (2.0.0, port 9000) and disable it"), text);

        // The step's command, run: the release's own env (its secret too) with the port's lines over it.
        Path release = Files.createDirectories(tmp.resolve("releases/1.0.0"));
        Files.writeString(release.resolve("env"), "# written by slipway deploy; mode 0600\nSERVER_PORT=\"9000\"\n"
                + "TOKEN=\"s3cr3t\"\nPORT=\"9000\"\nADDR=\"0.0.0.0\"\n");
        try (LocalHost h = new LocalHost("b")) {
            var r = h.run(HostsPlan.portEnvCommand(release.toString(), 9001, p.hosts().get(1).portEnvs().get(9001)),
                    java.time.Duration.ofSeconds(20));
            assertTrue(r.ok(), r.stdout() + r.stderr());
            assertEquals("# written by slipway deploy; mode 0600\nTOKEN=\"s3cr3t\"\nADDR=\"0.0.0.0\"\n" + lines,
                    Files.readString(release.resolve("env-9001")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(release.resolve("env-9001"))));
            // The port of service.port needs nothing changed: a copy.
            assertTrue(h.run(HostsPlan.portEnvCommand(release.toString(), 9000, ""), java.time.Duration.ofSeconds(20)).ok());
            assertEquals(Files.readString(release.resolve("env")), Files.readString(release.resolve("env-9000")));
            // A release without env (never complete) fails the step instead of writing half a file.
            Path broken = Files.createDirectories(tmp.resolve("releases/0.9.0"));
            assertFalse(h.run(HostsPlan.portEnvCommand(broken.toString(), 9001, lines), java.time.Duration.ofSeconds(20)).ok());
            assertFalse(Files.exists(broken.resolve("env-9001")));
        }
    }

    @Test
    void theLinesOfAnotherPortAreThePortAndWhatSlipwayYamlDerivesFromIt() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  env: {SERVER_PORT: "${PORT}", DATA_DIR: "data-${PORT}", OTHER: "x"}
                deploy:
                  hosts:
                    servers: [{name: a, address: 10.0.0.1}]
                    rollout: {strategy: proxy}
                    service: {secrets: [TOKEN]}
                """);
        HostsTarget t = new HostsTarget(c, new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                false), s -> {
                    throw new AssertionError("no connection in this test");
                }, Map.of());
        // A rollback needs no secret: the lines that differ per port never hold one.
        HostsTarget.SharedEnv shared = t.sharedEnv(false);
        HostsConfig.Server a = c.hosts().servers().get(0);
        assertEquals("SERVER_PORT=\"9001\"\nDATA_DIR=\"data-9001\"\nPORT=\"9001\"\n", t.portLines(a, shared, 9001),
                "in slipway.yaml's order");
        assertEquals("", t.portLines(a, shared, 9000));
        SlipwayException e = assertThrows(SlipwayException.class, () -> t.sharedEnv(true));
        assertTrue(e.getMessage().contains("the secret TOKEN"), e.getMessage());
    }

    @Test
    void theLookFindsTheEnvFilesOfEachPortPerRelease(@TempDir Path tmp) throws Exception {
        for (String v : List.of("1.0.0", "2.0.0")) {
            Path r = Files.createDirectories(tmp.resolve("releases/" + v));
            Files.writeString(r.resolve("api"), "#!/bin/sh\n");
            r.resolve("api").toFile().setExecutable(true);
            Files.writeString(r.resolve("env"), "PORT=\"9000\"\n");
        }
        Files.writeString(tmp.resolve("releases/2.0.0/env-9000"), "PORT=\"9000\"\n");
        Files.writeString(tmp.resolve("releases/2.0.0/env-9001"), "PORT=\"9001\"\n");
        try (LocalHost h = new LocalHost("a")) {
            HostFacts f = HostFacts.look(h, tmp.toString(), "api", "api-slipway-test-none", "-", null, List.of());
            assertEquals(List.of("1.0.0", "2.0.0"), f.releases());
            assertFalse(f.hasEnvFor("1.0.0", 9001), f.envPorts().toString());
            assertTrue(f.hasEnvFor("2.0.0", 9000) && f.hasEnvFor("2.0.0", 9001), f.envPorts().toString());
            assertEquals(null, f.current());
            assertEquals(Map.of(), f.slots());

            // The links (one find), the upstream's first server line and the history's lines, as a deploy left them.
            Files.createSymbolicLink(tmp.resolve("current"), tmp.resolve("releases/2.0.0"));
            Files.createDirectories(tmp.resolve("slots"));
            Files.createSymbolicLink(tmp.resolve("slots/9000"), Path.of("../releases/1.0.0"));
            Files.createSymbolicLink(tmp.resolve("slots/9001"), tmp.resolve("releases/2.0.0/"));
            Path upstream = Files.writeString(tmp.resolve("api.upstream"),
                    "upstream api {\n    server 127.0.0.1:9001 max_fails=0;\n    server 127.0.0.1:9000 backup;\n}\n");
            Files.writeString(tmp.resolve("history.tsv"), "1\t1.0.0\tc1\t2026-01-01T00:00:00Z\tdeployed\troot@m\t\n"
                    + "2\t2.0.0\tc2\t2026-01-02T00:00:00Z\tdeployed\troot@m\tlive=9000 is not a key here");
            HostFacts g = HostFacts.look(h, tmp.toString(), "api", "api-slipway-test-none", "-", upstream.toString(),
                    List.of(9000, 9001));
            assertEquals("2.0.0", g.current());
            assertEquals(Map.of(9000, "1.0.0", 9001, "2.0.0"), g.slots());
            assertEquals(9001, g.livePort(), "the first server line");
            assertEquals(List.of("1.0.0", "2.0.0"), g.history().stream().map(dev.slipway.deploy.Revision::version).toList(),
                    "the last line has no newline; a history line is never read as a key");
            assertFalse(g.machine().isEmpty());
        }
    }

    /** systemctl show's blocks give the unit's and each instance's state; anything after 'history:' is history. */
    @Test
    void factsReadSystemctlShowBlocks() {
        HostFacts f = HostFacts.parse("machine=x86_64\nId=api.service\nActiveState=inactive\n\nActiveState=active\n\n"
                + "Id=api@9000.service\nActiveState=failed\n\nId=api@9001.service\nActiveState=active\n"
                + "history:\nId=api.service\nActiveState=active\n");
        assertEquals("inactive", f.active(), "a state without its Id belongs to no unit");
        assertEquals(Map.of(9000, "failed", 9001, "active"), f.instances());
        assertEquals(List.of(), f.history());
    }

    @Test
    void theRestartStrategyStopsTheProxyStrategysInstancesBeforeItsUnitTakesThePort() {
        // A change of strategy back to restart: the proxy strategy's instance on 9001 serves through the host's nginx.
        Map<String, HostFacts> f = new LinkedHashMap<>();
        f.put("a", new HostFacts("x86_64", "linux-amd64", "1.0.0", List.of("1.0.0"), "", "u1", "inactive", List.of(), 9001,
                Map.of(9001, "1.0.0"), Map.of(9000, "inactive", 9001, "active")));
        f.put("b", new HostFacts("x86_64", "linux-amd64", "1.0.0", List.of("1.0.0"), "", "u1", "inactive", List.of(), 9000,
                Map.of(9000, "1.0.0"), Map.of(9000, "active", 9001, "failed")));
        f.put("c", facts("1.0.0", 0, "active"));
        HostsPlan p = plan(config("{}", "{}"), f, false);
        String kinds = kinds(p);
        // "delay": strategy restart waits nginx's fail_timeout between batches (rollout.delay's default).
        assertTrue(kinds.contains("switch:a stop:a restart:a gate:a proxy:a delay switch:b stop:b restart:b gate:b delay switch:c"
                + " restart:c gate:c record:a"), "no nginx change where it names service.port already: " + kinds);
        assertEquals(List.of(9001), p.hosts().get(0).retire());
        assertEquals(List.of(9000, 9001), p.hosts().get(1).retire(), "a failed instance is disabled too");
        assertEquals(List.of(), p.hosts().get(2).retire());
        String text = p.describe();
        assertTrue(text.contains("a: [batch 1] drain and stop api@9001.service (the proxy strategy's instances) and disable them;"
                + " enable api.service"), text);
        assertTrue(text.contains("a: [batch 1] nginx on the host: /etc/nginx/slipway/api.upstream.conf (the proxy strategy's,"
                + " port 9001) -> 127.0.0.1:9000, nginx -t, nginx -s reload"), text);
        assertTrue(text.contains("a (root@10.0.0.1:22): linux-amd64, current 1.0.0, unit inactive, the proxy strategy's"
                + " instances run (port 9001 active; nginx -> port 9001)"), text);
        assertEquals(List.of("api@9000.service", "api@9001.service"), HostsPlan.stopUnits(config("{}", "{}").hosts(),
                p.hosts().get(1)));
        // Both strategies give a release the env file of each instance port.
        assertTrue(text.contains("a: write /opt/slipway/api/releases/2.0.0/env, env-9000, env-9001 (mode 0600"), text);
    }

    @Test
    void aDeployOfTheReleaseThatServesSaysSoAndWhatItDoes() {
        String sha = HostsPlanTest.AMD.sha256();
        Map<String, HostFacts> f = new LinkedHashMap<>();
        f.put("a", new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("2.0.0"), sha, "u1", "active", List.of()));
        f.put("b", new HostFacts("x86_64", "linux-amd64", "1.0.0", List.of("1.0.0"), "", "u1", "active", List.of()));
        f.put("c", new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("2.0.0"), sha, "u1", "failed", List.of()));
        String text = plan(config("{}", "{}"), f, false).describe();
        assertTrue(text.contains("a (root@10.0.0.1:22): linux-amd64, current 2.0.0, unit active; 2.0.0 already serves here"
                + " (same sha256): this deploy writes its env again and restarts it, gated; nothing else changes\n"), text);
        assertEquals(1, text.split("already serves", -1).length - 1, "b runs another release, c's unit does not run:\n" + text);
        Map<String, HostFacts> g = new LinkedHashMap<>();
        for (String h : List.of("a", "b", "c")) {
            g.put(h, new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("2.0.0"), sha, "u1", "inactive", List.of(), 9000,
                    Map.of(9000, "2.0.0"), Map.of(9000, "active")));
        }
        String proxied = plan(config("{strategy: proxy}", "{}"), g, false).describe();
        assertTrue(proxied.contains("; 2.0.0 already serves here (same sha256): this deploy writes its env again and starts it"
                + " again beside itself on port 9001 and switches nginx to it, gated; nothing else changes"), proxied);
    }
}

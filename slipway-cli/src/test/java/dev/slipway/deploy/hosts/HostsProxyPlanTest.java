package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.ConfigException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

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
            f.put(h, new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("1.0.0", "2.0.0"), "", "u1", "inactive",
                    List.of(), 9001, Map.of(9000, "1.0.0", 9001, "2.0.0"), Map.of(9000, "inactive", 9001, "active")));
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
        String up = NginxConf.upstream("api", c.hosts(), "127.0.0.1", 9001);
        assertTrue(up.contains("upstream api_backend {\n    server 127.0.0.1:9001 max_fails=0;\n"), up);
        // The restart strategy keeps its unit and its upstream over every server.
        SlipwayConfig r = config("{}", "{}");
        assertTrue(HostUnit.render(r).contains("ExecStart=/opt/slipway/api/current/api\n"));
        assertTrue(NginxConf.render(r).contains("upstream api_backend {"));
    }
}

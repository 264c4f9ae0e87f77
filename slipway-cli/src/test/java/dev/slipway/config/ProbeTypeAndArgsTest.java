package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code service.args} and the probes' {@code type} as the loader resolves them. */
class ProbeTypeAndArgsTest {
    static SlipwayConfig parse(String yaml) {
        return ConfigLoader.parse(Path.of("slipway.yaml"), "name: app\n" + yaml);
    }

    @Test
    void argsAreKeptInOrderAsWritten() {
        SlipwayConfig c = parse("service:\n  args: [server, \"${APP_HOME}/config.yml\", \"two words\", \"\"]\n");
        assertEquals(List.of("server", "${APP_HOME}/config.yml", "two words", ""), c.service().args());
        assertEquals(List.of(), parse("service: {port: 9000}\n").service().args());
    }

    @Test
    void probesAreHttpByDefaultWithTheirPaths() {
        SlipwayConfig c = parse("service: {port: 9000}\n");
        assertEquals(SlipwayConfig.Probe.Type.HTTP, c.service().readiness().type());
        assertEquals("/health/ready", c.service().readiness().path());
        assertEquals("/health/live", c.service().liveness().path());
        assertEquals(List.of("/health/ready"), c.train().urls());
        assertEquals("http://127.0.0.1:9000/health/ready", c.service().readiness().target("127.0.0.1", 9000));
    }

    @Test
    void aTcpReadinessHasNoPathMakesLivenessTcpAndTrainsOnTheRoot() {
        SlipwayConfig c = parse("service:\n  readiness: {type: tcp, timeout: 90s}\n");
        SlipwayConfig.Probe r = c.service().readiness();
        assertTrue(r.tcp());
        assertNull(r.path());
        assertEquals(Duration.ofSeconds(90), r.timeout());
        assertEquals(Duration.ofSeconds(1), r.interval());
        assertTrue(c.service().liveness().tcp(), "an app without a health path gets no http liveness by default");
        assertEquals(List.of("/"), c.train().urls());
        assertEquals("tcp://127.0.0.1:8080", r.target("127.0.0.1", 8080));
        assertEquals("TCP connect 127.0.0.1:8080", r.describe("127.0.0.1", 8080));
        // An explicit liveness keeps its own type.
        SlipwayConfig mixed = parse("service:\n  readiness: {type: tcp}\n  liveness: {path: /alive}\n");
        assertEquals(SlipwayConfig.Probe.Type.HTTP, mixed.service().liveness().type());
        assertEquals("/alive", mixed.service().liveness().path());
    }

    @Test
    void theHostsGateInheritsTheTypeAndMayChangeIt() {
        String hosts = "deploy:\n  hosts:\n    servers: [{address: 10.0.0.1}]\n    rollout:\n      readiness: ";
        SlipwayConfig inherit = parse("service:\n  readiness: {type: tcp}\n" + hosts + "{timeout: 5s}\n");
        assertTrue(inherit.hosts().rollout().readiness().tcp());
        assertEquals(Duration.ofSeconds(5), inherit.hosts().rollout().readiness().timeout());
        SlipwayConfig toTcp = parse(hosts + "{type: tcp}\n");
        assertTrue(toTcp.hosts().rollout().readiness().tcp());
        assertNull(toTcp.hosts().rollout().readiness().path());
        SlipwayConfig toHttp = parse("service:\n  readiness: {type: tcp}\n" + hosts + "{type: http, path: /ready}\n");
        assertEquals("/ready", toHttp.hosts().rollout().readiness().path());
        SlipwayConfig pathOnly = parse("service:\n  readiness: {type: tcp}\n" + hosts + "{path: /ready}\n");
        assertEquals(SlipwayConfig.Probe.Type.HTTP, pathOnly.hosts().rollout().readiness().type(), "a path means GET it");
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("service:\n  readiness: {type: tcp}\n" + hosts + "{type: http}\n"));
        assertEquals("slipway.yaml:8:19: an http probe needs a 'path' (the probe it overrides is tcp)", e.getMessage());
    }
}

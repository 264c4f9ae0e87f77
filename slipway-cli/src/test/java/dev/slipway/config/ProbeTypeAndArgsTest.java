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

    @Test
    void aGrpcProbeAsksTheWholeServerByDefaultAndItsLivenessFollows() {
        SlipwayConfig c = parse("service:\n  port: 50051\n  readiness: {type: grpc}\n");
        SlipwayConfig.Probe r = c.service().readiness();
        assertEquals(new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.GRPC, null, Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ZERO, ""), r, "no path, the whole server");
        assertTrue(c.service().liveness().grpc(), "a gRPC server's liveness is its health check too");
        assertEquals("", c.service().liveness().service());
        assertEquals("grpc://127.0.0.1:50051", r.target("127.0.0.1", 50051));
        assertEquals("gRPC health check 127.0.0.1:50051", r.describe("127.0.0.1", 50051));
        SlipwayConfig named = parse("service:\n  readiness: {type: grpc, service: helloworld.Greeter}\n");
        assertEquals("helloworld.Greeter", named.service().readiness().service());
        assertEquals("grpc://h:8080?service=helloworld.Greeter", named.service().readiness().target("h", 8080));
        // The hosts gate keeps the service it inherits, or names its own.
        String hosts = "deploy:\n  hosts:\n    servers: [{address: 10.0.0.1}]\n    rollout:\n      readiness: ";
        SlipwayConfig inherit = parse("service:\n  readiness: {type: grpc, service: a.B}\n" + hosts + "{timeout: 5s}\n");
        assertEquals("a.B", inherit.hosts().rollout().readiness().service());
        assertTrue(inherit.hosts().rollout().readiness().grpc());
        SlipwayConfig own = parse("service:\n  readiness: {type: grpc}\n" + hosts + "{service: c.D}\n");
        assertEquals("c.D", own.hosts().rollout().readiness().service());
    }

    @Test
    void aGrpcProbeRefusesAPathAndOnlyItHasAService() {
        ConfigException path = assertThrows(ConfigException.class,
                () -> parse("service:\n  readiness: {type: grpc, path: /health}\n"));
        assertTrue(path.getMessage().startsWith("slipway.yaml:3:"), path.getMessage());
        assertTrue(path.getMessage().contains("a grpc probe has no path"), path.getMessage());
        ConfigException name = assertThrows(ConfigException.class,
                () -> parse("service:\n  readiness: {type: grpc, service: \"a b\"}\n"));
        assertTrue(name.getMessage().contains("'a b' is not a gRPC service name"), name.getMessage());
        ConfigException http = assertThrows(ConfigException.class,
                () -> parse("service:\n  readiness: {path: /ready, service: a.B}\n"));
        assertTrue(http.getMessage().contains("only a grpc probe has a 'service'"), http.getMessage());
        ConfigException tls = assertThrows(ConfigException.class,
                () -> parse("service:\n  scheme: https\n  readiness: {type: grpc}\n"));
        assertTrue(tls.getMessage().contains("cannot pass a grpc readiness probe"), tls.getMessage());
    }
}

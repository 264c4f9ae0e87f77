package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.SlipwayConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code grpc} probe against a real grpc-java server (Netty, the standard grpc.health.v1
 * service of grpc-services) in this JVM: from here ({@link Gate#here}) and on a host
 * ({@link Gate#onHost}, its bash script run on this machine by {@link LocalHost}); both must read
 * the same statuses the same way.
 */
class GrpcProbeTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private Server server;
    private HealthStatusManager health;
    private int port;

    @BeforeEach
    void start() throws Exception {
        health = new HealthStatusManager();
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
        port = server.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static SlipwayConfig.Probe grpc(String service) {
        return new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.GRPC, null, Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ZERO, service);
    }

    private Gate.Verdict onHost(String service) {
        try (LocalHost host = new LocalHost("local")) {
            return Gate.onHost(host, "echo active", "127.0.0.1", port).await(grpc(service).with(Duration.ZERO, Duration.ZERO));
        }
    }

    @Test
    void servingPassesFromHereAndOnAHost() {
        // HealthStatusManager starts the whole server ("") SERVING.
        Gate.Verdict here = Gate.probeOnce("127.0.0.1", port, grpc(""), Duration.ofSeconds(5));
        assertTrue(here.ready(), here.describe());
        assertEquals("gRPC health status SERVING", here.describe());
        Gate.Verdict there = onHost("");
        assertTrue(there.ready(), there.describe());
        assertEquals(here.describe(), there.describe());
        assertTrue(Gate.answersGrpc("127.0.0.1", port, Duration.ofSeconds(5)), "the training run's check");
    }

    @Test
    void notServingAndUnknownServiceFailTheSameWayEverywhere() {
        health.setStatus("", ServingStatus.NOT_SERVING);
        Gate.Verdict here = Gate.probeOnce("127.0.0.1", port, grpc(""), Duration.ofSeconds(5));
        assertFalse(here.ready());
        assertEquals("gRPC health status NOT_SERVING", here.describe());
        assertEquals(here.describe(), onHost("").describe());
        // The gate keeps trying, then times out with the last status.
        Gate.Verdict gate = Gate.await("127.0.0.1", port, grpc("").with(Duration.ofMillis(500), Duration.ZERO), () -> true);
        assertFalse(gate.ready());
        assertEquals("gRPC health status NOT_SERVING", gate.describe());

        // A service the health server was never told of: the call ends with NOT_FOUND, no status.
        Gate.Verdict unknown = Gate.probeOnce("127.0.0.1", port, grpc("helloworld.Greeter"), Duration.ofSeconds(5));
        assertFalse(unknown.ready());
        assertEquals("gRPC call ended without a health status: grpc-status 5 NOT_FOUND"
                + " (the health server does not know this service)", unknown.describe());
        assertEquals(unknown.describe(), onHost("helloworld.Greeter").describe());

        health.setStatus("helloworld.Greeter", ServingStatus.SERVING);
        assertTrue(Gate.probeOnce("127.0.0.1", port, grpc("helloworld.Greeter"), Duration.ofSeconds(5)).ready());
        assertTrue(onHost("helloworld.Greeter").ready());
        health.setStatus("helloworld.Greeter", ServingStatus.UNKNOWN);
        assertEquals("gRPC health status UNKNOWN", onHost("helloworld.Greeter").describe());
        assertFalse(Gate.probeOnce("127.0.0.1", port, grpc("helloworld.Greeter"), Duration.ofSeconds(5)).ready());
    }

    @Test
    void aServerWithoutTheHealthServiceAnswersButNeverPasses() throws Exception {
        Server bare = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(io.grpc.protobuf.services.ProtoReflectionServiceV1.newInstance()).build().start();
        try {
            assertTrue(Gate.answersGrpc("127.0.0.1", bare.getPort(), Duration.ofSeconds(5)), "it took the call");
            Gate.Verdict v = Gate.probeOnce("127.0.0.1", bare.getPort(), grpc(""), Duration.ofSeconds(5));
            assertFalse(v.ready());
            assertEquals("gRPC call ended without a health status: grpc-status 12 UNIMPLEMENTED (no grpc.health.v1 service)",
                    v.describe());
        } finally {
            bare.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClosedPortOrAnHttp1ServerIsNoAnswer() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Gate.Verdict v = Gate.probeOnce("127.0.0.1", closed, grpc(""), Duration.ofSeconds(2));
        assertFalse(v.ready());
        assertTrue(v.describe().startsWith("no answer (ConnectException"), v.describe());
        Gate.Verdict there;
        try (LocalHost host = new LocalHost("local")) {
            there = Gate.onHost(host, "echo active", "127.0.0.1", closed).await(grpc("").with(Duration.ZERO, Duration.ZERO));
        }
        assertFalse(there.ready());
        assertTrue(there.describe().startsWith("no answer"), there.describe());
    }

    /**
     * The image's health check ({@code slipway-probe grpc SERVICE SECONDS}, the prebuilt binary
     * Slipway puts in images, for this machine's platform) passes and fails as the gate does.
     */
    @Test
    void theImagesProbeChecksTheSameStatus(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // The image's HEALTHCHECK: exec form, the service name an argument of its own ("" too).
        assertEquals(java.util.List.of("CMD", "/usr/bin/slipway-probe", "grpc", "helloworld.Greeter", "1"),
                dev.slipway.image.ImageBuilder.healthcheck(grpc("helloworld.Greeter").with(Duration.ofSeconds(30), Duration.ZERO)).test());
        assertEquals(java.util.List.of("CMD", "/usr/bin/slipway-probe", "grpc", "", "1"),
                dev.slipway.image.ImageBuilder.healthcheck(grpc("")).test());
        byte[] elf = dev.slipway.build.NativeHelpers.prebuilt(dev.slipway.build.NativeHelpers.PROBE,
                dev.slipway.build.Platform.host()).orElseThrow(() -> new AssertionError("no prebuilt slipway-probe"
                + " matching probe.c for this platform: run slipway-cli/build-native.sh"));
        java.nio.file.Path probe = tmp.resolve("slipway-probe");
        java.nio.file.Files.write(probe, elf);
        assertTrue(probe.toFile().setExecutable(true));
        assertEquals("", run(probe, ""), "the whole server is SERVING");
        health.setStatus("", ServingStatus.NOT_SERVING);
        assertEquals("slipway-probe: not ready: gRPC health status: NOT_SERVING", run(probe, ""));
        health.setStatus("helloworld.Greeter", ServingStatus.SERVING);
        assertEquals("", run(probe, "helloworld.Greeter"), "a named service");
        assertTrue(run(probe, "other.Service").startsWith("slipway-probe: not ready: the gRPC call ended without a health status"),
                "a service the health server does not know");
    }

    /** Runs the probe on the server's port; returns its standard error when it fails, "" when it passes. */
    private String run(java.nio.file.Path probe, String service) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(probe.toString(), "grpc", service, "5").redirectErrorStream(true);
        pb.environment().put("PORT", String.valueOf(port));
        pb.environment().put("ADDR", "0.0.0.0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(out.isEmpty() ? 0 : 1, p.exitValue(), out);
        return out;
    }
}

package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness probe a release was deployed with, read back from its {@code release.json} (a
 * rollback gates on it): every probe type, a grpc probe with its health service name.
 */
class ReleaseProbeTest {
    @TempDir
    Path releases;

    private SlipwayConfig.Probe read(String readiness) throws Exception {
        Files.createDirectories(releases.resolve("r1"));
        Files.writeString(releases.resolve("r1/release.json"), "{\"version\":\"1\",\"readiness\":" + readiness + "}");
        LocalReleases store = new LocalReleases(releases, "svc",
                new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false));
        return store.probe("r1", new SlipwayConfig.Probe("/health/ready", Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO));
    }

    @Test
    void aGrpcReleaseIsGatedWithItsGrpcProbeAndService() throws Exception {
        assertEquals(new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.GRPC, null, Duration.ofMillis(500), Duration.ofSeconds(9),
                        Duration.ZERO, "helloworld.Greeter"),
                read("{\"type\":\"grpc\",\"service\":\"helloworld.Greeter\",\"intervalMs\":500,\"timeoutMs\":9000,\"startupGraceMs\":0}"));
        assertEquals(new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ZERO), read("{\"type\":\"tcp\"}"));
        assertEquals(new SlipwayConfig.Probe("/ready", Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO),
                read("{\"path\":\"/ready\"}"), "a release.json from before probe types: http");
    }
}

package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.SlipwayConfig;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The local gate's two probe types against real sockets. */
class HealthGateTest {
    static final SlipwayConfig.Probe TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ZERO);
    static final SlipwayConfig.Probe HTTP = new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ZERO);

    @Test
    void aPortThatAcceptsButNeverAnswersPassesTcpAndFailsHttp() throws Exception {
        try (SilentServer server = new SilentServer()) {
            HealthGate.Verdict tcp = HealthGate.await("127.0.0.1", server.port(), TCP, () -> true);
            assertTrue(tcp.ready(), tcp.toString());
            assertEquals(0, tcp.status());
            assertEquals("TCP connection accepted", tcp.describe());
            assertTrue(server.accepted() >= 1 || waitForAccept(server), "the probe really connected");

            HealthGate.Verdict http = HealthGate.await("127.0.0.1", server.port(), HTTP, () -> true);
            assertFalse(http.ready(), http.toString());
            assertEquals(0, http.status(), "no HTTP status ever came");
            assertTrue(http.describe().startsWith("no answer ("), http.describe());
        }
    }

    @Test
    void aClosedPortFailsTcpWithTheConnectError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        HealthGate.Verdict v = HealthGate.await("127.0.0.1", port, TCP, () -> true);
        assertFalse(v.ready());
        assertTrue(v.describe().contains("Connection refused"), v.describe());
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(800).toNanos(), "it kept trying until the timeout");
        assertFalse(HealthGate.probeOnce("127.0.0.1", port, TCP, Duration.ofSeconds(1)).ready());
    }

    @Test
    void aProcessThatExitedEndsTheTcpWaitAtOnce() {
        HealthGate.Verdict v = HealthGate.await("127.0.0.1", 9, TCP, () -> false);
        assertFalse(v.ready());
        assertEquals("the process exited", v.detail());
    }

    private static boolean waitForAccept(SilentServer server) throws InterruptedException {
        for (int i = 0; i < 50 && server.accepted() == 0; i++) {
            Thread.sleep(20);
        }
        return server.accepted() > 0;
    }
}

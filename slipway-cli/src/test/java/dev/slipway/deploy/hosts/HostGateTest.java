package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.SilentServer;
import dev.slipway.remote.LocalHost;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hosts gate's script, run by bash on this machine ({@link LocalHost}) against real local
 * ports. No unit of that name runs here, so a failing attempt ends the gate as "down" at once.
 */
class HostGateTest {
    static final SlipwayConfig.Probe TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ZERO);

    @Test
    void aTcpGatePassesOnAPortThatAcceptsAndAnHttpGateDoesNot() throws Exception {
        Tools.require("bash");
        Tools.require("timeout");
        try (SilentServer server = new SilentServer(); LocalHost host = new LocalHost("local")) {
            HostGate.Verdict tcp = HostGate.await(host, "slipway-test-none", "127.0.0.1", server.port(), TCP);
            assertTrue(tcp.ready(), tcp.toString());
            assertEquals(0, tcp.status());
            assertTrue(tcp.describe().startsWith("TCP connection accepted"), tcp.describe());

            HostGate.Verdict http = HostGate.await(host, "slipway-test-none", "127.0.0.1", server.port(),
                    new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ZERO));
            assertFalse(http.ready(), http.toString());
            assertEquals(0, http.status(), "no HTTP status line came");
        }
    }

    @Test
    void aTcpGateFailsOnAClosedPortWithTheConnectError() throws Exception {
        Tools.require("bash");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LocalHost host = new LocalHost("local")) {
            HostGate.Verdict v = HostGate.await(host, "slipway-test-none", "127.0.0.1", port, TCP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("no answer (") && v.describe().contains("refused"), v.describe());
        }
    }

    @Test
    void aTcpScriptSendsNoPathAndNoRequest() {
        String script = HostGate.script("myapp", "127.0.0.1", 8080, TCP);
        assertFalse(script.contains("GET"), script);
        assertFalse(script.contains("q="), script);
        assertTrue(script.contains("exec 3<>\"/dev/tcp/$0/$1\"' \"$a\" \"$p\""), script);
    }
}

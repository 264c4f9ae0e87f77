package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The generated systemd unit carries the service settings, quoted for systemd. */
class SystemdUnitTest {
    @Test
    void unitRunsTheLayoutWithTheServiceSettings() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  drainTimeout: 20s
                  env: {GREETING: 'say "hi" 100%', B: 'x\\y'}
                """);
        String unit = SystemdUnit.render(c, "1.2.3");
        assertTrue(unit.contains("\nDescription=api 1.2.3\n"), unit);
        assertTrue(unit.contains("\nExecStart=/opt/api/bin/api\n"), unit);
        assertTrue(unit.contains("\nEnvironment=\"ADDR=0.0.0.0\"\nEnvironment=\"B=x\\\\y\"\nEnvironment=\"DRAIN_TIMEOUT=20\"\n"
                + "Environment=\"GREETING=say \\\"hi\\\" 100%%\"\nEnvironment=\"PORT=9000\"\nKillSignal=SIGTERM\n"), unit);
        assertTrue(unit.contains("\nTimeoutStopSec=25\n"), unit);
        assertEquals(3, unit.lines().filter(l -> l.matches("\\[(Unit|Service|Install)]")).count());
    }

    @Test
    void referencesInServiceEnvAreExpandedToTheUnitsPortAndAddress() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  env: {SERVER_PORT: "${PORT}", SERVER_ADDRESS: "${ADDR}", RAW: "$PORT ${HOME}"}
                """);
        String unit = SystemdUnit.render(c, "1.2.3");
        assertTrue(unit.contains("\nEnvironment=\"SERVER_PORT=9000\"\n"), unit);
        assertTrue(unit.contains("\nEnvironment=\"SERVER_ADDRESS=0.0.0.0\"\n"), unit);
        assertTrue(unit.contains("\nEnvironment=\"RAW=$PORT ${HOME}\"\n"), "Environment= expands no $: " + unit);
    }
}

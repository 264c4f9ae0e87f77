package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The env file of each host: references expanded for that host, secrets as they are, quoting safe. */
class HostsEnvFileTest {
    static final SlipwayConfig CONFIG = ConfigLoader.parse(Path.of("/tmp/svc/slipway.yaml"), """
            name: svc
            service:
              port: 9000
              env:
                SERVER_PORT: "${PORT}"
                RAW: "a \\"q\\" $HOME `id` \\\\ ${HOME}"
            deploy:
              hosts:
                servers:
                  - {name: a, address: 10.0.0.1}
                  - {name: b, address: 10.0.0.2, bind: 10.0.0.2, env: {SELF: "http://${ADDR}:${PORT}/"}}
                service:
                  env: {BIND: "${ADDR}"}
            """);

    static HostsTarget target() {
        return new HostsTarget(CONFIG, new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                false), s -> {
                    throw new AssertionError("no connection in this test");
                }, Map.of());
    }

    @Test
    void eachHostGetsItsOwnAddressAndThePortSecretsStayAsGiven() {
        HostsTarget t = target();
        var shared = new HostsTarget.SharedEnv(Map.of("SERVER_PORT", "${PORT}", "RAW", CONFIG.service().env().get("RAW"),
                "BIND", "${ADDR}", "TOKEN", "s3cr${PORT}t"), Set.of("TOKEN"));
        String a = t.envFile(CONFIG.hosts().servers().get(0), shared);
        String b = t.envFile(CONFIG.hosts().servers().get(1), shared);
        assertTrue(a.contains("\nSERVER_PORT=\"9000\"\n"), a);
        assertTrue(a.contains("\nBIND=\"0.0.0.0\"\n"), a);
        assertTrue(b.contains("\nBIND=\"10.0.0.2\"\n"), b);
        assertTrue(b.contains("\nSELF=\"http://10.0.0.2:9000/\"\n"), b);
        assertTrue(a.contains("\nTOKEN=\"s3cr\\${PORT}t\"\n"), "a secret is not Slipway's to expand: " + a);
        // systemd's EnvironmentFile= reads the quoted value back as written (systemd.exec(5)).
        assertTrue(a.contains("\nRAW=\"a \\\"q\\\" \\$HOME \\`id\\` \\\\ \\${HOME}\"\n"), a);
        assertTrue(a.endsWith("PORT=\"9000\"\nADDR=\"0.0.0.0\"\nDRAIN_TIMEOUT=\"30\"\nTRACK=\"stable\"\n"), a);
    }

    @Test
    void aLineBreakIsRefusedBecauseAnEnvFileCannotCarryIt() {
        var shared = new HostsTarget.SharedEnv(Map.of("X", "one\ntwo"), Set.of());
        SlipwayException e = assertThrows(SlipwayException.class,
                () -> target().envFile(CONFIG.hosts().servers().get(0), shared));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("line break"), e.getMessage());
    }
}

package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalTarget#recorded}: the local target opened from what a deploy left under
 * {@code .slipway/local} alone (status and stop with a broken slipway.yaml), with the recorded
 * values as they were, whatever YAML would make of them.
 */
class LocalTargetRecordedTest {
    @TempDir
    Path dir;

    private static Console quiet() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    }

    /** Lays out {@code releases/1.0.0/<name>} with its service.env, and {@code current} on it. */
    private Path deployed(String name, String env) throws Exception {
        Path state = Files.createDirectories(dir.resolve(".slipway/local"));
        Path release = Files.createDirectories(state.resolve("releases/1.0.0"));
        Path exe = Files.writeString(release.resolve(name), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(release.resolve(dev.slipway.deploy.local.LocalReleases.ENV_FILE), env);
        Files.createSymbolicLink(state.resolve("current"), Path.of("releases/1.0.0"));
        return state;
    }

    @Test
    void namesYamlWouldReadAsNullOrABooleanStayTheServiceName() throws Exception {
        // Valid service names that a 'name: X' line would make null or a boolean (YAML 1.1), not a name.
        for (String name : List.of("null", "yes", "true", "off")) {
            Path here = dir.resolve(name);
            Files.createDirectories(here);
            dir = here;
            deployed(name, "PORT=9123\nADDR=127.0.0.9\nDRAIN_TIMEOUT=7\n");
            Optional<LocalTarget> t = LocalTarget.recorded(here, quiet());
            assertTrue(t.isPresent(), name);
            SlipwayConfig c = t.get().config();
            assertEquals(name, c.name());
            assertEquals(9123, c.service().port());
            assertEquals(Duration.ofSeconds(7), c.service().drainTimeout());
            assertEquals("127.0.0.9", c.local().address());
            assertNull(c.local().proxy());
            assertEquals(here.resolve("slipway.yaml"), c.file());
            dir = here.getParent();
        }
    }

    @Test
    void anIncompleteRecordOpensNothing() throws Exception {
        for (String env : List.of("ADDR=127.0.0.1\nDRAIN_TIMEOUT=5\n", "PORT=70000\nADDR=127.0.0.1\nDRAIN_TIMEOUT=5\n",
                "PORT=8080\nDRAIN_TIMEOUT=5\n", "PORT=8080\nADDR=127.0.0.1\nDRAIN_TIMEOUT=soon\n")) {
            Path here = Files.createDirectories(dir.resolve("s" + Integer.toHexString(env.hashCode())));
            Path before = dir;
            dir = here;
            deployed("svc", env);
            assertTrue(LocalTarget.recorded(here, quiet()).isEmpty(), env);
            dir = before;
        }
        assertTrue(LocalTarget.recorded(dir, quiet()).isEmpty(), "nothing deployed");
    }

    @Test
    void theProxyADeployRecordedIsReadBackAsItWasAlsoFromTheOlderYamlFile() throws Exception {
        Path state = deployed("svc", "PORT=8081\nADDR=::1\nDRAIN_TIMEOUT=30\n");
        SlipwayConfig config = ConfigLoader.parse(dir.resolve("slipway.yaml"), """
                name: svc
                service: {port: 8081}
                deploy:
                  local:
                    address: "::1"
                    proxy:
                      config: /tmp/up "stream".conf
                      listen: "[::1]:8080"
                      ports: [8081, 8082]
                      reload: "nginx -s reload -c '/etc/x: y'"
                """);
        new LocalTarget(config, quiet()).rememberProxy();
        assertTrue(Files.isRegularFile(state.resolve(LocalTarget.PROXY_FILE)));
        SlipwayConfig.Proxy recorded = LocalTarget.recorded(dir, quiet()).orElseThrow().config().local().proxy();
        assertEquals(config.local().proxy(), recorded);
        assertEquals("::1", recorded.listenHost());

        // The fragment slipway wrote before proxy.json (values as JSON scalars) is still read.
        Files.delete(state.resolve(LocalTarget.PROXY_FILE));
        Files.writeString(state.resolve("proxy.yaml"), """
                    proxy:
                      config: "/tmp/up \\"stream\\".conf"
                      listen: "[::1]:8080"
                      ports: [8081, 8082]
                      upstream: "svc"
                      reload: "nginx -s reload -c '/etc/x: y'"
                      test: "nginx -t -q"
                """);
        assertEquals(config.local().proxy(), LocalTarget.recordedProxy(state));
        assertEquals(config.local().proxy(), LocalTarget.recorded(dir, quiet()).orElseThrow().config().local().proxy());
        // Writing the new file removes the old one, so the two can never disagree.
        new LocalTarget(config, quiet()).rememberProxy();
        assertTrue(Files.notExists(state.resolve("proxy.yaml")));
    }
}

package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service deployed to a real Debian host (systemd, sshd, no Java; {@code testbed/hosts.sh}) with
 * {@code readiness.type: process}, as a worker with no port is: the plan's gate is the unit's, the
 * deploy passes when the unit keeps running through the settle window, no nginx site is written,
 * and a release that exits in the window (myapp exits on an unknown log level, given as a secret)
 * fails the deploy, which goes back to the release before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostsWorkerTest {
    /** myapp, configured as a worker: readiness type process, its secrets from {@link #secrets}. */
    Path service;
    /** The secrets file: {@code LOG_LEVEL=warn} runs, {@code LOG_LEVEL=loud} makes myapp exit at start. */
    Path secrets;
    Testbed testbed;

    @BeforeAll
    void bootHostAndBuildTheWorker(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        secrets = tmp.resolve("secrets.env");
        service = tmp.resolve("myapp");
        testbed = Testbed.up(1, "wk", "127.0.1.71");
        Files.writeString(secrets, "LOG_LEVEL=warn\n");
        Example.copy(service);
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                service:
                  drainTimeout: 5s
                  readiness: {type: process, interval: 200ms, timeout: 8s}
                train:
                  timeout: 10s
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: %s, bind: %s}
                    service: {secretsFile: %s}
                """.formatted(Testbed.clientKey(), testbed.knownHostsHashed(), testbed.node(1).address(),
                testbed.node(1).address(), secrets));
        Example.commit(service);
        HostsDeployTest.build(service, tmp, "1.0.0", true);
    }

    @AfterAll
    void tearDownTheHost() {
        java.util.Optional.ofNullable(testbed).ifPresent(Testbed::close);
    }

    private String onHost(String command) {
        return testbed.run(1, command);
    }

    @Test
    void aWorkerPassesWhenItsUnitKeepsRunningAndOneThatExitsInTheWindowGoesBack() throws Exception {
        var plan = CliRunner.run("deploy", service.toString(), "--to", "hosts", "--dry-run");
        assertEquals(0, plan.code(), plan.toString());
        assertTrue((plan.out() + plan.err()).contains("web1: [batch 1] gate: the unit keeps running, not restarted by"
                + " systemd, for 8.0 s (readiness type process; checked every 0.2 s)"), plan.toString());

        long start = System.nanoTime();
        var first = CliRunner.run("deploy", service.toString(), "--to", "hosts");
        assertEquals(0, first.code(), first.toString());
        assertTrue(System.nanoTime() - start >= Duration.ofSeconds(8).toNanos(), "the gate waited the window");
        assertTrue((first.out() + first.err()).contains("the process is running"), first.toString());
        assertEquals("active", onHost("systemctl is-active myapp.service"));
        assertEquals("", onHost("grep -rl myapp /etc/nginx 2>/dev/null || true"), "no nginx site or upstream for it");
        var status = CliRunner.run("status", service.toString(), "--to", "hosts");
        assertEquals(0, status.code(), status.toString());

        Files.writeString(secrets, "LOG_LEVEL=loud\n");
        var bad = CliRunner.run("deploy", service.toString(), "--to", "hosts");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("web1 failed: the process exited after "), bad.toString());
        assertTrue(bad.err().contains(" with exit code 2"), bad.toString());
        assertTrue(bad.err().contains("; cause: myapp: bad configuration: LOG_LEVEL: \"loud\" is not one of"), bad.toString());
        assertTrue(bad.err().contains("every switched host went back: web1 -> 1.0.0"), bad.toString());
        Files.writeString(secrets, "LOG_LEVEL=warn\n");
        Thread.sleep(2000);
        assertEquals("active", onHost("systemctl is-active myapp.service"), "1.0.0 runs again");
        assertTrue(onHost("grep LOG_LEVEL /opt/slipway/myapp/releases/1.0.0/env").contains("warn"));

        var nginx = CliRunner.run("render", "nginx", service.toString(), "--stdout");
        assertEquals(2, nginx.code(), nginx.toString());
        assertTrue(nginx.err().contains("service.readiness.type is process: the service listens on no port"), nginx.toString());
    }
}

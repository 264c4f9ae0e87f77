package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway start} and {@code stop --to hosts} on a real Debian host (systemd, sshd, no Java,
 * {@code testbed/hosts.sh}): each prints its plan with {@code --dry-run} and changes nothing, stops
 * every unit of the service that runs, starts the one that serves {@code current} and gates it,
 * and says so when there is nothing to do; with the restart strategy and with the proxy strategy
 * (the instance behind the host's nginx).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsStartStopTest {
    private static final int PORT = 18080;
    private static final int NGINX = 18000;

    Testbed testbed;
    Path service;

    @BeforeAll
    void bootHostAndBuild(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        testbed = Testbed.up(1, "ss", "127.0.1.61");
        service = tmp.resolve("myapp");
        Example.copy(service);
        writeConfig("restart");
        Example.commit(service);
        HostsDeployTest.build(service, tmp, "1.0.0", true);
    }

    @AfterAll
    void stopHost() {
        if (testbed != null) {
            testbed.close();
        }
    }

    private String address() {
        return testbed.node(1).address();
    }

    private void writeConfig(String strategy) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 200ms, timeout: 60s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: %s, bind: %s, env: {DATA_DIR: "data-${PORT}"}}
                    rollout: {strategy: %s}
                    proxy: {listen: "%s:%d"}
                """.formatted(PORT, Testbed.clientKey(), testbed.knownHostsHashed(), address(), address(), strategy,
                address(), NGINX));
    }

    private String onHost(String command) {
        Testbed.Node n = testbed.node(1);
        try (Host h = SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name())
                .withIdentities(List.of(Testbed.clientKey())).withKnownHosts(testbed.knownHosts()))) {
            return h.run(command, Duration.ofSeconds(60)).stdout().strip();
        }
    }

    private CliRunner.Run slipway(String... args) {
        List<String> all = new ArrayList<>(List.of(args[0], service.toString(), "--to", "hosts"));
        all.addAll(List.of(args).subList(1, args.length));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private String direct(int port) {
        return HostsDeployTest.versionAt("http://" + address() + ":" + port + "/");
    }

    private String listing() {
        return onHost("find /opt/slipway -printf '%p %y %s %T@\\n' | sort; systemctl list-units 'myapp*' --all --no-legend");
    }

    @Test
    @Order(1)
    void theRestartStrategysUnitStopsAndStartsWithPlansFirst() throws Exception {
        var first = slipway("deploy");
        assertEquals(0, first.code(), first.toString());
        assertEquals("1.0.0", direct(PORT));

        var dryStop = slipway("stop", "--dry-run");
        assertEquals(0, dryStop.code(), dryStop.toString());
        assertTrue(dryStop.out().startsWith("stop myapp 1.0.0 to hosts\n  web1: current 1.0.0, myapp.service running\n"),
                dryStop.out());
        assertTrue(dryStop.out().contains("web1: drain and stop myapp.service (SIGTERM, SIGKILL after 5.0 s"), dryStop.out());
        assertTrue(dryStop.out().endsWith("dry run: nothing was changed\n"), dryStop.out());
        assertEquals("1.0.0", direct(PORT), "a dry run stops nothing");

        var stop = slipway("stop");
        assertEquals(0, stop.code(), stop.toString());
        assertEquals("myapp myapp.service stopped on web1\n", stop.out());
        assertEquals("inactive", onHost("systemctl is-active myapp.service"));
        assertEquals("no answer", direct(PORT));
        assertEquals(1, slipway("status").code(), "nothing serves: status exits 1");
        var again = slipway("stop");
        assertEquals(0, again.code(), again.toString());
        assertEquals("myapp was not running on any host\n", again.out());

        String before = listing();
        var dryStart = slipway("start", "--dry-run");
        assertEquals(0, dryStart.code(), dryStart.toString());
        assertTrue(dryStart.out().contains("web1: systemctl start myapp.service (release 1.0.0)"), dryStart.out());
        assertTrue(dryStart.out().contains("web1: gate: GET http://" + address() + ":" + PORT + "/health/ready"),
                dryStart.out());
        assertEquals(before, listing(), "a dry run changes nothing on the host");

        var start = slipway("start");
        assertEquals(0, start.code(), start.toString());
        assertEquals("myapp myapp.service started and ready on web1\n", start.out());
        assertEquals("1.0.0", direct(PORT), "the gate passed: it serves at once");
        assertEquals(0, slipway("status").code());
        var running = slipway("start");
        assertEquals(0, running.code(), running.toString());
        assertEquals("myapp already runs on every host; nothing was started\n", running.out());
        assertEquals("", onHost("ls /opt/slipway/myapp/lock 2>/dev/null"), "every run released its lock");
    }

    @Test
    @Order(2)
    void theProxyStrategyStopsEveryInstanceAndStartsTheOneNginxNames() throws Exception {
        writeConfig("proxy");
        var site = CliRunner.run("render", "nginx", service.toString());
        assertEquals(0, site.code(), site.toString());
        Testbed.Node n = testbed.node(1);
        try (Host h = SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name())
                .withIdentities(List.of(Testbed.clientKey())).withKnownHosts(testbed.knownHosts()))) {
            h.write(site.out().getBytes(StandardCharsets.UTF_8), "/etc/nginx/conf.d/myapp.conf", 0644);
            h.run("mkdir -p /etc/nginx/slipway", Duration.ofSeconds(10));
            h.write(dev.slipway.deploy.hosts.NginxConf.upstream("myapp",
                    dev.slipway.config.ConfigLoader.load(service.resolve("slipway.yaml")).hosts(), address(), PORT)
                    .getBytes(StandardCharsets.UTF_8), "/etc/nginx/slipway/myapp.upstream.conf", 0644);
            assertTrue(h.run("nginx -t 2>&1 && systemctl start nginx", Duration.ofSeconds(60)).ok());
        }
        var deploy = slipway("deploy");
        assertEquals(0, deploy.code(), deploy.toString());
        String unit = onHost("systemctl list-units 'myapp@*' --state=active --no-legend --plain | awk '{print $1}'");
        assertTrue(unit.matches("myapp@\\d+\\.service"), unit);
        int port = Integer.parseInt(unit.replaceAll("\\D", ""));
        assertEquals("1.0.0", direct(NGINX));

        var stop = slipway("stop");
        assertEquals(0, stop.code(), stop.toString());
        assertEquals("myapp " + unit + " stopped on web1\n", stop.out());
        assertEquals("no answer", direct(port));

        var dryStart = slipway("start", "--dry-run");
        assertEquals(0, dryStart.code(), dryStart.toString());
        assertTrue(dryStart.out().contains("web1: systemctl start " + unit + " (release 1.0.0)"), dryStart.out());
        var start = slipway("start");
        assertEquals(0, start.code(), start.toString());
        assertEquals("myapp " + unit + " started and ready on web1\n", start.out());
        assertEquals("1.0.0", direct(NGINX), "the instance nginx names serves again");
    }
}

package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * (the instance behind the host's nginx). And a deploy whose new release cannot bind its port
 * because another process took it first: the gate on the host names that process, not ready, and
 * the host goes back to the release that served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsStartStopTest {
    private static final int PORT = 18080;
    private static final int NGINX = 18000;

    Testbed testbed;
    Path service;
    Path work;

    @BeforeAll
    void bootHostAndBuild(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        testbed = Testbed.up(1, "ss", "127.0.1.61");
        work = tmp;
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
        writeConfig(strategy, "path: /health/ready");
    }

    private void writeConfig(String strategy, String probe) throws IOException {
        writeConfig(strategy, probe, null);
    }

    private void writeConfig(String strategy, String probe, Path secretsFile) throws IOException {
        writeConfig(strategy, probe, secretsFile, PORT);
    }

    private void writeConfig(String strategy, String probe, Path secretsFile, int port) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {%s, interval: 200ms, timeout: 60s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: %s, bind: %s, env: {DATA_DIR: "data-${PORT}"}}
                    rollout: {strategy: %s}
                    proxy: {listen: "%s:%d"}
                """.formatted(port, probe, Testbed.clientKey(), testbed.knownHostsHashed(), address(), address(), strategy,
                address(), NGINX) + (secretsFile == null ? "" : "    service: {secretsFile: " + secretsFile + "}\n"));
    }

    private String onHost(String command) {
        return testbed.run(1, command);
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

    /**
     * Installs {@code script} on the host as {@code /usr/local/sbin/squat} and a drop-in that runs it
     * as root before each start of {@code unit} ({@code ExecStartPre=+}), then reloads systemd.
     */
    private void squatBeforeStart(String script, String unit, String args) throws IOException {
        Testbed.Node n = testbed.node(1);
        try (Host h = SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name())
                .withIdentities(List.of(Testbed.clientKey())).withKnownHosts(testbed.knownHosts()))) {
            h.write(script.getBytes(StandardCharsets.UTF_8), "/usr/local/sbin/squat", 0755);
            h.run("mkdir -p /etc/systemd/system/" + unit + ".d", Duration.ofSeconds(10));
            h.write(("[Service]\nExecStartPre=+/usr/local/sbin/squat" + args + "\n").getBytes(StandardCharsets.UTF_8),
                    "/etc/systemd/system/" + unit + ".d/squat.conf", 0644);
            assertTrue(h.run("systemctl daemon-reload", Duration.ofSeconds(30)).ok());
        }
    }

    @Test
    @Order(2)
    void aDeployWhoseUnitFindsItsPortTakenFailsItsGateNamingTheOtherProcessAndGoesBack() throws Exception {
        // A tcp probe passes on any listener. A drop-in starts, before each start of the unit with
        // 2.0.0 current, another process (its own transient unit, outside the unit's tree) on the
        // port, so 2.0.0 cannot bind it ("Address already in use"); before a start with any other
        // release it stops that process.
        writeConfig("restart", "type: tcp");
        var first = slipway("deploy");
        assertEquals(0, first.code(), first.toString());
        assertEquals("1.0.0", direct(PORT));
        String squat = """
                #!/bin/bash
                case $(readlink /opt/slipway/myapp/current) in
                  *2.0.0*)
                    systemctl -q is-active squatter && exit 0
                    systemd-run --quiet --collect --unit=squatter perl -MIO::Socket::INET -e \
                      'my $s = IO::Socket::INET->new(LocalAddr => "%s", LocalPort => %d, Listen => 5, ReuseAddr => 1) or die "$!"; sleep 300'
                    systemctl show -p MainPID --value squatter > /run/squatter.pid
                    for i in $(seq 100); do (exec 3<>/dev/tcp/%s/%d) 2>/dev/null && exit 0; sleep 0.1; done ;;
                  *) systemctl stop squatter 2>/dev/null; exit 0 ;;
                esac
                """.formatted(address(), PORT, address(), PORT);
        squatBeforeStart(squat, "myapp.service", "");
        try {
            HostsDeployTest.build(service, work, "2.0.0", false);
            var r = slipway("deploy");
            assertEquals(1, r.code(), r.toString());
            String squatter = onHost("cat /run/squatter.pid");
            assertTrue(squatter.matches("[1-9]\\d*"), squatter);
            assertTrue(r.err().contains("slipway: deploy of myapp 2.0.0 failed on web1: readiness tcp://" + address() + ":" + PORT
                    + " did not pass within 60.0 s: another process answers on port " + PORT + ": pid " + squatter
                    + " (/usr/bin/perl -MIO::Socket::INET -e "), r.toString());
            assertTrue(java.util.regex.Pattern.compile("\\) of squatter\\.service, not the service's process( \\(pid \\d+\\), which does not listen there"
                    + "|: its unit runs no process)").matcher(r.err()).find(), r.toString());
            assertTrue(r.err().contains("every switched host went back: web1 -> 1.0.0"), r.toString());
            assertEquals("1.0.0", direct(PORT), "the previous release serves again");
            assertTrue(onHost("readlink /opt/slipway/myapp/current").endsWith("/1.0.0"), "1.0.0 is current");
            assertEquals("inactive", onHost("systemctl is-active squatter"), "the other process is gone");
        } finally {
            onHost("rm -f /etc/systemd/system/myapp.service.d/squat.conf; systemctl daemon-reload; systemctl stop squatter");
            HostsDeployTest.use(service, work, "1.0.0");
        }
    }

    @Test
    @Order(3)
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

    @Test
    @Order(4)
    void withTheProxyStrategyANewInstanceWhosePortIsTakenFailsItsGateAndNginxStaysOnTheOldOne() throws Exception {
        // After the proxy strategy's test: 1.0.0 serves behind nginx. The next start of an instance
        // (the new one, on the other port) finds another process on its port, started by a drop-in
        // of the template just before it (once).
        writeConfig("proxy", "type: tcp");
        String squat = """
                #!/bin/bash
                [ -e /run/squat ] || exit 0
                rm -f /run/squat
                systemd-run --quiet --collect --unit=squatter perl -MIO::Socket::INET -e \
                  'my $s = IO::Socket::INET->new(LocalAddr => "%s", LocalPort => '"$1"', Listen => 5, ReuseAddr => 1) or die "$!"; sleep 300'
                systemctl show -p MainPID --value squatter > /run/squatter.pid
                for i in $(seq 100); do (exec 3<>/dev/tcp/%s/$1) 2>/dev/null && exit 0; sleep 0.1; done
                """.formatted(address(), address());
        squatBeforeStart(squat, "myapp@.service", " %i");
        onHost("touch /run/squat");
        try {
            HostsDeployTest.use(service, work, "2.0.0");
            var r = slipway("deploy");
            assertEquals(1, r.code(), r.toString());
            String squatter = onHost("cat /run/squatter.pid");
            assertTrue(squatter.matches("[1-9]\\d*"), squatter);
            assertTrue(java.util.regex.Pattern.compile("slipway: deploy of myapp 2.0.0 failed on web1: readiness tcp://"
                    + java.util.regex.Pattern.quote(address()) + ":(\\d+) did not pass within 60.0 s: another process answers on"
                    + " port \\1: pid " + squatter + " \\(/usr/bin/perl -MIO::Socket::INET -e ").matcher(r.err()).find(), r.toString());
            assertEquals("1.0.0", direct(NGINX), "nginx never moved: the old instance serves");
            assertEquals("", onHost("ls /run/squat 2>/dev/null"), "the drop-in ran");
        } finally {
            onHost("rm -f /etc/systemd/system/myapp@.service.d/squat.conf /run/squat; systemctl daemon-reload; systemctl stop squatter");
            HostsDeployTest.use(service, work, "1.0.0");
        }
    }

    @Test
    @Order(5)
    void aRedeployThatOnlyChangesASecretAndFailsItsGateGoesBackToTheEnvOfBefore() throws Exception {
        // 1.0.0 serves. A rotated secret the app refuses at start (myapp exits on an unknown log
        // level): before, going back did "nothing (1.0.0 served before)" and left the host
        // restarting 1.0.0 on the new env, serving nothing, while the report said it went back.
        Path secrets = servingWithLogLevelWarn();
        assertEquals("", onHost("ls -A /opt/slipway/myapp/releases/1.0.0 | grep before || true"), "nothing kept after a pass");

        Files.writeString(secrets, "LOG_LEVEL=loud\n");
        var bad = slipway("deploy");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("every switched host went back: web1 -> 1.0.0 with its env of before\n")
                || bad.err().endsWith("every switched host went back: web1 -> 1.0.0 with its env of before"), bad.toString());
        assertEquals("1.0.0", direct(PORT), "1.0.0 serves again, on the env it had");
        assertTrue(onHost("grep LOG_LEVEL /opt/slipway/myapp/releases/1.0.0/env").contains("warn"),
                onHost("cat /opt/slipway/myapp/releases/1.0.0/env"));
        assertEquals("", onHost("ls -A /opt/slipway/myapp/releases/1.0.0 | grep before || true"), "nothing kept is left");
        assertEquals(0, slipway("status").code(), "it serves");
    }

    /**
     * Deploys (restart strategy, HTTP probe) with {@code LOG_LEVEL=warn} from a {@code secretsFile};
     * 1.0.0 then serves on {@link #PORT}.
     *
     * @return the secrets file, to change
     */
    private Path servingWithLogLevelWarn() throws IOException {
        Path secrets = work.resolve("secrets.env");
        Files.writeString(secrets, "LOG_LEVEL=warn\n");
        writeConfig("restart", "path: /health/ready", secrets);
        var good = slipway("deploy");
        assertEquals(0, good.code(), good.toString());
        assertEquals("1.0.0", direct(PORT));
        return secrets;
    }

    @Test
    @Order(6)
    void aFailedRedeployThatMovedThePortGatesItsGoingBackOnThePortOfItsEnvOfBefore() throws Exception {
        // 1.0.0 serves on PORT with LOG_LEVEL=warn (the test before). The same release again with
        // another service.port (so another PORT in its env) and a secret it refuses: going back puts
        // the env of before back, and its gate must probe PORT, where that env makes it listen, not
        // the new port (before: "NOT READY: no answer" while it served). The files the failed run
        // added (the env-<port> files of the new port's proxy.ports) are gone.
        Path secrets = servingWithLogLevelWarn();
        String files = onHost("ls -A /opt/slipway/myapp/releases/1.0.0");
        Files.writeString(secrets, "LOG_LEVEL=loud\n");
        writeConfig("restart", "path: /health/ready", secrets, PORT + 10);
        try {
            var bad = slipway("deploy");
            assertEquals(1, bad.code(), bad.toString());
            assertTrue(bad.err().contains("every switched host went back: web1 -> 1.0.0 with its env of before")
                    && !bad.err().contains("NOT READY"), bad.toString());
            assertEquals("1.0.0", direct(PORT), "1.0.0 serves again on the port of its env of before");
            assertTrue(onHost("cat /opt/slipway/myapp/releases/1.0.0/env").contains("PORT=\"" + PORT + "\""));
            assertEquals(files, onHost("ls -A /opt/slipway/myapp/releases/1.0.0"), "no file of the failed run is left");
        } finally {
            writeConfig("restart", "path: /health/ready", secrets);
            Files.writeString(secrets, "LOG_LEVEL=warn\n");
        }
        assertEquals(0, slipway("status").code(), "it serves");
    }

    @Test
    @Order(7)
    void aDeployWhosePortAnotherUnitAnswers404OnNamesThatUnitNotTheReadinessPath() throws Exception {
        // Another service of the host (its own unit, as a second app deployed there) answers HTTP
        // 404 on PORT; the new release cannot bind it. Before, the gate took the 404 for this app's
        // and advised service.readiness.path; now it names the other process and its unit.
        var stop = slipway("stop");
        assertEquals(0, stop.code(), stop.toString());
        onHost(("systemd-run --quiet --collect --unit=qsvc perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new("
                + "LocalAddr => \"%s\", LocalPort => %d, Listen => 5, ReuseAddr => 1) or die \"$!\"; while (my $c = $s->accept)"
                + " { <$c>; print $c \"HTTP/1.1 404 Not Found\\r\\nContent-Length: 9\\r\\nConnection: close\\r\\n\\r\\nnot found\";"
                + " close $c }'; for i in $(seq 100); do (exec 3<>/dev/tcp/%s/%d) 2>/dev/null && break; sleep 0.1; done")
                .formatted(address(), PORT, address(), PORT));
        try {
            String qsvc = onHost("systemctl show -p MainPID --value qsvc");
            assertTrue(qsvc.matches("[1-9]\\d*"), qsvc);
            HostsDeployTest.use(service, work, "2.0.0");
            var r = slipway("deploy");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("another process answers on port " + PORT + ": pid " + qsvc
                    + " (/usr/bin/perl -MIO::Socket::INET -e "), r.toString());
            assertTrue(r.err().contains(") of qsvc.service, not the service's process"), r.toString());
            assertTrue(r.err().contains("the new release could not bind that port"), r.toString());
            assertFalse(r.err().contains("serves nothing at that path"), r.toString());
        } finally {
            onHost("systemctl stop qsvc 2>/dev/null; true");
            HostsDeployTest.use(service, work, "1.0.0");
        }
    }
}

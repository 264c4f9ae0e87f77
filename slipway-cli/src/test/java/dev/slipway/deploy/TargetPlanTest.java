package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.hosts.HostsDeployTarget;
import dev.slipway.deploy.hosts.HostsPlan;
import dev.slipway.deploy.hosts.HostsTarget;
import dev.slipway.deploy.local.LocalDeployTarget;
import dev.slipway.deploy.local.LocalTarget;
import dev.slipway.remote.LocalHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans of the local and the hosts target through the one {@link Target} interface, without
 * hosts: the hosts target looks at this machine through {@link LocalHost} with its directory in a
 * temporary one. Planning reads and changes nothing; both plans are made of {@link DeployPlan}'s
 * step kinds in the same order (lock, upload, prepare, switch, restart, gate, record, prune, unlock).
 */
class TargetPlanTest {
    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private SlipwayConfig service(String hostsDir) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 1.0.0
                service:
                  port: %d
                  readiness: {path: /health/ready, interval: 200ms, timeout: 5s}
                deploy:
                  hosts:
                    dir: %s
                    servers:
                      - {name: here, address: 127.0.0.1}
                """.formatted(freePort(), hostsDir));
        Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc");
        Files.writeString(exe, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH), """
                {"name": "svc", "version": "1.0.0", "commit": "c0ffee", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/svc", "sha256": "%s"}]}
                """.formatted(dev.slipway.build.Platform.host(), dev.slipway.util.Hashing.sha256(exe)));
        return ConfigLoader.loadFromDir(dir);
    }

    private static Console quiet() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    }

    private static String kinds(DeployPlan p) {
        return p.steps().stream().map(s -> s.kind().id()).distinct().collect(Collectors.joining(" "));
    }

    @Test
    void connectionsStartedAheadAreTheOnesThePlanUsesAndTheirFailureIsTheConnectorsOwn() throws Exception {
        SlipwayConfig config = service(tmp.resolve("opt-svc").toString());
        java.util.concurrent.atomic.AtomicInteger connects = new java.util.concurrent.atomic.AtomicInteger();
        try (HostsTarget t = new HostsTarget(config, quiet(), s -> {
            connects.incrementAndGet();
            return new LocalHost(s.name());
        }, Map.of()).keepConnections().connectAhead()) {
            HostsPlan p = t.planDeploy(null);
            assertEquals("1.0.0", p.version());
            assertEquals(Map.of("here", List.of()), t.history());
            assertEquals(1, connects.get(), "the plan and the history took the connection made ahead, no second one");
        }
        dev.slipway.remote.HostException refused = new dev.slipway.remote.HostException(
                "here: cannot connect to 127.0.0.1:22 after 3 attempts: Connection refused", null);
        try (HostsTarget t = new HostsTarget(config, quiet(), s -> {
            throw refused;
        }, Map.of()).keepConnections().connectAhead()) {
            SlipwayException e = assertThrows(SlipwayException.class, () -> t.planDeploy(null));
            assertEquals(refused, e, "the failure made ahead surfaces where the plan connects, as the connector threw it");
            assertEquals(1, e.exitCode());
        }
    }

    @Test
    void historyShowsTheHostsThatAnswerAndOneLinePerUnreachableHostThenFails() throws Exception {
        Path hostsDir = tmp.resolve("opt-svc");
        SlipwayConfig one = service(hostsDir.toString());
        Files.writeString(one.file(), Files.readString(one.file()).replace("- {name: here, address: 127.0.0.1}",
                "- {name: here, address: 127.0.0.1}\n      - {name: gone, address: 127.0.0.2}"));
        SlipwayConfig config = ConfigLoader.loadFromDir(one.serviceDir());
        Files.createDirectories(hostsDir);
        Files.writeString(hostsDir.resolve("history.tsv"), "# revision\tversion\tcommit\ttime\toutcome\twho\twhere\tnote\n"
                + "1\t1.0.0\tc0ffee1\t2026-01-01T00:00:00Z\tdeployed\troot@m\there\tfirst\n");
        dev.slipway.remote.HostException refused = new dev.slipway.remote.HostException(
                "gone: cannot connect to 127.0.0.2:22 after 3 attempts: Connection refused", null);
        try (Target hosts = new HostsDeployTarget(new HostsTarget(config, quiet(), s -> {
            if (s.name().equals("gone")) {
                throw refused;
            }
            return new LocalHost(s.name());
        }, Map.of()), "svc", quiet(), new dev.slipway.deploy.hosts.CanaryGuard(config.serviceDir()))) {
            List<Revision> all = hosts.history();
            assertEquals(1, all.size(), all.toString());
            assertEquals("here", all.get(0).where());
            assertEquals(List.of("gone: unreachable: " + refused.getMessage()), hosts.historyProblems());
        }
    }

    @Test
    void localAndHostsPlanTheSameStepKindsAndChangeNothing() throws Exception {
        Path hostsDir = tmp.resolve("opt-svc");
        SlipwayConfig config = service(hostsDir.toString());
        Target.DeployRequest request = new Target.DeployRequest(null, Duration.ZERO, true);
        try (Target local = new LocalDeployTarget(config, quiet());
             Target hosts = new HostsDeployTarget(new HostsTarget(config, quiet(), s -> new LocalHost(s.name()), Map.of()),
                     "svc", quiet(), new dev.slipway.deploy.hosts.CanaryGuard(config.serviceDir()))) {
            DeployPlan l = local.plan(request);
            DeployPlan h = hosts.plan(request);
            assertEquals("local", l.target());
            assertEquals("hosts", h.target());
            for (DeployPlan p : List.of(l, h)) {
                assertEquals(DeployPlan.Action.DEPLOY, p.action());
                assertEquals("1.0.0", p.version());
                assertEquals("c0ffee", p.commit());
                assertTrue(p.describe().startsWith("deploy svc 1.0.0 to " + p.target() + "\n"), p.describe());
            }
            // Nothing runs: the local target starts (no old process to stop); a host restarts its unit.
            assertEquals("lock upload env prepare switch start gate record prune unlock", kinds(l));
            assertEquals("lock upload env unit prepare switch restart gate record prune unlock", kinds(h));
            assertInstanceOf(LocalTarget.Detail.class, l.detail());
            assertInstanceOf(HostsDeployTarget.Detail.class, h.detail());
            assertInstanceOf(HostsPlan.class, ((HostsDeployTarget.Detail) h.detail()).plan());
            assertTrue(l.stepLines().get(1).startsWith("upload local: install dist/svc as releases/1.0.0/svc"), l.stepLines().toString());
            assertFalse(Files.exists(config.serviceDir().resolve(".slipway")), "planning made no state directory");
            assertFalse(Files.exists(hostsDir), "planning made nothing on the host");
            assertEquals(List.of(), local.history());
            assertEquals(List.of(), hosts.history());
        }
    }

    @Test
    void withAProxyTheLocalPlanStartsBesideGatesSwitchesNginxThenStops() throws Exception {
        SlipwayConfig plain = service(tmp.resolve("opt-svc").toString());
        int port = plain.service().port();
        Path yaml = plain.serviceDir().resolve("slipway.yaml");
        Files.writeString(yaml, Files.readString(yaml).replace("deploy:\n", """
                deploy:
                  local:
                    proxy: {config: nginx/upstream.conf, listen: 127.0.0.1:%d, ports: [%d, %d]}
                """.formatted(freePort(), port, freePort())));
        SlipwayConfig config = ConfigLoader.loadFromDir(plain.serviceDir());
        assertEquals(plain.serviceDir().resolve("nginx/upstream.conf").toString(), config.local().proxy().config());
        try (Target local = new LocalDeployTarget(config, quiet())) {
            DeployPlan l = local.plan(new Target.DeployRequest(null, Duration.ZERO, true));
            // Nothing runs yet: no old instance to stop.
            assertEquals("lock upload env prepare start gate proxy switch record prune unlock", kinds(l));
            assertTrue(l.facts().get(1).startsWith("nginx at " + config.local().proxy().url()
                    + ": upstream svc -> (not rendered by slipway yet"), l.facts().toString());
            DeployPlan.Step start = l.steps().get(4);
            assertEquals(":" + port, start.where(), "the first instance takes the first proxy port");
            assertTrue(l.steps().get(6).description().startsWith("point nginx's upstream svc (" + config.local().proxy().config()
                    + ") at 127.0.0.1:" + port + ", nginx -t -q, nginx -s reload"), l.steps().get(6).description());
            assertEquals(port, ((LocalTarget.Detail) l.detail()).port());
            assertFalse(Files.exists(config.serviceDir().resolve(".slipway")), "planning made no state directory");
        }
        // Without a proxy the plan says that the old process stops first.
        try (Target local = new LocalDeployTarget(plain, quiet())) {
            assertTrue(local.plan(new Target.DeployRequest(null, Duration.ZERO, true)).facts().get(1)
                    .startsWith("no proxy (deploy.local.proxy): the old process stops before the new one starts"));
        }
    }

    @Test
    void startAndStopArePlansOfTheTargetThatChangeNothing() throws Exception {
        Path hostsDir = tmp.resolve("opt-svc");
        SlipwayConfig config = service(hostsDir.toString());
        try (Target local = new LocalDeployTarget(config, quiet());
             Target hosts = new HostsDeployTarget(new HostsTarget(config, quiet(), s -> new LocalHost(s.name()), Map.of()),
                     "svc", quiet(), new dev.slipway.deploy.hosts.CanaryGuard(config.serviceDir()))) {
            SlipwayException none = assertThrows(SlipwayException.class, local::planStart);
            assertEquals(2, none.exitCode());
            assertTrue(none.getMessage().startsWith("nothing is deployed to local for svc"), none.getMessage());
            DeployPlan stop = local.planStop();
            assertEquals(DeployPlan.Action.STOP, stop.action());
            assertEquals("lock unlock", kinds(stop), "nothing runs: nothing to stop");
            assertFalse(stop.has(DeployPlan.Kind.STOP));
            assertEquals("local", local.apply(stop).target());
            assertFalse(Files.exists(config.serviceDir().resolve(".slipway")), "a stop with nothing deployed made no state");

            // A complete release that does not run: start prepares, starts and gates it.
            Path r = Files.createDirectories(config.serviceDir().resolve(".slipway/local/releases/1.0.0"));
            Files.copy(config.serviceDir().resolve("dist/svc"), r.resolve("svc"));
            dev.slipway.deploy.local.LocalReleases.writeEnv(r.resolve(dev.slipway.deploy.local.LocalReleases.ENV_FILE),
                    Map.of("PORT", String.valueOf(config.service().port())));
            Files.writeString(r.resolve("release.json"), "{\"version\": \"1.0.0\", \"commit\": \"c0ffee\"}");
            Files.createSymbolicLink(r.getParent().getParent().resolve("current"), Path.of("releases/1.0.0"));
            DeployPlan start = local.planStart();
            assertEquals(DeployPlan.Action.START, start.action());
            assertEquals("lock prepare start gate unlock", kinds(start));
            assertEquals("c0ffee", start.commit());
            assertTrue(start.describe().startsWith("start svc 1.0.0 to local\n"), start.describe());
            assertFalse(Files.exists(r.getParent().getParent().resolve("lock")), "planning took no lock");

            // The hosts target plans them too, from each host's facts.
            SlipwayException nothing = assertThrows(SlipwayException.class, hosts::planStart);
            assertEquals(2, nothing.exitCode());
            assertTrue(nothing.getMessage().startsWith("here has nothing deployed for svc (no current release)"),
                    nothing.getMessage());
            DeployPlan hostStop = hosts.planStop();
            assertEquals(DeployPlan.Action.STOP, hostStop.action());
            assertEquals("lock unlock", kinds(hostStop), "nothing runs on the host: nothing to stop");
            assertEquals(List.of("here: current none, nothing runs"), hostStop.facts());
            assertFalse(Files.exists(hostsDir), "nothing was made on the host");

            // A complete release on the host, its unit not running: start starts and gates the unit.
            Path hr = Files.createDirectories(hostsDir.resolve("releases/1.0.0"));
            Files.copy(config.serviceDir().resolve("dist/svc"), hr.resolve("svc"));
            Files.writeString(hr.resolve("env"), "PORT=" + config.service().port() + "\n");
            Files.createSymbolicLink(hostsDir.resolve("current"), Path.of("releases/1.0.0"));
            DeployPlan hostStart = hosts.planStart();
            assertEquals(DeployPlan.Action.START, hostStart.action());
            assertEquals("1.0.0", hostStart.version());
            assertEquals("lock start gate unlock", kinds(hostStart));
            assertTrue(hostStart.describe().startsWith("start svc 1.0.0 to hosts\n  here: current 1.0.0, svc.service "),
                    hostStart.describe());
            assertTrue(hostStart.stepLines().contains("start here: here: systemctl start svc.service (release 1.0.0)"),
                    hostStart.stepLines().toString());
            assertFalse(Files.exists(hostsDir.resolve("lock")), "planning took no lock");
        }
    }

    @Test
    void aRollbackToAReleaseNotHeldIsRefusedOnBothTargets() throws Exception {
        Path hostsDir = tmp.resolve("opt-svc");
        SlipwayConfig config = service(hostsDir.toString());
        // Both hold 1.0.0 and have current on it; 0.9.0 is an empty directory (a full disk), 0.8.0 lacks its env file.
        Path localState = config.serviceDir().resolve(".slipway/local");
        for (Path root : List.of(localState, hostsDir)) {
            String env = root == localState ? dev.slipway.deploy.local.LocalReleases.ENV_FILE : "env";
            Path r = Files.createDirectories(root.resolve("releases/1.0.0"));
            Files.copy(config.serviceDir().resolve("dist/svc"), r.resolve("svc"));
            Files.writeString(r.resolve(env), "PORT=1\n");
            Files.writeString(r.resolve("release.json"), "{\"version\": \"1.0.0\", \"commit\": \"c0ffee\"}");
            Files.createDirectories(root.resolve("releases/0.9.0"));
            Path half = Files.createDirectories(root.resolve("releases/0.8.0"));
            Files.copy(config.serviceDir().resolve("dist/svc"), half.resolve("svc"));
            Files.createSymbolicLink(root.resolve("current"), Path.of("releases/1.0.0"));
        }
        try (Target local = new LocalDeployTarget(config, quiet());
             Target hosts = new HostsDeployTarget(new HostsTarget(config, quiet(), s -> new LocalHost(s.name()), Map.of()),
                     "svc", quiet(), new dev.slipway.deploy.hosts.CanaryGuard(config.serviceDir()))) {
            for (String bad : List.of("..", "/etc", "9.9.9", "0.9.0", "0.8.0", ".")) {
                for (Target t : List.of(local, hosts)) {
                    SlipwayException e = assertThrows(SlipwayException.class,
                            () -> t.rollback(new Target.RollbackTo(bad, null, Duration.ZERO)), t.name() + " " + bad);
                    assertEquals(2, e.exitCode(), e.getMessage());
                    assertTrue(e.getMessage().contains("does not hold release " + bad + " (it has 1.0.0)"), e.getMessage());
                    assertTrue(e.getMessage().endsWith("; nothing was changed"), e.getMessage());
                }
            }
            SlipwayException same = assertThrows(SlipwayException.class,
                    () -> local.rollback(new Target.RollbackTo("1.0.0", null, Duration.ZERO)));
            assertEquals(2, same.exitCode());
            assertTrue(same.getMessage().contains("1.0.0 is already the current release"), same.getMessage());
            SlipwayException revision = assertThrows(SlipwayException.class,
                    () -> local.rollback(new Target.RollbackTo(null, 7, Duration.ZERO)));
            assertEquals(2, revision.exitCode());
            assertTrue(revision.getMessage().contains("local has no revision 7 of svc"), revision.getMessage());
        }
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(localState.resolve("current")));
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(hostsDir.resolve("current")));
        assertFalse(Files.exists(localState.resolve("history.tsv")));
        assertFalse(Files.exists(localState.resolve("lock")), "a refused rollback never took the lock");
    }
}

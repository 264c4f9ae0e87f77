package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.History;
import dev.slipway.remote.Lock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The hosts target's config, plan and fact parsing, without hosts. */
class HostsPlanTest {
    static SlipwayConfig config(String rollout) {
        return ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  drainTimeout: 20s
                  readiness: {path: /ready, interval: 500ms, timeout: 15s}
                deploy:
                  hosts:
                    servers:
                      - {name: a, address: 10.0.0.1}
                      - {name: b, address: 10.0.0.2, user: deploy, port: 2222}
                      - {name: c, address: 10.0.0.3, bind: 10.0.0.3, env: {ONLY_C: "1"}}
                      - {address: 10.0.0.4}
                    rollout: %s
                """.formatted(rollout));
    }

    static final HostsPlan.Artifact AMD = new HostsPlan.Artifact(Path.of("dist/api_1.0.0_linux_amd64/api"), "a".repeat(64), 40_000_000);

    static HostFacts facts(String machine, String current, String sha, String unitSha) {
        return new HostFacts(machine, HostFacts.platformOf(machine), current, current == null ? List.of() : List.of(current),
                sha, unitSha, current == null ? "" : "active", List.of());
    }

    static HostsPlan plan(SlipwayConfig c, Map<String, HostFacts> facts) {
        Map<String, String> env = new LinkedHashMap<>();
        facts.keySet().forEach(k -> env.put(k, "# x\nPORT=\"9000\"\n"));
        return HostsPlan.of(c.hosts(), 9000, "api", "2.0.0", "c0ffee", Map.of("linux-amd64", AMD), facts, env, "unit", "u1", false);
    }

    static Map<String, HostFacts> allAmd(String current, String sha, String unitSha) {
        Map<String, HostFacts> f = new LinkedHashMap<>();
        for (String h : List.of("a", "b", "c", "10.0.0.4")) {
            f.put(h, facts("x86_64", current, sha, unitSha));
        }
        return f;
    }

    @Test
    void defaultsComeFromTheServiceSection() {
        SlipwayConfig c = config("{}");
        var h = c.hosts();
        assertEquals("/opt/slipway/api", h.dir());
        assertEquals(1, h.rollout().batchOf(4));
        assertEquals(5, h.rollout().retain());
        assertEquals(Duration.ofSeconds(20), h.rollout().drainTimeout());
        assertEquals("/ready", h.rollout().readiness().path());
        assertEquals(Duration.ofSeconds(15), h.rollout().readiness().timeout());
        assertEquals("api", h.service().unit());
        assertEquals("10.0.0.4", h.servers().get(3).name());
        assertEquals("deploy", h.servers().get(1).user());
        assertEquals(2222, h.servers().get(1).port());
        assertEquals("root", h.servers().get(0).user());
        assertEquals("127.0.0.1", h.servers().get(0).probeAddress());
        assertEquals("10.0.0.1", h.servers().get(0).upstreamAddress());
        assertEquals("10.0.0.3", h.servers().get(2).probeAddress());
        assertEquals(2, config("{batchPercent: 50}").hosts().rollout().batchOf(4));
        assertEquals(1, config("{batchPercent: 10}").hosts().rollout().batchOf(4));
        assertEquals(3, config("{batchSize: 3}").hosts().rollout().batchOf(4));
    }

    @Test
    void badHostsConfigNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    servers:
                      - {name: a, address: 10.0.0.1}
                      - {name: a, address: 10.0.0.2}
                """));
        assertTrue(e.getMessage().startsWith("slipway.yaml:6:"), e.getMessage());
        assertTrue(e.getMessage().contains("a second server named 'a'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("{batchSize: 2, batchPercent: 50}"));
        assertTrue(e.getMessage().contains("set batchSize or batchPercent, not both"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("{retain: 1}"));
        assertTrue(e.getMessage().contains("retain must be at least 2"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    servers:
                      - {name: a}
                """));
        assertTrue(e.getMessage().contains("a server needs an 'address'"), e.getMessage());
    }

    @Test
    void planLocksPreparesThenRollsOutInBatchesThenRecordsAndUnlocks() {
        HostsPlan p = plan(config("{batchSize: 2, delay: 3s}"), allAmd("1.0.0", "", "old"));
        String kinds = p.steps().stream().map(s -> s.kind().id() + (s.where() == null ? "" : ":" + s.where()))
                .collect(Collectors.joining(" "));
        assertEquals("lock:a lock:b lock:c lock:10.0.0.4 "
                + "upload:a env:a unit:a prepare:a upload:b env:b unit:b prepare:b upload:c env:c unit:c prepare:c "
                + "upload:10.0.0.4 env:10.0.0.4 unit:10.0.0.4 prepare:10.0.0.4 "
                + "switch:a restart:a switch:b restart:b gate:a gate:b delay "
                + "switch:c restart:c switch:10.0.0.4 restart:10.0.0.4 gate:c gate:10.0.0.4 "
                + "record:a prune:a unlock:a record:b prune:b unlock:b record:c prune:c unlock:c "
                + "record:10.0.0.4 prune:10.0.0.4 unlock:10.0.0.4", kinds);
        String text = p.describe();
        assertTrue(text.contains("a: upload api (linux-amd64, 40.0 MB) to /opt/slipway/api/releases/2.0.0/api, verify sha256 aaaaaaaaaaaa"), text);
        assertTrue(text.contains("a: install /etc/systemd/system/api.service, daemon-reload, enable"), text);
        assertTrue(text.contains(" 12. b: prepare releases/2.0.0/api while 1.0.0 serves: its first run without the app, as the"
                + " unit's user (systemd-run, SLIPWAY_PREPARE=1): unpack into /var/cache/api, class-data archive on JDK 17-19\n"),
                "every host prepares the release before the first switch:\n" + text);
        assertTrue(text.contains("b: [batch 1] switch /opt/slipway/api/current -> releases/2.0.0 (was 1.0.0)"), text);
        assertTrue(text.contains("c: [batch 2] gate: GET http://10.0.0.3:9000/ready on the host every 0.5 s for up to 15.0 s"), text);
        assertTrue(text.contains("wait 3.0 s before batch 2"), text);
        assertTrue(text.contains("write /opt/slipway/api/releases/2.0.0/env (mode 0600, 1 variables)"), text);
        assertTrue(text.contains("  b (deploy@10.0.0.2:2222): linux-amd64, current 1.0.0, unit active"), text);
        // One going-back step per host, outside the order: the shape every target's plan has.
        assertEquals("back:a back:b back:c back:10.0.0.4",
                p.back().stream().map(s -> s.kind().id() + ":" + s.where()).collect(Collectors.joining(" ")));
        assertEquals("a: if switched, switch /opt/slipway/api/current back to releases/1.0.0, restart api.service, gate it;"
                + " recorded rolled-back (a host not reached: skipped)", p.back().get(0).description());
        assertTrue(text.contains("  if a step fails once what serves began to change, go back:\n     - a: if switched"), text);
        assertEquals(p.back(), p.toDeployPlan().back(), "the plan the target hands on keeps them");
        HostsPlan fresh = plan(config("{}"), allAmd(null, "", ""));
        assertTrue(fresh.back().get(0).description().startsWith("a: if switched, stop api.service and remove"
                + " /opt/slipway/api/current (nothing served before)"), fresh.back().get(0).description());
    }

    @Test
    void aReleaseAlreadyOnTheHostIsNotUploadedAndAnUnchangedUnitIsNotReloaded() {
        HostsPlan p = plan(config("{}"), allAmd("1.0.0", "a".repeat(64), "u1"));
        assertTrue(p.hosts().stream().noneMatch(HostsPlan.HostPlan::upload));
        assertTrue(p.hosts().stream().noneMatch(HostsPlan.HostPlan::unitChanged));
        assertTrue(p.describe().contains("a: skip upload, /opt/slipway/api/releases/2.0.0/api is there"), p.describe());
        assertTrue(p.describe().contains("a: unit api.service unchanged, no daemon-reload"), p.describe());
        HostsPlan fresh = plan(config("{}"), allAmd(null, "", ""));
        assertTrue(fresh.hosts().stream().allMatch(h -> h.upload() && h.unitChanged() && h.previous() == null));
    }

    @Test
    void aHostWhosePlatformWasNotBuiltIsAUsageError() {
        Map<String, HostFacts> f = allAmd("1.0.0", "", "");
        f.put("b", facts("aarch64", "1.0.0", "", ""));
        SlipwayException e = assertThrows(SlipwayException.class, () -> plan(config("{}"), f));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("b is linux-arm64 (uname -m: aarch64) but the last build has no single file for it"),
                e.getMessage());
    }

    @Test
    void aRollbackPlanNeedsTheReleaseOnEveryHostAndUploadsNothing() {
        SlipwayConfig c = config("{}");
        Map<String, HostFacts> f = new LinkedHashMap<>();
        for (String h : List.of("a", "b", "c", "10.0.0.4")) {
            f.put(h, new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("1.0.0", "2.0.0"), "", "u1", "active", List.of()));
        }
        HostsPlan p = HostsPlan.of(c.hosts(), 9000, "api", "1.0.0", "c0ffee", Map.of(), f, Map.of(), "unit", "u1", true);
        assertTrue(p.steps().stream().noneMatch(s -> s.kind() == dev.slipway.deploy.DeployPlan.Kind.UPLOAD || s.kind() == dev.slipway.deploy.DeployPlan.Kind.ENV));
        assertEquals("unit:a prepare:a unit:b prepare:b unit:c prepare:c unit:10.0.0.4 prepare:10.0.0.4 switch:a",
                p.steps().stream().skip(4).limit(9).map(s -> s.kind().id() + ":" + s.where()).collect(Collectors.joining(" ")),
                "a rollback prepares the retained release too (it may never have run, or its cache was removed)");
        assertTrue(p.describe().startsWith("rollback api 1.0.0 to 4 hosts"), p.describe());
        // The restart strategy stops a host's process before its new one starts: a fleet rollback keeps
        // rollout.batchSize (here 1, four batches), so the other hosts serve while one restarts
        // (docs/hosts.md; the proxy strategy rolls back every host in one batch, HostsProxyPlanTest).
        assertEquals(4, p.steps().stream().mapToInt(dev.slipway.deploy.DeployPlan.Step::batch).max().orElse(0), p.describe());
        assertEquals(2, HostsPlan.of(config("{batchSize: 2}").hosts(), 9000, "api", "1.0.0", "c0ffee", Map.of(), f, Map.of(), "unit",
                "u1", true).steps().stream().mapToInt(dev.slipway.deploy.DeployPlan.Step::batch).max().orElse(0));
        f.put("c", new HostFacts("x86_64", "linux-amd64", "2.0.0", List.of("2.0.0"), "", "u1", "active", List.of()));
        SlipwayException e = assertThrows(SlipwayException.class,
                () -> HostsPlan.of(c.hosts(), 9000, "api", "1.0.0", "c0ffee", Map.of(), f, Map.of(), "unit", "u1", true));
        assertTrue(e.getMessage().contains("c does not hold release 1.0.0 (it has 2.0.0)"), e.getMessage());
    }

    @Test
    void factsParseTheLookOutputAndFindThePreviousServingRelease() {
        HostFacts f = HostFacts.parse("""
                machine=x86_64
                current=3.0.0
                release=1.0.0
                release=2.0.0
                release=3.0.0
                sha=abc
                unit=def
                active=active
                history=1\t1.0.0\tc1\t2026-01-01T00:00:00Z\tdeployed\troot@m\t
                history=2\t2.0.0\tc2\t2026-01-02T00:00:00Z\trolled-back\troot@m\tb failed
                history=3\t3.0.0\tc3\t2026-01-03T00:00:00Z\tdeployed\troot@m\t
                """);
        assertEquals("linux-amd64", f.platform());
        assertEquals("3.0.0", f.current());
        assertEquals(List.of("1.0.0", "2.0.0", "3.0.0"), f.releases());
        assertEquals(3, f.history().size());
        assertEquals("1.0.0", f.previousServing(), "2.0.0 was rolled back, so it never served");
        assertFalse(f.history().get(1).serving());
        assertEquals("linux-arm64", HostFacts.platformOf("aarch64"));
        assertEquals(null, HostFacts.parse("machine=x86_64\nactive=inactive\n").current());
    }

    @Test
    void aLockMessageNamesTheHolderAndAStaleLockSaysHowToClearIt() {
        Lock.Holder live = new Lock.Holder("1", "ann@ci", Lock.machineName(), ProcessHandle.current().pid(),
                Instant.now(), "2.0.0", "deploy");
        String m = HostsExecutor.lockedMessage("web1", live, Duration.ofMinutes(10), Duration.ZERO);
        assertTrue(m.startsWith("web1 is locked by ann@ci (pid " + ProcessHandle.current().pid() + " on "), m);
        assertTrue(m.contains("deploy of version 2.0.0"), m);
        assertFalse(m.contains("stale"), m);
        Lock.Holder gone = new Lock.Holder("1", "ann@ci", Lock.machineName(), Integer.MAX_VALUE - 1L,
                Instant.now(), "2.0.0", "deploy");
        // A gone holder of this machine is taken over (Lock.judge), never refused as stale.
        assertTrue(gone.gone(Instant.now()));
        assertFalse(gone.stale(Duration.ofMinutes(10), Instant.now()));
        assertEquals(Lock.Held.TAKE_OVER, Lock.judge(gone, Duration.ofMinutes(10), Instant.now(), Duration.ZERO));
        Lock.Holder elsewhere = new Lock.Holder("1", "bob@laptop", "laptop", 5, Instant.now().minusSeconds(700),
                "2.0.0", "deploy");
        assertTrue(HostsExecutor.lockedMessage("web1", elsewhere, Duration.ofMinutes(10), Duration.ZERO)
                .contains("the lock is stale (older than 600.0 s, and its holder cannot be checked from here); check the hosts,"
                        + " then clear it with 'slipway lock release --force'"));
        assertTrue(elsewhere.stale(Duration.ofMinutes(10), Instant.now()));
        assertFalse(elsewhere.stale(Duration.ofMinutes(20), Instant.now()));
        Lock.Holder parsed = Lock.parse("held\nid=7\nwho=w@m\nmachine=m\npid=42\nsince=2026-01-01T00:00:00Z\nversion=1\nmessage=rollback\n");
        assertEquals(42, parsed.pid());
        assertEquals("rollback", parsed.message());
    }

    @Test
    void thePrepareCommandRunsTheFileAsTheUnitWouldAndLeavesAnOlderFileAlone(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        SlipwayConfig dyn = config("{}");
        String cmd = HostUnit.prepareCommand(dyn.hosts(), "api", "2.0.0", Duration.ofMinutes(10));
        assertTrue(cmd.contains("prepare() { systemd-run --quiet --wait --pipe --collect --service-type=exec --unit=\"$1\""
                + " -p DynamicUser=yes -p User=api -p StateDirectory=api -p CacheDirectory=api -p WorkingDirectory=/var/lib/api"
                + " -p EnvironmentFile=/opt/slipway/api/releases/2.0.0/env -p Environment=SLIPWAY_CACHE_DIR=/var/cache/api"
                + " -p Environment=SLIPWAY_PREPARE=1 -p RuntimeMaxSec=600 -p LimitNOFILE=65536"), cmd);
        assertTrue(cmd.contains("f=/opt/slipway/api/releases/2.0.0/api; u=api-prepare.service\n"), cmd);
        String unit = HostUnit.render(dyn);
        for (String same : List.of("DynamicUser=yes", "StateDirectory=api", "CacheDirectory=api", "WorkingDirectory=/var/lib/api",
                "Environment=\"SLIPWAY_CACHE_DIR=/var/cache/api\"", "LimitNOFILE=65536", "ProtectSystem=strict", "PrivateTmp=yes")) {
            assertTrue(unit.contains(same + "\n"), "the unit has " + same + " too:\n" + unit);
        }
        SlipwayConfig limited = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    service: {user: svc, memoryMax: 512M, cpuQuota: 50%}
                    servers:
                      - {name: a, address: 10.0.0.1}
                """);
        String own = HostUnit.prepareCommand(limited.hosts(), "api", "2.0.0", Duration.ofMinutes(10));
        assertTrue(own.contains(" -p User=svc -p StateDirectory=api"), own);
        assertFalse(own.contains("DynamicUser"), own);
        assertTrue(own.contains(" -p MemoryMax=512M -p CPUQuota=50% "), "a dump takes no more than the service may: " + own);

        // The guard runs before systemd-run: a file without the prepare mode is never run.
        SlipwayConfig here = releaseIn(tmp, "#!/bin/sh\necho started >" + tmp.resolve("ran") + "\n");
        var r = new dev.slipway.remote.LocalHost("here").run(HostUnit.prepareCommand(here.hosts(), "api", "2.0.0",
                Duration.ofMinutes(1)), Duration.ofSeconds(30));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(HostUnit.NOT_PREPARABLE, r.stdout().strip());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("ran")));
    }

    /** A service whose hosts directory is {@code dir}, with release 2.0.0's single file {@code api} holding {@code file}. */
    private static SlipwayConfig releaseIn(Path dir, String file) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("releases/2.0.0"));
        java.nio.file.Files.writeString(dir.resolve("releases/2.0.0/api"), file);
        return ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    dir: %s
                    servers:
                      - {name: a, address: 10.0.0.1}
                """.formatted(dir));
    }

    /**
     * A prepare whose transient unit systemd could not put in a control group (exit 219, EXIT_CGROUP:
     * the file never ran) is tried once more under a name of its own; any other exit is final. Run by
     * a real sh with a systemd-run and systemctl on PATH that record their calls (no systemd here).
     */
    @Test
    void aPrepareThatSystemdCouldNotStartIsTriedOnceMore(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        SlipwayConfig here = releaseIn(tmp, "#!/bin/sh\n# " + dev.slipway.build.Launcher.PREPARE_MARK + "\n");
        Path bin = java.nio.file.Files.createDirectories(tmp.resolve("bin"));
        java.nio.file.Files.writeString(bin.resolve("systemctl"), "#!/bin/sh\nexit 0\n");
        // Exits with the next status of the list in $STATUSES, one per call, and logs its --unit.
        java.nio.file.Files.writeString(bin.resolve("systemd-run"), """
                #!/bin/sh
                for a in "$@"; do case $a in --unit=*) echo "${a#--unit=}" >> %1$s/calls ;; esac; done
                n=$(wc -l < %1$s/calls); s=$(echo $STATUSES | cut -d' ' -f$n); exit ${s:-0}
                """.formatted(tmp));
        bin.resolve("systemctl").toFile().setExecutable(true);
        bin.resolve("systemd-run").toFile().setExecutable(true);
        String cmd = HostUnit.prepareCommand(here.hosts(), "api", "2.0.0", Duration.ofMinutes(1));
        var host = new dev.slipway.remote.LocalHost("here");

        var retried = host.run("export PATH=" + bin + ":$PATH STATUSES='219 0'\n" + cmd, Duration.ofSeconds(30));
        assertEquals(0, retried.exitCode(), retried.toString());
        List<String> calls = java.nio.file.Files.readAllLines(tmp.resolve("calls"));
        assertEquals(2, calls.size(), calls.toString());
        assertEquals("api-prepare.service", calls.get(0));
        assertTrue(calls.get(1).matches("api-prepare-again-\\d+\\.service"), calls.toString());

        java.nio.file.Files.delete(tmp.resolve("calls"));
        var twice = host.run("export PATH=" + bin + ":$PATH STATUSES='219 219'\n" + cmd, Duration.ofSeconds(30));
        assertEquals(219, twice.exitCode(), twice.toString());
        assertTrue(twice.stdout().contains("systemd could not start the prepare unit twice (exit status 219, EXIT_CGROUP"),
                "says the file never ran: " + twice);
        java.nio.file.Files.delete(tmp.resolve("calls"));
        var failed = host.run("export PATH=" + bin + ":$PATH STATUSES='1 0'\n" + cmd, Duration.ofSeconds(30));
        assertEquals(1, failed.exitCode(), "the file's own failure is final: " + failed);
        assertEquals(1, java.nio.file.Files.readAllLines(tmp.resolve("calls")).size());
    }

    /**
     * Fewer round trips per host: a release the look found prepared (and that is not uploaded
     * again) gets no prepare step, and locks the look took show in the plan's lock steps.
     */
    @Test
    void aReleaseTheLookFoundPreparedIsNotPreparedAndLocksTakenWithTheLookSaySo() {
        Map<String, HostFacts> f = new LinkedHashMap<>();
        allAmd("1.0.0", "a".repeat(64), "u1").forEach((h, x) -> f.put(h, x.with(java.util.Set.of("2.0.0"), true)));
        // b's file differs from the build: it is uploaded again, so its old prepared tree does not count.
        f.put("b", facts("x86_64", "1.0.0", "b".repeat(64), "u1").with(java.util.Set.of("2.0.0"), true));
        HostsPlan p = plan(config("{}"), f);
        String kinds = p.steps().stream().filter(s -> s.batch() == 0).map(s -> s.kind().id() + (s.where() == null ? "" : ":" + s.where()))
                .collect(Collectors.joining(" "));
        assertEquals("lock:a lock:b lock:c lock:10.0.0.4 upload:a env:a unit:a upload:b env:b unit:b prepare:b"
                + " upload:c env:c unit:c upload:10.0.0.4 env:10.0.0.4 unit:10.0.0.4"
                + " record:a prune:a unlock:a record:b prune:b unlock:b record:c prune:c unlock:c"
                + " record:10.0.0.4 prune:10.0.0.4 unlock:10.0.0.4", kinds);
        assertTrue(p.describe().contains("a: lock /opt/slipway/api/lock (taken with the look, in its round trip)"), p.describe());
        // A rollback of the restart strategy skips it the same way; without the fact, it prepares.
        Map<String, HostFacts> back = new LinkedHashMap<>();
        allAmd("2.0.0", "", "u1").forEach((h, x) -> back.put(h, new HostFacts(x.machine(), x.platform(), "2.0.0",
                List.of("1.0.0", "2.0.0"), "", "u1", "active", List.of()).with(h.equals("a") ? java.util.Set.of("1.0.0") : java.util.Set.of(), false)));
        HostsPlan r = HostsPlan.of(config("{}").hosts(), 9000, "api", "1.0.0", "c0ffee", Map.of(), back, Map.of(), "unit", "u1", true);
        assertEquals(List.of("b", "c", "10.0.0.4"), r.steps().stream().filter(s -> s.kind() == dev.slipway.deploy.DeployPlan.Kind.PREPARE)
                .map(dev.slipway.deploy.DeployPlan.Step::where).toList());
        assertTrue(r.describe().contains("a: lock /opt/slipway/api/lock\n"), r.describe());
    }

    /** The look reads which complete releases are prepared; a line for anything else is ignored. */
    @Test
    void theLookParsesPreparedReleases() {
        HostFacts f = HostFacts.parse("machine=x86_64\nrelease=1.0.0\nrelease=2.0.0\nprepared=2.0.0\nprepared=9.9.9\n");
        assertEquals(java.util.Set.of("2.0.0"), f.prepared());
        assertFalse(f.locked());
    }

    /**
     * A deploy's look takes the host's lock in its own round trip when it is free, and leaves a
     * lock held by another run alone (run with sh over the local machine, as over SSH).
     */
    @Test
    void theLookTakesTheLockInItsRoundTripOrLeavesAnothersAlone(@org.junit.jupiter.api.io.TempDir Path tmp) {
        var here = new dev.slipway.remote.LocalHost("here");
        String dir = tmp.resolve("svc").toString();
        Lock.Holder me = Lock.me("2.0.0", "deploy");
        HostFacts mine = HostFacts.look(here, dir, "api", "api", "2.0.0", null, List.of(), false, me);
        assertTrue(mine.locked());
        assertEquals(me.id(), Lock.read(here, dir).orElseThrow().id());
        assertFalse(mine.machine().isEmpty(), "the facts are read in the same command");
        Lock.Holder other = Lock.me("3.0.0", "deploy");
        HostFacts theirs = HostFacts.look(here, dir, "api", "api", "3.0.0", null, List.of(), false, other);
        assertFalse(theirs.locked());
        assertEquals(me.id(), Lock.read(here, dir).orElseThrow().id(), "the holder's lock stays");
        assertFalse(HostFacts.look(here, dir, "api", "api", "3.0.0").locked(), "a look without a holder takes nothing");
        assertTrue(Lock.release(here, dir, me.id()));
    }

    /**
     * The look reads the sha256 of each env file of the release being deployed; a deploy of a
     * release already on the host whose env files would be written unchanged skips its env step
     * (no round trip), and any difference (or an upload) writes them (run with sh over the local
     * machine, as over SSH).
     */
    @Test
    void anEnvFileTheLookFoundTheSameIsNotWrittenAgain(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        var here = new dev.slipway.remote.LocalHost("here");
        Path rel = tmp.resolve("svc/releases/2.0.0");
        java.nio.file.Files.createDirectories(rel);
        String env = "# x\nPORT=\"9000\"\n";
        java.nio.file.Files.writeString(rel.resolve("api"), "#!/bin/sh\n");
        rel.resolve("api").toFile().setExecutable(true);
        java.nio.file.Files.writeString(rel.resolve("env"), env);
        java.nio.file.Files.writeString(rel.resolve("env-9001"), "PORT=\"9001\"\n");
        HostFacts seen = HostFacts.look(here, tmp.resolve("svc").toString(), "api", "api", "2.0.0");
        assertEquals(Map.of("env", HostsTarget.sha256(env), "env-9001", HostsTarget.sha256("PORT=\"9001\"\n")), seen.envSha256());
        assertEquals(Map.of(), HostFacts.look(here, tmp.resolve("svc").toString(), "api", "api", "3.0.0").envSha256(),
                "a release not on the host has no env files");

        Map<String, HostFacts> f = new LinkedHashMap<>();
        allAmd("1.0.0", "a".repeat(64), "u1").forEach((h, x) -> f.put(h, withEnv(x, Map.of("env", HostsTarget.sha256(env)))));
        f.put("b", withEnv(f.get("b"), Map.of("env", HostsTarget.sha256("PORT=\"9999\"\n"))));
        f.put("c", facts("x86_64", "1.0.0", "b".repeat(64), "u1")); // uploaded again: its env goes with the file
        HostsPlan p = plan(config("{}"), f);
        assertEquals(List.of(true, false, false, true), p.hosts().stream().map(HostsPlan.HostPlan::envUnchanged).toList());
        assertTrue(p.describe().contains("a: skip env, /opt/slipway/api/releases/2.0.0/env unchanged (same sha256)"), p.describe());
        assertTrue(p.describe().contains("b: write /opt/slipway/api/releases/2.0.0/env (mode 0600, 1 variables)"), p.describe());
    }

    private static HostFacts withEnv(HostFacts x, Map<String, String> envSha256) {
        return new HostFacts(x.machine(), x.platform(), x.current(), List.of("1.0.0", "2.0.0"), x.releaseSha256(), x.unitSha256(),
                x.active(), x.history(), x.livePort(), x.slots(), x.instances(), x.envPorts(), x.prepared(), x.locked(), envSha256);
    }

    /**
     * A release prepared already is not run again: the check reads the stub's key and finds the
     * unpacked tree complete with its class-data archive made (or given up); any other tree goes
     * on to the prepare run (here: "run").
     */
    @Test
    void aReleasePreparedAlreadyIsNotRunAgain(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("api");
        byte[] stub = "#!/bin/sh\nset -eu\nslipway_key='api-1.0-abc123'\nslipway_offset='99'\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] payload = new byte[8192];
        new java.util.Random(1).nextBytes(payload); // binary after the stub, as in a single file
        java.nio.file.Files.write(file, java.nio.ByteBuffer.allocate(stub.length + payload.length).put(stub).put(payload).array());
        Path tree = tmp.resolve("cache/run/api-1.0-abc123");
        String check = "f=" + dev.slipway.remote.Shell.quote(file.toString()) + "\n"
                + HostUnit.preparedAlready(tmp.resolve("cache").toString()) + "echo run\n";
        var here = new dev.slipway.remote.LocalHost("here");
        java.util.function.Supplier<String> out = () -> here.run(check, Duration.ofSeconds(30)).stdout().strip();
        assertEquals("run", out.get(), "no tree yet");
        java.nio.file.Files.createDirectories(tree.resolve("app"));
        java.nio.file.Files.writeString(tree.resolve("app/app.jsa.args"), "-cp\n");
        assertEquals("run", out.get(), "a tree without its marker is not whole");
        java.nio.file.Files.writeString(tree.resolve(".slipway-complete"), "slipway-tree 1 0\n");
        assertEquals("run", out.get(), "the class-data archive is still to be dumped");
        java.nio.file.Files.writeString(tree.resolve("app/app.jsa"), "x");
        assertEquals(HostUnit.PREPARED_ALREADY, out.get());
        java.nio.file.Files.delete(tree.resolve("app/app.jsa"));
        java.nio.file.Files.writeString(tree.resolve("app/app.jsa.failed"), "no");
        assertEquals(HostUnit.PREPARED_ALREADY, out.get(), "a dump that failed is not tried again");
        java.nio.file.Files.writeString(file, "#!/bin/sh\nslipway_key='api-2.0-def'\n");
        assertEquals("run", out.get(), "another file's key names another tree");
    }

    /**
     * The look hashes a release's single file once: the sum is kept beside it keyed by size, mtime
     * and inode, and a file renamed over it (an upload) or changed in place is hashed again.
     */
    @Test
    void theLookKeepsTheSha256OfASingleFileUntilTheFileChanges(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("api");
        java.nio.file.Files.writeString(file, "one");
        String one = sha256Hex("one");
        String look = "f=" + dev.slipway.remote.Shell.quote(file.toString()) + "\n" + HostFacts.shaOf("\"$f\"");
        var here = new dev.slipway.remote.LocalHost("here");
        java.util.function.Supplier<String> out = () -> here.run(look, Duration.ofSeconds(30)).stdout().strip();
        assertEquals("sha=" + one, out.get());
        Path cache = tmp.resolve("api.sha256");
        assertTrue(java.nio.file.Files.readString(cache).startsWith(one + " 3 "), "the sum is kept with the size");
        // A kept sum is read, not computed: a forged one with the right key is what the look prints.
        String key = java.nio.file.Files.readString(cache).strip().substring(one.length() + 1);
        java.nio.file.Files.writeString(cache, "f".repeat(64) + " " + key + "\n");
        assertEquals("sha=" + "f".repeat(64), out.get());
        // A new file renamed over it (as an upload does) has another inode: hashed again.
        Path next = tmp.resolve(".api.new");
        java.nio.file.Files.writeString(next, "two");
        java.nio.file.Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals("sha=" + sha256Hex("two"), out.get());
        // An upload's verified sum is kept at once.
        assertTrue(here.run(HostFacts.rememberSha(file.toString(), "e".repeat(64)), Duration.ofSeconds(30)).ok());
        assertEquals("sha=" + "e".repeat(64), out.get());
        // No file: no sum, and no cache left behind.
        java.nio.file.Files.delete(file);
        java.nio.file.Files.delete(cache);
        assertEquals("", out.get());
        assertFalse(java.nio.file.Files.exists(cache));
    }

    private static String sha256Hex(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A step kind's time on the critical path counts the hosts that ran it at once once. */
    @Test
    void theCriticalPathCountsStepsThatRanAtOnceOnce() {
        assertEquals(0, dev.slipway.deploy.Executor.union(List.of()));
        // Three gates of one batch at once (10-20, 12-25, 11-19), then one of the next batch (30-34).
        assertEquals(15 + 4, dev.slipway.deploy.Executor.union(List.of(new long[] {12, 25}, new long[] {30, 34}, new long[] {10, 20},
                new long[] {11, 19})));
        assertEquals(10, dev.slipway.deploy.Executor.union(List.of(new long[] {0, 5}, new long[] {5, 10})), "touching intervals join");
    }

    /**
     * A step run in the background (the proxy strategy's stop of an old instance) is on the critical
     * path only for the time the run waited for it: here it overlaps the next batch's gate, and ends
     * just after it.
     */
    @Test
    void theCriticalPathLeavesOutBackgroundStepsWhileTheyOverlap() {
        var ex = new dev.slipway.deploy.Executor(null, new dev.slipway.Console(new java.io.PrintWriter(
                new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()), false));
        var gateEnded = new java.util.concurrent.CountDownLatch(1);
        // The gate's 300 ms start once the background stop runs, so a late start of its thread
        // (a loaded machine) cannot make the stop look shorter than the gate.
        var stopStarted = new java.util.concurrent.CountDownLatch(1);
        List<dev.slipway.deploy.DeployPlan.Step> steps = List.of(
                new dev.slipway.deploy.DeployPlan.Step(dev.slipway.deploy.DeployPlan.Kind.STOP, "a", 1, "stop a"),
                new dev.slipway.deploy.DeployPlan.Step(dev.slipway.deploy.DeployPlan.Kind.GATE, "b", 2, "gate b"));
        ex.run(steps, new dev.slipway.deploy.Executor.Parts() {
            @Override
            public void run(dev.slipway.deploy.DeployPlan.Step step) {
                try {
                    if (step.kind() == dev.slipway.deploy.DeployPlan.Kind.STOP) {
                        stopStarted.countDown();
                        gateEnded.await();
                    } else {
                        if (!stopStarted.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the background stop never started");
                        }
                        Thread.sleep(300);
                        gateEnded.countDown();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public boolean inBackground(dev.slipway.deploy.DeployPlan.Step step) {
                return step.kind() == dev.slipway.deploy.DeployPlan.Kind.STOP;
            }

            @Override
            public SlipwayException back(dev.slipway.deploy.Executor.StepFailed f) {
                return SlipwayException.failed(f.reason());
            }

            @Override
            public void unlock() {}
        });
        long stopRan = ex.timingMs().get(dev.slipway.deploy.DeployPlan.Kind.STOP);
        long stopWaited = ex.criticalPathMs().getOrDefault(dev.slipway.deploy.DeployPlan.Kind.STOP, 0L);
        assertTrue(stopRan >= 300, "the stop ran as long as the gate: " + stopRan);
        assertTrue(stopWaited < stopRan, "only the wait after the gate counts: " + stopWaited + " of " + stopRan);
        assertTrue(ex.criticalPathMs().get(dev.slipway.deploy.DeployPlan.Kind.GATE) >= 300);
    }

    @Test
    void aGateThatTimedAFirstRunSaysSoAndNamesTheSettings() {
        String note = HostsExecutor.firstRunInGate("2.0.0", config("{}").hosts().rollout().readiness());
        assertEquals("; note: 2.0.0 was not prepared before its start (its single file predates the prepare mode), so its"
                + " first run unpacked the payload and, on JDK 17-19, dumped the class-data archive inside the gate; allow for"
                + " that with deploy.hosts.rollout.readiness.timeout (now 15.0 s) or startupGrace (now 0.0 s; both default to"
                + " service.readiness), or rebuild it with this Slipway", note);
        assertFalse(note.contains("\n"), "one line: it goes into the history");
    }

    /**
     * The revision number a host gives a history line is what a hosts deploy reports (--json
     * "revision"): the host's highest so far plus one, read back from the host.
     */
    @Test
    void appendingToAHostsHistoryReturnsTheRevisionTheHostGaveIt() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("slipway-history");
        try {
            var host = new dev.slipway.remote.LocalHost("h1");
            String file = dir.resolve("history.tsv").toString();
            assertEquals(1, History.append(host, file, "h1", "1.0.0", "abc", "deployed", "me@here", "").revision());
            dev.slipway.deploy.Revision second = History.append(host, file, "h1", "2.0.0", "def", "deployed", "me@here",
                    "previous 1.0.0");
            assertEquals(2, second.revision());
            assertEquals("h1", second.where());
            assertEquals("me@here", second.who());
            List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("history.tsv"));
            assertTrue(lines.get(lines.size() - 1).startsWith("2\t2.0.0\tdef\t"), lines.toString());
            var result = new HostsExecutor.Result(null, Map.of(), Map.of(), 0, Map.of("h1", 2, "h2", 5));
            assertEquals(5, result.revision(), "the report names the highest revision the run recorded");
            assertEquals(0, new HostsExecutor.Result(null, Map.of(), Map.of(), 0, Map.of()).revision());
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}

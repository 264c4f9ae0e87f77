package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import dev.slipway.remote.Host;
import dev.slipway.remote.Lock;
import dev.slipway.remote.SshHost;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts target end to end on three real Debian hosts (systemd, sshd, no Java) booted with
 * {@code testbed/hosts.sh} at 127.0.1.11-13: rolling deploys, a fleet-wide rollback after a
 * failed gate, the dry run, the lock, kill -9 at plan steps, and zero downtime behind nginx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsDeployTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int PORT = 18080;

    Testbed testbed;
    Path service;
    Path work;

    @BeforeAll
    void bootHostsAndBuild(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        testbed = Testbed.up(3, "hd", "127.0.1.11");
        work = tmp;
        service = tmp.resolve("myapp");
        Example.copy(service);
        writeConfig("", "60s", "{}", true);
        Example.commit(service);
        build("1.0.0", true);
        build("2.0.0", false);
        build("3.0.0", false);
    }

    @AfterAll
    void stopHosts() {
        if (testbed != null) {
            testbed.close();
        }
    }

    /** slipway.yaml: the three hosts, short gates, {@code web2Env} on web2, {@code env} on all. */
    private void writeConfig(String web2Env, String readinessTimeout, String env, boolean retry) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                build:
                  jvmOptions: ["-XX:+ExitOnOutOfMemoryError"]
                service:
                  port: %d
                  drainTimeout: 5s
                  env: %s
                  readiness: {path: /health/ready, interval: 200ms, timeout: %s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: 127.0.1.11, bind: 127.0.1.11, roles: [web]}
                      - {name: web2, address: 127.0.1.12, bind: 127.0.1.12, roles: [web, jobs]%s}
                      - {name: web3, address: 127.0.1.13, bind: 127.0.1.13, roles: [web]}
                    rollout: {batchSize: 1, retain: 3}
                    proxy: {listen: "127.0.0.1:%d", retry: %s}
                """.formatted(PORT, env, readinessTimeout, Testbed.clientKey(), testbed.knownHostsHashed(),
                web2Env.isEmpty() ? "" : ", env: " + web2Env, nginxPort, retry).replace("127.0.1.", net()));
    }

    int nginxPort = freePort();

    /** Builds a version (the first with Maven, the others from the same jars) and keeps a copy of its dist/. */
    private void build(String version, boolean compile) throws Exception {
        build(service, work, version, compile);
    }

    /** {@link #build(String, boolean)} of the service in {@code service}, its copy in {@code work/dist-VERSION}. */
    static void build(Path service, Path work, String version, boolean compile) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", service.toString(), "--version", version));
        if (!compile) {
            args.add("--no-compile");
        }
        var r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Example.copyTree(service.resolve("dist"), work.resolve("dist-" + version), java.util.Set.of());
    }

    /** Makes {@code version} the last build (restores its dist/). */
    private void use(String version) throws IOException {
        use(service, work, version);
    }

    /** {@link #use(String)} for the service in {@code service}, its copies in {@code work}. */
    static void use(Path service, Path work, String version) throws IOException {
        Path dist = service.resolve("dist");
        try (var walk = Files.walk(dist)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Example.copyTree(work.resolve("dist-" + version), dist, java.util.Set.of());
    }

    private Host ssh(int i) {
        Testbed.Node n = testbed.node(i);
        return SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name()).withIdentities(List.of(Testbed.clientKey()))
                .withKnownHosts(testbed.knownHosts()));
    }

    /** A listing of what a deploy may change on a host: the service directory and the unit. */
    private String listing(int i) {
        try (Host h = ssh(i)) {
            return h.run("find /opt/slipway /etc/systemd/system -printf '%p %y %m %s %T@\\n' 2>/dev/null | sort;"
                    + " systemctl show myapp -p MainPID -p ActiveState 2>/dev/null", Duration.ofSeconds(30)).stdout();
        }
    }

    /** @return this run's {@code 127.0.X.} (the hosts are written as 127.0.1.11-13; see {@code TestbedSlot}) */
    private static String net() {
        return dev.slipway.TestbedSlot.current().net();
    }

    private static String version(int i) {
        return versionAt("http://" + net() + (10 + i) + ":" + PORT + "/");
    }

    /** @return the version myapp's page at {@code url} shows, "HTTP n" for another status, or "no answer" */
    static String versionAt(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("<span id=\"version\">([^<]+)</span>").matcher(r.body());
            return r.statusCode() == 200 && m.find() ? m.group(1) : "HTTP " + r.statusCode();
        } catch (IOException e) {
            return "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Waits (at most 40 s) until host i serves one of {@code versions}; returns what it serves. */
    private static String awaitServing(int i, String... versions) throws InterruptedException {
        return awaitVersion(() -> version(i), versions);
    }

    /** Waits (at most 40 s) until {@code probe} gives one of {@code versions}; returns its last answer. */
    static String awaitVersion(java.util.function.Supplier<String> probe, String... versions) throws InterruptedException {
        String v = "";
        for (int n = 0; n < 200; n++) {
            v = probe.get();
            if (List.of(versions).contains(v)) {
                return v;
            }
            Thread.sleep(200);
        }
        return v;
    }

    private CliRunner.Run deploy(String... extra) {
        List<String> args = new ArrayList<>(List.of("deploy", service.toString(), "--to", "hosts"));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void v1ThenV2InBatchesOfOneWithADryRunThatChangesNothing() throws Exception {
        use("1.0.0");
        var first = deploy();
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("myapp 1.0.0 (commit "), first.toString());
        assertTrue(first.out().contains("is ready on 3 hosts: web1, web2, web3"), first.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.0.0", version(i), "web" + i);
        }

        use("2.0.0");
        List<String> before = List.of(listing(1), listing(2), listing(3));
        var dry = deploy("--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().contains("deploy myapp 2.0.0 to 3 hosts"), dry.toString());
        assertTrue(dry.out().contains("web2: upload myapp (linux-amd64, "), dry.toString());
        assertTrue(dry.out().contains("web3: [batch 3] switch /opt/slipway/myapp/current -> releases/2.0.0 (was 1.0.0)"), dry.toString());
        assertTrue(dry.out().contains("web2: prepare releases/2.0.0/myapp while 1.0.0 serves: its first run without the app,"
                + " as the unit's user (systemd-run, SLIPWAY_PREPARE=1)"), dry.toString());
        assertTrue(dry.out().contains("dry run: nothing was changed"), dry.toString());
        assertEquals(before, List.of(listing(1), listing(2), listing(3)), "a dry run changes nothing on the hosts");
        var jobs = deploy("--dry-run", "--role", "jobs");
        assertEquals(0, jobs.code(), jobs.toString());
        assertTrue(jobs.out().contains("deploy myapp 2.0.0 to 1 host\n  web2 ("), "--role jobs picks web2 only: " + jobs.out());
        assertFalse(jobs.out().contains("web1") || jobs.out().contains("web3"), jobs.out());

        var second = deploy();
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.err().contains("timing: total "), second.toString());
        assertTrue(second.err().contains("web2: unit myapp.service unchanged, no daemon-reload"), second.toString());
        assertTrue(second.err().contains("    web2: the class-data archive made at build time is used here without a check ("), second.toString());
        int lastPrepared = second.err().indexOf("  web3: prepared 2.0.0 in ");
        assertTrue(lastPrepared > 0 && lastPrepared < second.err().indexOf("  web1: ready (HTTP 200 after "),
                "every host prepares before the first switch:\n" + second.err());
        try (Host h = ssh(2)) {
            // The archive the prepare checked (made at build time) is in the unit's cache, made before the unit's (re)start,
            // and owned by the user the service runs as.
            var r = h.run("k=$(sed -n \"s/^slipway_key='\\\\(.*\\\\)'$/\\\\1/p\" /opt/slipway/myapp/current/myapp | head -n 1);"
                    + " stat -L -c '%Y %u' /var/cache/myapp/run/$k/app/app.jsa;"
                    + " pid=$(systemctl show -p MainPID --value myapp); awk '/^Uid:/ { print $2 }' /proc/$pid/status;"
                    + " systemctl show -p ExecMainStartTimestamp --value --timestamp=unix myapp", Duration.ofSeconds(20));
            String[] f = r.stdout().trim().split("\\s+");
            assertEquals(4, f.length, r.toString());
            assertEquals(f[1], f[2], "the archive belongs to the service's user: " + r.stdout());
            assertTrue(Long.parseLong(f[0]) <= Long.parseLong(f[3].replace("@", "")),
                    "the archive was made before the service started: " + r.stdout());
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals("2.0.0", version(i), "web" + i);
        }
        var history = CliRunner.run("history", service.toString(), "--to", "hosts");
        assertEquals(0, history.code(), history.toString());
        for (int i = 1; i <= 3; i++) {
            assertTrue(Pattern.compile("web" + i + " +1 +1\\.0\\.0 .* deployed ").matcher(history.out()).find(), history.out());
            assertTrue(Pattern.compile("web" + i + " +2 +2\\.0\\.0 .* deployed ").matcher(history.out()).find(), history.out());
        }
        assertEquals(6, Example.count(history.out(), " deployed "), history.out());
        try (Host h = ssh(2)) {
            var java = h.run("command -v java; ls /usr/lib/jvm 2>&1; ls -l /opt/slipway/myapp/releases/2.0.0/env", Duration.ofSeconds(20));
            assertFalse(java.stdout().contains("/java"), "no Java on the host: " + java.stdout());
            assertTrue(java.stdout().contains("cannot access '/usr/lib/jvm'"), java.stdout());
            assertTrue(java.stdout().contains("-rw------- 1 root root"), "env file mode 0600: " + java.stdout());
            var unit = h.run("systemctl show myapp -p User -p NoNewPrivileges -p ProtectSystem -p KillMode", Duration.ofSeconds(20));
            assertTrue(unit.stdout().contains("KillMode=mixed") && unit.stdout().contains("ProtectSystem=strict"), unit.stdout());
        }
        var status = CliRunner.run("status", service.toString(), "--to", "hosts");
        assertEquals(0, status.code(), status.toString());
        assertEquals(3, Pattern.compile("web\\d +2\\.0\\.0 +active +ready \\(HTTP 200").matcher(status.out()).results().count(),
                status.out());
    }

    @Test
    @Order(2)
    void v3FailingReadinessOnWeb2PutsTheWholeFleetBackOnV2() throws Exception {
        // DATA_DIR pointing at a regular file makes myapp's storage readiness check fail (503).
        CliRunner.Run r = deployV3With("{DATA_DIR: /etc/passwd}", "40s", "failed deploy of v3 with fleet rollback");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("slipway: deploy of myapp 3.0.0 failed on web2: readiness http://" + net() + "12:" + PORT
                + "/health/ready did not pass within 40.0 s: HTTP 503: {\"status\":\"unhealthy\""), r.toString());
        assertTrue(r.err().contains("data dir /etc/passwd is not a directory"), r.toString());
        assertTrue(r.err().contains("last journal lines of myapp on web2:"), r.toString());
        assertTrue(r.err().contains("every switched host went back: web1 -> 2.0.0, web2 -> 2.0.0"), r.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals("2.0.0", version(i), "web" + i + " is back on (or never left) 2.0.0");
        }
        var history = CliRunner.run("history", service.toString(), "--to", "hosts");
        assertTrue(Pattern.compile("web1 +3 +3\\.0\\.0 .* rolled-back .*web2 failed").matcher(history.out()).find(), history.out());
        assertTrue(Pattern.compile("web3 +3 +3\\.0\\.0 .* skipped ").matcher(history.out()).find(), history.out());
        try (Host h = ssh(1)) {
            assertFalse(h.run("test -d /opt/slipway/myapp/lock", Duration.ofSeconds(10)).ok(), "the lock is released");
        }
    }

    /** Deploys 3.0.0 with {@code web2Env} on web2 and the given readiness timeout, then restores the config; prints the time taken. */
    private CliRunner.Run deployV3With(String web2Env, String readinessTimeout, String what) throws IOException {
        writeConfig(web2Env, readinessTimeout, "{}", true);
        use("3.0.0");
        long t0 = System.nanoTime();
        try {
            return deploy();
        } finally {
            writeConfig("", "60s", "{}", true);
            System.out.println(what + " took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    @Test
    @Order(3)
    void v3ThatExitsAtOnceOnWeb2FailsFastWithTheExitAndItsCause() throws Exception {
        // A value out of range makes myapp exit at start (status 2); systemd restarts it (Restart=on-failure)
        // again and again: the gate must not take that for a slow start and wait its whole timeout.
        CliRunner.Run r = deployV3With("{MAX_BODY_BYTES: \"0\"}", "120s", "failed deploy of a crash-looping v3");
        assertEquals(1, r.code(), r.toString());
        // The gate ended at the crash, told by systemd's account, not as a readiness timeout.
        assertTrue(Pattern.compile("slipway: deploy of myapp 3\\.0\\.0 failed on web2: the process exited after \\d+\\.\\d s with exit"
                + " code 2; systemd (is about to restart it|restarted it (once|\\d+ times))").matcher(r.err()).find(), r.toString());
        assertFalse(r.err().contains("did not pass within"), r.toString());
        assertTrue(r.err().contains("; cause: myapp: bad configuration: MAX_BODY_BYTES: 0 out of range"), r.toString());
        int journal = r.err().indexOf("last journal lines of myapp on web2:");
        assertTrue(journal > 0 && r.err().indexOf("| myapp: bad configuration: MAX_BODY_BYTES: 0 out of range", journal) > 0,
                "the app's own lines:\n" + r);
        assertTrue(r.err().contains("every switched host went back: web1 -> 2.0.0, web2 -> 2.0.0"), r.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals("2.0.0", version(i), "web" + i + " is back on (or never left) 2.0.0");
        }
    }

    /** @return the output of the newest deploy started by {@link #deployProcess}, for failure messages */
    private String lastChildLog() throws IOException {
        try (var logs = Files.list(work)) {
            Path newest = logs.filter(f -> f.getFileName().toString().startsWith("child-"))
                    .max(java.util.Comparator.comparing(Path::toString)).orElse(null);
            return newest == null ? "(none)" : Files.readString(newest);
        }
    }

    /** Waits until {@code deploy} holds the lock on web3 (it took every host's), or fails with its output. */
    private void awaitLockOnWeb3(Process deploy) throws Exception {
        try (Host h = ssh(3)) {
            // Generous: on a loaded machine the first deploy's JVM start, config and connections take long.
            boolean locked = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!locked && deploy.isAlive() && System.nanoTime() < deadline) {
                locked = h.run("test -d /opt/slipway/myapp/lock", Duration.ofSeconds(10)).ok();
                if (!locked) {
                    Thread.sleep(100);
                }
            }
            assertTrue(locked, "the first deploy took the lock on web3; its output:\n" + lastChildLog());
        }
    }

    private Process deployProcess(String crashAt) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "deploy", service.toString(), "--to", "hosts");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(work.resolve("child-" + System.nanoTime() + ".log").toFile());
        if (crashAt != null) {
            pb.environment().put("SLIPWAY_CRASH_AT", crashAt);
        }
        return pb.start();
    }

    @Test
    @Order(4)
    void aConcurrentDeployGetsTheLockHoldersDetailsAndCtrlCReleasesTheLocks() throws Exception {
        Tools.requireSigint();
        use("1.0.0");
        // A delay between batches keeps the first deploy (and its locks) alive until its Ctrl-C: an
        // already-uploaded 3-host deploy takes about 2 s now, less than the second deploy's own run.
        Path yaml = service.resolve("slipway.yaml");
        String config = Files.readString(yaml);
        assertTrue(config.contains("rollout: {batchSize: 1, retain: 3}"), config);
        Files.writeString(yaml, config.replace("rollout: {batchSize: 1, retain: 3}", "rollout: {batchSize: 1, delay: 60s, retain: 3}"));
        List<String> before = List.of(version(1), version(2), version(3)); // "no answer" when the class runs this test alone
        Process first;
        try {
            first = deployProcess(null);
            awaitLockOnWeb3(first);
        } finally {
            Files.writeString(yaml, config); // the second deploy reads the same hosts; the delay is the first's alone
        }
        var second = deploy();
        assertEquals(2, second.code(), second.toString()); // a held lock: nothing was changed
        assertTrue(Pattern.compile("slipway: web1 is locked by \\S+@\\S+ \\(pid " + first.pid() + " on \\S+\\) since \\S+, deploy of"
                + " version 1\\.0\\.0; wait for it \\(--lock-wait DURATION\\)").matcher(second.err()).find(), second.toString());
        // Ctrl-C of the first deploy (during its delay between batches, or before): the delay is cut short, a
        // host it switched goes back to what it served (a first release is stopped), the locks are released.
        new ProcessBuilder("kill", "-INT", Long.toString(first.pid())).start().waitFor(10, TimeUnit.SECONDS);
        assertTrue(first.waitFor(90, TimeUnit.SECONDS), "the first deploy stopped on SIGINT");
        assertEquals(130, first.exitValue(), lastChildLog());
        assertTrue(lastChildLog().contains("slipway: deploy of myapp 1.0.0 interrupted (Ctrl-C "), lastChildLog());
        for (int i = 1; i <= 3; i++) {
            try (Host h = ssh(i)) {
                assertFalse(h.run("test -d /opt/slipway/myapp/lock", Duration.ofSeconds(10)).ok(), "web" + i + " is unlocked");
            }
            assertEquals(before.get(i - 1), awaitServing(i, before.get(i - 1)), "web" + i + " serves what it served before:\n"
                    + lastChildLog());
        }
    }

    @Test
    @Order(5)
    void killDashNineAtPlanStepsLeavesEveryHostServingOldOrNewAndTheNextRunTakesTheLockOverAndConverges() throws Exception {
        String[] points = System.getProperty("slipway.hosts.crashPoints",
                "lock:web2,upload:web2,env:web3,unit:web1,prepare:web2,switch:web2,restart:web2,gate:web2,record:web2,prune:web3,"
                + "unlock:web1").split(",");
        String old = "1.0.0";
        for (String point : points) {
            String next = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            use(next);
            if (point.startsWith("prepare")) {
                // A release the look finds prepared gets no prepare step: make it unprepared, so the step runs.
                for (int i = 1; i <= 3; i++) {
                    try (Host h = ssh(i)) {
                        assertTrue(h.run(unprepare(next), Duration.ofSeconds(30)).ok(), "web" + i);
                    }
                }
            }
            Process p = deployProcess(point);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), point);
            assertEquals(137, p.exitValue(), "halted at " + point + "; its output:\n" + lastChildLog());
            for (int i = 1; i <= 3; i++) {
                String v = awaitServing(i, old, next);
                assertTrue(v.equals(old) || v.equals(next), "after kill -9 at " + point + " web" + i + " serves " + v);
            }
            // The one lock rule: a killed run of this machine is taken over by the next run, which says
            // so, records the run unless it recorded itself, and converges (no 'lock release --force').
            int interruptedBefore = interruptedLines();
            int lockedBefore = 0;
            for (int i = 1; i <= 3; i++) {
                try (Host h = ssh(i)) {
                    lockedBefore += h.run("test -d /opt/slipway/myapp/lock", Duration.ofSeconds(10)).ok() ? 1 : 0;
                }
            }
            assertTrue(lockedBefore >= 1, point + ": the killed run left a lock");
            var converge = deploy();
            assertEquals(0, converge.code(), point + ": " + converge);
            assertEquals(lockedBefore, converge.err().split("which is gone; taking it over", -1).length - 1,
                    point + ": every lock it left is taken over, and said: " + converge);
            assertTrue(Pattern.compile("web\\d: the lock was left by pid \\d+ \\(deploy of " + Pattern.quote(next) + ", since ")
                    .matcher(converge.err()).find(), point + ": " + converge);
            if (point.startsWith("lock:")) {
                // Killed before any host recorded: every locked host's history says what happened.
                assertEquals(interruptedBefore + lockedBefore, interruptedLines(), point + ": " + converge);
                assertTrue(converge.err().contains("ended during its deploy of " + next + " without releasing the lock (killed, or cut off from the host); its lock was taken over"),
                        point + ": " + converge);
            }
            for (int i = 1; i <= 3; i++) {
                try (Host h = ssh(i)) {
                    assertFalse(h.run("test -d /opt/slipway/myapp/lock", Duration.ofSeconds(10)).ok(), point + ": web" + i + " unlocked");
                }
            }
            for (int i = 1; i <= 3; i++) {
                assertEquals(next, version(i), point + ": web" + i);
            }
            old = next;
        }
        // A lock from another machine is never taken over: the deploy is refused with the holder's
        // details (exit 2, nothing changed), 'lock release' needs --force, then the next run converges.
        String next = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
        use(next);
        try (Host h = ssh(2)) {
            Lock.Holder foreign = new Lock.Holder("f00d", "bob@laptop", "laptop", 4242,
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), old, "deploy");
            assertTrue(Lock.tryAcquire(h, "/opt/slipway/myapp", foreign).isEmpty(), "the foreign lock is written on web2");
        }
        var refused = deploy();
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("web2 is locked by bob@laptop (pid 4242 on laptop) since "), refused.toString());
        assertTrue(refused.err().contains("'slipway lock release --force'; nothing was changed"), refused.toString());
        assertFalse(refused.err().contains("taking it over"), refused.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals(old, version(i), "refused: web" + i + " unchanged");
        }
        var noForce = CliRunner.run("lock", "release", service.toString());
        assertEquals(2, noForce.code(), noForce.toString());
        var force = CliRunner.run("lock", "release", service.toString(), "--force");
        assertEquals(0, force.code(), force.toString());
        assertTrue(force.out().contains("released the lock of bob@laptop"), force.toString());
        var converged = deploy();
        assertEquals(0, converged.code(), converged.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals(next, version(i), "after lock release --force: web" + i);
        }
        old = next;
        // Fleet rollback: back to the release before, in batches, gated.
        String current = old;
        var back = CliRunner.run("rollback", service.toString(), "--target", "hosts");
        assertEquals(0, back.code(), back.toString());
        String previous = current.equals("1.0.0") ? "2.0.0" : "1.0.0";
        assertTrue(back.out().contains("myapp " + previous + " ") && back.out().contains("(rollback)"), back.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals(previous, version(i), "web" + i);
        }
    }

    /** @return how many {@code interrupted} lines the three hosts' histories hold together */
    private int interruptedLines() {
        int n = 0;
        for (int i = 1; i <= 3; i++) {
            try (Host h = ssh(i)) {
                String out = h.run("grep -c '\tinterrupted\t' /opt/slipway/myapp/history.tsv || true", Duration.ofSeconds(10)).stdout().strip();
                n += out.isEmpty() ? 0 : Integer.parseInt(out);
            }
        }
        return n;
    }

    /**
     * A command that removes the unpacked tree of myapp's release {@code version} from the unit's
     * cache (so the look does not find it prepared), unless the current release runs from that tree.
     */
    static String unprepare(String version) {
        String key = "head -c 4096 %s | sed -n \"s/^slipway_key='\\(.*\\)'$/\\1/p\" | head -n 1";
        return "k=$(" + key.formatted("/opt/slipway/myapp/releases/" + version + "/myapp") + "); c=$("
                + key.formatted("/opt/slipway/myapp/current/myapp") + "); [ -n \"$k\" ] && [ \"$k\" != \"$c\" ] &&"
                + " rm -rf \"/var/cache/myapp/run/$k\"; true";
    }

    /** wrk's summary: non-2xx responses and socket errors. */
    record Wrk(long requests, long errors, long non2xx, String text) {
        static Wrk parse(String out) {
            return new Wrk(num(out, "(\\d+) requests in"), num(out, "connect (\\d+)") + num(out, "read (\\d+)")
                    + num(out, "write (\\d+)") + num(out, "timeout (\\d+)"), num(out, "Non-2xx or 3xx responses: (\\d+)"), out);
        }

        private static long num(String s, String re) {
            Matcher m = Pattern.compile(re).matcher(s);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }
    }

    /** Runs wrk through nginx over the three instances for the whole deploy of {@code version}. */
    private Wrk deployUnderLoad(String version) throws Exception {
        Path prefix = work.resolve("nginx-" + version);
        Files.createDirectories(prefix.resolve("logs"));
        var render = CliRunner.run("render", "nginx", service.toString());
        assertEquals(0, render.code(), render.toString());
        assertTrue(render.out().contains("    listen 127.0.0.1:" + nginxPort + ";\n"), render.out());
        Files.writeString(prefix.resolve("site.conf"), render.out());
        Files.writeString(prefix.resolve("nginx.conf"), "daemon off;\nworker_processes 1;\nerror_log " + prefix
                + "/logs/error.log;\npid " + prefix + "/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  include "
                + prefix + "/site.conf;\n}\n");
        Process nginx = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout").toFile()).start();
        Process wrk = null;
        try {
            String url = "http://127.0.0.1:" + nginxPort + "/health/live";
            for (int i = 0; i < 50 && !version(1).matches("\\d.*"); i++) {
                Thread.sleep(100);
            }
            for (int i = 0; i < 50; i++) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            wrk = new ProcessBuilder("wrk", "-t2", "-c8", "-d60s", "--timeout", "5s", url).redirectErrorStream(true).start();
            use(version);
            var r = deploy();
            assertEquals(0, r.code(), r.toString());
            assertTrue(wrk.isAlive(), "the deploy took longer than wrk's 60 s, so the load did not cover all of it:\n" + r);
            // SIGINT: wrk stops and prints its summary (SIGTERM would kill it silently).
            new ProcessBuilder("kill", "-INT", Long.toString(wrk.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(wrk.waitFor(30, TimeUnit.SECONDS));
            String errors = "";
            Path errorLog = prefix.resolve("logs/error.log");
            if (Files.exists(errorLog)) {
                List<String> lines = Files.readAllLines(errorLog);
                errors = "\nnginx error.log (last 15 of " + lines.size() + " lines):\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            }
            String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Wrk parsed = Wrk.parse(out);
            Wrk w = new Wrk(parsed.requests(), parsed.errors(), parsed.non2xx(), out + errors + "\ndeploy output:\n" + r.err());
            System.out.println("wrk during the deploy of " + version + ":\n" + w.text());
            return w;
        } finally {
            if (wrk != null && wrk.isAlive()) {
                wrk.destroyForcibly();
            }
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
            nginx.destroyForcibly();
        }
    }

    @Test
    @Order(6)
    void zeroDowntimeBehindNginxDuringARollingDeployAndTheTestCanFail() throws Exception {
        Tools.require("nginx");
        Tools.require("wrk");
        String from = version(1);
        String to = from.equals("1.0.0") ? "2.0.0" : "1.0.0";
        // Drain handling: myapp keeps serving for 1.5 s after SIGTERM (readiness already 503), then
        // finishes in-flight requests; nginx retries refused or 502/503 requests on the next instance.
        writeConfig("", "60s", "{SHUTDOWN_DELAY_MS: \"1500\"}", true);
        Wrk good;
        Wrk bad;
        try {
            good = deployUnderLoad(to);
            // Without it (no retry, no shutdown delay) the same deploy loses requests.
            writeConfig("", "60s", "{}", false);
            bad = deployUnderLoad(from);
        } finally {
            writeConfig("", "60s", "{}", true);
        }
        assertTrue(good.requests() > 500, "too little load to mean anything:\n" + good.text());
        assertEquals(0, good.non2xx(), good.text());
        assertEquals(0, good.errors(), good.text());
        assertTrue(bad.non2xx() + bad.errors() > 0, "without drain handling requests fail:\n" + bad.text());
    }

    @Test
    @Order(7)
    void theRecordAndPruneStepRemovesUnpackedTreesNoKeptReleaseUses() throws Exception {
        // A tree left by a release pruned before (each is ~100 MB: a host that deploys often filled its disk).
        String orphan = "myapp-00000000000000f0";
        for (int i = 1; i <= 3; i++) {
            try (Host h = ssh(i)) {
                assertTrue(h.run("mkdir -p /var/cache/myapp/run/" + orphan + "/app && touch /var/cache/myapp/run/" + orphan
                        + ".lock", Duration.ofSeconds(10)).ok(), "web" + i);
            }
        }
        String to = version(1).equals("1.0.0") ? "2.0.0" : "1.0.0";
        use(to);
        var r = deploy();
        assertEquals(0, r.code(), r.toString());
        for (int i = 1; i <= 3; i++) {
            assertTrue(r.err().contains("web" + i + ": removed 1 unpacked tree(s) no kept release uses from /var/cache/myapp/run"),
                    r.err());
            try (Host h = ssh(i)) {
                // Every tree left is the one of a release in releases/, and the serving one is there.
                String out = h.run("cd /var/cache/myapp/run && ls -d *-* | grep -v '\\.' ; echo --;"
                        + " for f in /opt/slipway/myapp/releases/*/myapp; do head -c 4096 \"$f\""
                        + " | sed -n \"s/^slipway_key='\\(.*\\)'$/\\1/p\"; done; echo --;"
                        + " head -c 4096 /opt/slipway/myapp/current/myapp | sed -n \"s/^slipway_key='\\(.*\\)'$/\\1/p\"",
                        Duration.ofSeconds(10)).stdout();
                String[] parts = out.split("--\n", -1);
                List<String> trees = parts[0].lines().filter(l -> !l.isBlank()).toList();
                List<String> keys = parts[1].lines().filter(l -> !l.isBlank()).toList();
                String current = parts[2].strip();
                assertFalse(trees.contains(orphan), "web" + i + ": " + out);
                assertTrue(keys.containsAll(trees), "web" + i + ": every tree left belongs to a kept release: " + out);
                assertTrue(trees.contains(current), "web" + i + ": the serving release's tree stays: " + out);
            }
            assertEquals(to, version(i), "web" + i);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

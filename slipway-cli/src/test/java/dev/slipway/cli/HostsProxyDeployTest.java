package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.io.IOException;
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
 * Zero downtime on ONE server ({@code deploy.hosts.rollout.strategy: proxy}): one real Debian host
 * (systemd, sshd, nginx; no Java) booted with {@code testbed/hosts.sh}, nginx on that host in front
 * of the service, and {@code wrk} through that nginx for the whole of each command. The restart
 * strategy loses requests there; the proxy strategy loses none in a deploy (the first one also
 * takes over from the restart strategy's unit), a rollback, and a failed deploy whose new release
 * never becomes ready. Then kill -9 before each of its plan steps leaves one release serving
 * behind nginx, and the next run converges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsProxyDeployTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int PORT = 18080;
    /** nginx's port on the host (the host's address is this run's own, so any port is free there). */
    private static final int NGINX = 18000;

    /**
     * myapp's H2 database file is locked by the instance that opens it, so two instances side by
     * side need their own data directory: {@code ${PORT}} is expanded per instance port.
     */
    private static final String PER_PORT = "{DATA_DIR: \"data-${PORT}\"}";

    Testbed testbed;
    Path service;
    Path work;

    @BeforeAll
    void bootHostAndBuild(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        Tools.require("wrk");
        testbed = Testbed.up(1, "hx", "127.0.1.41");
        work = tmp;
        service = tmp.resolve("myapp");
        Example.copy(service);
        writeConfig("restart", "60s", PER_PORT);
        Example.commit(service);
        build("1.0.0", true);
        build("2.0.0", false);
        build("3.0.0", false);
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

    private void writeConfig(String strategy, String readinessTimeout, String env) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                build:
                  jvmOptions: ["-XX:+ExitOnOutOfMemoryError"]
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 200ms, timeout: %s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: %s, bind: %s, env: %s}
                    rollout: {strategy: %s, retain: 4}
                    proxy: {listen: "%s:%d"}
                """.formatted(PORT, readinessTimeout, Testbed.clientKey(), testbed.knownHostsHashed(), address(), address(),
                env, strategy, address(), NGINX));
    }

    private void build(String version, boolean compile) throws Exception {
        HostsDeployTest.build(service, work, version, compile);
    }

    private void use(String version) throws IOException {
        HostsDeployTest.use(service, work, version);
    }

    private Host ssh() {
        Testbed.Node n = testbed.node(1);
        return SshHost.connect(SshHost.Options.of(n.address()).withLabel(n.name()).withIdentities(List.of(Testbed.clientKey()))
                .withKnownHosts(testbed.knownHosts()));
    }

    private String run(String command) {
        try (Host h = ssh()) {
            Host.CommandResult r = h.run(command, Duration.ofSeconds(60));
            assertTrue(r.ok(), command + ": " + r.stdout() + r.stderr());
            return r.stdout();
        }
    }

    /** @return the version nginx on the host answers with, "HTTP n", or "no answer" */
    private String viaNginx() {
        return HostsDeployTest.versionAt("http://" + address() + ":" + NGINX + "/");
    }

    private String awaitViaNginx(String... versions) throws InterruptedException {
        return HostsDeployTest.awaitVersion(this::viaNginx, versions);
    }

    private CliRunner.Run slipway(String... args) {
        List<String> all = new ArrayList<>(List.of(args[0], service.toString(), "--to", "hosts"));
        all.addAll(List.of(args).subList(1, args.length));
        return CliRunner.run(all.toArray(String[]::new));
    }

    /**
     * What two wrk runs through the host's nginx saw during one command.
     *
     * @param keepAlive 6 connections reused for many requests (wrk's default)
     * @param close     2 connections with {@code Connection: close}: a new connection per request
     * @param text      both summaries, nginx's error log and the command's output
     */
    record Load(HostsDeployTest.Wrk keepAlive, HostsDeployTest.Wrk close, long keepAliveReadErrors, String text) {
        long requests() {
            return keepAlive.requests() + close.requests();
        }
    }

    private static Process wrk(String url, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "--timeout", "5s", "-d300s"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String stop(Process wrk) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(wrk.pid())).start().waitFor(10, TimeUnit.SECONDS);
        assertTrue(wrk.waitFor(30, TimeUnit.SECONDS));
        return new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Runs {@code command} with two wrk runs (keep-alive and Connection: close) through the host's nginx for all of it. */
    private Load underLoad(String what, java.util.function.Supplier<CliRunner.Run> command, int exitCode) throws Exception {
        String url = "http://" + address() + ":" + NGINX + "/health/live";
        Process keep = wrk(url, "-c6");
        Process close = wrk(url, "-c2", "-H", "Connection: close");
        try {
            Thread.sleep(1000);
            CliRunner.Run r = command.get();
            assertEquals(exitCode, r.code(), what + ": " + r);
            assertTrue(keep.isAlive() && close.isAlive(), what + " took longer than wrk's 300 s:\n" + r);
            Thread.sleep(500);
            String k = stop(keep);
            String c = stop(close);
            String log;
            try (Host h = ssh()) {
                log = h.run("tail -n 15 /var/log/nginx/error.log 2>&1", Duration.ofSeconds(20)).stdout();
            }
            Matcher read = Pattern.compile("read (\\d+)").matcher(k);
            Load load = new Load(HostsDeployTest.Wrk.parse(k), HostsDeployTest.Wrk.parse(c), read.find()
                    ? Long.parseLong(read.group(1)) : 0, "wrk during " + what + ", keep-alive:\n" + k
                    + "\nConnection: close:\n" + c + "\nnginx error.log on the host:\n" + log + "\n" + what + " output:\n" + r.err());
            System.out.println(load.text());
            return load;
        } finally {
            for (Process p : List.of(keep, close)) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    @Order(1)
    void theRestartStrategyLosesRequestsBehindTheHostsNginx() throws Exception {
        use("1.0.0");
        var first = slipway("deploy");
        assertEquals(0, first.code(), first.toString());
        // nginx on the host: the site of 'render nginx' for the proxy strategy (it includes the
        // upstream file), and an upstream file naming the restart strategy's instance on PORT.
        writeConfig("proxy", "60s", PER_PORT);
        var site = CliRunner.run("render", "nginx", service.toString());
        assertEquals(0, site.code(), site.toString());
        assertTrue(site.out().contains("include /etc/nginx/slipway/myapp.upstream.conf;"), site.out());
        // nspawn hosts share the loopback: nginx listens on this host's address only (proxy.listen ADDRESS:PORT).
        assertTrue(site.out().contains("    listen " + address() + ":" + NGINX + ";\n"), site.out());
        writeConfig("restart", "60s", PER_PORT);
        try (Host h = ssh()) {
            h.write(site.out().getBytes(StandardCharsets.UTF_8), "/etc/nginx/conf.d/myapp.conf", 0644);
            h.run("mkdir -p /etc/nginx/slipway", Duration.ofSeconds(10));
            h.write(dev.slipway.deploy.hosts.NginxConf.upstream("myapp",
                    dev.slipway.config.ConfigLoader.load(service.resolve("slipway.yaml")).hosts(), address(), PORT)
                    .getBytes(StandardCharsets.UTF_8), "/etc/nginx/slipway/myapp.upstream.conf", 0644);
        }
        run("nginx -t 2>&1 && systemctl start nginx");
        assertEquals("1.0.0", awaitViaNginx("1.0.0"));

        use("2.0.0");
        Load restart = underLoad("a deploy of 2.0.0 with the restart strategy", () -> slipway("deploy"), 0);
        assertEquals("2.0.0", awaitViaNginx("2.0.0"));
        assertTrue(restart.requests() > 200, "too little load to mean anything:\n" + restart.text());
        assertTrue(restart.close().non2xx() + restart.close().errors() > 0,
                "stop-then-start on one server loses requests:\n" + restart.text());
    }

    @Test
    @Order(2)
    void theProxyStrategyLosesNoRequestInADeployARollbackAFailedDeployAndACrashLoopingOne() throws Exception {
        writeConfig("proxy", "60s", PER_PORT);
        use("1.0.0");
        var dry = slipway("deploy", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().contains("web1: [batch 1] start 1.0.0 beside 2.0.0 (myapp.service): /opt/slipway/myapp/slots/"
                + (PORT + 1) + " -> releases/1.0.0"), dry.toString());
        assertTrue(dry.out().contains("web1: [batch 1] nginx on the host: /etc/nginx/slipway/myapp.upstream.conf -> "
                + address() + ":" + (PORT + 1)), dry.toString());
        assertTrue(dry.out().contains("have ended their requests, then drain and stop myapp.service (2.0.0, port " + PORT
                + ") and disable it"),
                dry.toString());

        // The first deploy with the proxy strategy takes over from the restart strategy's unit.
        Load takeOver = underLoad("the first proxy deploy (1.0.0)", () -> slipway("deploy"), 0);
        assertEquals("1.0.0", viaNginx());
        assertEquals("inactive\n", run("systemctl is-active myapp.service || true"));
        use("2.0.0");
        Load deploy = underLoad("a deploy of 2.0.0", () -> slipway("deploy"), 0);
        assertEquals("2.0.0", viaNginx());
        assertTrue(run("cat /etc/nginx/slipway/myapp.upstream.conf").contains(address() + ":" + PORT + " "), "back on PORT");
        Load rollback = underLoad("a rollback to 1.0.0", () -> slipway("rollback", "--version", "1.0.0"), 0);
        assertEquals("1.0.0", viaNginx());
        assertTrue(rollback.text().contains("rollback myapp 1.0.0 to 1 host"), rollback.text());
        assertTrue(!rollback.text().contains("prepare releases/"), "a rollback prepares nothing:\n" + rollback.text());

        // 3.0.0 never becomes ready (DATA_DIR is a file): its instance stops, 1.0.0 never stopped.
        writeConfig("proxy", "25s", "{DATA_DIR: /etc/passwd}");
        use("3.0.0");
        Load failed;
        try {
            failed = underLoad("a failed deploy of 3.0.0", () -> slipway("deploy"), 1);
        } finally {
            writeConfig("proxy", "60s", PER_PORT);
        }
        assertTrue(failed.text().contains("data dir /etc/passwd is not a directory"), failed.text());
        assertTrue(failed.text().contains("every started host went back: web1 (myapp@" + PORT + ".service stopped; 1.0.0 never"
                + " stopped)"), failed.text());
        assertEquals("1.0.0", viaNginx());
        assertEquals("active\n", run("systemctl is-active myapp@" + (PORT + 1) + ".service || true"));
        assertEquals("inactive\n", run("systemctl is-active myapp@" + PORT + ".service || true"));

        // 3.0.0 exits at start (a value out of range: status 2) and systemd restarts it (Restart=on-failure):
        // the gate ends at the crash, inside a startup grace longer than the whole test's wait for it, and
        // says so with systemd's account and the app's own lines; 1.0.0 keeps serving through nginx.
        writeConfig("proxy", "120s, startupGrace: 90s", "{DATA_DIR: \"data-${PORT}\", MAX_BODY_BYTES: \"0\"}");
        Load crashed;
        try {
            crashed = underLoad("a deploy of a crash-looping 3.0.0", () -> slipway("deploy"), 1);
        } finally {
            writeConfig("proxy", "60s", PER_PORT);
        }
        Matcher reason = Pattern.compile("deploy of myapp 3\\.0\\.0 failed on web1: the process exited after (\\d+\\.\\d) s with exit"
                + " code 2; systemd (is about to restart it|restarted it (once|\\d+ times))[^\\n]*; cause: myapp: bad configuration:"
                + " MAX_BODY_BYTES: 0 out of range").matcher(crashed.text());
        assertTrue(reason.find(), crashed.text());
        assertFalse(crashed.text().contains("did not pass within"), "a crash is not told as a timeout:\n" + crashed.text());
        assertTrue(Double.parseDouble(reason.group(1)) < 90, "the gate ended at the crash, in the startup grace:\n" + crashed.text());
        int journal = crashed.text().indexOf("last journal lines of myapp@" + PORT + " on web1:");
        assertTrue(journal > 0 && crashed.text().indexOf("| myapp: bad configuration: MAX_BODY_BYTES: 0 out of range", journal) > 0
                && crashed.text().indexOf("Main process exited, code=exited, status=2/INVALIDARGUMENT", journal) > 0,
                "the app's own lines and its exit:\n" + crashed.text());
        assertFalse(crashed.text().substring(Math.max(0, journal)).contains("Scheduled restart job"),
                "no restart bookkeeping among the lines shown:\n" + crashed.text());
        assertTrue(crashed.text().contains("every started host went back: web1 (myapp@" + PORT + ".service stopped; 1.0.0 never"
                + " stopped)"), crashed.text());
        assertEquals("1.0.0", viaNginx());
        assertEquals("active\n", run("systemctl is-active myapp@" + (PORT + 1) + ".service || true"));

        for (Load w : List.of(takeOver, deploy, rollback, failed, crashed)) {
            assertTrue(w.close().requests() > 100 && w.keepAlive().requests() > 100, "too little load to mean anything:\n"
                    + w.text());
            // A new connection per request: nothing is refused, reset or answered with an error.
            assertEquals(0, w.close().non2xx(), w.text());
            assertEquals(0, w.close().errors(), w.text());
            // Keep-alive: every answer is 2xx, and no connect, write or timeout error. nginx's old
            // workers close idle client connections at the reload; a request sent on one at that
            // instant sees the close (wrk: a read error; HTTP clients retry such idempotent requests).
            assertEquals(0, w.keepAlive().non2xx(), w.text());
            assertEquals(w.keepAliveReadErrors(), w.keepAlive().errors(), w.text());
        }
        assertEquals(0, failed.keepAlive().errors(), "no reload, no close:\n" + failed.text());
        assertEquals(0, crashed.keepAlive().errors(), "no reload, no close:\n" + crashed.text());
        var status = slipway("status");
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("active (port " + (PORT + 1) + ")"), status.toString());
    }

    @Test
    @Order(3)
    void theStrategyChangesBothWaysAndAProxyRollbackStartsAReleaseDeployedWithTheRestartStrategy() throws Exception {
        // proxy -> restart: the deploy stops the proxy strategy's instance and points the host's nginx at PORT.
        writeConfig("restart", "60s", PER_PORT);
        use("2.0.0");
        var back = slipway("deploy");
        assertEquals(0, back.code(), back.toString());
        assertTrue(back.toString().contains("(the proxy strategy's instances) and disable them; enable myapp.service"),
                back.toString());
        assertEquals("2.0.0", awaitViaNginx("2.0.0"));
        assertEquals("0", run("systemctl list-units --state=active --no-legend 'myapp@*' | wc -l").strip());
        assertEquals("enabled\n", run("systemctl is-enabled myapp.service || true"));
        assertTrue(run("cat /etc/nginx/slipway/myapp.upstream.conf").contains(address() + ":" + PORT + " "), "on PORT");
        // 2.0.0 as a Slipway before env-<port> files under the restart strategy left it: env only.
        run("rm -f /opt/slipway/myapp/releases/2.0.0/env-*");
        use("1.0.0");
        var one = slipway("deploy");
        assertEquals(0, one.code(), one.toString());
        assertEquals("1.0.0", awaitViaNginx("1.0.0"));

        // restart -> proxy by a rollback to that 2.0.0: its env-<port> is made from its env, and it
        // starts beside myapp.service, under load, losing nothing.
        writeConfig("proxy", "60s", PER_PORT);
        var dry = slipway("rollback", "--version", "2.0.0", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().contains("web1: write /opt/slipway/myapp/releases/2.0.0/env-" + (PORT + 1) + " from its env"),
                dry.toString());
        Load rollback = underLoad("a proxy rollback to 2.0.0, deployed with the restart strategy",
                () -> slipway("rollback", "--version", "2.0.0"), 0);
        assertEquals("2.0.0", viaNginx());
        String env = run("cat /opt/slipway/myapp/releases/2.0.0/env-" + (PORT + 1));
        assertTrue(env.contains("\nPORT=\"" + (PORT + 1) + "\"") && env.contains("DATA_DIR=\"data-" + (PORT + 1) + "\""), env);
        assertEquals("inactive\n", run("systemctl is-active myapp.service || true"));
        assertTrue(rollback.close().requests() > 100, "too little load to mean anything:\n" + rollback.text());
        assertEquals(0, rollback.close().non2xx(), rollback.text());
        assertEquals(0, rollback.close().errors(), rollback.text());
        assertEquals(0, rollback.keepAlive().non2xx(), rollback.text());
    }

    @Test
    @Order(4)
    void killDashNineBeforeEachNewStepLeavesOneReleaseBehindNginxAndTheNextRunConverges() throws Exception {
        writeConfig("proxy", "60s", PER_PORT);
        String old = viaNginx();
        assertTrue(old.equals("1.0.0") || old.equals("2.0.0"), old);
        for (String point : List.of("prepare", "start", "proxy", "stop")) {
            String next = old.equals("1.0.0") ? "2.0.0" : "1.0.0";
            use(next);
            if (point.equals("prepare")) {
                run(HostsDeployTest.unprepare(next)); // else the look finds it prepared: no prepare step
            }
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "deploy", service.toString(), "--to", "hosts");
            Path log = work.resolve("child-" + point + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("SLIPWAY_CRASH_AT", point);
            Process p = pb.start();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), point);
            assertEquals(137, p.exitValue(), "halted at " + point + ":\n" + Files.readString(log));
            String v = awaitViaNginx(old, next);
            assertTrue(v.equals(old) || v.equals(next), "after kill -9 before " + point + " nginx answers " + v);
            var force = CliRunner.run("lock", "release", service.toString(), "--force");
            assertEquals(0, force.code(), force.toString());
            var converge = slipway("deploy");
            assertEquals(0, converge.code(), point + ": " + converge);
            assertEquals(next, viaNginx(), point);
            String active = run("systemctl list-units --state=active --no-legend 'myapp@*' | wc -l").strip();
            assertEquals("1", active, point + ": one instance runs after the converging deploy");
            old = next;
        }
    }

    @Test
    @Order(5)
    void ctrlCDuringTheGateStopsTheNewInstanceAndRecordsTheInterruptedRun() throws Exception {
        Tools.requireSigint();
        writeConfig("proxy", "60s", PER_PORT);
        if (!List.of("1.0.0", "2.0.0").contains(viaNginx())) { // run on its own: deploy a first release
            use("1.0.0");
            var first = slipway("deploy");
            assertEquals(0, first.code(), first.toString());
        }
        String old = awaitViaNginx("1.0.0", "2.0.0");
        // The new release never becomes ready (its storage check fails), so the run sits in its gate.
        writeConfig("proxy", "120s", "{DATA_DIR: /etc/passwd}");
        use(old.equals("1.0.0") ? "2.0.0" : "1.0.0");
        String before = viaNginx();
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "deploy", service.toString(), "--to", "hosts");
        Path log = work.resolve("child-interrupt.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (System.nanoTime() < deadline && p.isAlive()
                    && !run("systemctl list-units --state=active,activating --no-legend 'myapp@*' | wc -l").strip().equals("2")) {
                Thread.sleep(500);
            }
            assertTrue(p.isAlive(), "the deploy waits in its gate:\n" + Files.readString(log));
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "slipway exits after Ctrl-C");
        } finally {
            p.destroyForcibly();
            writeConfig("proxy", "60s", PER_PORT);
        }
        String out = Files.readString(log);
        assertEquals(130, p.exitValue(), out);
        // As after a failed gate: the new instance is stopped, the old one never stopped; the run is recorded.
        assertTrue(Pattern.compile("slipway: deploy of myapp \\d\\.0\\.0 interrupted \\(Ctrl-C during web1's (gate|start)\\): web1"
                + " \\(myapp@\\d+\\.service stopped; \\d\\.0\\.0 never stopped\\); the locks were released\n").matcher(out).find(), out);
        assertEquals("1", run("systemctl list-units --state=active,activating --no-legend 'myapp@*' | wc -l").strip(),
                "only the old instance runs:\n" + out);
        assertEquals(before, viaNginx(), "nginx answers as before the deploy");
        var history = slipway("history");
        assertTrue(Pattern.compile("web1 +\\d+ +\\d\\.0\\.0 .* interrupted ").matcher(history.out()).find(),
                history.toString());
    }
}

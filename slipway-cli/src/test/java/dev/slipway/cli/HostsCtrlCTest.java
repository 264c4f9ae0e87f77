package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Ctrl-C (SIGINT) of a hosts deploy on three real Debian hosts ({@code testbed/hosts.sh}, written
 * as 127.0.1.81-83), in batches of one, while web2's gate waits for a release that never becomes
 * ready: the first Ctrl-C cuts the gate short and the fleet goes back as after a failed gate (web1
 * and web2 back on the release of before, web3 never switched), every host records
 * {@code interrupted}, no lock stays, exit 130; a second Ctrl-C while going back stops at once,
 * releases the locks and says what each host is on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsCtrlCTest {
    private static final int PORT = 18080;

    Testbed testbed;
    Path service;
    Path work;

    @BeforeAll
    void bootHostsAndDeployV1(@TempDir Path tmp) throws Exception {
        Tools.require("systemd-analyze");
        testbed = Testbed.up(3, "cc", "127.0.1.81");
        work = tmp;
        service = tmp.resolve("myapp");
        Example.copy(service);
        writeConfig("");
        Example.commit(service);
        HostsDeployTest.build(service, work, "1.0.0", true);
        HostsDeployTest.build(service, work, "2.0.0", false);
        HostsDeployTest.use(service, work, "1.0.0");
        var first = CliRunner.run("deploy", service.toString(), "--to", "hosts");
        assertEquals(0, first.code(), first.toString());
    }

    @AfterAll
    void stopHosts() {
        if (testbed != null) {
            testbed.close();
        }
    }

    /** slipway.yaml: three hosts in batches of one, a 120 s gate, {@code web2Env} on web2. */
    private void writeConfig(String web2Env) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                service:
                  port: %d
                  drainTimeout: 5s
                  readiness: {path: /health/ready, interval: 200ms, timeout: 120s}
                deploy:
                  hosts:
                    identityFile: %s
                    knownHosts: %s
                    servers:
                      - {name: web1, address: 127.0.1.81, bind: 127.0.1.81}
                      - {name: web2, address: 127.0.1.82, bind: 127.0.1.82%s}
                      - {name: web3, address: 127.0.1.83, bind: 127.0.1.83}
                    rollout: {batchSize: 1, retain: 3}
                """.formatted(PORT, Testbed.clientKey(), testbed.knownHostsHashed(),
                web2Env.isEmpty() ? "" : ", env: " + web2Env).replace("127.0.1.", net()));
    }

    private static String net() {
        return dev.slipway.TestbedSlot.current().net();
    }

    private String version(int i) {
        return HostsDeployTest.versionAt("http://" + net() + (80 + i) + ":" + PORT + "/");
    }

    private String run(int i, String command) {
        return testbed.run(i, command);
    }

    /**
     * Starts a deploy of 2.0.0 whose web2 never becomes ready (DATA_DIR is a regular file: myapp's
     * storage check answers 503), and waits until web2's gate runs: web2 switched to 2.0.0 and
     * restarted, its new process up for a second.
     */
    private Process deployIntoWeb2sGate(Path log) throws Exception {
        Tools.requireSigint();
        HostsDeployTest.use(service, work, "2.0.0");
        writeConfig("{DATA_DIR: /etc/passwd}");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "deploy", service.toString(), "--to", "hosts");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            boolean inGate = false;
            while (!inGate && p.isAlive() && System.nanoTime() < deadline) {
                inGate = run(2, "readlink /opt/slipway/myapp/current; systemctl is-active myapp").equals("releases/2.0.0\nactive");
                Thread.sleep(inGate ? 1000 : 100);
            }
            assertTrue(inGate && p.isAlive(), "the deploy waits in web2's gate:\n" + Files.readString(log));
        } finally {
            writeConfig("");
        }
        return p;
    }

    private static void ctrlC(Process p) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Sends Ctrl-C to the deploy, then (when {@code again} is given) waits until its output has
     * {@code again} and sends a second one; waits for its end.
     *
     * @return its whole output (also printed), once it ended with 130
     */
    private static String interrupt(Process p, Path log, String again, int seconds) throws Exception {
        try {
            ctrlC(p);
            if (again != null) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (p.isAlive() && !Files.readString(log).contains(again) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(p.isAlive(), "still running after '" + again + "':\n" + Files.readString(log));
                ctrlC(p);
            }
            assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "slipway ends after Ctrl-C:\n" + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        System.out.println(out);
        assertEquals(130, p.exitValue(), out);
        return out;
    }

    /** The history lines of {@code version} on host i (history.tsv), each host's newest last. */
    private List<String> historyOf(int i, String version) {
        return run(i, "cat /opt/slipway/myapp/history.tsv").lines().filter(l -> l.split("\t").length > 4
                && l.split("\t")[1].equals(version)).toList();
    }

    private void assertUnlocked() {
        for (int i = 1; i <= 3; i++) {
            assertEquals("no", run(i, "test -d /opt/slipway/myapp/lock && echo yes || echo no"), "web" + i + " is unlocked");
        }
    }

    @Test
    @Order(1)
    void ctrlCDuringWeb2sGatePutsTheFleetBackAndRecordsTheRun() throws Exception {
        Path log = work.resolve("child-ctrl-c.log");
        Process p = deployIntoWeb2sGate(log);
        int before3 = historyOf(3, "2.0.0").size();
        long t0 = System.nanoTime();
        String out = interrupt(p, log, null, 120);
        System.out.println("Ctrl-C to exit, going back on web1 and web2: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertTrue(out.contains("slipway: Ctrl-C during web2's gate: no new step starts"), out);
        assertTrue(out.contains("slipway: deploy of myapp 2.0.0 interrupted (Ctrl-C during web2's gate): web1 -> 1.0.0,"
                + " web2 -> 1.0.0, web3 not switched (1.0.0 kept serving); the locks were released\n"), out);
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.0.0", version(i), "web" + i + " serves the release of before:\n" + out);
            assertEquals("releases/1.0.0", run(i, "readlink /opt/slipway/myapp/current"), "web" + i);
        }
        assertUnlocked();
        // Each host's history has the run, as interrupted, with where the host ended.
        assertTrue(historyOf(1, "2.0.0").get(historyOf(1, "2.0.0").size() - 1)
                .matches(".*\tinterrupted\t.*\tCtrl-C during web2's gate; back to 1\\.0\\.0"), historyOf(1, "2.0.0").toString());
        assertTrue(historyOf(2, "2.0.0").get(historyOf(2, "2.0.0").size() - 1)
                .matches(".*\tinterrupted\t.*\tCtrl-C during web2's gate; back to 1\\.0\\.0"), historyOf(2, "2.0.0").toString());
        List<String> web3 = historyOf(3, "2.0.0");
        assertEquals(before3 + 1, web3.size(), web3.toString());
        assertTrue(web3.get(web3.size() - 1).matches(".*\tinterrupted\t.*\tCtrl-C during web2's gate; not switched \\(1\\.0\\.0 kept serving\\)"),
                web3.toString());
        var status = CliRunner.run("status", service.toString(), "--to", "hosts");
        assertEquals(0, status.code(), status.toString());
        assertEquals(3, Pattern.compile("web\\d +1\\.0\\.0 +active +ready").matcher(status.out()).results().count(), status.out());
    }

    @Test
    @Order(2)
    void aSecondCtrlCWhileGoingBackStopsAtOnceReleasesTheLocksAndSaysWhatEachHostIsOn() throws Exception {
        Path log = work.resolve("child-ctrl-c-twice.log");
        String out = interrupt(deployIntoWeb2sGate(log), log, "going back", 30);
        assertTrue(out.contains("slipway: Ctrl-C again: stopping at once"), out);
        assertTrue(out.contains("slipway: stopped; 'slipway status --to hosts' shows what each host serves"), out);
        assertUnlocked();
        for (int i = 1; i <= 3; i++) {
            // The line says what the host is on, as read after the stop; a going back may have finished a command since.
            Matcher m = Pattern.compile("  web" + i + ": current (\\S+), myapp\\.service (\\w+) \\(([^)]*)\\); lock released\n")
                    .matcher(out);
            assertTrue(m.find(), "web" + i + ":\n" + out);
            String current = run(i, "readlink /opt/slipway/myapp/current");
            assertTrue(current.equals("releases/" + m.group(1)) || i != 3, "web" + i + " is on " + current + ":\n" + out);
            assertTrue(List.of("1.0.0", "2.0.0").contains(m.group(1)), out);
            assertEquals(i == 3 ? "not switched by this run" : "switched by this run from 1.0.0; going back was stopped",
                    m.group(3), out);
            List<String> lines = historyOf(i, "2.0.0");
            assertTrue(lines.get(lines.size() - 1).contains("\tinterrupted\t") && lines.get(lines.size() - 1)
                    .contains("\tCtrl-C twice: stopped at once; " + m.group(3) + "; current " + m.group(1)), lines.toString());
        }
        assertEquals("releases/1.0.0", run(3, "readlink /opt/slipway/myapp/current"), "web3 was never switched");
        // The next deploy converges from whatever each host is on.
        HostsDeployTest.use(service, work, "1.0.0");
        var next = CliRunner.run("deploy", service.toString(), "--to", "hosts");
        assertEquals(0, next.code(), next.toString());
        for (int i = 1; i <= 3; i++) {
            assertEquals("1.0.0", version(i), "web" + i);
        }
    }
}

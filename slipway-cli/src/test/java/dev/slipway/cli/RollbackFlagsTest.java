package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.deploy.History;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flags every target shares, on the local target's recorded state (two retained releases, no
 * process; nothing is built or started): {@code rollback --version/--revision}, the deprecated
 * {@code rollback --to VERSION}, {@code --dry-run} and {@code --json}, also for failures.
 */
class RollbackFlagsTest {
    @TempDir
    Path dir;
    Path state;
    String yaml;

    @BeforeEach
    void deployedTwice() throws Exception {
        yaml = "name: svc\nservice:\n  port: " + freePort() + "\n";
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        state = dir.resolve(".slipway/local");
        for (String v : List.of("1.0.0", "2.0.0")) {
            // A complete release, as the local target installs it: the file, its environment, its record.
            Path r = Files.createDirectories(state.resolve("releases").resolve(v));
            Files.writeString(r.resolve("svc"), "#!/bin/sh\nexit 0\n");
            r.resolve("svc").toFile().setExecutable(true);
            Files.writeString(r.resolve("service.env"), "PORT=" + freePort() + "\nADDR=127.0.0.1\nDRAIN_TIMEOUT=1\n");
            Files.writeString(r.resolve("release.json"), "{\"version\":\"" + v + "\",\"commit\":\"" + v.charAt(0)
                    + "aaaaaaa\",\"installed\":\"2026-01-0" + v.charAt(0) + "T00:00:00Z\"}\n");
        }
        Files.createSymbolicLink(state.resolve("current"), Path.of("releases/2.0.0"));
        History h = new History(state.resolve("history.tsv"));
        h.append("1.0.0", "1111111aaaa", History.DEPLOYED, "first release");
        h.append("2.0.0", "2222222bbbb", History.DEPLOYED, "previous 1.0.0");
    }

    /** A port nothing listens on, so a planned rollback finds it free. */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static JsonNode json(CliRunner.Run r) throws Exception {
        return new ObjectMapper().readTree(r.out());
    }

    void unchanged() throws Exception {
        assertEquals(Path.of("releases/2.0.0"), Files.readSymbolicLink(state.resolve("current")));
        assertEquals(2, new History(state.resolve("history.tsv")).entries().size());
    }

    @Test
    void rollbackTakesVersionOrRevisionAndRefusesWhatIsNotRetained() throws Exception {
        CliRunner.Run missing = CliRunner.run("rollback", dir.toString(), "--version", "9.9.9");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("slipway: local does not hold release 9.9.9 (it has 1.0.0, 2.0.0); nothing was changed\n"), missing.toString());
        CliRunner.Run noRevision = CliRunner.run("rollback", dir.toString(), "--revision", "7");
        assertEquals(2, noRevision.code(), noRevision.toString());
        assertTrue(noRevision.err().contains("local has no revision 7 of svc; 'slipway history' lists them; nothing was changed"), noRevision.toString());
        CliRunner.Run current = CliRunner.run("rollback", dir.toString(), "--revision", "2");
        assertEquals(2, current.code(), current.toString());
        assertTrue(current.err().contains("2.0.0 is already the current release; nothing to roll back; nothing was changed\n"), current.toString());
        assertEquals(2, CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--revision", "1").code());
        unchanged();

        CliRunner.Run dry = CliRunner.run("rollback", dir.toString(), "--revision", "1", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().startsWith("rollback svc 1.0.0 to local\n  state .slipway/local: current 2.0.0, serving nothing\n"), dry.out());
        assertTrue(dry.out().contains(". switch current -> releases/1.0.0 (was 2.0.0)\n"), dry.out());
        assertTrue(dry.out().endsWith("dry run: nothing was changed\n"), dry.out());
        unchanged();
    }

    @Test
    void theOldSpellingsStillWorkAndWarn() throws Exception {
        CliRunner.Run old = CliRunner.run("rollback", dir.toString(), "--to", "9.9.9");
        assertEquals(2, old.code(), old.toString());
        assertTrue(old.err().startsWith("slipway: warning: 'rollback --to 9.9.9' is deprecated: --to names the target;"
                + " use '--version 9.9.9'\n"), old.toString());
        assertTrue(old.err().contains("slipway: local does not hold release 9.9.9"), old.toString());
        CliRunner.Run typo = CliRunner.run("rollback", dir.toString(), "--to", "hots");
        assertEquals(2, typo.code(), typo.toString());
        assertTrue(typo.err().contains("slipway: unknown target 'hots'; did you mean 'hosts'? (available targets: local, hosts,"
                + " kubernetes, swarm)"), typo.toString());
        CliRunner.Run both = CliRunner.run("rollback", dir.toString(), "--target", "local", "--to", "1.0.0", "--dry-run");
        assertEquals(0, both.code(), both.toString());
        assertTrue(both.err().contains("'rollback --target local' is deprecated; use '--to local'"), both.toString());
        assertTrue(both.err().contains("'rollback --to 1.0.0' is deprecated"), both.toString());
        assertTrue(both.out().startsWith("rollback svc 1.0.0 to local\n"), both.toString());
        CliRunner.Run target = CliRunner.run("rollback", dir.toString(), "--to", "local", "--version", "1.0.0", "--dry-run");
        assertEquals(0, target.code(), target.toString());
        assertFalse(target.err().contains("deprecated"), "--to local names the target: " + target);
        unchanged();
    }

    @Test
    void jsonIsOneReportOnStdoutAlsoWhenTheCommandFails() throws Exception {
        CliRunner.Run dry = CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--dry-run", "--json");
        assertEquals(0, dry.code(), dry.toString());
        JsonNode planned = json(dry);
        assertEquals("planned", planned.path("outcome").asText());
        assertEquals("rollback", planned.path("action").asText());
        assertEquals("1.0.0", planned.path("version").asText());
        assertEquals("ok", planned.path("exitMeaning").asText());
        assertTrue(planned.path("steps").toString().contains("switch local: switch current -> releases/1.0.0"), planned.toString());

        CliRunner.Run refused = CliRunner.run("rollback", dir.toString(), "--version", "9.9.9", "--json");
        assertEquals(2, refused.code(), refused.toString());
        JsonNode r = json(refused);
        assertEquals(2, r.path("exitCode").asInt());
        assertEquals("usage or configuration error; nothing changed", r.path("exitMeaning").asText());
        assertEquals("local does not hold release 9.9.9 (it has 1.0.0, 2.0.0); nothing was changed", r.path("message").asText());
        assertEquals("local", r.path("target").asText());
        assertEquals("svc", r.path("service").asText());
        assertTrue(refused.err().contains("slipway: local does not hold release 9.9.9"), "the error still goes to stderr");

        CliRunner.Run notBuilt = CliRunner.run("deploy", dir.toString(), "--json");
        assertEquals(2, notBuilt.code(), notBuilt.toString());
        assertEquals(2, json(notBuilt).path("exitCode").asInt());
        assertEquals("deploy", json(notBuilt).path("action").asText());
        CliRunner.Run noHosts = CliRunner.run("deploy", dir.toString(), "--to", "hosts", "--dry-run", "--json");
        assertEquals(2, noHosts.code(), noHosts.toString());
        assertTrue(json(noHosts).path("message").asText().contains("no 'deploy.hosts' section"), noHosts.toString());
        Files.writeString(dir.resolve("slipway.yaml"), yaml + "servce: {}\n");
        CliRunner.Run badConfig = CliRunner.run("ship", dir.toString(), "--json");
        assertEquals(2, badConfig.code(), badConfig.toString());
        assertTrue(json(badConfig).path("message").asText().contains("unknown key 'servce'"), badConfig.toString());
        assertTrue(json(badConfig).path("service").isNull(), badConfig.toString());
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        unchanged();
    }

    @Test
    void historyHasTheSameColumnsOnEveryTarget() {
        CliRunner.Run h = CliRunner.run("history", dir.toString());
        assertEquals(0, h.code(), h.toString());
        List<String> lines = h.out().lines().toList();
        assertTrue(lines.get(0).matches("REVISION +VERSION +COMMIT +TIME +OUTCOME +WHO +NOTE"), lines.get(0));
        assertTrue(lines.get(2).matches("2 +2\\.0\\.0 +2222222 +\\S+ +deployed +\\S+@\\S+ +previous 1\\.0\\.0"), lines.get(2));
    }

    /** Checks what a JSON report says it is: target, action, outcome, exit code and its meaning. */
    static void assertReport(JsonNode n, String target, String action, String outcome, int exitCode, String meaning) {
        assertEquals(List.of(target, action, outcome, String.valueOf(exitCode), meaning), List.of(n.path("target").asText(),
                n.path("action").asText(), n.path("outcome").asText(), n.path("exitCode").asText(),
                n.path("exitMeaning").asText()), n.toString());
    }

    @Test
    void statusAndHistoryAnswerInJsonToo() throws Exception {
        CliRunner.Run status = CliRunner.run("status", dir.toString(), "--json");
        assertEquals(1, status.code(), "nothing runs: " + status);
        JsonNode s = json(status);
        assertReport(s, "local", "status", "not running", 1, "failed");
        assertEquals("2.0.0", s.path("version").asText());
        assertEquals(2, s.path("revision").asInt());

        CliRunner.Run history = CliRunner.run("history", dir.toString(), "--json");
        assertEquals(0, history.code(), history.toString());
        JsonNode h = json(history);
        assertEquals("history", h.path("action").asText());
        assertEquals(2, h.path("revision").asInt());
        assertEquals("ok", h.path("exitMeaning").asText());
        assertEquals(2, h.path("revisions").size(), h.toString());
        JsonNode second = h.path("revisions").get(1);
        assertEquals(2, second.path("revision").asInt());
        assertEquals("2.0.0", second.path("version").asText());
        assertEquals("deployed", second.path("outcome").asText());
        assertEquals("previous 1.0.0", second.path("note").asText());
        assertTrue(second.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), second.toString());
        assertTrue(h.path("lines").get(0).asText().startsWith("REVISION"), "the text table is the report's lines: " + h);

        for (String command : List.of("status", "history")) {
            CliRunner.Run noSection = CliRunner.run(command, dir.toString(), "--to", "hosts", "--json");
            assertEquals(2, noSection.code(), noSection.toString());
            JsonNode n = json(noSection);
            assertReport(n, "hosts", command, "refused", 2, "usage or configuration error; nothing changed");
            assertTrue(n.path("message").asText().contains("no 'deploy.hosts' section"), n.toString());
        }
    }

    @Test
    void aCommandLinePicocliRejectsIsAJsonReportToo() throws Exception {
        CliRunner.Run typo = CliRunner.run("deploy", dir.toString(), "--json", "--lock-wiat", "2m");
        assertEquals(2, typo.code(), typo.toString());
        JsonNode t = json(typo);
        assertReport(t, "local", "deploy", "refused", 2, "usage or configuration error; nothing changed");
        assertTrue(t.path("message").asText().contains("--lock-wiat"), t.toString());
        assertTrue(typo.err().startsWith("slipway: "), "the error still goes to stderr: " + typo);

        CliRunner.Run status = CliRunner.run("status", dir.toString(), "--to=hosts", "--json", "--bogus");
        assertEquals(2, status.code(), status.toString());
        assertEquals("hosts", json(status).path("target").asText());
        assertEquals("status", json(status).path("action").asText());

        CliRunner.Run plain = CliRunner.run("deploy", dir.toString(), "--lock-wiat", "2m");
        assertEquals(2, plain.code(), plain.toString());
        assertEquals("", plain.out(), "without --json stdout stays empty");
        unchanged();
    }

    @Test
    void lockWaitZeroMeansDontWait() throws Exception {
        for (String zero : List.of("0", "0s", "0ms")) {
            CliRunner.Run r = CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--dry-run", "--lock-wait", zero);
            assertEquals(0, r.code(), zero + ": " + r);
        }
        CliRunner.Run noUnit = CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--dry-run", "--lock-wait", "5");
        assertEquals(2, noUnit.code(), noUnit.toString());
        assertTrue(noUnit.err().contains("slipway: --lock-wait: '5' is not a duration"), noUnit.toString());
        unchanged();
    }

    @Test
    void aLockAnotherRunHoldsIsExitTwoAndChangesNothing() throws Exception {
        // A live holder on this machine: this test's own JVM.
        Path lock = Files.createDirectories(state.resolve("lock"));
        Files.writeString(lock.resolve("info"), "id=abc\nwho=ann@ci\nmachine=" + dev.slipway.remote.Lock.machineName()
                + "\npid=" + ProcessHandle.current().pid() + "\nsince=" + java.time.Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS) + "\nversion=3.0.0\nmessage=deploy\n");
        CliRunner.Run held = CliRunner.run("rollback", dir.toString(), "--version", "1.0.0");
        assertEquals(2, held.code(), held.toString());
        assertTrue(held.err().contains("another slipway holds the deploy lock of " + state + ": ann@ci (pid "
                + ProcessHandle.current().pid()), held.toString());
        assertTrue(held.err().strip().endsWith("nothing was changed"), held.toString());
        CliRunner.Run waited = CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--lock-wait", "1s", "--json");
        assertEquals(2, waited.code(), waited.toString());
        assertTrue(json(waited).path("message").asText().contains("(waited 1.0 s)"), waited.toString());
        assertEquals("refused", json(waited).path("outcome").asText());
        assertTrue(Files.isDirectory(lock), "another run's lock stays");
        unchanged();
    }
}

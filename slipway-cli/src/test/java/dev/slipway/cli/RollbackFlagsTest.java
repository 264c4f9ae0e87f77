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

    @BeforeEach
    void deployedTwice() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        state = dir.resolve(".slipway/local");
        Files.createDirectories(state.resolve("releases/1.0.0"));
        Files.createDirectories(state.resolve("releases/2.0.0"));
        Files.createSymbolicLink(state.resolve("current"), Path.of("releases/2.0.0"));
        History h = new History(state.resolve("history.tsv"));
        h.append("1.0.0", "1111111aaaa", History.DEPLOYED, "first release");
        h.append("2.0.0", "2222222bbbb", History.DEPLOYED, "previous 1.0.0");
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
        assertTrue(missing.err().contains("slipway: release 9.9.9 is not retained; retained: 1.0.0, 2.0.0\n"), missing.toString());
        CliRunner.Run noRevision = CliRunner.run("rollback", dir.toString(), "--revision", "7");
        assertEquals(2, noRevision.code(), noRevision.toString());
        assertTrue(noRevision.err().contains("no revision 7 in the history of svc on local (revisions: [1, 2])"), noRevision.toString());
        CliRunner.Run current = CliRunner.run("rollback", dir.toString(), "--revision", "2");
        assertEquals(2, current.code(), current.toString());
        assertTrue(current.err().contains("2.0.0 is already the current release"), current.toString());
        assertEquals(2, CliRunner.run("rollback", dir.toString(), "--version", "1.0.0", "--revision", "1").code());
        unchanged();

        CliRunner.Run dry = CliRunner.run("rollback", dir.toString(), "--revision", "1", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().startsWith("rollback svc 1.0.0 to local\n  current 2.0.0\n"), dry.out());
        assertTrue(dry.out().contains(". switch current -> releases/1.0.0\n"), dry.out());
        assertTrue(dry.out().endsWith("dry run: nothing was changed\n"), dry.out());
        unchanged();
    }

    @Test
    void theOldSpellingsStillWorkAndWarn() throws Exception {
        CliRunner.Run old = CliRunner.run("rollback", dir.toString(), "--to", "9.9.9");
        assertEquals(2, old.code(), old.toString());
        assertTrue(old.err().startsWith("slipway: warning: 'rollback --to 9.9.9' is deprecated: --to names the target;"
                + " use '--version 9.9.9'\n"), old.toString());
        assertTrue(old.err().contains("slipway: release 9.9.9 is not retained"), old.toString());
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
        assertTrue(planned.path("steps").toString().contains("switch: switch current -> releases/1.0.0"), planned.toString());

        CliRunner.Run refused = CliRunner.run("rollback", dir.toString(), "--version", "9.9.9", "--json");
        assertEquals(2, refused.code(), refused.toString());
        JsonNode r = json(refused);
        assertEquals(2, r.path("exitCode").asInt());
        assertEquals("usage or configuration error; nothing changed", r.path("exitMeaning").asText());
        assertEquals("release 9.9.9 is not retained; retained: 1.0.0, 2.0.0", r.path("message").asText());
        assertEquals("local", r.path("target").asText());
        assertEquals("svc", r.path("service").asText());
        assertTrue(refused.err().contains("slipway: release 9.9.9 is not retained"), "the error still goes to stderr");

        CliRunner.Run notBuilt = CliRunner.run("deploy", dir.toString(), "--json");
        assertEquals(2, notBuilt.code(), notBuilt.toString());
        assertEquals(2, json(notBuilt).path("exitCode").asInt());
        assertEquals("deploy", json(notBuilt).path("action").asText());
        CliRunner.Run noHosts = CliRunner.run("deploy", dir.toString(), "--to", "hosts", "--dry-run", "--json");
        assertEquals(2, noHosts.code(), noHosts.toString());
        assertTrue(json(noHosts).path("message").asText().contains("no 'deploy.hosts' section"), noHosts.toString());
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservce: {}\n");
        CliRunner.Run badConfig = CliRunner.run("ship", dir.toString(), "--json");
        assertEquals(2, badConfig.code(), badConfig.toString());
        assertTrue(json(badConfig).path("message").asText().contains("unknown key 'servce'"), badConfig.toString());
        assertTrue(json(badConfig).path("service").isNull(), badConfig.toString());
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        unchanged();
    }

    @Test
    void historyHasTheSameColumnsOnEveryTarget() {
        CliRunner.Run h = CliRunner.run("history", dir.toString());
        assertEquals(0, h.code(), h.toString());
        List<String> lines = h.out().lines().toList();
        assertTrue(lines.get(0).matches("REVISION +VERSION +COMMIT +TIME +OUTCOME +NOTE"), lines.get(0));
        assertTrue(lines.get(2).matches("2 +2\\.0\\.0 +2222222 +\\S+ +deployed +previous 1\\.0\\.0"), lines.get(2));
    }
}

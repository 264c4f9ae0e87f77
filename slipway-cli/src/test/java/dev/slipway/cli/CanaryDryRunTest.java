package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canary}, {@code promote} and {@code abort} with {@code --dry-run} on the local canary
 * target: each says what it would do (as text, or one JSON report with outcome {@code planned}),
 * refuses what the command would refuse (exit 2), and changes nothing: no instance, no state file,
 * no lock, no nginx file. No nginx or Prometheus is needed, since nothing is reached.
 */
class CanaryDryRunTest {
    @TempDir
    Path dir;

    private Path service() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                version: 2.0.0
                service: {port: 18080}
                canary:
                  prometheus: http://127.0.0.1:9
                  scrapeInterval: 5s
                  steps:
                    - {weight: 10, analysis: true}
                    - {weight: 50, pause: 30s}
                  metrics:
                    - {name: error-rate}
                  nginx: {config: nginx/upstream.conf}
                  local: {stable: [127.0.4.1], canary: [127.0.4.2]}
                """);
        Path exe = Files.createDirectories(dir.resolve("dist")).resolve("svc");
        Files.writeString(exe, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve(dev.slipway.artifact.ArtifactsFile.PATH), """
                {"name": "svc", "version": "2.0.0", "commit": "c0ffee", "artifacts": [
                  {"kind": "single-file", "platform": "%s", "path": "dist/svc", "sha256": "%s"}]}
                """.formatted(dev.slipway.build.Platform.host(), dev.slipway.util.Hashing.sha256(exe)));
        return dir;
    }

    private List<String> stateFiles() throws Exception {
        Path state = dir.resolve(".slipway");
        if (!Files.exists(state)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(state)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void eachCanaryCommandSaysWhatItWouldDoAndChangesNothing() throws Exception {
        Path svc = service();
        // No stable release yet: the first release goes to the stable instances directly.
        CliRunner.Run first = CliRunner.run("canary", svc.toString(), "--dry-run");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().startsWith("no stable release on local yet: deploy 2.0.0 to the stable instances directly"),
                first.out());
        assertTrue(first.out().endsWith("dry run: nothing was changed\n"), first.out());
        assertEquals(List.of(), stateFiles(), "a dry run made no state");

        // A stable release (as a canary run records it): the canary's start and every step.
        Path canaryDir = Files.createDirectories(svc.resolve(".slipway/local/canary"));
        Files.writeString(canaryDir.resolve("stable.version"), "1.0.0\n");
        CliRunner.Run r = CliRunner.run("canary", svc.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("start the canary of 2.0.0 beside stable 1.0.0 at weight 0, then wait one scrape"
                + " interval (5.0 s)\n"), r.out());
        assertTrue(r.out().contains("  1. weight 10 %: analysis\n  2. weight 50 %: pause 30.0 s\n"
                + "  3. promote: the canary's release to the stable instances\n"), r.out());

        CliRunner.Run json = CliRunner.run("canary", svc.toString(), "--dry-run", "--json");
        assertEquals(0, json.code(), json.toString());
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertEquals("local", n.path("target").asText());
        assertEquals("canary", n.path("action").asText());
        assertEquals("2.0.0", n.path("version").asText());
        assertEquals("planned", n.path("outcome").asText());
        assertEquals(0, n.path("exitCode").asInt());
        assertEquals(3, n.path("steps").size(), n.toString());

        // Nothing in progress: promote and abort would be refused, and are (exit 2).
        for (String command : List.of("promote", "abort")) {
            CliRunner.Run refused = CliRunner.run(command, svc.toString(), "--dry-run");
            assertEquals(2, refused.code(), refused.toString());
            assertTrue(refused.err().contains("no canary in progress on local to " + command), refused.err());
        }
        // Swarm's canary needs the tasks on the node's network with port prefixes (a proxy in front of
        // both services); without them it is refused before the engine is asked; a mistyped target
        // names the closest one.
        CliRunner.Run swarm = CliRunner.run("canary", svc.toString(), "--to", "swarm", "--dry-run");
        assertEquals(2, swarm.code(), swarm.toString());
        assertTrue(swarm.err().contains("a canary on swarm needs deploy.swarm.network: host and portPrefixes"), swarm.err());
        assertTrue(swarm.err().contains("nothing was changed"), swarm.err());
        CliRunner.Run typo = CliRunner.run("promote", svc.toString(), "--to", "kubernets");
        assertEquals(2, typo.code(), typo.toString());
        assertTrue(typo.err().contains("unknown target 'kubernets'; did you mean 'kubernetes'?"), typo.err());
        assertEquals(List.of(".slipway/local/canary/stable.version"), stateFiles(), "no dry run wrote anything");
        assertFalse(Files.exists(svc.resolve("nginx")), "nginx's upstream file was not rendered");
    }

    @Test
    void deployWithACanaryActionIsTheCanaryCommandOnAnyCanaryTarget() throws Exception {
        Path svc = service();
        Files.createDirectories(svc.resolve(".slipway/local/canary"));
        Files.writeString(svc.resolve(".slipway/local/canary/stable.version"), "1.0.0\n");
        CliRunner.Run canary = CliRunner.run("canary", svc.toString(), "--dry-run");
        CliRunner.Run deploy = CliRunner.run("deploy", svc.toString(), "--canary", "--dry-run");
        assertEquals(0, deploy.code(), deploy.toString());
        assertEquals(canary.out(), deploy.out(), "deploy --canary plans what canary plans");

        CliRunner.Run json = CliRunner.run("deploy", svc.toString(), "--canary", "--dry-run", "--json");
        assertEquals(0, json.code(), json.toString());
        JsonNode n = new ObjectMapper().readTree(json.out()); // one JSON document, the canary's plan
        assertEquals("canary", n.path("action").asText());
        assertEquals("planned", n.path("outcome").asText());

        // --promote is promote --full; nothing is in progress, so both are refused alike.
        CliRunner.Run promote = CliRunner.run("deploy", svc.toString(), "--promote", "--dry-run");
        assertEquals(2, promote.code(), promote.toString());
        assertTrue(promote.err().contains("no canary in progress on local to promote"), promote.err());
        CliRunner.Run swarm = CliRunner.run("deploy", svc.toString(), "--to", "swarm", "--abort");
        assertEquals(2, swarm.code(), swarm.toString());
        assertTrue(swarm.err().contains("a canary on swarm needs deploy.swarm.network: host and portPrefixes"), swarm.err());
        assertEquals(List.of(".slipway/local/canary/stable.version"), stateFiles(), "nothing was written");
    }
}

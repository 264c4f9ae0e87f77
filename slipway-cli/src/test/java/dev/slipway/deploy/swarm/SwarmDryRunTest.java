package dev.slipway.deploy.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Target;
import dev.slipway.remote.DockerEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dry run on the swarm target without an engine: the plan from slipway.yaml, and why the engine was not read. */
class SwarmDryRunTest {
    static final String IMAGE = "registry.test/myapp@sha256:" + "1".repeat(64);

    @Test
    void withoutAnEngineThePlanComesFromTheConfigurationAndNamesTheCause(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: myapp
                version: 1.0.0
                service: {port: 8080}
                deploy:
                  swarm: {image: "%s", replicas: 2}
                """.formatted(IMAGE));
        SlipwayConfig config = ConfigLoader.loadFromDir(dir);
        Path socket = dir.resolve("no-engine.sock");
        SwarmTarget t = new SwarmTarget(config, new DockerEngine(socket), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false), name -> null);
        Target.DeployRequest request = new Target.DeployRequest(null, Duration.ZERO, true);
        SlipwayException e = assertThrows(SlipwayException.class, () -> t.plan(request));
        assertEquals(1, e.exitCode(), "a deploy needs the engine");
        Target.UnreadPlan unread = t.planUnread(request, e).orElseThrow();
        String text = unread.plan().describe();
        assertTrue(text.startsWith("deploy myapp 1.0.0 to swarm\n"), text);
        assertTrue(text.contains("create or update service myapp: 2 replicas of 1.0.0, update parallelism 1"), text);
        assertTrue(text.contains("(engine not read: no Docker engine at " + socket), text);
        assertEquals(java.util.List.of("apply", "rollout", "record"), unread.plan().steps().stream().map(s -> s.kind().id())
                .toList());
        assertTrue(unread.cause().startsWith("no Docker engine at " + socket) && !unread.cause().contains("\n")
                && unread.cause().endsWith("; the plan above comes from slipway.yaml alone"), unread.cause());
        // Another failure (the engine answered) is not one to plan around.
        assertTrue(t.planUnread(request, SlipwayException.failed("the Docker engine refused GET /services")).isEmpty());
    }

    /**
     * A deploy of the release the service already has waits for its rollout only when the spec is
     * this deploy's: after 'slipway stop' (0 tasks) the same release is sent again, not waited for
     * until rolloutTimeout.
     */
    @Test
    void theSameReleaseAfterAStopIsDeployedAgainNotWaitedFor() throws Exception {
        SwarmSpec.Entry last = new SwarmSpec.Entry(1, "1.0.0", "abc1234", IMAGE, "2026-12-07T12:00:00Z", "deployed", "me@here", "");
        java.util.function.IntFunction<com.fasterxml.jackson.databind.JsonNode> service = replicas ->
                dev.slipway.util.Json.MAPPER.valueToTree(java.util.Map.of("Spec", java.util.Map.of(
                        "Labels", java.util.Map.of(SwarmSpec.VERSION, "1.0.0"),
                        "Mode", java.util.Map.of("Replicated", java.util.Map.of("Replicas", replicas)))));
        assertTrue(SwarmTarget.interruptedDeploy(service.apply(3), last, "1.0.0", IMAGE, "deployed", 3),
                "the spec in place: an interrupted deploy, waited for");
        assertFalse(SwarmTarget.interruptedDeploy(service.apply(0), last, "1.0.0", IMAGE, "deployed", 3),
                "stopped (scaled to 0): deployed again");
        assertFalse(SwarmTarget.interruptedDeploy(service.apply(2), last, "1.0.0", IMAGE, "deployed", 3), "replicas changed");
        assertFalse(SwarmTarget.interruptedDeploy(service.apply(3), last, "1.0.1", IMAGE, "deployed", 3), "another release");
        assertFalse(SwarmTarget.interruptedDeploy(null, null, "1.0.0", IMAGE, "deployed", 3), "no service yet");
    }

    /**
     * The same release shipped twice (a Quarkus service, the same commit) said "an interrupted deploy;
     * waiting for its rollout" though nothing had been interrupted: that note is for a rollout Swarm
     * still runs (its update state), and the same release again says so.
     */
    @Test
    void theSpecInPlaceIsAnInterruptedDeployOnlyWhileSwarmStillRollsItOut() {
        java.util.function.Function<String, com.fasterxml.jackson.databind.JsonNode> service = state ->
                dev.slipway.util.Json.MAPPER.valueToTree(state == null ? java.util.Map.of("Spec", java.util.Map.of())
                        : java.util.Map.of("UpdateStatus", java.util.Map.of("State", state)));
        for (String state : new String[] {"updating", "rollback_started"}) {
            String note = SwarmTarget.specInPlaceNote(service.apply(state), "svc", "1.0.0", 4);
            assertTrue(note.contains("already has the spec of 1.0.0 (revision 4) and Swarm is still rolling it out"
                    + " (a deploy that was interrupted); waiting for its rollout"), state + ": " + note);
        }
        for (String state : new String[] {null, "completed"}) {
            String note = SwarmTarget.specInPlaceNote(service.apply(state), "svc", "1.0.0", 4);
            assertTrue(note.contains("(revision 4): the same release again, nothing to send"), state + ": " + note);
            assertFalse(note.contains("interrupted"), note);
        }
    }
}

package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway ship --to swarm} (a target that runs the image) decides where the image of its build
 * goes before it builds. A new user's {@code slipway init && slipway ship --to swarm} on a Quarkus
 * service built, then stopped with "no image to deploy: run 'slipway image'"; after that, the next
 * ship's build started a new {@code dist/artifacts.json} without the image and stopped the same way,
 * so ship could never deploy to an image target. Now ship builds the image and pushes it
 * ({@code --push}, else {@code image.repository}); with neither it stops before building and says
 * what to give. The real engine's part (ship pushes and Swarm rolls out what it pushed) is in
 * {@link SwarmTargetTest}.
 */
class ShipImageTargetTest {
    @TempDir
    Path tmp;

    /** A service whose build command only leaves a mark, so a test sees whether ship built. */
    private Path service(String extra) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc" + System.nanoTime()));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                build:
                  command: ["sh", "-c", "touch built; exit 3"]
                """ + extra);
        return dir;
    }

    @Test
    void shipToSwarmWithNoRegistryStopsBeforeItBuildsAndSaysWhatToGive() throws Exception {
        Path dir = service("");
        CliRunner.Run r = CliRunner.run("ship", dir.toString(), "--to", "swarm");
        refusedBeforeBuilding(dir, r, "has no registry to push it to: give --push REGISTRY/REPOSITORY");
        assertTrue(r.err().contains("or set image.repository in slipway.yaml; nothing was built or changed"), r.toString());
        assertFalse(r.err().contains("Exception"), r.toString());
    }

    /** Exit 2 with {@code message}, and the build command never ran. */
    private static void refusedBeforeBuilding(Path dir, CliRunner.Run r, String message) {
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(message), r.toString());
        assertFalse(Files.exists(dir.resolve("built")), "nothing was built: " + r);
    }

    /** A service with no port: the image targets do not run it, so ship says so before a build and a push. */
    @Test
    void aServiceWithNoPortIsRefusedOnAnImageTargetBeforeItBuilds() throws Exception {
        Path dir = service("""
                service:
                  readiness: {type: process}
                image:
                  repository: 127.0.0.1:5000/acme/svc
                """);
        for (String target : new String[] {"swarm", "kubernetes"}) {
            CliRunner.Run r = CliRunner.run("ship", dir.toString(), "--to", target, "--push", "127.0.0.1:1/acme/svc");
            refusedBeforeBuilding(dir, r, "service.readiness.type is process (a service with no port): the " + target
                    + " target does not run such services yet");
            assertFalse(r.err().contains("Exception"), r.toString());
        }
    }

    @Test
    void pushIsRefusedOnATargetThatRunsTheSingleFile() throws Exception {
        Path dir = service("");
        refusedBeforeBuilding(dir, CliRunner.run("ship", dir.toString(), "--push", "127.0.0.1:5000/acme/svc"),
                "--push is for a target that runs the image (swarm, kubernetes); --to local deploys the single file");
    }

    @Test
    void aRegistryOrAPinnedImageLetsShipBuild() throws Exception {
        Path dir = service("image:\n  repository: 127.0.0.1:5000/acme/svc\n");
        CliRunner.Run r = CliRunner.run("ship", dir.toString(), "--to", "swarm", "--dry-run");
        assertTrue(r.err().contains("would build svc first, then build its image and push it to 127.0.0.1:5000/acme/svc"),
                r.toString());
        assertFalse(Files.exists(dir.resolve("built")), "a dry run builds nothing");

        CliRunner.Run pushed = CliRunner.run("ship", dir.toString(), "--to", "swarm", "--push", "127.0.0.1:5001/other/svc",
                "--dry-run");
        assertTrue(pushed.err().contains("push it to 127.0.0.1:5001/other/svc"), pushed.toString());

        Path pinned = service("deploy:\n  swarm:\n    image: 127.0.0.1:5000/acme/svc@sha256:" + "1".repeat(64) + "\n");
        CliRunner.Run build = CliRunner.run("ship", pinned.toString(), "--to", "swarm");
        assertTrue(Files.exists(pinned.resolve("built")), "with deploy.swarm.image, ship builds and deploys that image: "
                + build);
        assertEquals(1, build.code(), "the build command failed (exit 3): " + build);
    }
}

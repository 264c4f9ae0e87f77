package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with no port ({@code readiness: {type: process}}, a worker) asked for what needs one:
 * the refusal comes first, at {@code service.readiness.type}'s line and column, before whatever the
 * command would have looked for next. {@code deploy --to swarm|kubernetes} said "no image to
 * deploy", and {@code canary} asked for {@code canary.local.stable}, before saying the service
 * cannot run there.
 */
class NoPortRefusalTest {
    @TempDir
    Path dir;

    /** The worker's file: {@code type} is at line 3, column 15. */
    @org.junit.jupiter.api.BeforeEach
    void writeTheWorkersFile() throws java.io.IOException {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservice:\n  readiness: {type: process}\n");
    }

    private void refused(CliRunner.Run r, String message) {
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(dir.resolve("slipway.yaml") + ":3:15: service.readiness.type is process (a service"
                + " with no port): "), "at the key: " + r);
        assertTrue(r.err().contains(message), r.toString());
        assertFalse(r.err().contains("no image to deploy"), r.toString());
        assertFalse(r.err().contains("Exception"), r.toString());
        assertTrue(r.out().isEmpty(), "no plan printed: " + r);
    }

    @Test
    void deployAndRollbackOnAnImageTargetSayTheServiceCannotRunThereFirst() throws Exception {
        Path d = dir;
        for (String target : new String[] {"swarm", "kubernetes"}) {
            for (String[] command : new String[][] {{"deploy", "--dry-run"}, {"deploy"}, {"rollback", "--dry-run"}}) {
                CliRunner.Run r = CliRunner.run(command.length == 1 ? new String[] {command[0], d.toString(), "--to", target}
                        : new String[] {command[0], d.toString(), "--to", target, command[1]});
                refused(r, "the " + target + " target does not run such services yet; deploy it with the local or hosts"
                        + " target; nothing was changed");
            }
        }
    }

    @Test
    void aServiceWithNoPortHasNoCanaryOnAnyTarget() throws Exception {
        Path d = dir;
        for (String target : dev.slipway.canary.CanaryTargets.NAMES) {
            for (String[] command : new String[][] {{"canary"}, {"canary", "--dry-run"}, {"deploy", "--canary"},
                    {"promote"}, {"abort", "--dry-run"}}) {
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command[0], d.toString(), "--to",
                        target));
                args.addAll(java.util.Arrays.asList(command).subList(1, command.length));
                CliRunner.Run r = CliRunner.run(args.toArray(String[]::new));
                refused(r, "a service with no port takes none, so it has no canary on any target");
                assertFalse(r.err().contains("canary.local") || r.err().contains("canary.hosts"), r.toString());
                assertTrue(r.err().contains(target.equals("local") || target.equals("hosts")
                        ? "deploy it with 'slipway deploy --to " + target + "'"
                        : "the " + target + " target does not run such services yet"), r.toString());
            }
        }
        assertFalse(Files.exists(d.resolve("dist")), "nothing was written");
    }
}

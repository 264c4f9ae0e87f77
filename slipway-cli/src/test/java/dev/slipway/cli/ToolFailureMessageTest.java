package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed build command through the CLI: the message starts with the line that says what went
 * wrong, then the last lines, and only {@code --debug} prints the whole output.
 */
class ToolFailureMessageTest {
    @Test
    void buildCommandFailureLeadsWithItsErrorLineAndDebugPrintsEverything(@TempDir Path dir) throws Exception {
        StringBuilder script = new StringBuilder("echo '[ERROR] /src/Main.java:[3,1] class, interface, enum, or record expected';");
        for (int i = 1; i <= 40; i++) {
            script.append("echo 'noise ").append(i).append("';");
        }
        script.append("exit 1");
        Files.writeString(dir.resolve("slipway.yaml"), "name: failing\nbuild:\n  command: [sh, -c, \"" + script + "\"]\n");

        CliRunner.Run run = CliRunner.run("build", dir.toString());
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("slipway: the build command failed with exit code 1 in " + dir.toAbsolutePath()
                + ":\n  [ERROR] /src/Main.java:[3,1] class, interface, enum, or record expected\n"
                + "last 30 lines of the output (--debug prints all 41):\n  noise 11\n"), run.toString());
        assertFalse(run.err().contains("noise 10\n"), "only the last lines without --debug");
        assertFalse(run.err().contains("done in"), "a failed build never says done: " + run);

        CliRunner.Run debug = CliRunner.run("--debug", "build", dir.toString());
        assertEquals(1, debug.code());
        assertTrue(debug.err().contains("--- the whole output of the failed tool ---\n[ERROR] /src/Main.java"), debug.toString());
        assertTrue(debug.err().contains("noise 1\nnoise 2\n"), debug.toString());
    }

    @Test
    void aMissingBuildToolIsNamedAndNeverReportedDone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: notool\nbuild:\n  command: [no-such-build-tool-42, package]\n");
        CliRunner.Run run = CliRunner.run("build", dir.toString());
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("cannot run no-such-build-tool-42 (build.command): not found in "), run.toString());
        assertFalse(run.err().contains("done in"), "a build that could not start never says done: " + run);
    }

    /**
     * A build command stopped by a signal (Ctrl-C reaches the whole process group) is said to be
     * interrupted, not to have failed: a new user's finding ("failed with exit code 130").
     */
    @Test
    void aBuildCommandStoppedBySigintIsInterruptedNotFailed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: stopped\nbuild:\n  command: [sh, -c, \"kill -INT $$\"]\n");
        CliRunner.Run run = CliRunner.run("build", dir.toString());
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("slipway: the build command was interrupted (SIGINT, exit code 130) in "
                + dir.toAbsolutePath()), run.toString());
    }
}

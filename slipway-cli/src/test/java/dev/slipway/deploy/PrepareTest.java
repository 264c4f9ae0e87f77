package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Launcher;
import dev.slipway.remote.LocalHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one prepare step over a {@link dev.slipway.remote.Host}, run on this machine with the local
 * target's command: what it runs, in which directory and environment, and what it says.
 */
class PrepareTest {
    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();
    private final Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false);

    private Path file(String name, boolean preparable, String body) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, "#!/bin/sh\n# " + (preparable ? "mode " + Launcher.PREPARE_MARK : "an older stub") + "\n" + body);
        f.toFile().setExecutable(true);
        return f;
    }

    private String shown() {
        return err.toString();
    }

    @Test
    void runsThePreparableFileInItsDirectoryWithItsEnvironmentAndShowsItsLines() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("state"));
        Path f = file("app", true, "echo \"slipway: preparing in $(pwd) as $" + Launcher.PREPARE + " with $GREETING\"\n"
                + "echo \"to stderr\" >&2\n");
        try (LocalHost here = new LocalHost("local")) {
            assertTrue(Prepare.on(here, Prepare.localCommand(f.toString(), work.toString(), Map.of("GREETING", "it's me")),
                    Prepare.TIMEOUT, "1.0.0", "", "nothing was stopped", console));
        }
        assertTrue(shown().contains("    preparing in " + work + " as 1 with it's me\n"), shown());
        assertTrue(shown().contains("    to stderr\n"), shown());
        assertTrue(shown().contains("  prepared 1.0.0 in "), shown());
    }

    @Test
    void aFileThatPredatesThePrepareModeIsNotRun() throws Exception {
        Path ran = tmp.resolve("ran");
        Path f = file("old", false, "touch " + ran + "\n");
        try (LocalHost here = new LocalHost("local")) {
            assertFalse(Prepare.on(here, Prepare.localCommand(f.toString(), tmp.toString(), Map.of()), Prepare.TIMEOUT,
                    "0.9.0", "web1: ", "nothing was stopped", console));
        }
        assertFalse(Files.exists(ran), "an older stub would start the app");
        assertTrue(shown().contains("  web1: 0.9.0 cannot be prepared (its single file predates the prepare mode): its first"
                + " run happens inside the readiness gate"), shown());
        assertFalse(shown().contains(Prepare.NOT_PREPARABLE), shown());
    }

    @Test
    void aFailureNamesTheExitCodeWhatIsUnchangedAndTheLastLines() throws Exception {
        Path f = file("bad", true, "echo 'slipway: cannot unpack: no space left'\nexit 3\n");
        SlipwayException e;
        try (LocalHost here = new LocalHost("local")) {
            e = assertThrows(SlipwayException.class, () -> Prepare.on(here,
                    Prepare.localCommand(f.toString(), tmp.toString(), Map.of()), Prepare.TIMEOUT, "2.0.0", "web1: ",
                    "no host was switched", console));
        }
        assertEquals(1, e.exitCode());
        assertEquals("web1: cannot prepare 2.0.0: its single file exited with 3; no host was switched:\n"
                + "cannot unpack: no space left", e.getMessage());
    }
}

package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cause line of a failed tool's output ({@link Exec#cause}, {@link Exec#summary}) on outputs
 * captured from real runs (under {@code src/test/resources/dev/slipway/build/outputs/}; only the
 * host names in Maven's help links were replaced).
 */
class ExecTest {
    static String captured(String name) throws IOException {
        try (InputStream in = ExecTest.class.getResourceAsStream("outputs/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void jdepsFindExceptionIsTheCauseNotItsStackFrames() throws IOException {
        String out = captured("jdeps-find-exception.txt");
        assertEquals("java.lang.module.FindException: Module jakarta.interceptor not found, required by jakarta.transaction",
                Exec.cause(out));
        String summary = Exec.summary(out, 5);
        assertTrue(summary.startsWith("  java.lang.module.FindException: Module jakarta.interceptor not found"), summary);
        assertFalse(summary.contains("\tat java.base"), "stack frames are folded: " + summary);
        assertTrue(summary.contains("... 10 stack frames"), summary);
    }

    @Test
    void theRootCauseFollowsTheException() throws IOException {
        String out = captured("jdeps-invalid-module.txt");
        assertEquals("java.lang.module.FindException: Error reading module: natives.jar\n"
                + "Caused by: java.lang.module.InvalidModuleDescriptorException: Package com.x.linux not found in module",
                Exec.cause(out));
    }

    @Test
    void mavenCompileErrorNamesTheSourceLineNotTheHeadingOrTheAdvice() throws IOException {
        String out = captured("maven-compile-error.txt");
        assertEquals("[ERROR] /tmp/mvnbad/src/main/java/x/Main.java:[2,59] cannot find symbol", Exec.cause(out));
        String summary = Exec.summary(out, 30);
        assertFalse(summary.contains("\u001B"), "colour codes are removed");
        assertTrue(summary.contains("the output:\n"), summary);
    }

    /**
     * A POM problem: Maven itself prints {@code [ERROR] [ERROR] Some problems...}; the message said
     * that line twice (as the cause and again in the output below it).
     */
    @Test
    void mavenPomProblemIsShownOnceWithTheProblemItIntroduces() throws IOException {
        String out = captured("maven-pom-problems.txt");
        String cause = Exec.cause(out);
        assertEquals("[ERROR] Some problems were encountered while processing the POMs:\n"
                + "[FATAL] Non-resolvable parent POM for com.example.nothere:bad:9.9: Cannot access central", cause.substring(0,
                cause.indexOf(" (https://")));
        String summary = Exec.summary(out, 30);
        assertEquals(1, summary.split("Some problems were encountered", -1).length - 1, summary);
        assertEquals(1, summary.split("\\[FATAL\\] Non-resolvable parent POM", -1).length - 1, summary);
        assertFalse(summary.contains("[ERROR] [ERROR]"), summary);
        assertTrue(summary.startsWith("  [ERROR] Some problems"), summary);
        assertTrue(summary.contains("\nthe rest of the output:\n  [INFO] Scanning for projects...\n   @ \n"
                + "  [ERROR] The build could not read 1 project -> [Help 1]\n"), summary);
    }

    @Test
    void aCauseThatIsTheWholeOutputIsShownOnce() {
        assertEquals("  Error: disk full", Exec.summary("Error: disk full\n", 10));
    }

    @Test
    void mavenDependencyFailureIsOneLineWithoutTheHelpLink() throws IOException {
        String cause = Exec.cause(captured("maven-missing-dependency.txt"));
        assertTrue(cause.startsWith("[ERROR] Failed to execute goal on project bad: Could not resolve dependencies"), cause);
        assertTrue(cause.endsWith("has not been downloaded from it before."), cause);
    }

    @Test
    void jlinkErrorLine() throws IOException {
        assertEquals("java.lang.module.FindException: Module jdk.zipf not found", Exec.cause(captured("jlink-unknown-module.txt")));
    }

    @Test
    void cCompilerError() throws IOException {
        assertEquals("unpack.c:1:10: fatal error: nothere.h: No such file or directory",
                Exec.cause(captured("cc-missing-header.txt")));
    }

    @Test
    void appLogGetsTheFatalExceptionAndItsRootCauseNotTheLogLinesBefore() throws IOException {
        String out = captured("java-app-crash.txt");
        assertEquals("java.lang.IllegalStateException: Failed to start the web server\n"
                + "Caused by: java.util.NoSuchElementException: Unable to find provider supporting jar scheme", Exec.cause(out));
    }

    @Test
    void longOutputShowsTheCauseFirstThenTheLastLines() {
        StringBuilder out = new StringBuilder("Error: the real problem\n");
        for (int i = 0; i < 50; i++) {
            out.append("line ").append(i).append('\n');
        }
        String summary = Exec.summary(out.toString(), 3);
        assertEquals("  Error: the real problem\nlast 3 lines of the output (--debug prints all 51):\n  line 47\n  line 48\n  line 49",
                summary);
    }

    @Test
    void outputWithoutAnErrorLineIsItsTail() {
        assertEquals("", Exec.cause("compiling\ndone\n"));
        assertEquals("  compiling\n  done", Exec.summary("compiling\ndone\n", 10));
    }

    @Test
    void resultOfARealCommandCarriesItsCause(@TempDir Path dir) {
        Exec.Result r = Exec.run(List.of("sh", "-c", "echo working; echo 'Error: disk full' >&2; echo more; exit 3"), dir,
                Duration.ofSeconds(30));
        assertEquals(3, r.exitCode());
        assertEquals("Error: disk full", r.cause());
        assertTrue(r.summary(1).startsWith("  Error: disk full\nlast 1 lines"), r.summary(1));
    }
}

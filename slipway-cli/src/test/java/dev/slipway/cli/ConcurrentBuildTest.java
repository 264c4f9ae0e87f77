package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code slipway build} processes on one service directory at once. They ran two builds into
 * the same {@code target/} and {@code dist/} and failed after minutes (Quarkus'
 * {@code NoSuchFileException: ...runner.tmp}, {@code zip END header not found}). Now the second
 * waits for the first's build lock ({@code <cache>/locks/build-<hash>/lock}), says so, and both succeed in
 * turn: their build commands never overlap.
 */
class ConcurrentBuildTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondBuildWaitsForTheFirstAndBothSucceedInTurn() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tiny"));
        Path src = Files.createDirectories(dir.resolve("src/main/java/tiny"));
        Files.writeString(src.resolve("Main.java"), "package tiny;\npublic class Main {\n"
                + "    public static void main(String[] a) { System.out.println(\"tiny \" + String.join(\" \", a)); }\n}\n");
        Path events = tmp.resolve("events.log");
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        // Rewrites target/ from scratch, slowly, as Maven does: two at once would read each other's half-written jar.
        String command = "echo start >> '" + events + "' && rm -rf target && mkdir -p target/classes"
                + " && '" + bin.resolve("javac") + "' --release 17 -d target/classes src/main/java/tiny/Main.java"
                + " && sleep 3 && '" + bin.resolve("jar") + "' --create --file target/tiny-1.0.jar --main-class tiny.Main"
                + " -C target/classes . && echo end >> '" + events + "'";
        Files.writeString(dir.resolve("slipway.yaml"), "name: tiny\nversion: 1.0.0\nbuild:\n  command: [sh, -c, \""
                + command.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]\ntrain:\n  urls: []\n  args: [training]\n");
        Example.commit(dir);

        Process first = start(dir, "first", "MAVEN_OPTS", "");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!(Files.exists(events) && Files.readString(events).contains("start")) && first.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(events), "the first build command never started:\n" + log(dir, "first"));
        // Another MAVEN_OPTS is another input (BuildInputs), so the second build runs its command too
        // rather than skipping it after the first recorded the same inputs.
        Process second = start(dir, "second", "MAVEN_OPTS", "-Dsecond");
        assertTrue(first.waitFor(10, TimeUnit.MINUTES) && second.waitFor(10, TimeUnit.MINUTES), "a build hung");
        assertEquals(0, first.exitValue(), log(dir, "first"));
        assertEquals(0, second.exitValue(), log(dir, "second"));
        assertEquals(List.of("start", "end", "start", "end"), Files.readAllLines(events), "the build commands overlapped");
        assertTrue(log(dir, "second").contains("waiting for the build of pid " + first.pid() + " to finish"),
                log(dir, "second"));
        assertTrue(Files.isRegularFile(dir.resolve("dist/artifacts.json")));

        // Issue 21: a third build with the second's inputs runs no build command, and says so.
        Process third = start(dir, "third", "MAVEN_OPTS", "-Dsecond");
        assertTrue(third.waitFor(10, TimeUnit.MINUTES), "the third build hung");
        assertEquals(0, third.exitValue(), log(dir, "third"));
        assertEquals(List.of("start", "end", "start", "end"), Files.readAllLines(events), "the third build ran the command");
        assertTrue(log(dir, "third").contains("build command skipped: its inputs"), log(dir, "third"));
    }

    private static Process start(Path dir, String name, String var, String value) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli",
                "build", dir.toString());
        pb.environment().put(var, value);
        return pb.redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    private static String log(Path dir, String name) throws Exception {
        return Files.readString(dir.resolveSibling(name + ".log"));
    }
}

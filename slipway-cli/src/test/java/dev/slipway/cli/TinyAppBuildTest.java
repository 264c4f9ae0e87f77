package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds of a tiny Maven project (no dependencies) by the CLI in a child process.
 *
 * <p>Issue 20, correctness 7: a build under {@code umask 077} gives the same bytes as one under
 * {@code umask 022}. Maven stores file modes in the jars it writes (directories became
 * {@code drwx------}), so the app jar, and with it the training cache key, the single file, the
 * archive and {@code artifacts.json} differed. Built twice, from two copies of one commit; a third
 * copy as a checkout under umask 077 has it (files 0600, which Maven copies into the jar) gets a
 * warning.
 *
 * <p>Issue 16, no C compiler for users: a build on a machine with no C compiler on PATH makes a
 * single file that runs (Slipway carries its unpacker prebuilt).
 *
 * <p>Issue 21, builds that only redo what changed: an unchanged rebuild runs no build command and
 * keeps the single file and archive it wrote (the same bytes, not written again); a changed class
 * does reach the single file; an output touched since it was written is written again, with the
 * same bytes.
 *
 * <p>Issue 20, correctness 9: a build killed with SIGKILL while writing the single file leaves its
 * payload's temporary file; the next build removes it, and {@code dist/.work}.
 */
class TinyAppBuildTest {
    @TempDir
    Path tmp;

    private static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>test</groupId>
              <artifactId>tiny</artifactId>
              <version>1.0</version>
              <properties>
                <maven.compiler.release>17</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <project.build.outputTimestamp>2026-01-01T00:00:00Z</project.build.outputTimestamp>
              </properties>
              <build>
                <plugins>
                  <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                  <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                  <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
                  <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version>
                    <configuration><archive><manifest><mainClass>tiny.Main</mainClass></manifest></archive></configuration></plugin>
                </plugins>
              </build>
            </project>
            """;

    private Path service(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("pom.xml"), POM);
        Path src = Files.createDirectories(dir.resolve("src/main/java/tiny"));
        Files.writeString(src.resolve("Main.java"), "package tiny;\npublic class Main {\n"
                + "    public static void main(String[] a) { System.out.println(\"tiny \" + String.join(\" \", a)); }\n}\n");
        Files.createDirectories(dir.resolve("src/main/resources/tiny"));
        Files.writeString(dir.resolve("src/main/resources/tiny/greeting.txt"), "hello\n");
        Files.writeString(dir.resolve("slipway.yaml"), "name: tiny\nversion: 1.0.0\ntrain:\n  urls: []\n  args: [training]\n");
        Example.commit(dir);
        return dir;
    }

    /** @return the exit code, a newline and the output */
    private static String build(Path dir, String umask) throws Exception {
        Process p = start(dir, umask);
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "timeout\n" + Files.readString(log);
        }
        return p.exitValue() + "\n" + Files.readString(log);
    }

    /** Starts {@code slipway build DIR} under {@code umask}; output to {@code dir/../<name>.log}. */
    private static Process start(Path dir, String umask) throws Exception {
        return start(dir, umask, Map.of());
    }

    /** The same with extra environment variables. */
    private static Process start(Path dir, String umask, Map<String, String> env) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh", javaBin, "-cp",
                System.getProperty("java.class.path"), "dev.slipway.cli.SlipwayCli", "build", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                        new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void aBuildNeedsNoCCompiler() throws Exception {
        Path dir = service("nocc");
        Path path = dev.slipway.Tools.pathWithout(tmp.resolve("path"),
                n -> n.matches("cc|c89|c99|c\\+\\+|g\\+\\+|cpp|gcc.*|.*-gcc(-.*)?|.*-cc|clang.*|tcc"));
        assertTrue(Files.exists(path.resolve("mvn")) && Files.notExists(path.resolve("gcc")) && Files.notExists(path.resolve("cc")));
        Path cache = tmp.resolve("cache");
        Process p = start(dir, "022", Map.of("PATH", path.toString(), "SLIPWAY_CACHE_DIR", cache.toString()));
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), "build over 10 min");
        String log = Files.readString(dir.resolveSibling("nocc.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.notExists(cache.resolve("unpack")), "nothing was compiled into " + cache.resolve("unpack"));
        Path single = dir.resolve("dist/tiny_1.0.0_linux_" + dev.slipway.build.Platform.host().arch() + "/tiny");
        ProcessBuilder runs = new ProcessBuilder(single.toString(), "hello").redirectErrorStream(true);
        runs.environment().put("SLIPWAY_CACHE_DIR", tmp.resolve("run-cache").toString());
        Process run = runs.start();
        String out = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(run.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
        assertEquals(0, run.exitValue(), out);
        assertEquals("tiny hello\n", out);
    }

    /**
     * The output directory holds one build, as {@code go build} replaces its binary: a build of
     * another version removes the single file (with its directory) and archive the previous
     * {@code artifacts.json} named, and leaves every other file there alone.
     */
    @Test
    void aBuildOfAnotherVersionReplacesThePreviousBuildsFiles() throws Exception {
        Path dir = service("replace");
        String arch = dev.slipway.build.Platform.host().arch();
        var first = CliRunner.run("build", dir.toString());
        assertEquals(0, first.code(), first.toString());
        Path oldFile = dir.resolve("dist/tiny_1.0.0_linux_" + arch + "/tiny");
        Path oldArchive = dir.resolve("dist/tiny_1.0.0_linux_" + arch + ".tar.gz");
        assertTrue(Files.isRegularFile(oldFile) && Files.isRegularFile(oldArchive));
        Path mine = Files.writeString(dir.resolve("dist/notes.txt"), "a user's own file\n");

        var second = CliRunner.run("build", dir.toString(), "--version", "1.1.0");
        assertEquals(0, second.code(), second.toString());
        assertTrue(Files.isRegularFile(dir.resolve("dist/tiny_1.1.0_linux_" + arch + "/tiny")), second.toString());
        assertTrue(Files.notExists(oldFile.getParent()), "the previous single file's directory went with it: " + second);
        assertTrue(Files.notExists(oldArchive), second.toString());
        assertTrue(Files.isRegularFile(mine), "a file no build wrote stays");
        assertTrue(second.err().contains("  removed the previous build's tiny_1.0.0_linux_" + arch + "/tiny, tiny_1.0.0_linux_"
                + arch + ".tar.gz from dist"), second.err());

        var same = CliRunner.run("build", dir.toString(), "--version", "1.1.0");
        assertEquals(0, same.code(), same.toString());
        assertTrue(Files.isRegularFile(dir.resolve("dist/tiny_1.1.0_linux_" + arch + "/tiny")), "the same names: kept");
        assertFalse(same.err().contains("removed the previous build's"), same.err());
    }

    private static Map<String, String> digests(Path dist) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dist)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dist.relativize(p).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    @Test
    void umask077BuildsTheSameBytesAsUmask022() throws Exception {
        Path open = service("open");
        Path closed = service("closed");
        String a = build(open, "022");
        assertTrue(a.startsWith("0\n"), a);
        String b = build(closed, "077");
        assertTrue(b.startsWith("0\n"), b);
        Map<String, String> x = digests(open.resolve("dist"));
        Map<String, String> y = digests(closed.resolve("dist"));
        assertTrue(x.keySet().stream().anyMatch(n -> n.endsWith(".tar.gz")), x.toString());
        assertEquals(x, y, "dist/ under umask 022 vs 077");
        assertTrue(!a.contains("warning") && !b.contains("warning"), a + b);

        // A checkout made under umask 077 (files 0600) puts those modes into the jar: said, not hidden.
        Path checkout = service("checkout");
        Process chmod = new ProcessBuilder("chmod", "-R", "go-rwx", checkout.toString()).start();
        assertEquals(0, chmod.waitFor());
        String c = build(checkout, "077");
        assertTrue(c.startsWith("0\n"), c);
        assertTrue(c.contains("  warning: tiny-1.0.jar has 2 entries only their owner may read (tiny/greeting.txt, ...):"
                + " the build copied files of a checkout made under umask 077"), c);
    }

    /** Runs the single file of the tiny service in {@code dir} with {@code args}; returns its output. */
    private String run(Path dir, String... args) throws Exception {
        Path single = dir.resolve("dist/tiny_1.0.0_linux_" + dev.slipway.build.Platform.host().arch() + "/tiny");
        List<String> command = new java.util.ArrayList<>(List.of(single.toString()));
        command.addAll(List.of(args));
        ProcessBuilder runs = new ProcessBuilder(command).redirectErrorStream(true);
        runs.environment().put("SLIPWAY_CACHE_DIR", tmp.resolve("run-cache").toString());
        Process run = runs.start();
        String out = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(run.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
        assertEquals(0, run.exitValue(), out);
        return out;
    }

    @Test
    void anUnchangedRebuildKeepsItsOutputsAndAChangedClassReachesTheSingleFile() throws Exception {
        Path dir = service("rebuilt");
        String first = build(dir, "022");
        assertTrue(first.startsWith("0\n"), first);
        assertTrue(first.contains("writing linux-"), first);
        Map<String, String> built = digests(dir.resolve("dist"));
        Path single = dir.resolve("dist/tiny_1.0.0_linux_" + dev.slipway.build.Platform.host().arch() + "/tiny");
        long mtime = Files.getLastModifiedTime(single).toMillis();

        String unchanged = build(dir, "022");
        assertTrue(unchanged.startsWith("0\n"), unchanged);
        assertTrue(unchanged.contains("build command skipped: its inputs"), "no Maven run:\n" + unchanged);
        assertTrue(unchanged.contains("single file and archive kept: what they are made of did not change"), unchanged);
        assertTrue(!unchanged.contains("writing linux-"), unchanged);
        assertEquals(built, digests(dir.resolve("dist")), "an unchanged rebuild");
        assertEquals(mtime, Files.getLastModifiedTime(single).toMillis(), "the single file was not written again");

        // An output touched since it was written: written again, to the same bytes.
        Files.setLastModifiedTime(single, java.nio.file.attribute.FileTime.fromMillis(mtime - 60_000));
        String touched = build(dir, "022");
        assertTrue(touched.startsWith("0\n"), touched);
        assertTrue(touched.contains("writing linux-"), touched);
        assertEquals(built, digests(dir.resolve("dist")), "a rebuild after the single file was touched");

        // One class changed (not committed: the build time, the commit's, stays): the build command
        // runs, and the single file runs the new class.
        Files.writeString(dir.resolve("src/main/java/tiny/Main.java"), "package tiny;\npublic class Main {\n"
                + "    public static void main(String[] a) { System.out.println(\"changed \" + String.join(\" \", a)); }\n}\n");
        String changed = build(dir, "022");
        assertTrue(changed.startsWith("0\n"), changed);
        assertTrue(!changed.contains("build command skipped") && !changed.contains("kept: what"), changed);
        if (changed.contains("dumping the AppCDS archive")) {
            // JDK 17-19: the class list names classes, whose names did not change; the archive is
            // dumped again from the new jar, and the run below is of the new class.
            assertTrue(changed.contains("startup cache from the training cache"), changed);
        }
        assertEquals("changed hello\n", run(dir, "hello"));
        Map<String, String> after = digests(dir.resolve("dist"));
        assertTrue(!after.get(dir.resolve("dist").relativize(single).toString()).equals(
                built.get(dir.resolve("dist").relativize(single).toString())), "the single file changed");
        String json = Files.readString(dir.resolve("dist/artifacts.json"));
        assertTrue(json.contains(after.get(dir.resolve("dist").relativize(single).toString())),
                "artifacts.json has the new single file's sha256:\n" + json);
    }

    @Test
    void theNextBuildRemovesWhatABuildKilledWhileWritingLeft() throws Exception {
        Path dir = service("killed");
        Process p = start(dir, "022");
        Path dist = dir.resolve("dist");
        Path payload = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        while (payload == null && p.isAlive() && System.nanoTime() < deadline) {
            payload = leftovers(dist).stream().filter(f -> f.getFileName().toString().startsWith(".payload"))
                    .findFirst().orElse(null);
            Thread.sleep(5);
        }
        assertTrue(payload != null, "never saw the payload being written:\n"
                + Files.readString(dir.resolveSibling("killed.log")));
        new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
        p.waitFor();
        assertTrue(Files.exists(payload), "the kill left " + payload);
        assertTrue(Files.isDirectory(dist.resolve(".work")), "and dist/.work");
        String again = build(dir, "022");
        assertTrue(again.startsWith("0\n"), again);
        assertEquals(List.of(), leftovers(dist), "left over after the next build");
        assertTrue(Files.notExists(dist.resolve(".work")));
    }

    /** @return temporary files of a build under {@code dist}, one directory level down at most */
    private static List<Path> leftovers(Path dist) throws java.io.IOException {
        if (!Files.isDirectory(dist)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dist, 2)) {
            return s.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(".payload") || n.startsWith(".runtime") || n.endsWith(".tmp");
            }).toList();
        }
    }
}

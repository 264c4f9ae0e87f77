package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single file's first-run dump of a JDK 17-19 AppCDS archive (unpack.c) and its prepare mode
 * ({@code SLIPWAY_PREPARE=1}): the real unpacker and stub, with {@code runtime/bin/java} replaced
 * by a script that records how it was called, so that success, failure and the launcher's choice
 * can be checked without a JDK; and the prepare mode of a real JDK 17 single file of a tiny app.
 */
class FirstRunDumpTest {
    /** Dump mode writes the archive (or fails when the layout says so); run mode prints its arguments. */
    private static final String FAKE_JAVA = """
            #!/bin/sh
            here=$(cd "$(dirname "$0")/../.." && pwd)
            dump=; out=
            for a in "$@"; do
              case $a in
                -Xshare:dump) dump=1 ;;
                -XX:SharedArchiveFile=*) out=${a#-XX:SharedArchiveFile=} ;;
              esac
            done
            if [ -n "$dump" ]; then
              printf '%s\\n' "cwd=$(pwd)" "$@" >"$here/dump-called"
              echo dump >>"$here/dump-count"
              if [ -f "$here/app/slow-dump" ]; then sleep 2; fi
              echo "noise on stdout"; echo "noise on stderr" >&2
              if [ -f "$here/app/fail-dump" ]; then exit 3; fi
              if [ -f "$here/app/crash-dump" ]; then printf partial >"$out"; kill -9 $$; fi
              printf 'archive' >"$out"
              exit 0
            fi
            printf 'run:%s\\n' "$@"
            """;

    private static Path singleFile(Path work, String variant) throws Exception {
        Path layout = work.resolve(variant + "-layout");
        Files.createDirectories(layout.resolve("runtime/bin"));
        Files.createDirectories(layout.resolve("app"));
        Files.createDirectories(layout.resolve("bin"));
        Path java = layout.resolve("runtime/bin/java");
        Files.writeString(java, FAKE_JAVA);
        Files.setPosixFilePermissions(java, Launcher.EXECUTABLE);
        Files.writeString(layout.resolve("app/app.jar"), "jar");
        Files.writeString(layout.resolve("app/app.classlist"), "java/lang/Object\n");
        List<String> cp = List.of("app/app.jar");
        Files.writeString(layout.resolve(Training.DUMP_ARGS), Training.dumpArguments(List.of("-Xmx64m"), cp));
        if (!variant.equals("ok") && !variant.startsWith("prepare")) {
            Files.writeString(layout.resolve("app/" + variant + "-dump"), "");
        }
        Launcher.Spec spec = new Launcher.Spec("fake", "1.0.0", Platform.host(), "example.Main", cp,
                Training.launcherOptions(17), Instant.parse("2026-01-01T00:00:00Z"));
        Path member = work.resolve(variant + "-runtime.zst");
        try (OutputStream os = Files.newOutputStream(member)) {
            Launcher.writeRuntimeMember(layout.resolve("runtime"), os);
        }
        Path out = work.resolve(variant + "/fake");
        Files.createDirectories(out.getParent());
        Launcher.writeSingleFile(spec, layout, Unpacker.forPlatform(Platform.host(), work.resolve("slipway-cache")),
                member, out);
        return out;
    }

    private record Run(int code, String out, String err) {}

    private static Run run(Path exe, Path cache, boolean verbose) throws Exception {
        return run(exe, cache, verbose, false);
    }

    private static Run prepare(Path exe, Path cache) throws Exception {
        return run(exe, cache, false, true);
    }

    private static Run run(Path exe, Path cache, boolean verbose, boolean prepare) throws Exception {
        return start(exe, cache, verbose, prepare).call();
    }

    /** Starts the single file; {@code call()} waits for it. */
    private static java.util.concurrent.Callable<Run> start(Path exe, Path cache, boolean verbose, boolean prepare)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "hello");
        pb.environment().put("SLIPWAY_CACHE_DIR", cache.toString());
        pb.environment().remove("JAVA_OPTS");
        if (prepare) {
            pb.environment().put(Launcher.PREPARE, "1");
        } else {
            pb.environment().remove(Launcher.PREPARE);
        }
        if (verbose) {
            pb.environment().put("SLIPWAY_VERBOSE", "1");
        } else {
            pb.environment().remove("SLIPWAY_VERBOSE");
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path err = Files.createTempFile(cache.getParent(), "err", ".txt");
        Path out = Files.createTempFile(cache.getParent(), "out", ".txt");
        pb.redirectError(err.toFile());
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        return () -> {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the single file ran over 120 s");
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        };
    }

    private static Path home(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache.resolve("run"))) {
            return s.filter(p -> p.getFileName().toString().matches("fake-[0-9a-f]{16}")).findFirst().orElseThrow();
        }
    }

    private static List<String> leftovers(Path home) throws Exception {
        try (Stream<Path> s = Files.list(home.resolve("app"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("app.jsa.tmp")).toList();
        }
    }

    @Test
    void theFirstRunDumpsTheArchiveAtTheFinalPathQuietlyAndEveryRunPassesIt(@TempDir Path work) throws Exception {
        Tools.require("cc");
        Path exe = singleFile(work, "ok");
        Path cache = work.resolve("cache");
        Run first = run(exe, cache, false);
        assertEquals(0, first.code(), first.toString());
        assertEquals("", first.err(), "the dump's output reaches nobody");
        Path home = home(cache);
        Path archive = home.resolve("app/app.jsa");
        assertEquals("archive", Files.readString(archive));
        assertTrue(first.out().contains("run:-XX:SharedArchiveFile=" + archive + "\n"), first.out());
        assertFalse(first.out().contains("noise"), first.out());
        assertEquals("noise on stdout\nnoise on stderr\n", Files.readString(home.resolve("app/app.jsa.log")),
                "the dump's output is kept beside the archive");
        assertTrue(first.out().endsWith("run:example.Main\nrun:hello\n"), first.out());

        List<String> dumpArgs = Files.readAllLines(home.resolve("dump-called"));
        String pid = dumpArgs.get(dumpArgs.size() - 1).replaceAll(".*\\.tmp\\.", "");
        assertEquals(List.of("cwd=" + home, "-Xmx64m", "-Xshare:dump", "-XX:SharedClassListFile=" + home + "/app/app.classlist",
                "-cp", home + "/app/app.jar", "-XX:SharedArchiveFile=" + archive + ".tmp." + pid), dumpArgs,
                "@HOME@ stands for the final directory, and the archive is written beside its name, then renamed");
        assertTrue(pid.matches("\\d+"), pid);
        assertEquals(List.of(), leftovers(home));

        Files.delete(home.resolve("dump-called"));
        Run second = run(exe, cache, true);
        assertEquals(0, second.code(), second.toString());
        assertEquals("", second.err(), "a warm run neither unpacks nor dumps");
        assertFalse(Files.exists(home.resolve("dump-called")));
        assertTrue(second.out().contains("run:-XX:SharedArchiveFile=" + archive + "\n"), second.out());
    }

    @Test
    void aDumpThatFailsOrCrashesLeavesNoArchiveAndTheAppStillStarts(@TempDir Path work) throws Exception {
        Tools.require("cc");
        for (String variant : List.of("fail", "crash")) {
            Path exe = singleFile(work, variant);
            Path cache = work.resolve(variant + "-cache");
            Run first = run(exe, cache, true);
            assertEquals(0, first.code(), first.toString());
            assertTrue(first.err().contains(variant.equals("fail")
                    ? "slipway: class-data archive not made: the dump exited with 3"
                    : "slipway: class-data archive not made: the dump died of signal 9"), first.err());
            Path home = home(cache);
            assertTrue(Files.exists(home.resolve("dump-called")), "the dump ran");
            assertFalse(Files.exists(home.resolve("app/app.jsa")));
            assertTrue(Files.readString(home.resolve("app/app.jsa.failed")).startsWith(variant.equals("fail")
                    ? "the dump exited with 3" : "the dump died of signal 9"), "the reason is kept");

            // The prepare mode does not try a failed dump again, and says why.
            Run again = prepare(exe, cache);
            assertEquals(0, again.code(), again.toString());
            assertTrue(again.err().contains("slipway: the class-data archive was not made before and is not tried again (see "
                    + home + "/app/app.jsa.failed)"), again.err());
            assertEquals(1, Files.readAllLines(home.resolve("dump-count")).size(), "one dump in all");
            assertEquals(List.of(), leftovers(home), "no partial archive is left");
            assertFalse(first.out().contains("SharedArchiveFile"), "without the archive the option is left out:\n" + first.out());
            assertTrue(first.out().contains("run:example.Main\nrun:hello\n"), first.out());

            Run quiet = run(exe, work.resolve(variant + "-cache2"), false);
            assertEquals(0, quiet.code(), quiet.toString());
            assertEquals("", quiet.err(), "a failed dump is silent without SLIPWAY_VERBOSE");
        }
    }

    @Test
    void thePrepareModeUnpacksAndDumpsReportsEachStepAndNeverStartsTheApp(@TempDir Path work) throws Exception {
        Tools.require("cc");
        Path exe = singleFile(work, "prepare");
        Path cache = work.resolve("cache");
        assertTrue(Launcher.preparable(exe), "a new stub has the prepare mode");

        Run first = prepare(exe, cache);
        assertEquals(0, first.code(), first.toString());
        assertEquals("", first.out(), "the app does not run");
        Path home = home(cache);
        assertEquals("archive", Files.readString(home.resolve("app/app.jsa")));
        List<String> err = first.err().lines().toList();
        assertEquals("slipway: preparing fake 1.0.0 (unpack, class-data archive); the app is not started", err.get(0), first.err());
        assertEquals("slipway: unpacking into " + home + " ...", err.get(1), first.err());
        assertTrue(err.get(2).matches("slipway: unpacked into " + java.util.regex.Pattern.quote(home.toString()) + " in \\d+ ms"),
                first.err());
        assertEquals("slipway: dumping the class-data archive from 1 trained classes (once per release; JDK 17-19) ...",
                err.get(3), first.err());
        assertTrue(err.get(4).matches("slipway: dumped the class-data archive " + java.util.regex.Pattern.quote(home.toString())
                + "/app/app.jsa in \\d+ ms \\(0\\.0 MB\\)"), first.err());
        assertEquals("slipway: fake 1.0.0 is prepared in " + home, err.get(5), first.err());
        assertEquals(6, err.size(), first.err());

        // Idempotent: a second prepare finds both and changes nothing.
        Run second = prepare(exe, cache);
        assertEquals(0, second.code(), second.toString());
        assertEquals("", second.out());
        assertTrue(second.err().contains("slipway: already unpacked in " + home + "\n"), second.err());
        assertTrue(second.err().contains("slipway: the class-data archive is there: " + home + "/app/app.jsa\n"), second.err());
        assertEquals(1, Files.readAllLines(home.resolve("dump-count")).size(), "dumped once");

        // The first real run is a warm one: no unpacking, no dump, the archive passed.
        Run app = run(exe, cache, true);
        assertEquals(0, app.code(), app.toString());
        assertEquals("", app.err(), "nothing left to do on the first run");
        assertTrue(app.out().contains("run:-XX:SharedArchiveFile=" + home + "/app/app.jsa\n"), app.out());
        assertEquals(1, Files.readAllLines(home.resolve("dump-count")).size());

        // A dump killed with its unpacker leaves a complete tree with no archive and no reason: runs
        // start without the archive, and the next prepare makes it.
        Files.delete(home.resolve("app/app.jsa"));
        Run without = run(exe, cache, false);
        assertFalse(without.out().contains("SharedArchiveFile"), without.out());
        Run redo = prepare(exe, cache);
        assertEquals(0, redo.code(), redo.toString());
        assertTrue(redo.err().contains("slipway: already unpacked in " + home + "\n"), redo.err());
        assertTrue(redo.err().contains("slipway: dumped the class-data archive " + home + "/app/app.jsa in "), redo.err());
        assertEquals(2, Files.readAllLines(home.resolve("dump-count")).size());
        assertEquals("archive", Files.readString(home.resolve("app/app.jsa")));
    }

    @Test
    void twoPreparesAndAFirstRunAtOnceUnpackAndDumpOnce(@TempDir Path work) throws Exception {
        Tools.require("cc");
        Path exe = singleFile(work, "slow");
        Path cache = work.resolve("cache");
        var a = start(exe, cache, false, true);
        var b = start(exe, cache, false, true);
        var c = start(exe, cache, false, false);
        Run ra = a.call();
        Run rb = b.call();
        Run rc = c.call();
        assertEquals(0, ra.code(), ra.toString());
        assertEquals(0, rb.code(), rb.toString());
        assertEquals(0, rc.code(), rc.toString());
        Path home = home(cache);
        assertEquals(1, Files.readAllLines(home.resolve("dump-count")).size(), "one dump for three runs");
        assertEquals("", ra.out() + rb.out(), "the prepares start no app");
        assertTrue(rc.out().contains("run:example.Main\nrun:hello\n"), rc.out());
        assertTrue((ra.err() + rb.err()).contains("slipway: fake 1.0.0 is prepared in " + home), ra.err() + rb.err());
        assertEquals(List.of(), leftovers(home));
    }

    /**
     * A real JDK 17 single file of a tiny app, built the way Builder builds one: the class list is
     * trained on a class path without the build-info jar, which the launcher puts last. The prepare
     * mode dumps the archive, and the app's classes then come from it.
     */
    /** A JDK 17 layout of a tiny app with its trained class list and dump arguments. */
    private record Tiny(Path layout, List<String> training, Launcher.Spec spec) {}

    private static Tiny tiny(Path work, List<String> dumpOptions) throws Exception {
        Tools.require("cc");
        Path jdk = Path.of(System.getProperty("java.home"));
        if (!Files.isDirectory(jdk.resolve("jmods")) || Runtime.version().feature() != 17) {
            jdk = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        }
        Tools.requireThat(Files.isDirectory(jdk.resolve("jmods")), "a JDK 17 with jmods at " + jdk);
        Path layout = work.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        Files.createDirectories(layout.resolve("bin"));
        exec(work, jdk.resolve("bin/jlink").toString(), "--add-modules", "java.base", "--strip-debug", "--no-header-files",
                "--no-man-pages", "--output", layout.resolve("runtime").toString());
        Path src = work.resolve("src/tiny/Main.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package tiny;
                public class Main {
                    public static void main(String[] args) {
                        System.out.println("tiny " + new java.util.concurrent.ConcurrentSkipListMap<String, String>().size());
                    }
                }
                """);
        exec(work, jdk.resolve("bin/javac").toString(), "-d", work.resolve("classes").toString(), src.toString());
        exec(work, jdk.resolve("bin/jar").toString(), "cf", layout.resolve("app/tiny.jar").toString(), "-C",
                work.resolve("classes").toString(), ".");
        try (OutputStream os = Files.newOutputStream(layout.resolve("app/build-info.jar"))) {
            new BuildInfo("tiny", "1.0.0", "0".repeat(40), "0000000", Instant.parse("2026-01-01T00:00:00Z")).writeJar(os);
        }
        List<String> training = List.of("app/tiny.jar");
        List<String> cp = List.of("app/tiny.jar", "app/build-info.jar");
        exec(work, layout.resolve("runtime/bin/java").toString(), "-Xshare:off",
                "-XX:DumpLoadedClassList=" + layout.resolve(Training.CLASS_LIST), "-cp", layout.resolve("app/tiny.jar").toString(),
                "tiny.Main");
        Files.writeString(layout.resolve(Training.DUMP_ARGS), Training.dumpArguments(dumpOptions, cp));
        Launcher.Spec spec = new Launcher.Spec("tiny", "1.0.0", Platform.host(), "tiny.Main", cp,
                Training.launcherOptions(17), Instant.parse("2026-01-01T00:00:00Z"));
        try (var files = Files.walk(layout.resolve("app"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(spec.time()));
            }
        }
        return new Tiny(layout, training, spec);
    }

    private static Path write(Path work, Tiny t) throws Exception {
        Path member = work.resolve("runtime.zst");
        try (OutputStream os = Files.newOutputStream(member)) {
            Launcher.writeRuntimeMember(t.layout().resolve("runtime"), os);
        }
        Path exe = work.resolve("dist/tiny");
        Files.createDirectories(exe.getParent());
        Launcher.writeSingleFile(t.spec(), t.layout(), Unpacker.forPlatform(Platform.host(), work.resolve("slipway-cache")),
                member, exe);
        return exe;
    }

    private static Path tinyHome(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache.resolve("run"))) {
            return s.filter(p -> p.getFileName().toString().matches("tiny-[0-9a-f]{16}")).findFirst().orElseThrow();
        }
    }

    /** Runs the single file with -Xlog:class+load and asserts that tiny.Main comes from the archive. */
    private static void assertMainFromArchive(Path exe, Path cache, String why) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectErrorStream(true);
        pb.environment().put("SLIPWAY_CACHE_DIR", cache.toString());
        pb.environment().put("JAVA_OPTS", "-Xlog:class+load=info");
        pb.environment().remove(Launcher.PREPARE);
        pb.environment().remove("SLIPWAY_VERBOSE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("tiny 0\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.endsWith("tiny.Main source: shared objects file")), why + ":\n" + out);
    }

    @Test
    void aRealJdk17SingleFileIsPreparedAndItsFirstRunUsesTheArchive(@TempDir Path work) throws Exception {
        Tiny t = tiny(work, List.of());
        Path exe = write(work, t);
        Path cache = work.resolve("cache");
        Run prepared = prepare(exe, cache);
        assertEquals(0, prepared.code(), prepared.toString());
        assertEquals("", prepared.out(), "the app does not run");
        assertTrue(prepared.err().contains("slipway: dumping the class-data archive from "), prepared.err());
        assertTrue(prepared.err().contains("slipway: tiny 1.0.0 is prepared in "), prepared.err());
        Path home = tinyHome(cache);
        assertTrue(Files.size(home.resolve("app/app.jsa")) > 1_000_000, "a static archive in " + home);
        assertMainFromArchive(exe, cache,
                "the app's class comes from the archive, with build-info.jar appended to the trained class path");
    }

    @Test
    void anArchiveDumpedAtBuildTimeIsMappedInATreeUnpackedElsewhereWithoutADump(@TempDir Path work) throws Exception {
        Tiny t = tiny(work, List.of("-Xmx64m"));
        Path built = Training.dumpAtBuild(t.layout(), List.of("-Xmx64m"), t.training(), java.time.Duration.ofMinutes(5));
        assertEquals(t.layout().resolve(Training.BUILT_CDS_FILE), built);
        assertTrue(Files.size(built) > 1_000_000, "a static archive at " + built);
        Files.setLastModifiedTime(built, java.nio.file.attribute.FileTime.from(t.spec().time()));
        Path exe = write(work, t);
        // A cache on another path than the layout the archive was dumped against, as on another machine.
        Path cache = work.resolve("elsewhere/a/deeper/cache");
        Files.createDirectories(cache.getParent());
        Run first = run(exe, cache, true);
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("tiny 0"), first.toString());
        assertTrue(first.err().contains("slipway: the class-data archive made at build time is mapped here"), first.err());
        assertFalse(first.err().contains("dumping"), "no dump on the first run:\n" + first.err());
        Path home = tinyHome(cache);
        assertFalse(Files.exists(home.resolve("app/app.jsa.log")), "no dump ran in " + home);
        assertEquals(Files.readAttributes(home.resolve(Training.BUILT_CDS_FILE), "unix:ino"),
                Files.readAttributes(home.resolve(Training.CDS_FILE), "unix:ino"), "app.jsa is the shipped archive");
        assertMainFromArchive(exe, cache, "the launcher runs with the archive made at build time");
    }

    @Test
    void aTrustedArchiveDumpedAtBuildTimeIsUsedWithoutAJvmCheckAndIsMapped(@TempDir Path work) throws Exception {
        Tiny t = tiny(work, List.of("-Xmx64m"));
        Training.dumpAtBuild(t.layout(), List.of("-Xmx64m"), t.training(), java.time.Duration.ofMinutes(5));
        Files.setLastModifiedTime(t.layout().resolve(Training.BUILT_CDS_FILE),
                java.nio.file.attribute.FileTime.from(t.spec().time()));
        Training.writeTrust(t.layout(), List.of("-Xmx64m"), t.spec().time());
        assertTrue(Files.isRegularFile(t.layout().resolve(Training.BUILT_CDS_TRUST)), "a fixed heap is trusted");
        Path exe = write(work, t);
        Path cache = work.resolve("elsewhere/cache");
        Files.createDirectories(cache.getParent());
        Run first = run(exe, cache, true);
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("tiny 0"), first.toString());
        assertTrue(first.err().contains("slipway: the class-data archive made at build time is used here without a check"),
                first.err());
        Path home = tinyHome(cache);
        assertFalse(Files.exists(home.resolve("app/app.jsa.check.log")), "no JVM checked it in " + home);
        assertFalse(Files.exists(home.resolve("app/app.jsa.log")), "no dump ran in " + home);
        assertEquals(Files.readAttributes(home.resolve(Training.BUILT_CDS_FILE), "unix:ino"),
                Files.readAttributes(home.resolve(Training.CDS_FILE), "unix:ino"), "app.jsa is the shipped archive");
        // The JVM maps it: the app's class comes from it, and with the archive's log on it refuses nothing.
        assertMainFromArchive(exe, cache, "the launcher runs with the trusted archive made at build time");
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectErrorStream(true);
        pb.environment().put("SLIPWAY_CACHE_DIR", cache.toString());
        pb.environment().put("JAVA_OPTS", "-Xshare:on -Xlog:cds=info");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "-Xshare:on fails when the archive cannot be mapped:\n" + out);
        assertTrue(out.contains("tiny 0"), out);
    }

    @Test
    void trustNeedsAHeapThatCannotDifferFromTheBuilds() {
        long gib = 1L << 30;
        assertTrue(Training.trustable(List.of("-XX:+ExitOnOutOfMemoryError"), 16 * gib));
        assertFalse(Training.trustable(List.of(), 128 * gib), "a default heap of 32 GiB turns compressed oops off");
        assertTrue(Training.trustable(List.of("-Xmx2g"), 128 * gib), "a fixed heap does not depend on the memory");
        assertFalse(Training.trustable(List.of(), 0), "unknown memory");
        assertFalse(Training.trustable(List.of("-XX:MaxRAMPercentage=90"), 16 * gib));
        assertFalse(Training.trustable(List.of("-Xmx2g", "-XX:-UseCompressedOops"), 16 * gib));
        assertFalse(Training.trustable(List.of("-XX:ObjectAlignmentInBytes=16"), 16 * gib));
    }

    @Test
    void anArchiveDumpedAtBuildTimeThatTheJvmRefusesIsDumpedOnTheFirstRun(@TempDir Path work) throws Exception {
        // The runs use uncompressed oops (as with a heap over 32 GB), which the build's archive was not made with.
        Tiny t = tiny(work, List.of("-XX:-UseCompressedOops"));
        Training.dumpAtBuild(t.layout(), List.of(), t.training(), java.time.Duration.ofMinutes(5));
        Files.setLastModifiedTime(t.layout().resolve(Training.BUILT_CDS_FILE),
                java.nio.file.attribute.FileTime.from(t.spec().time()));
        Path exe = write(work, t);
        Path cache = work.resolve("cache");
        Run first = run(exe, cache, true);
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.err().contains("slipway: the JVM refuses the class-data archive made at build time here"), first.err());
        assertTrue(first.err().contains("slipway: dumped the class-data archive "), first.err());
        Path home = tinyHome(cache);
        assertTrue(Files.readString(home.resolve("app/app.jsa.check.log")).contains("UseCompressedOops"),
                "the JVM says why in the check's log");
        assertFalse(Files.readAttributes(home.resolve(Training.BUILT_CDS_FILE), "unix:ino")
                .equals(Files.readAttributes(home.resolve(Training.CDS_FILE), "unix:ino")), "app.jsa was dumped here");
        assertTrue(Files.size(home.resolve(Training.CDS_FILE)) > 1_000_000);
    }

    private static void exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    }
}

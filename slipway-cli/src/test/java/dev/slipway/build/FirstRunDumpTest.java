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
 * The single file's first-run dump of a JDK 17-19 AppCDS archive (unpack.c): the real unpacker and
 * stub, with {@code runtime/bin/java} replaced by a script that records how it was called, so that
 * success, failure and the launcher's choice can be checked without a JDK. The real JDK 17 dump is
 * covered by ShipEndToEndTest.
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
        if (!variant.equals("ok")) {
            Files.writeString(layout.resolve("app/" + variant + "-dump"), "");
        }
        Launcher.Spec spec = new Launcher.Spec("fake", "1.0.0", Platform.host(), "example.Main", cp,
                Training.launcherOptions(17), Instant.parse("2026-01-01T00:00:00Z"));
        Path member = work.resolve(variant + "-runtime.gz");
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
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "hello");
        pb.environment().put("SLIPWAY_CACHE_DIR", cache.toString());
        pb.environment().remove("JAVA_OPTS");
        if (verbose) {
            pb.environment().put("SLIPWAY_VERBOSE", "1");
        } else {
            pb.environment().remove("SLIPWAY_VERBOSE");
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path err = Files.createTempFile(cache.getParent(), "err", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the single file ran over 60 s");
        return new Run(p.exitValue(), out, Files.readString(err));
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
                    ? "slipway: class data archive not made: the dump exited with 3"
                    : "slipway: class data archive not made: the dump died of signal 9"), first.err());
            Path home = home(cache);
            assertTrue(Files.exists(home.resolve("dump-called")), "the dump ran");
            assertFalse(Files.exists(home.resolve("app/app.jsa")));
            assertEquals(List.of(), leftovers(home), "no partial archive is left");
            assertFalse(first.out().contains("SharedArchiveFile"), "without the archive the option is left out:\n" + first.out());
            assertTrue(first.out().contains("run:example.Main\nrun:hello\n"), first.out());

            Run quiet = run(exe, work.resolve(variant + "-cache2"), false);
            assertEquals(0, quiet.code(), quiet.toString());
            assertEquals("", quiet.err(), "a failed dump is silent without SLIPWAY_VERBOSE");
        }
    }
}

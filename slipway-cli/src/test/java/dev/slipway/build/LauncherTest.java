package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;

class LauncherTest {
    private static final Launcher.Spec SPEC = new Launcher.Spec("myapp", "1.0.0", new Platform("linux", "amd64"),
            "example.Main", List.of("app/build-info.jar", "app/my app.jar"), List.of("-Xmx64m", "-Dgreeting=it's",
            "-XX:SharedArchiveFile=" + Launcher.HOME + "/app/app.jsa",
            Launcher.whenPresent("app/first run.jsa", "-XX:SharedArchiveFile=" + Launcher.HOME + "/app/first run.jsa")),
            java.time.Instant.EPOCH);

    @Test
    void printfEscapeRoundTripsEveryByteThroughPosixSh(@TempDir Path dir) throws Exception {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i < 256 ? i : (i * 7) % 256);
        }
        // An escape followed by a digit must not swallow it.
        byte[] tricky = {0, '1', 0, '7', '8', '%', 's', '\\', 'n', '\'', 10, '0'};
        // Raw bytes 0x80-0xff, which are not UTF-8 here, through shells in a UTF-8 locale too:
        // bash is /bin/sh on some distributions.
        Tools.require("bash");
        for (byte[] data : List.of(all, tricky)) {
            Path script = dir.resolve("p.sh");
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            text.writeBytes("printf '".getBytes(StandardCharsets.US_ASCII));
            text.writeBytes(Launcher.printfEscape(data));
            text.writeBytes("'\n".getBytes(StandardCharsets.US_ASCII));
            Files.write(script, text.toByteArray());
            for (String shell : List.of("/bin/sh", "bash")) {
                for (String lang : List.of("C", "C.UTF-8")) {
                    ProcessBuilder pb = new ProcessBuilder(shell, script.toString());
                    pb.environment().put("LC_ALL", lang);
                    Process p = pb.start();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    p.getInputStream().transferTo(out);
                    assertEquals(0, p.waitFor(), shell + " " + lang);
                    assertArrayEquals(data, out.toByteArray(), shell + " " + lang);
                }
            }
        }
    }

    @Test
    void stubEscapesOnlyWhatPrintfAndTheQuotesNeed() {
        byte[] unpacker = {0x7f, 'E', 'L', 'F', 2, 1, 0, (byte) 0x80, (byte) 0xff, '%', '\'', '\\', 1, 10};
        byte[] stub = Launcher.stubBytes(SPEC, "myapp-0123456789abcdef", unpacker, 0,
                List.of("runtime/bin/java", "runtime/lib/modules"));
        byte[] expected = {'\'', '\\', '1', '7', '7', 'E', 'L', 'F', 2, '\\', '1', '\\', '0', (byte) 0x80, (byte) 0xff, '%', '%',
                '\\', '4', '7', '\\', '1', '3', '4', '\\', '1', 10, '\''};
        assertTrue(com.google.common.primitives.Bytes.indexOf(stub, expected) > 0, "the unpacker's operand: raw 2, 0x80, 0xff and 10; 0x7f, 1, NUL, %, quote and backslash escaped");
    }

    @Test
    void conditionalOptionsResolveToThePlainOptionOnlyWhenTheirFileIsInTheLayout() {
        List<String> opts = List.of("-Xss1m", Launcher.whenPresent("app/app.jsa", "-XX:SharedArchiveFile=" + Launcher.HOME
                + "/app/app.jsa"), "-Dx=1");
        assertEquals(List.of("-Xss1m", "-Dx=1"), Launcher.resolveWhenPresent(opts, f -> false));
        assertEquals(List.of("-Xss1m", "-XX:SharedArchiveFile=" + Launcher.HOME + "/app/app.jsa", "-Dx=1"),
                Launcher.resolveWhenPresent(opts, "app/app.jsa"::equals));
        List<String> withHome = List.of(Launcher.OPEN_HOME, "-Xss1m");
        assertEquals(withHome, Launcher.resolveWhenPresent(withHome, f -> true),
                "kept for a launcher that opens descriptor 9 (slipway-start -d)");
    }

    @Test
    void stubKeepsItsLengthWhenTheOffsetIsFilledIn() {
        byte[] unpacker = {0x7f, 'E', 'L', 'F', 0, 1, 2};
        String a = Launcher.stub(SPEC, "myapp-0123456789abcdef", unpacker, 0);
        String b = Launcher.stub(SPEC, "myapp-0123456789abcdef", unpacker, 123456789);
        assertEquals(a.getBytes(StandardCharsets.UTF_8).length, b.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(b.contains("slipway_offset='   123456789'"), b);
        assertTrue(b.contains("'/lib64/ld-linux-x86-64.so.2'"), b);
        assertTrue(b.contains("exec \"$slipway_home/runtime/bin/java\" '-Xmx64m' '-Dgreeting=it'\\''s'"
                + " \"-XX:SharedArchiveFile=${slipway_home}/app/app.jsa\" ${slipway_opt1:+\"$slipway_opt1\"} ${JAVA_OPTS:-}"
                + " -cp \"$slipway_home/app/build-info.jar:$slipway_home/app/my app.jar\" 'example.Main' \"$@\""), b);
        assertTrue(b.contains("  if [ -f \"$slipway_home/app/first run.jsa\" ]; then"
                + " slipway_opt1=\"-XX:SharedArchiveFile=${slipway_home}/app/first run.jsa\"; else slipway_opt1=; fi\n"), b);
    }

    @Test
    void stubAndBinScriptPassShellcheck(@TempDir Path dir) throws Exception {
        Tools.require("shellcheck");
        Path stub = dir.resolve("stub.sh");
        Files.writeString(stub, Launcher.stub(SPEC, "myapp-0123456789abcdef", new byte[] {1, 2, 3, '%', '\''}, 4242));
        Path bin = dir.resolve("bin.sh");
        Files.writeString(bin, Launcher.binScript(SPEC));
        Path withReferences = dir.resolve("refs.sh");
        Files.writeString(withReferences, Launcher.stub(showSpec(), "show-0123456789abcdef", new byte[] {1}, 4242));
        for (Path script : List.of(stub, bin, withReferences)) {
            Process p = new ProcessBuilder("shellcheck", "--shell=sh", "--severity=style", script.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), script.getFileName() + ":\n" + out);
        }
    }

    // ---- references in baked options and arguments, through a real JVM -----------------------------

    /** Prints its system properties p.* and then its arguments, one per line, newlines as \\n. */
    private static final String SHOW = """
            public class Show {
                public static void main(String[] args) {
                    for (String k : new String[] {"p.port", "p.addr", "p.home", "p.nasty"}) {
                        System.out.println(k + "=" + String.valueOf(System.getProperty(k)).replace("\\n", "\\\\n"));
                    }
                    for (String a : args) {
                        System.out.println("[" + a.replace("\\n", "\\\\n") + "]");
                    }
                }
            }
            """;

    static final String NASTY = "it's \"q\" $HOME `id` $(id) ${NOPE} a  b * ~ \\ @NAME@ %s";

    /** A layout whose runtime/bin/java runs this JVM and whose app/classes holds Show. */
    static Path showLayout(Path dir) throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("runtime/bin"));
        Files.createDirectories(layout.resolve("app/classes"));
        Files.createDirectories(layout.resolve("bin"));
        Path java = layout.resolve("runtime/bin/java");
        Files.writeString(java, "#!/bin/sh\nexec " + Launcher.singleQuote(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()) + " \"$@\"\n");
        Files.setPosixFilePermissions(java, Launcher.EXECUTABLE);
        Path src = dir.resolve("Show.java");
        Files.writeString(src, SHOW);
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", layout.resolve("app/classes").toString(), src.toString());
        assertEquals(0, rc, "javac Show.java");
        return layout;
    }

    static Launcher.Spec showSpec() {
        return new Launcher.Spec("show", "1.0.0", Platform.host(), "Show", List.of("app/classes"),
                List.of("-Dp.port=${PORT}", "-Dp.addr=${ADDR}", "-Dp.home=${APP_HOME}", "-Dp.nasty=" + NASTY),
                List.of("server", "${APP_HOME}/config.yml", "--bind=${ADDR}:${PORT}", NASTY, "", "line1\nline2", "@HOME@x"),
                9191, java.time.Instant.parse("2026-01-01T00:00:00Z"));
    }

    static List<String> run(Path exe, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("PORT");
        pb.environment().remove("ADDR");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "ran over 60 s");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    static List<String> expected(String port, String addr, String home) {
        return List.of("p.port=" + port, "p.addr=" + addr, "p.home=" + home, "p.nasty=" + NASTY,
                "[server]", "[" + home + "/config.yml]", "[--bind=" + addr + ":" + port + "]", "[" + NASTY + "]", "[]",
                "[line1\\nline2]", "[@HOME@x]", "[user arg]", "[${PORT}]");
    }

    @Test
    void theBinScriptExpandsReferencesFromTheInstancesEnvironmentAndItsOwnDirectory(@TempDir Path dir) throws Exception {
        Path layout = showLayout(dir);
        Path bin = layout.resolve("bin/show");
        Files.writeString(bin, Launcher.binScript(showSpec()));
        Files.setPosixFilePermissions(bin, Launcher.EXECUTABLE);
        String home = layout.toRealPath().toString();
        // The caller's own arguments come after the baked ones and are never expanded.
        assertEquals(expected("41234", "10.1.2.3", home), run(bin, Map.of("PORT", "41234", "ADDR", "10.1.2.3"),
                "user arg", "${PORT}"));
        // Run by hand, without PORT and ADDR: service.port and every interface.
        assertEquals(expected("9191", "0.0.0.0", home), run(bin, Map.of(), "user arg", "${PORT}"));
        // A value with shell syntax is data, not code.
        assertEquals(expected("$(touch pwned)", "`touch pwned`", home), run(bin,
                Map.of("PORT", "$(touch pwned)", "ADDR", "`touch pwned`"), "user arg", "${PORT}"));
        assertTrue(Files.notExists(layout.resolve("pwned")) && Files.notExists(Path.of("pwned")));
    }

    /**
     * Writes the show layout as a single file: its runtime member, then {@code exe}.
     *
     * @return the single file's cache key (its unpacked tree's directory name)
     */
    private static String writeShow(Path dir, Path layout, Path exe) throws Exception {
        return writeShow(dir, layout, Compression.BUILD, exe);
    }

    /**
     * Writes the show layout under {@code dir} as the single file {@code dir/dist/show} (the
     * unpacker needs a C compiler when its prebuilt binary does not match its source).
     *
     * @return the single file's cache key
     */
    private static String writeShowToDist(Path dir) throws Exception {
        Tools.require("cc");
        return writeShow(dir, showLayout(dir), dir.resolve("dist/show"));
    }

    /** {@link #writeShow(Path, Path, Path)} with the kept frames compressed as {@code compression} says. */
    private static String writeShow(Path dir, Path layout, Compression compression, Path exe) throws Exception {
        Path member = dir.resolve("runtime-" + compression + ".zst");
        try (java.io.OutputStream os = Files.newOutputStream(member)) {
            Launcher.writeRuntimeMember(layout.resolve("runtime"), java.util.Set.of(), compression, os);
        }
        Files.createDirectories(exe.getParent());
        Launcher.Written written = Launcher.writeSingleFile(showSpec(), layout, Unpacker.forPlatform(Platform.host(),
                dir.resolve("slipway-cache")), member, KeptParts.NONE, compression, exe);
        assertEquals(dev.slipway.util.Hashing.sha256(exe), written.sha256(), "the sha256 hashed while writing is the file's");
        return written.cacheKey();
    }

    @Test
    void theSingleFileExpandsAppHomeToItsUnpackedDirectory(@TempDir Path dir) throws Exception {
        String key = writeShowToDist(dir);
        Path exe = dir.resolve("dist/show");
        Path cache = dir.resolve("cache");
        String home = cache.resolve("run").resolve(key).toString();
        Map<String, String> env = Map.of("SLIPWAY_CACHE_DIR", cache.toString(), "PORT", "41235");
        assertEquals(expected("41235", "0.0.0.0", home), run(exe, env, "user arg", "${PORT}"), "first run (unpacks)");
        assertEquals(expected("41235", "0.0.0.0", home), run(exe, env, "user arg", "${PORT}"), "a later run");
    }

    /**
     * Issue 21: a payload cut short (a half-written copy) or with a flipped byte (its frame
     * checksum fails) is refused with exit 1 and a message, nothing is published, and no
     * half-written tree is left; the whole file then runs.
     */
    @Test
    void aDamagedOrHalfWrittenPayloadIsRefusedAndLeavesNoTree(@TempDir Path dir) throws Exception {
        Tools.require("cc");
        Path layout = showLayout(dir);
        // Some bytes the zstd frame must really carry (not one repeated run), so a flip lands in data.
        byte[] noise = new byte[300_000];
        new java.util.Random(21).nextBytes(noise);
        Files.write(layout.resolve("app/classes/noise.bin"), noise);
        Path exe = dir.resolve("dist/show");
        String key = writeShow(dir, layout, exe);
        byte[] whole = Files.readAllBytes(exe);
        int offset = payloadOffset(whole);
        assertEquals(0x28, whole[offset] & 0xff, "the payload starts with zstd's magic number (RFC 8878: 0xFD2FB528)");
        assertEquals(0xfd, whole[offset + 3] & 0xff);

        Path cut = dir.resolve("dist/cut");
        Files.write(cut, java.util.Arrays.copyOf(whole, offset + (whole.length - offset) * 2 / 3));
        Path flipped = dir.resolve("dist/flipped");
        byte[] bad = whole.clone();
        bad[offset + (whole.length - offset) / 2] ^= 0x5a;
        Files.write(flipped, bad);
        for (Path exe2 : List.of(cut, flipped)) {
            refused(exe2, key, dir.resolve("cache-" + exe2.getFileName()), Map.of());
        }
        String home = dir.resolve("cache").resolve("run").resolve(key).toString();
        assertEquals(expected("41237", "0.0.0.0", home), run(exe, Map.of("SLIPWAY_CACHE_DIR", dir.resolve("cache").toString(),
                "PORT", "41237"), "user arg", "${PORT}"), "the whole file runs");
    }

    /**
     * Issue 21: the unpacker's decoders take no more memory than the build's frames need (a
     * {@link Launcher#WINDOW_LOG} window each): a runtime frame written with a window twice that
     * (its records intact, its checksum right) is refused as a damaged payload, and nothing is left.
     */
    @Test
    void aFrameWithAWindowOverTheBuildsIsRefused(@TempDir Path dir) throws Exception {
        String key = writeShowToDist(dir);
        byte[] whole = Files.readAllBytes(dir.resolve("dist/show"));
        Path member = dir.resolve("runtime-" + Compression.BUILD + ".zst");
        byte[] records;
        try (var in = new com.github.luben.zstd.ZstdInputStreamNoFinalizer(Files.newInputStream(member))) {
            records = in.readAllBytes();
        }
        var wide = new java.io.ByteArrayOutputStream();
        wide.write(whole, 0, whole.length - (int) Files.size(member));
        try (var zstd = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(new Archive.KeepOpen(wide))) {
            zstd.setLevel(Launcher.APP_LEVEL);
            zstd.setLong(Launcher.WINDOW_LOG + 1);
            zstd.setChecksum(true);
            zstd.write(records);
        }
        Path bad = dir.resolve("dist/wide");
        Files.write(bad, wide.toByteArray());
        String out = refused(bad, key, dir.resolve("cache-wide"), Map.of());
        assertTrue(out.contains("damaged payload (zstd: Frame requires too much memory for decoding)"), out);
    }

    /** @return the payload's offset in a single file's bytes, from its stub */
    private static int payloadOffset(byte[] singleFile) {
        return Integer.parseInt(new String(singleFile, 0, 4096, StandardCharsets.ISO_8859_1)
                .replaceAll("(?s).*slipway_offset=' *([0-9]+)'.*", "$1"));
    }

    /**
     * Runs a single file whose payload is damaged with the cache root {@code cache} and asserts
     * that it is refused: exit 1, the damaged payload said, the app not started, and nothing but
     * the lock left under {@code cache/run}.
     *
     * @return what it printed (stdout and stderr)
     */
    private static String refused(Path exe, String key, Path cache, Map<String, String> env) throws Exception {
        Files.setPosixFilePermissions(exe, Launcher.EXECUTABLE);
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectErrorStream(true);
        pb.environment().put("SLIPWAY_CACHE_DIR", cache.toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "ran over 60 s");
        assertEquals(1, p.exitValue(), exe + ":\n" + out);
        assertTrue(out.contains("slipway: cannot unpack the runtime: damaged payload ("), exe + ":\n" + out);
        assertTrue(!out.contains("p.port="), "the app must not start: " + out);
        try (var s2 = Files.list(cache.resolve("run"))) {
            assertEquals(List.of(key + ".lock"), s2.map(f -> f.getFileName().toString()).sorted().toList(),
                    exe + ": neither a published nor a half-written tree is left");
        }
        return out;
    }

    /**
     * Issue 21 (a first run at most twice a warm one): the unpacker decodes the payload's frames on
     * two threads, and with {@code SLIPWAY_UNPACK_THREADS=2} the runtime's frame (the last) is the
     * second thread's. A byte flipped in that frame, or in frame 0 while the second thread writes
     * the runtime, is refused with exit 1 and one message, and neither a tree nor a half-written
     * one is left; the whole file unpacks to the same files and marker on one thread as on two.
     */
    @Test
    void aFrameDamagedOnEitherDecodingThreadIsRefusedAndTwoThreadsUnpackWhatOneDoes(@TempDir Path dir) throws Exception {
        Tools.require("cc");
        Path layout = showLayout(dir);
        // Random bytes: zstd stores them as they are, so a flipped byte fails only the frame's checksum,
        // found at the frame's end, after its thread has written its files.
        java.util.Random random = new java.util.Random(2121);
        byte[] appNoise = new byte[300_000];
        random.nextBytes(appNoise);
        Files.write(layout.resolve("app/classes/noise.bin"), appNoise);
        byte[] runtimeNoise = new byte[2_000_000];
        random.nextBytes(runtimeNoise);
        Files.createDirectories(layout.resolve("runtime/lib"));
        Files.write(layout.resolve("runtime/lib/noise.bin"), runtimeNoise);
        Path exe = dir.resolve("dist/show");
        String key = writeShow(dir, layout, exe);
        byte[] whole = Files.readAllBytes(exe);
        int offset = payloadOffset(whole);
        // The runtime's frame is the file's last bytes: the member writeShow wrote.
        int runtimeFrame = whole.length - (int) Files.size(dir.resolve("runtime-" + Compression.BUILD + ".zst"));
        Map<String, Integer> flips = Map.of("runtime-frame", (runtimeFrame + whole.length) / 2, "frame-0", (offset + runtimeFrame) / 2);
        for (var flip : flips.entrySet()) {
            Path bad = dir.resolve("dist/" + flip.getKey());
            byte[] bytes = whole.clone();
            bytes[flip.getValue()] ^= 0x5a;
            Files.write(bad, bytes);
            String out = refused(bad, key, dir.resolve("cache-" + flip.getKey()),
                    Map.of("SLIPWAY_UNPACK_THREADS", "2", "SLIPWAY_VERBOSE", "1"));
            assertTrue(out.contains("slipway: decoding 2 frames on 2 threads"), bad + ":\n" + out);
            assertTrue(out.contains("slipway: cannot unpack the runtime: damaged payload (zstd: "), bad + ":\n" + out);
            assertEquals(1, out.split("refusing the damaged payload", -1).length - 1, "one thread reports, the other stops quietly:\n" + out);
        }
        Map<String, Map<String, String>> trees = new java.util.TreeMap<>();
        Map<String, String> markers = new java.util.TreeMap<>();
        for (String threads : List.of("1", "2")) {
            Path cache = dir.resolve("cache-" + threads);
            String home = cache.resolve("run").resolve(key).toString();
            assertEquals(expected("41240", "0.0.0.0", home), run(exe, Map.of("SLIPWAY_CACHE_DIR", cache.toString(),
                    "SLIPWAY_UNPACK_THREADS", threads, "PORT", "41240"), "user arg", "${PORT}"), threads + " thread(s)");
            assertArrayEquals(runtimeNoise, Files.readAllBytes(Path.of(home, "runtime/lib/noise.bin")));
            assertArrayEquals(appNoise, Files.readAllBytes(Path.of(home, "app/classes/noise.bin")));
            trees.put(threads, unpacked(Path.of(home)));
            markers.put(threads, Files.readString(Path.of(home, ".slipway-complete")));
        }
        assertEquals(trees.get("1"), trees.get("2"), "the same files, modes and bytes");
        assertEquals(markers.get("1"), markers.get("2"), "the same marker, its files in the payload's order");
        assertTrue(markers.get("2").contains("\n2000000 runtime/lib/noise.bin\n"), markers.get("2"));
    }

    /**
     * Issue 20 item 5: a damaged unpack cache tree (a file truncated, one removed, one rewritten
     * with its size and time kept) is detected, said on stderr, and unpacked again; the run works.
     */
    @Test
    void aDamagedUnpackedTreeIsUnpackedAgainAndRuns(@TempDir Path dir) throws Exception {
        Tools.require("cc");
        Path layout = showLayout(dir);
        Files.writeString(layout.resolve("app/classes/notes.txt"), "0123456789");
        Path exe = dir.resolve("dist/show");
        String key = writeShow(dir, layout, exe);
        Path cache = dir.resolve("cache");
        Path tree = cache.resolve("run").resolve(key);
        String home = tree.toString();
        Map<String, String> env = Map.of("SLIPWAY_CACHE_DIR", cache.toString(), "PORT", "41236");
        assertEquals(expected("41236", "0.0.0.0", home), run(exe, env, "user arg", "${PORT}"), "first run (unpacks)");
        Path cls = tree.resolve("app/classes/Show.class");
        long size = Files.size(cls);

        // Truncated: the class is gone from the JVM's view ("Could not find or load main class").
        try (var ch = java.nio.channels.FileChannel.open(cls, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        List<String> out = run(exe, env, "user arg", "${PORT}");
        assertTrue(out.contains("slipway: the unpacked tree " + home + " is damaged (app/classes/Show.class has 10 bytes, not " + size + ")"
                + "; unpacking it again"), out.toString());
        assertTrue(out.containsAll(expected("41236", "0.0.0.0", home)), out.toString());
        assertEquals(size, Files.size(cls), "repaired");

        // Removed: the runtime's java.
        Files.delete(tree.resolve("runtime/bin/java"));
        out = run(exe, env, "user arg", "${PORT}");
        assertTrue(out.contains("slipway: the unpacked tree " + home + " is damaged (runtime/bin/java is missing);"
                + " unpacking it again"), out.toString());
        assertTrue(out.containsAll(expected("41236", "0.0.0.0", home)), out.toString());

        // Shortened with its time put back: the stub's cheap check (times) passes, so it runs; the
        // unpacker's check (sizes), which the prepare mode runs, finds it.
        Path notes = tree.resolve("app/classes/notes.txt");
        var time = Files.getLastModifiedTime(notes);
        Files.writeString(notes, "0123");
        Files.setLastModifiedTime(notes, time);
        Map<String, String> prepare = new java.util.HashMap<>(env);
        prepare.put(Launcher.PREPARE, "1");
        out = run(exe, prepare);
        assertTrue(out.contains("slipway: the unpacked tree " + home + " is damaged (app/classes/notes.txt has 4 bytes,"
                + " not 10); unpacking it again"), out.toString());
        assertEquals("0123456789", Files.readString(notes));

        // Whole again: a later run neither says anything nor unpacks.
        assertEquals(expected("41236", "0.0.0.0", home), run(exe, env, "user arg", "${PORT}"), "a later run");
        try (var s = Files.list(cache.resolve("run"))) {
            assertEquals(List.of(key, key + ".lock"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no aside or temporary tree left");
        }
    }

    /**
     * Issue 21: a release writes the runtime's and the dependency jars' frames at level 19 in
     * window-sized jobs ({@link Compression#RELEASE}), so a part over 16 MiB is several jobs
     * compressed by two workers. Such parts unpack to their bytes, and a second write gives the
     * same single file byte for byte.
     */
    @Test
    void partsOfSeveralJobsUnpackToTheirBytesAndAreWrittenTheSameEachTime(@TempDir Path dir) throws Exception {
        Tools.require("cc");
        Path layout = showLayout(dir);
        // 34 MiB: three jobs of 16 MiB. Zeros with a distinct number every MiB, so a job's bytes in
        // the wrong place would show, and level 19 takes a fraction of a second over it.
        byte[] big = new byte[34 << 20];
        for (int i = 0; i < big.length; i += 1 << 20) {
            java.nio.ByteBuffer.wrap(big, i, 8).putLong(i * 31L + 7);
        }
        Files.createDirectories(layout.resolve("app/lib"));
        Files.write(layout.resolve("app/lib/big.jar"), big);
        Files.createDirectories(layout.resolve("runtime/lib"));
        Files.write(layout.resolve("runtime/lib/big.bin"), big);
        Path exe = dir.resolve("dist/show");
        String key = writeShow(dir, layout, Compression.RELEASE, exe);
        Path again = Files.createDirectories(dir.resolve("again")).resolve("show");
        assertEquals(key, writeShow(dir.resolve("again"), layout, Compression.RELEASE, again));
        assertArrayEquals(Files.readAllBytes(exe), Files.readAllBytes(again), "written twice, the same bytes");

        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of("SLIPWAY_CACHE_DIR", cache.toString(), "PORT", "41238");
        String home = cache.resolve("run").resolve(key).toString();
        assertEquals(expected("41238", "0.0.0.0", home), run(exe, env, "user arg", "${PORT}"), "first run (unpacks)");
        assertArrayEquals(big, Files.readAllBytes(Path.of(home, "app/lib/big.jar")));
        assertArrayEquals(big, Files.readAllBytes(Path.of(home, "runtime/lib/big.bin")));
    }

    /**
     * Issue 21: {@code slipway release} compresses the kept frames harder than a build
     * ({@link Compression#RELEASE} against {@link Compression#BUILD}), as Go's release tooling
     * strips what {@code go build} keeps: from the same layout, the release's single file is the
     * smaller, and both unpack to the same files, byte for byte. The runtime and a dependency hold
     * 1 MiB each of the JDK's own machine code and class data, where level 19 finds what 12 misses.
     */
    @Test
    void aReleasesSingleFileIsSmallerThanABuildsAndUnpacksToTheSameFiles(@TempDir Path dir) throws Exception {
        Tools.require("cc");
        Path layout = showLayout(dir);
        Path jdk = Path.of(System.getProperty("java.home"));
        Files.createDirectories(layout.resolve("runtime/lib/server"));
        Files.write(layout.resolve("runtime/lib/server/libjvm.so"), head(jdk.resolve("lib/server/libjvm.so"), 1 << 20));
        Files.createDirectories(layout.resolve("app/lib"));
        Files.write(layout.resolve("app/lib/dep.jar"), head(jdk.resolve("lib/modules"), 1 << 20));
        Path built = dir.resolve("build/show");
        Path released = dir.resolve("release/show");
        String builtKey = writeShow(dir, layout, Compression.BUILD, built);
        String releasedKey = writeShow(dir, layout, Compression.RELEASE, released);
        assertTrue(Files.size(released) < Files.size(built),
                "release " + Files.size(released) + " B < build " + Files.size(built) + " B");

        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of("SLIPWAY_CACHE_DIR", cache.toString(), "PORT", "41239");
        Path builtHome = cache.resolve("run").resolve(builtKey);
        Path releasedHome = cache.resolve("run").resolve(releasedKey);
        assertEquals(expected("41239", "0.0.0.0", builtHome.toString()), run(built, env, "user arg", "${PORT}"));
        assertEquals(expected("41239", "0.0.0.0", releasedHome.toString()), run(released, env, "user arg", "${PORT}"));
        Map<String, String> builtFiles = unpacked(builtHome);
        assertTrue(builtFiles.containsKey("runtime/lib/server/libjvm.so") && builtFiles.containsKey("app/lib/dep.jar"),
                builtFiles.keySet().toString());
        assertEquals(builtFiles, unpacked(releasedHome), "the same files with the same modes and bytes");
    }

    /**
     * Issue 21: a release also compresses the startup archive's frame harder
     * ({@link Compression#archiveLevel}: 19 against a build's 9). Two payloads of the same layout,
     * an AOT cache and the same runtime frame, differ only in that frame: the release's is the
     * smaller by more than a few per cent, and a build's payload keeps its bytes (level 9, zstd's
     * own jobs: the frame of an earlier build in the parts cache is still taken). The archive is
     * 1 MiB of the running JDK's default CDS archive, class metadata as an AppCDS archive or AOT
     * cache holds it.
     */
    @Test
    void aReleaseCompressesTheStartupArchiveHarderThanABuild(@TempDir Path dir) throws Exception {
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Files.createDirectories(layout.resolve("runtime/lib"));
        Files.writeString(layout.resolve("runtime/lib/tiny"), "tiny\n");
        Path cds = Path.of(System.getProperty("java.home"), "lib/server/classes.jsa");
        assertTrue(Files.isRegularFile(cds), "the test's JDK has a default CDS archive: " + cds);
        byte[] archive = head(cds, 1 << 20);
        Files.createDirectories(layout.resolve("app"));
        Files.write(layout.resolve(Training.AOT_FILE), archive);
        Path runtime = dir.resolve("runtime.zst");
        try (var os = Files.newOutputStream(runtime)) {
            Launcher.writeRuntimeMember(layout.resolve("runtime"), java.util.Set.of(), Compression.BUILD, os);
        }
        java.time.Instant time = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var built = new java.io.ByteArrayOutputStream();
        var released = new java.io.ByteArrayOutputStream();
        Launcher.writePayload(layout, time, runtime, KeptParts.NONE, Compression.BUILD, built);
        Launcher.writePayload(layout, time, runtime, KeptParts.NONE, Compression.RELEASE, released);
        assertTrue(released.size() * 100L < built.size() * 97L,
                "release " + released.size() + " B at least 3% under build " + built.size() + " B");

        var level9 = new java.io.ByteArrayOutputStream();
        try (var zstd = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(level9)) {
            zstd.setLevel(Launcher.APP_LEVEL);
            zstd.setLong(Launcher.WINDOW_LOG);
            zstd.setChecksum(true);
            zstd.setWorkers(2);
            var data = new java.io.DataOutputStream(zstd);
            data.write('F');
            byte[] name = Training.AOT_FILE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            data.writeShort(name.length);
            data.write(name);
            data.writeShort(0644);
            data.writeLong(archive.length);
            data.write(archive);
            data.flush();
        }
        assertTrue(indexOf(built.toByteArray(), level9.toByteArray()) > 0,
                "a build's payload holds the archive's level-9 frame, as before");
        assertEquals(-1, indexOf(released.toByteArray(), level9.toByteArray()), "a release's does not");
    }

    /** @return where {@code part} starts in {@code data}, or -1 */
    private static int indexOf(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** @return the first {@code length} bytes of {@code file} */
    private static byte[] head(Path file, int length) throws Exception {
        try (var in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(length);
            assertEquals(length, bytes.length, file.toString());
            return bytes;
        }
    }

    /** @return each file and link under {@code home} (but Slipway's own marks) by its path: its mode and sha256, or its target */
    private static Map<String, String> unpacked(Path home) throws Exception {
        Map<String, String> files = new java.util.TreeMap<>();
        try (var walk = Files.walk(home)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = home.relativize(p).toString();
                if (rel.isEmpty() || rel.startsWith(".slipway")) {
                    continue;
                }
                files.put(rel, Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir"
                        : java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                                + " " + dev.slipway.util.Hashing.sha256(p));
            }
        }
        return files;
    }

    @Test
    void optionsAndArgumentsWithReferencesAreOneDoubleQuotedWordEach() {
        assertEquals("'-Dx=$HOME'", Launcher.shellWord("-Dx=$HOME", 80, true));
        assertEquals("\"-Dport=${PORT:-80}\"", Launcher.shellWord("-Dport=${PORT}", 80, true));
        assertEquals("\"${slipway_home}/c.yml \\$HOME \\`id\\` \\\"q\\\" it's ${ADDR:-0.0.0.0}\"",
                Launcher.shellWord("${APP_HOME}/c.yml $HOME `id` \"q\" it's ${ADDR}", 80, false));
        assertEquals("\"-Da=${slipway_home}x\"", Launcher.shellWord("-Da=@HOME@x", 80, true));
        assertEquals("'@HOME@x'", Launcher.shellWord("@HOME@x", 80, false));
        String stub = Launcher.stub(showSpec(), "show-0123456789abcdef", new byte[] {1}, 0);
        assertTrue(stub.contains("'Show' 'server' \"${slipway_home}/config.yml\" \"--bind=${ADDR:-0.0.0.0}:${PORT:-9191}\""),
                stub);
        assertTrue(stub.contains("@NAME@ %s' '' 'line1\nline2' '@HOME@x' \"$@\""),
                "a value is never filled as a template, and an argument's @HOME@ is text: " + stub);
    }
}

package dev.slipway.build;

import dev.slipway.artifact.Artifacts;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import dev.slipway.config.References;

/**
 * Writes the launchers of a built layout: the single-file executable (a POSIX sh stub with a zstd
 * payload appended) and the {@code bin/NAME} script of the archive layout.
 *
 * <p>The layout it packs is {@code runtime/} (the jlinked JDK), {@code app/} (jars) and
 * {@code bin/}. The payload format is documented in {@code unpack.c} and in
 * {@code docs/single-file.md}.
 */
public final class Launcher {
    private static final int OFFSET_WIDTH = 12;

    private Launcher() {}

    /**
     * What the launcher starts.
     *
     * <p>In {@code jvmOptions} and {@code args}, the references of {@link References} are expanded
     * by the launcher each time it starts: {@code ${PORT}} to {@code $PORT}, else {@code port};
     * {@code ${ADDR}} to {@code $ADDR}, else {@code 0.0.0.0} (what the targets give a service that
     * serves every interface); {@code ${APP_HOME}} to the unpacked layout's directory. The
     * expansion is one shell word per option or argument: the values are never split into words
     * or expanded again, and the rest of the text stays as written.
     *
     * @param name       the service name
     * @param version    the release version (for the header comment)
     * @param platform   the target platform
     * @param mainClass  the main class
     * @param classpath  class path entries relative to the layout root, in order
     * @param jvmOptions JVM options baked in before {@code $JAVA_OPTS}; {@link #HOME} in an option
     *                   stands for the unpacked layout's directory
     * @param args       program arguments baked in after the main class, before the caller's own
     *                   ({@code service.args})
     * @param port       what {@code ${PORT}} stands for when {@code PORT} is not set at start
     *                   ({@code service.port}), e.g. when a user runs the file by hand
     * @param time       the modification time given to every unpacked file (CDS and AOT caches
     *                   check the mtimes of class path jars): a build gives {@link BuildInfo#FILE_TIME},
     *                   the time its layout's files had when the cache was made
     */
    public record Spec(String name, String version, Platform platform, String mainClass,
                       List<String> classpath, List<String> jvmOptions, List<String> args, int port,
                       java.time.Instant time) {
        /** @return what {@code dist/artifacts.json} records of it ({@code launch}): main class, class path, options, arguments */
        public Artifacts.Launch recorded() {
            return new Artifacts.Launch(mainClass, classpath, jvmOptions, args);
        }

        /**
         * A spec without program arguments, whose {@code ${PORT}} defaults to 8080.
         *
         * @param name       the service name
         * @param version    the release version
         * @param platform   the target platform
         * @param mainClass  the main class
         * @param classpath  class path entries relative to the layout root
         * @param jvmOptions JVM options
         * @param time       the files' modification time
         */
        public Spec(String name, String version, Platform platform, String mainClass, List<String> classpath,
                    List<String> jvmOptions, java.time.Instant time) {
            this(name, version, platform, mainClass, classpath, jvmOptions, List.of(), 8080, time);
        }
    }

    /** What {@code ${ADDR}} stands for in the launcher when {@code ADDR} is not set at start. */
    public static final String DEFAULT_ADDR = "0.0.0.0";

    /**
     * The environment variable of the single file's prepare mode: with {@code SLIPWAY_PREPARE=1}
     * the stub makes what a first run makes (unpacks the payload into the run cache and, on JDK
     * 17-19, dumps the class-data archive), reports each step on stderr, and exits 0 without
     * starting the app; exit 1 when the payload cannot be unpacked. It is idempotent, and two at
     * once (or one beside a first run) unpack and dump once, under the unpacker's lock.
     */
    public static final String PREPARE = "SLIPWAY_PREPARE";

    /** How far into a single file its stub's header reaches: the lines before the unpacker's bytes. */
    private static final int HEADER_BYTES = 4096;

    /**
     * Whether a single file's stub has the prepare mode ({@link #PREPARE}). A file built by an
     * older Slipway ignores the variable and would start the app instead, so it must not be run
     * with it.
     *
     * @param singleFile the single file
     * @return whether its header reads the variable ({@link #PREPARE_MARK})
     * @throws IOException when it cannot be read
     */
    public static boolean preparable(Path singleFile) throws IOException {
        return header(singleFile).contains(PREPARE_MARK);
    }

    /**
     * The unpack cache key a single file's stub names ({@code slipway_key='NAME-HASH'}): its tree
     * is {@code <cache root>/run/<key>}.
     *
     * @param singleFile the single file
     * @return the key, or empty when the file has no such stub
     * @throws IOException when it cannot be read
     */
    public static java.util.Optional<String> cacheKey(Path singleFile) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^slipway_key='([A-Za-z0-9._-]+)'$")
                .matcher(header(singleFile));
        return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    /** The text of the stub that reads {@link #PREPARE}; only stubs with the prepare mode have it. */
    public static final String PREPARE_MARK = "\"${" + PREPARE + ":-}\"";

    /** @return the start of the file as ISO-8859-1 text: the stub's comment and variables */
    private static String header(Path singleFile) throws IOException {
        try (var in = Files.newInputStream(singleFile)) {
            return new String(in.readNBytes(HEADER_BYTES), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * The JVM options every launch line starts with, before {@code build.jvmOptions} and
     * {@code $JAVA_OPTS} (a later option wins, so either can set other values): HotSpot's tier-4
     * (C2) compile thresholds at ten times their defaults (5000 invocations, 600 minimum, 15000
     * invocations plus loop iterations, 40000 back edges; {@code compiler_globals.hpp} of the JDK,
     * tiered compilation as java(1) describes it). A method still runs interpreted and then as
     * profiled C1 code at once; only the optimizing C2 compile waits until the method is ten times
     * as hot, so code that runs only while a service starts (configuration, dependency injection,
     * class scanning) is not compiled twice. On a 2-core machine the compiler threads take about
     * half of the CPU a start needs: measured on single files (docs/building.md), the time to
     * ready fell by 20-23 % for a Spring Boot app and 2-10 % for myapp; in the first seconds under
     * load the Spring Boot app answered twice the requests, myapp up to 10 % fewer for two seconds,
     * and both the same after.
     */
    public static final List<String> C2_THRESHOLDS = List.of("-XX:Tier4InvocationThreshold=50000",
            "-XX:Tier4MinInvocationThreshold=6000", "-XX:Tier4CompileThreshold=150000",
            "-XX:Tier4BackEdgeThreshold=400000");

    /** Stands for the unpacked layout's directory inside a JVM option, e.g. {@code -XX:AOTCache=@HOME@/app/app.aot}. */
    public static final String HOME = "@HOME@";

    private static final String WHEN_PRESENT = "@WHEN_PRESENT:";

    /**
     * Not a JVM option but a mark in {@link Spec#jvmOptions()}: the sh launcher opens file
     * descriptor 9 on the unpacked directory before it starts java ({@code exec 9<"$slipway_home"}),
     * which a JDK 17-19 AppCDS archive and a JDK 24+ AOT cache made at build time name their class
     * path by ({@link Training#HOME_FD}). Without it the JVM refuses that archive, or takes that
     * cache but finds no code source for its classes (as it did for every cache made before, see
     * {@link Training#createAotCache}). An OCI image's entrypoint opens it with
     * {@code slipway-start -d} ({@link Training#imageOptions} keeps the mark for it).
     */
    public static final String OPEN_HOME = "@OPEN_HOME_FD9@";

    /**
     * A JVM option for {@link Spec#jvmOptions()} that the launcher passes only when a file of the
     * unpacked layout exists at launch (one {@code test -f}), e.g. an archive made on the first run.
     *
     * @param file   a path relative to the layout, e.g. {@code app/app.jsa}
     * @param option the option; may contain {@link #HOME}
     * @return the encoded option
     */
    public static String whenPresent(String file, String option) {
        if (file.contains("@") || file.startsWith("/")) {
            throw new IllegalArgumentException("not a relative layout path: " + file);
        }
        return WHEN_PRESENT + file + "@" + option;
    }

    /**
     * Resolves the options made by {@link #whenPresent}: each becomes its plain option when
     * {@code exists} says its file is in the layout, and is dropped otherwise. {@link #OPEN_HOME}
     * stays, for the launcher to act on and drop. For launchers that are not the sh stub and are
     * fixed when they are made: an OCI image's entrypoint ({@link Training#imageOptions}; its
     * {@code slipway-start -d} opens descriptor 9).
     *
     * @param options JVM options, some possibly conditional
     * @param exists  whether a path relative to the layout (e.g. {@code app/app.jsa}) exists
     * @return the options with no conditional left, in the same order
     */
    public static List<String> resolveWhenPresent(List<String> options, java.util.function.Predicate<String> exists) {
        List<String> out = new ArrayList<>();
        for (String o : options) {
            if (!o.startsWith(WHEN_PRESENT)) {
                out.add(o);
                continue;
            }
            int at = o.indexOf('@', WHEN_PRESENT.length());
            if (exists.test(o.substring(WHEN_PRESENT.length(), at))) {
                out.add(o.substring(at + 1));
            }
        }
        return out;
    }

    /**
     * Renders {@code bin/NAME}, the launcher of the unpacked archive layout.
     *
     * @param spec what to start
     * @return the script text
     */
    public static String binScript(Spec spec) {
        return Templates.fill(Templates.load("bin.sh"), Map.of(
                "RUN_FUNCTION", runFunction(spec),
                "NAME", spec.name(), "VERSION", spec.version(), "PLATFORM", spec.platform().toString()));
    }

    /**
     * Writes the single-file executable: stub, then the zstd payload of {@code layout}.
     *
     * @param spec          what to start
     * @param layout        the layout directory to pack ({@code app/}, {@code bin/}, {@code runtime/})
     * @param unpacker      the first-run unpacker binary for {@code spec.platform()}
     * @param runtimeMember the zstd frame of {@code runtime/} from {@link #writeRuntimeMember}
     *                      (the runtime cache keeps it, so a warm build compresses only the app)
     * @param out           the file to write (replaced)
     * @return the payload's cache key, {@code NAME-<first 16 hex of the payload's digest>} ({@link #writePayload})
     * @throws IOException on a read or write failure
     */
    public static String writeSingleFile(Spec spec, Path layout, byte[] unpacker, Path runtimeMember, Path out)
            throws IOException {
        return writeSingleFile(spec, layout, unpacker, runtimeMember, KeptParts.NONE, Compression.BUILD, out).cacheKey();
    }

    /**
     * A single file as written.
     *
     * @param cacheKey the payload's cache key, {@code NAME-<first 16 hex of the payload's digest>} ({@link #writePayload})
     * @param sha256   the whole file's sha256 (stub and payload), hashed as it was written
     */
    record Written(String cacheKey, String sha256) {}

    /**
     * {@link #writeSingleFile(Spec, Path, byte[], Path, Path)} with the dependencies' frame from
     * {@code parts} when it holds it, at {@code compression}'s level (the runtime member must have
     * been written at the same {@link Compression}).
     */
    static Written writeSingleFile(Spec spec, Path layout, byte[] unpacker, Path runtimeMember, KeptParts parts,
                                   Compression compression, Path out) throws IOException {
        Path payload = Files.createTempFile(out.getParent(), ".payload", ".zst");
        try {
            String hash;
            try (OutputStream os = Files.newOutputStream(payload)) {
                hash = writePayload(layout, spec.time(), runtimeMember, parts, compression, os);
            }
            dev.slipway.Trace.mark(spec.platform() + ": payload written");
            String key = spec.name() + "-" + hash.substring(0, 16);
            List<String> files = payloadFiles(layout);
            int length = stubBytes(spec, key, unpacker, 0, files).length;
            byte[] stub = stubBytes(spec, key, unpacker, length, files);
            if (stub.length != length) {
                throw new IllegalStateException("stub length changed while filling the payload offset");
            }
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            MessageDigest whole = Hashing.sha256();
            try (OutputStream os = new java.security.DigestOutputStream(Files.newOutputStream(tmp), whole);
                 InputStream in = Files.newInputStream(payload)) {
                os.write(stub);
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    os.write(buffer, 0, n);
                }
            }
            Files.setPosixFilePermissions(tmp, EXECUTABLE);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new Written(key, HexFormat.of().formatHex(whole.digest()));
        } finally {
            Files.deleteIfExists(payload);
        }
    }

    static final Set<PosixFilePermission> EXECUTABLE = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");

    static String stub(Spec spec, String key, byte[] unpacker, int offset) {
        return stub(spec, key, unpacker, offset, List.of("runtime/bin/java", "runtime/lib/modules"));
    }

    /**
     * @param files the payload's regular files, relative to the layout, that the stub checks before
     *              it runs an unpacked tree straight away (see {@code slipway_intact} in stub.sh);
     *              the first is the one whose time the others must have
     */
    static String stub(Spec spec, String key, byte[] unpacker, int offset, List<String> files) {
        return new String(stubBytes(spec, key, unpacker, offset, files), StandardCharsets.UTF_8);
    }

    /** Where the unpacker's printf operand goes in the filled template (NUL is in no template value). */
    private static final String UNPACKER_MARK = "\0UNPACKER\0";

    /**
     * The stub as written: the template filled in and encoded as UTF-8, with the unpacker's
     * {@link #printfEscape} bytes put in as they are (they are not UTF-8: bytes 0x80-0xff stay raw).
     */
    static byte[] stubBytes(Spec spec, String key, byte[] unpacker, int offset, List<String> files) {
        String off = String.valueOf(offset);
        off = " ".repeat(OFFSET_WIDTH - off.length()) + off;
        StringBuilder words = new StringBuilder();
        for (String f : files) {
            words.append(words.length() == 0 ? "" : " \\\n    ").append(singleQuote(f));
        }
        String text = Templates.fill(Templates.load("stub.sh"), Map.ofEntries(
                Map.entry("RUN_FUNCTION", runFunction(spec)),
                Map.entry("NAME", spec.name()), Map.entry("VERSION", spec.version()),
                Map.entry("PLATFORM", spec.platform().toString()),
                Map.entry("KEY", key), Map.entry("OFFSET", off),
                Map.entry("FILES", words.toString()), Map.entry("REF", doubleQuoteBody(files.get(0))),
                Map.entry("LOADER", spec.platform().dynamicLoader()),
                Map.entry("UNPACKER", UNPACKER_MARK)));
        int at = text.indexOf(UNPACKER_MARK);
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = text.substring(at + UNPACKER_MARK.length()).getBytes(StandardCharsets.UTF_8);
        byte[] escaped = printfEscape(unpacker);
        byte[] all = java.util.Arrays.copyOf(head, head.length + escaped.length + tail.length);
        System.arraycopy(escaped, 0, all, head.length, escaped.length);
        System.arraycopy(tail, 0, all, head.length + escaped.length, tail.length);
        return all;
    }

    /**
     * The regular files a payload of {@code layout} holds, as the unpacker writes them: every
     * regular file but a runtime's own {@code .slipway*} files (see {@link #writeRuntimeMember}),
     * sorted, {@code runtime/bin/java} first.
     */
    static List<String> payloadFiles(Path layout) throws IOException {
        List<String> files = new ArrayList<>();
        for (Path p : sortedEntries(layout)) {
            String rel = relativeName(layout, p);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !rel.startsWith("runtime/.slipway")
                    && !rel.contains("\n")) {
                files.add(rel);
            }
        }
        if (files.remove("runtime/bin/java")) {
            files.add(0, "runtime/bin/java");
        }
        return files;
    }

    private static String runFunction(Spec spec) {
        StringBuilder opts = new StringBuilder();
        StringBuilder prelude = new StringBuilder();
        int conditional = 0;
        for (String o : spec.jvmOptions()) {
            if (o.equals(OPEN_HOME)) {
                prelude.append("  exec 9<\"$slipway_home\" # a class-data archive or AOT cache made at build time names its class path by it\n");
            } else if (o.startsWith(WHEN_PRESENT)) {
                int at = o.indexOf('@', WHEN_PRESENT.length());
                String file = o.substring(WHEN_PRESENT.length(), at);
                String var = "slipway_opt" + ++conditional;
                prelude.append("  if [ -f \"$slipway_home/").append(doubleQuoteBody(file)).append("\" ]; then ")
                        .append(var).append('=').append(shellWord(o.substring(at + 1), spec.port(), true)).append("; else ")
                        .append(var).append("=; fi\n");
                opts.append("${").append(var).append(":+\"$").append(var).append("\"} ");
            } else {
                opts.append(shellWord(o, spec.port(), true)).append(' ');
            }
        }
        StringBuilder args = new StringBuilder();
        for (String a : spec.args()) {
            args.append(shellWord(a, spec.port(), false)).append(' ');
        }
        List<String> cp = new ArrayList<>();
        for (String entry : spec.classpath()) {
            cp.add("$slipway_home/" + doubleQuoteBody(entry));
        }
        return Templates.fill(Templates.load("run-function.sh"), Map.of(
                "PRELUDE", prelude.toString(),
                "JVM_OPTIONS", opts.toString(),
                "CLASSPATH", String.join(":", cp),
                "MAIN", spec.mainClass().replace("'", ""),
                "ARGS", args.toString()));
    }

    /**
     * A JVM option or program argument as one POSIX sh word. Without {@link #HOME} (in an option)
     * or a reference it is single-quoted (nothing inside is special). Otherwise it is double-quoted:
     * the text as written with {@code \}, {@code "}, {@code $} and {@code `} escaped (the characters
     * special inside double quotes, POSIX.1-2017 XCU 2.2.3), {@link #HOME} as {@code ${slipway_home}},
     * {@code ${APP_HOME}} as {@code ${slipway_home}}, {@code ${PORT}} as {@code ${PORT:-port}} and
     * {@code ${ADDR}} as {@code ${ADDR:-0.0.0.0}}. Parameter expansion inside double quotes is not
     * split into fields nor expanded as a pattern (XCU 2.6), so a value stays one word as it is.
     *
     * @param o    the option or argument
     * @param port what {@code ${PORT}} stands for when {@code PORT} is not set
     * @param home whether {@link #HOME} stands for the layout (JVM options, where Slipway's own
     *             trained-cache options use it); program arguments keep {@code @HOME@} as written
     * @return the shell word
     */
    static String shellWord(String o, int port, boolean home) {
        List<References.Part> parts = References.parts(o);
        boolean hasHome = home && o.contains(HOME);
        if (!hasHome && parts.stream().noneMatch(References.Part::reference)) {
            return singleQuote(o);
        }
        StringBuilder w = new StringBuilder("\"");
        for (References.Part p : parts) {
            if (!p.reference()) {
                String body = doubleQuoteBody(p.text());
                w.append(home ? body.replace(HOME, "${slipway_home}") : body);
            } else if (p.text().equals(References.PORT)) {
                w.append("${PORT:-").append(port).append('}');
            } else if (p.text().equals(References.ADDR)) {
                w.append("${ADDR:-").append(DEFAULT_ADDR).append('}');
            } else {
                w.append("${slipway_home}");
            }
        }
        return w.append('"').toString();
    }

    static String singleQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String doubleQuoteBody(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }

    /**
     * Encodes bytes as a printf(1) format operand inside single quotes, as bytes: every byte that
     * means nothing to printf or to the quotes stays as it is (printable ASCII, the control bytes
     * 0x02-0x1f, 0x80-0xff), {@code %} doubles, and NUL,
     * {@code '}, {@code \}, 0x01 and 0x7f become {@code \ooo} octal escapes (POSIX printf; bash
     * uses 0x01 and 0x7f as its own quoting marks, so they are escaped too). A single-quoted word
     * may hold any byte but NUL (POSIX sh, 2.2.2), and printf copies the format's bytes that are
     * neither {@code \} nor {@code %}. Only the bytes that must be escaped grow: the 162 KB
     * linux-amd64 unpacker takes 200 KB of the stub (its 257 KB with libzstd's legacy decoders took
     * 642 KB with every byte outside printable ASCII escaped; docs/benchmarks.md, f21m). No
     * multibyte encoding has {@code '} as a second byte, so the quotes end where they should in
     * every locale.
     */
    static byte[] printfEscape(byte[] data) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length * 5 / 4);
        for (int i = 0; i < data.length; i++) {
            int b = data[i] & 0xff;
            if (b == '%') {
                out.write('%');
                out.write('%');
            } else if (b > 0x01 && b != 0x7f && b != '\'' && b != '\\') {
                out.write(b);
            } else {
                boolean nextIsDigit = i + 1 < data.length && data[i + 1] >= '0' && data[i + 1] <= '7';
                String oct = Integer.toOctalString(b);
                out.writeBytes(('\\' + (nextIsDigit ? "0".repeat(3 - oct.length()) + oct : oct))
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    /** The payload format's version byte after {@code SLPW} (2: gzip, before issue 21; 3: zstd). */
    static final int PAYLOAD_VERSION = 3;

    /**
     * The zstd level of the payload's app frame, written on every build: high enough to find the
     * repetition inside stored jars, cheap enough for a rebuild (measured in docs/benchmarks.md).
     * The runtime's and the dependency jars' frames, written once and then copied, take the level
     * of the build's purpose instead ({@link Compression}: 12 for a build, 19 for a release).
     */
    static final int APP_LEVEL = 9;

    /**
     * The window of every frame: 2^22 bytes (4 MiB), with zstd's long-distance matching. The
     * unpacker's decoders walk a window each, on two threads: at 2^24 (16 MiB) the first run's
     * unpacking took about a third more CPU on its busier thread than at 2^22 (the window's pages
     * to fault in and zero, and a working set that leaves the CPU caches; zstd also takes its
     * slower prefetching path for the longer offsets), for a payload only 0.31 MB (1 %) smaller;
     * 2^21 saved little more for 0.32 MB more (docs/single-file.md). The unpacker refuses frames
     * with a larger window ({@code unpack.c}, MAX_WINDOW_LOG: change both together).
     */
    static final int WINDOW_LOG = 22;

    /**
     * Writes the payload: zstd frames (RFC 8878; a decoder reads concatenated frames as one
     * stream), each with its content checksum. The first holds {@code SLPW}, version 3, the file
     * time, and the records of what sorts before the first kept part; then each kept part
     * ({@link KeptParts}: {@code app/lib} and its files, the dependency jars, and each startup
     * archive; a rebuild with the same part copies its frame) and each run of other entries between
     * them but {@code runtime/} in a frame of its own; the last is {@code runtimeMember}: the
     * records of {@code runtime/} and the end record. Entries are sorted by path across the frames;
     * modes are normalised to 0755 or 0644. The records and their order are those of one frame over
     * the app's files: only the frames differ.
     *
     * @param layout        the directory to pack
     * @param time          the modification time the unpacker gives every file
     * @param runtimeMember the last frame, from {@link #writeRuntimeMember}
     * @param out           where the payload goes; not closed
     * @return the payload's digest: the hex sha256 of {@link #PAYLOAD_DIGEST} and the sha256 of
     *         each of its frames in order, one a line (it names the payload's bytes as a sha256 of
     *         them would, and a rebuild hashes only the frames it compressed)
     * @throws IOException on a read or write failure
     */
    public static String writePayload(Path layout, java.time.Instant time, Path runtimeMember, OutputStream out)
            throws IOException {
        return writePayload(layout, time, runtimeMember, KeptParts.NONE, Compression.BUILD, out);
    }

    /**
     * {@link #writePayload(Path, java.time.Instant, Path, OutputStream)} with the kept parts of
     * {@code parts}, the dependency jars' frame at {@code compression}'s level.
     */
    static String writePayload(Path layout, java.time.Instant time, Path runtimeMember, KeptParts parts,
                               Compression compression, OutputStream out) throws IOException {
        // The frames written here are hashed as they go; a kept part and the runtime's frame bring
        // their digest from beside them (KeptDigests), so a rebuild hashes only what it compressed.
        MessageDigest sha = Hashing.sha256();
        OutputStream digesting = new java.security.DigestOutputStream(out, sha) {
            @Override
            public void close() throws IOException {
                flush();
            }
        };
        StringBuilder frames = new StringBuilder(PAYLOAD_DIGEST).append('\n');
        List<Segment> segments = segments(layout);
        int next = 0;
        try (var data = frame(digesting, APP_LEVEL, 0)) {
            data.write("SLPW".getBytes(StandardCharsets.US_ASCII));
            data.write(PAYLOAD_VERSION);
            data.writeLong(time.getEpochSecond());
            if (!segments.isEmpty() && segments.get(0).part() == null) {
                writeRecords(data, layout, segments.get(next++).paths());
            }
        }
        frames.append(HexFormat.of().formatHex(sha.digest())).append('\n');
        for (Segment s : segments.subList(next, segments.size())) {
            if (s.part() == null) {
                try (var data = frame(digesting, APP_LEVEL, 0)) {
                    writeRecords(data, layout, s.paths());
                }
                frames.append(HexFormat.of().formatHex(sha.digest())).append('\n');
                continue;
            }
            boolean deps = s.part().equals(KeptParts.PART);
            int level = deps ? compression.keptLevel() : compression.archiveLevel();
            int jobLog = compression.keptJobLog(); // 0 for a build: zstd's own jobs, as before
            String key = KeptParts.key(layout, s.part(), s.paths(), "payload frame " + PAYLOAD_VERSION + " "
                    + (deps ? compression.frameName() : level + " " + WINDOW_LOG + (jobLog > 0 ? " j" + jobLog : "")));
            frames.append(parts.putDigested(key, ".zst", os -> {
                try (var data = frame(new Archive.KeepOpen(os), level, jobLog)) {
                    writeRecords(data, layout, s.paths());
                }
            }, out)).append('\n');
        }
        byte[] runtime = Files.readAllBytes(runtimeMember);
        out.write(runtime);
        frames.append(KeptDigests.sha256(runtimeMember, runtime)).append('\n');
        out.flush();
        return Hashing.sha256Hex(frames.toString());
    }

    /**
     * The first line of what {@link #writePayload} hashes into the payload's digest, followed by
     * the sha256 of each of its frames in order, one a line.
     */
    static final String PAYLOAD_DIGEST = "slipway payload frames 1";

    private static void writeRecords(java.io.DataOutputStream data, Path layout, List<Path> paths) throws IOException {
        for (Path p : paths) {
            writeRecord(data, p, relativeName(layout, p));
        }
    }

    /**
     * A run of the layout's sorted entries that goes into one frame or member.
     *
     * @param part  the kept part ({@link KeptParts#partOf}), or {@code null} for entries compressed
     *              on every build
     * @param paths the entries, sorted
     */
    record Segment(String part, List<Path> paths) {}

    /**
     * The layout's entries but {@code runtime/}, sorted, cut into runs: each kept part
     * ({@link KeptParts#partOf}) is a run of its own, and so is each run of other entries between them.
     *
     * @param layout the layout
     * @return the runs in order, none empty, no two neighbours both unkept
     * @throws IOException when the layout cannot be listed
     */
    static List<Segment> segments(Path layout) throws IOException {
        List<Segment> segments = new ArrayList<>();
        for (Path p : sortedEntries(layout)) {
            String rel = relativeName(layout, p);
            if (rel.equals("runtime") || rel.startsWith("runtime/")) {
                continue;
            }
            String part = KeptParts.partOf(rel);
            Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (last == null || !java.util.Objects.equals(last.part(), part)) {
                last = new Segment(part, new ArrayList<>());
                segments.add(last);
            }
            last.paths().add(p);
        }
        return segments;
    }

    /**
     * Writes the payload's last zstd frame: the records of a runtime directory under the name
     * {@code runtime/}, then the end record. It depends only on the runtime's files, so the runtime
     * cache keeps it beside the runtime.
     *
     * @param runtime  the linked runtime directory
     * @param leaveOut paths relative to the runtime left out of the frame (e.g.
     *                 {@code lib/server/classes.jsa} when an AOT cache replaces the default CDS archive)
     * @param compression the level and job size ({@link Compression#keptLevel})
     * @param out      where the frame goes; not closed
     * @throws IOException on a read or write failure
     */
    public static void writeRuntimeMember(Path runtime, Set<String> leaveOut, Compression compression, OutputStream out)
            throws IOException {
        OutputStream shield = new Archive.KeepOpen(out);
        try (var data = frame(shield, compression.keptLevel(), compression.keptJobLog())) {
            writeRecord(data, runtime, "runtime");
            for (Path p : sortedEntries(runtime)) {
                String rel = relativeName(runtime, p);
                if (!rel.startsWith(".slipway") && !leaveOut.contains(rel)) {
                    writeRecord(data, p, "runtime/" + rel);
                }
            }
            data.write('E');
        }
    }

    /** {@link #writeRuntimeMember(Path, Set, Compression, OutputStream)} of the whole runtime, as a build compresses it. */
    public static void writeRuntimeMember(Path runtime, OutputStream out) throws IOException {
        writeRuntimeMember(runtime, Set.of(), Compression.BUILD, out);
    }

    /**
     * A zstd frame over {@code out}: the given level, a {@link #WINDOW_LOG} window with long-distance
     * matching, a content checksum, two worker threads (zstd's output depends on whether workers
     * are used, not on how many, so the bytes are the same on every machine), and jobs of
     * {@code 2^jobLog} bytes ({@code 0}: zstd's own; {@link Compression#keptJobLog}). Closing it
     * ends the frame and closes {@code out}.
     */
    private static java.io.DataOutputStream frame(OutputStream out, int level, int jobLog) throws IOException {
        var zstd = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(out);
        zstd.setLevel(level);
        zstd.setLong(WINDOW_LOG);
        zstd.setChecksum(true);
        zstd.setWorkers(2);
        if (jobLog > 0) {
            zstd.setJobSize(1 << jobLog);
        }
        return new java.io.DataOutputStream(new java.io.BufferedOutputStream(zstd, 1 << 17));
    }

    private static void writeRecord(java.io.DataOutputStream data, Path p, String rel) throws IOException {
        byte[] name = rel.getBytes(StandardCharsets.UTF_8);
        if (Files.isSymbolicLink(p)) {
            data.write('L');
            writeName(data, name);
            writeName(data, Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
        } else if (Files.isDirectory(p)) {
            data.write('D');
            writeName(data, name);
            data.writeShort(0755);
        } else {
            data.write('F');
            writeName(data, name);
            data.writeShort(modeOf(p));
            data.writeLong(Files.size(p));
            Files.copy(p, data);
        }
    }

    private static void writeName(java.io.DataOutputStream data, byte[] name) throws IOException {
        if (name.length == 0 || name.length > 4000) {
            throw new IOException("path too long for the payload: " + new String(name, StandardCharsets.UTF_8));
        }
        data.writeShort(name.length);
        data.write(name);
    }

    /** @return 0755 for files executable by their owner, else 0644 */
    static int modeOf(Path file) throws IOException {
        return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                .contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
    }

    /** @return every path under {@code root} (not root itself), sorted by relative name */
    static List<Path> sortedEntries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root))
                    .sorted((a, b) -> relativeName(root, a).compareTo(relativeName(root, b)))
                    .toList();
        }
    }

    static String relativeName(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}

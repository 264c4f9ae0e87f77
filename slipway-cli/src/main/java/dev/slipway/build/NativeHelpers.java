package dev.slipway.build;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The small C programs Slipway carries prebuilt, so that users need no C compiler: the single
 * file's first-run unpacker ({@code build/unpack.c}), the image's readiness probe
 * ({@code image/probe.c}) and the image's entrypoint ({@code image/start.c}), for linux-amd64 and linux-arm64.
 *
 * <p>The binaries are resources under {@code dev/slipway/native/<platform>/<name>}. They are built
 * once by {@code slipway-cli/build-native.sh} (which runs {@link #main}) with the compile recipe of
 * {@link Unpacker#compile}; the recipe is reproducible (no build id, stripped, fixed relative file
 * names), so two builds with the same compiler and libzstd give the same bytes. The record
 * {@link #RECORD} lists the sha256 of every binary and of the sources they were built from, in
 * {@code sha256sum -c} form (run it in {@code dev/slipway/native/}); {@link #BUILT_WITH} names the
 * compilers. A binary is used only when its bytes and its source still match the record; when a
 * source changed and its binaries were not rebuilt (a contributor's work in progress), Slipway
 * compiles that helper as before, which needs the C compiler again, and {@code NativeHelpersTest}
 * fails until the binaries are rebuilt.
 */
public final class NativeHelpers {
    /** The resource directory of the binaries and their record. */
    public static final String DIR = "/dev/slipway/native/";
    /** The record: {@code <sha256>  <path>} lines for the binaries and their sources (paths relative to {@link #DIR}). */
    public static final String RECORD = "SHA256SUMS";
    /** The compilers and libzstd the binaries were built with, one line each. */
    public static final String BUILT_WITH = "BUILT-WITH";
    /** The platforms Slipway carries the helpers for: those {@link Platform#dynamicLoader} knows. */
    public static final List<Platform> PLATFORMS = List.of(new Platform("linux", "amd64"), new Platform("linux", "arm64"));

    /**
     * One helper program.
     *
     * @param name   its binary's name under {@code <platform>/}: {@code unpack}, {@code probe}
     * @param source the C source's absolute resource name, e.g. {@code /dev/slipway/build/unpack.c}
     * @param what   the program, for messages
     * @param libs   linker arguments after the source
     * @param needs  what compiling it needs, for messages
     */
    public record Helper(String name, String source, String what, List<String> libs, String needs) {
        /** @return the source's path relative to {@link #DIR}, as the record names it, e.g. {@code ../build/unpack.c} */
        public String sourcePath() {
            return ".." + source.substring("/dev/slipway".length());
        }

        /** @return the binary's path relative to {@link #DIR} for a platform, e.g. {@code linux-arm64/unpack} */
        public String binaryPath(Platform platform) {
            return platform + "/" + name;
        }

        /** @return the source's bytes from the class path */
        byte[] sourceBytes() {
            return resource(source).orElseThrow(() -> new IllegalStateException("missing resource " + source));
        }
    }

    /**
     * The single file's first-run unpacker: libzstd's decoder linked statically, so that it needs
     * glibc only, and at {@link #GLIBC_FLOOR} or newer although it is built against a newer glibc:
     * {@code libpthread.so.0} is linked (where {@code pthread_create} lived before glibc 2.34) and
     * {@code __libc_start_main} is wrapped (ld(1) {@code --wrap}); {@code unpack.c} says why.
     */
    public static final Helper UNPACK = new Helper("unpack", "/dev/slipway/build/unpack.c", "the single-file unpacker",
            List.of("-Wl,-Bstatic", "-lzstd", "-Wl,-Bdynamic", "-Wl,--no-as-needed", "-l:libpthread.so.0",
                    "-Wl,--wrap=__libc_start_main"), "a C compiler and static libzstd");

    /**
     * The oldest glibc the unpacker runs on, as {@code major.minor}: 2.17, which is also what
     * Temurin's runtimes need. A runtime linked from a distribution's JDK needs that distribution's
     * glibc (Debian 12's OpenJDK 17: 2.34).
     */
    public static final String GLIBC_FLOOR = "2.17";

    /** The image's readiness probe ({@code slipway-probe}). */
    public static final Helper PROBE = new Helper("probe", "/dev/slipway/image/probe.c",
            "the image's readiness probe", List.of(), "a C compiler");

    /** The image's entrypoint ({@code slipway-start}): expands {@code ${PORT}} and {@code ${ADDR}} at container start. */
    public static final Helper START = new Helper("start", "/dev/slipway/image/start.c",
            "the image's entrypoint", List.of(), "a C compiler");

    /** Every helper, in the record's order. */
    public static final List<Helper> HELPERS = List.of(UNPACK, PROBE, START);

    private NativeHelpers() {}

    /**
     * The helper's binary for a platform: the prebuilt one when it matches the record, else
     * compiled by {@link Unpacker#compile} (only when its source changed since the binaries were
     * built).
     *
     * @param helper   the helper
     * @param platform the target platform
     * @param cacheDir Slipway's cache directory, for a compiled one
     * @return the ELF bytes
     * @throws dev.slipway.SlipwayException (exit 2) when it must be compiled and no compiler is there
     */
    public static byte[] binary(Helper helper, Platform platform, Path cacheDir) {
        return prebuilt(helper, platform).orElseGet(() -> Unpacker.compile(helper.source(), helper.what(), platform, cacheDir, helper.libs(), helper.needs()));
    }

    /**
     * The prebuilt binary, if Slipway carries one for the platform whose bytes and source match
     * {@link #RECORD}.
     *
     * @param helper   the helper
     * @param platform the platform
     * @return the ELF bytes, or empty
     */
    public static Optional<byte[]> prebuilt(Helper helper, Platform platform) {
        Map<String, String> record = record();
        Optional<byte[]> bytes = resource(DIR + helper.binaryPath(platform));
        if (bytes.isEmpty()
                || !Hashing.sha256Hex(bytes.get()).equals(record.get(helper.binaryPath(platform)))
                || !Hashing.sha256Hex(helper.sourceBytes()).equals(record.get(helper.sourcePath()))) {
            return Optional.empty();
        }
        return bytes;
    }

    /** @return the record: path relative to {@link #DIR} to sha256 hex; empty when there is none */
    public static Map<String, String> record() {
        Map<String, String> out = new LinkedHashMap<>();
        resource(DIR + RECORD).ifPresent(b -> {
            for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                int gap = line.indexOf("  ");
                if (gap == 64) {
                    out.put(line.substring(gap + 2), line.substring(0, gap));
                }
            }
        });
        return out;
    }

    /**
     * Builds every helper for every platform of {@link #PLATFORMS} with a fresh compiler cache and
     * returns the record's text.
     *
     * @param out the directory to write {@code <platform>/<name>} into
     * @return the {@link #RECORD} text (sorted by path)
     * @throws IOException on a write failure
     */
    public static String build(Path out) throws IOException {
        Path cache = Files.createTempDirectory("slipway-native");
        Map<String, String> record = new TreeMap<>();
        try {
            for (Helper h : HELPERS) {
                record.put(h.sourcePath(), Hashing.sha256Hex(h.sourceBytes()));
                for (Platform p : PLATFORMS) {
                    byte[] bin = Unpacker.compile(h.source(), h.what(), p, cache, h.libs(), h.needs());
                    Path file = out.resolve(h.binaryPath(p));
                    Files.createDirectories(file.getParent());
                    Files.write(file, bin);
                    record.put(h.binaryPath(p), Hashing.sha256Hex(bin));
                }
            }
        } finally {
            dev.slipway.util.Trees.deleteTree(cache);
        }
        StringBuilder text = new StringBuilder();
        record.forEach((path, sha) -> text.append(sha).append("  ").append(path).append('\n'));
        return text.toString();
    }

    /**
     * The compilers (and the libzstd) that {@link #build} uses, one line each, for {@link #BUILT_WITH}.
     *
     * @return the text
     */
    public static String builtWith() {
        List<String> lines = new ArrayList<>();
        for (Platform p : PLATFORMS) {
            lines.add(p + ": " + Unpacker.compilerVersion(p));
        }
        lines.add("libzstd: " + Unpacker.zstdVersions());
        return String.join("\n", lines) + "\n";
    }

    /**
     * Rebuilds the prebuilt helpers ({@code slipway-cli/build-native.sh}): writes the binaries,
     * {@link #RECORD} and {@link #BUILT_WITH} into the directory given.
     *
     * @param args one argument: the resource directory {@code src/main/resources/dev/slipway/native}
     * @throws IOException on a write failure
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: NativeHelpers RESOURCE_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        try {
            Files.writeString(out.resolve(RECORD), build(out));
            Files.writeString(out.resolve(BUILT_WITH), builtWith());
        } catch (dev.slipway.SlipwayException e) {
            System.err.println("build-native: " + e.getMessage());
            System.exit(e.exitCode());
        }
        System.out.print(Files.readString(out.resolve(RECORD)));
    }

    /** @return an absolute class path resource's bytes, or empty */
    static Optional<byte[]> resource(String name) {
        try (InputStream in = NativeHelpers.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The single file's first-run unpacker ({@code unpack.c}), and the recipe that compiles Slipway's C
 * helpers for a platform: libraries (libzstd's decoder for the unpacker) linked statically, so that
 * they need only glibc. Slipway carries the helpers prebuilt ({@link NativeHelpers}); the recipe
 * serves {@code build-native.sh}, and a contributor's changed source until its binaries are rebuilt.
 */
public final class Unpacker {
    private Unpacker() {}

    /**
     * Returns the unpacker binary for {@code platform}: the prebuilt one Slipway carries (no C
     * compiler needed), else compiled ({@link NativeHelpers#binary}).
     *
     * @param platform the target platform (linux only)
     * @param cacheDir Slipway's cache directory; a compiled binary goes under {@code unpack/}
     * @return the ELF bytes (a few hundred KB at most)
     * @throws SlipwayException (exit 2) when it must be compiled and no C compiler or static libzstd
     *                          for that platform is installed, with the packages to install
     */
    public static byte[] forPlatform(Platform platform, Path cacheDir) {
        return NativeHelpers.binary(NativeHelpers.UNPACK, platform, cacheDir);
    }

    /**
     * Compiles a small C program that Slipway carries as a resource (the unpacker, the image's
     * readiness probe) for a platform, linked against glibc only, and caches the binary under
     * {@code cacheDir/unpack/} by a hash of the source, the platform and the compiler's version.
     * Reproducible: the compiler runs in a fresh directory on fixed relative file names, without a
     * build id, stripped, so the same source, compiler and libraries give the same bytes.
     *
     * @param source   the source's absolute resource name ({@code /dev/slipway/build/unpack.c})
     * @param what     the program, for messages ({@code the image's readiness probe})
     * @param platform the target platform (linux only)
     * @param cacheDir Slipway's cache directory
     * @param libs     linker arguments after the source ({@code -lzstd} ...)
     * @param needs    what the program needs, for messages ({@code a C compiler})
     * @return the ELF bytes
     * @throws SlipwayException (exit 2) when no C compiler (or library) for that platform is
     *                          installed, with the packages to install
     */
    public static byte[] compile(String source, String what, Platform platform, Path cacheDir,
                                 List<String> libs, String needs) {
        String cc = compiler(platform, what);
        String version = compilerVersion(cc);
        byte[] text = NativeHelpers.resource(source)
                .orElseThrow(() -> new IllegalStateException("missing resource " + source));
        String file = source.substring(source.lastIndexOf('/') + 1);
        MessageDigest sha = Hashing.sha256();
        sha.update(text);
        sha.update((platform + "\n" + version + "\n" + libs).getBytes(StandardCharsets.UTF_8));
        String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        String name = file.replaceFirst("\\.c$", "");
        Path cached = cacheDir.resolve("unpack").resolve((name.equals("unpack") ? "" : name + "-") + platform + "-" + key);
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readAllBytes(cached);
            }
            Files.createDirectories(cached.getParent());
            Path work = Files.createTempDirectory(cached.getParent(), ".build");
            try {
                Files.write(work.resolve(file), text);
                List<String> cmd = new java.util.ArrayList<>(List.of(cc, "-Os", "-s", "-w", "-ffunction-sections",
                        "-fdata-sections", "-Wl,--gc-sections", "-Wl,--build-id=none", "-o", name, file));
                cmd.addAll(libs);
                Exec.Result r = Exec.run(cmd, work, Duration.ofMinutes(2));
                if (r.exitCode() != 0) {
                    throw SlipwayException.usage("cannot compile " + what + " for " + platform
                            + " with " + cc + ":\n" + r.summary(8) + "\nIt needs " + needs + " for that platform"
                            + " (Debian: apt-get install " + packages(platform) + ")");
                }
                Files.move(work.resolve(name), cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(work.resolve(file));
                Files.deleteIfExists(work.resolve(name));
                Files.deleteIfExists(work);
            }
            return Files.readAllBytes(cached);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot build " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first line of {@code --version} of the C compiler for a platform.
     *
     * @param platform the target platform
     * @return e.g. {@code aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0}
     * @throws SlipwayException (exit 2) when there is no compiler for it
     */
    static String compilerVersion(Platform platform) {
        return compilerVersion(compiler(platform, "Slipway's C helpers"));
    }

    private static String compilerVersion(String cc) {
        return Exec.run(List.of(cc, "--version"), Path.of("/"), Duration.ofSeconds(30)).output().lines().findFirst().orElse("");
    }

    /** @return the installed Debian libzstd development packages with their versions, or {@code unknown} */
    static String zstdVersions() {
        if (!onPath("dpkg-query")) {
            return "unknown";
        }
        List<String> out = new java.util.ArrayList<>();
        for (Platform p : NativeHelpers.PLATFORMS) {
            Exec.Result r = Exec.run(List.of("dpkg-query", "-W", "-f", "${Version}", "libzstd-dev:" + p.arch()),
                    Path.of("/"), Duration.ofSeconds(30));
            out.add("libzstd-dev:" + p.arch() + " " + (r.exitCode() == 0 ? r.output().strip() : "not installed"));
        }
        return String.join(", ", out);
    }

    private static String compiler(Platform platform, String what) {
        Platform host = Platform.host();
        String cc = platform.equals(host) ? "cc"
                : platform.arch().equals("arm64") ? "aarch64-linux-gnu-gcc"
                : platform.arch().equals("amd64") ? "x86_64-linux-gnu-gcc" : null;
        if (cc == null || !platform.os().equals("linux") || !onPath(cc)) {
            throw SlipwayException.usage("no C compiler for " + platform + " (looked for " + cc
                    + "); " + what + " is compiled for each platform"
                    + " (Debian: apt-get install " + packages(platform) + ")");
        }
        return cc;
    }

    private static String packages(Platform platform) {
        return platform.equals(Platform.host()) ? "gcc libzstd-dev"
                : platform.arch().equals("arm64") ? "gcc-aarch64-linux-gnu libc6-dev-arm64-cross libzstd-dev:arm64"
                : "gcc-x86-64-linux-gnu libzstd-dev:amd64";
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

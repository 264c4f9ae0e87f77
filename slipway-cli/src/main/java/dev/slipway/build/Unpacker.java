package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Compiles the single file's first-run unpacker ({@code unpack.c}) for a platform, with libzstd's
 * decoder linked statically so that it needs only glibc, and caches it by a hash of the source,
 * the platform and the compiler's version.
 */
public final class Unpacker {
    private static final String SOURCE = "unpack.c";

    private Unpacker() {}

    /**
     * Returns the unpacker binary for {@code platform}, compiling it on first use.
     *
     * @param platform the target platform (linux only)
     * @param cacheDir Slipway's cache directory; the binary goes under {@code unpack/}
     * @return the ELF bytes (a few hundred KB at most)
     * @throws SlipwayException (exit 2) when no C compiler or static libzstd for that platform is
     *                          installed, with the packages to install
     */
    public static byte[] forPlatform(Platform platform, Path cacheDir) {
        return compile(Unpacker.class, SOURCE, "the single-file unpacker", platform, cacheDir,
                List.of("-Wl,-Bstatic", "-lzstd", "-Wl,-Bdynamic"), "a C compiler and static libzstd");
    }

    /**
     * Compiles a small C program that Slipway carries as a resource (the unpacker, the image's
     * readiness probe) for a platform, linked against glibc only, and caches the binary under
     * {@code cacheDir/unpack/} by a hash of the source, the platform and the compiler's version.
     *
     * @param anchor   the class whose package holds the resource
     * @param source   the resource's name ({@code unpack.c})
     * @param what     the program, for messages ({@code the image's readiness probe})
     * @param platform the target platform (linux only)
     * @param cacheDir Slipway's cache directory
     * @param libs     linker arguments after the source ({@code -lzstd} ...)
     * @param needs    what the program needs, for messages ({@code a C compiler})
     * @return the ELF bytes
     * @throws SlipwayException (exit 2) when no C compiler (or library) for that platform is
     *                          installed, with the packages to install
     */
    public static byte[] compile(Class<?> anchor, String source, String what, Platform platform, Path cacheDir,
                                 List<String> libs, String needs) {
        String cc = compiler(platform, what);
        String version = Exec.run(List.of(cc, "--version"), cacheDir.getFileSystem().getPath("/"),
                Duration.ofSeconds(30)).output().lines().findFirst().orElse("");
        byte[] text;
        try (InputStream in = anchor.getResourceAsStream(source)) {
            text = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + source, e);
        }
        MessageDigest sha = Hashing.sha256();
        sha.update(text);
        sha.update((platform + "\n" + version + "\n" + libs).getBytes(StandardCharsets.UTF_8));
        String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        String name = source.replaceFirst("\\.c$", "");
        Path cached = cacheDir.resolve("unpack").resolve((name.equals("unpack") ? "" : name + "-") + platform + "-" + key);
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readAllBytes(cached);
            }
            Files.createDirectories(cached.getParent());
            Path work = Files.createTempDirectory(cached.getParent(), ".build");
            try {
                Path src = work.resolve(source);
                Files.write(src, text);
                Path bin = work.resolve(name);
                List<String> cmd = new java.util.ArrayList<>(List.of(cc, "-Os", "-s", "-w", "-ffunction-sections",
                        "-fdata-sections", "-Wl,--gc-sections", "-Wl,--build-id=none", "-o", bin.toString(),
                        src.toString()));
                cmd.addAll(libs);
                Exec.Result r = Exec.run(cmd, work, Duration.ofMinutes(2));
                if (r.exitCode() != 0) {
                    throw SlipwayException.usage("cannot compile " + what + " for " + platform
                            + " with " + cc + ":\n" + r.summary(8) + "\nIt needs " + needs + " for that platform"
                            + " (Debian: apt-get install " + packages(platform) + ")");
                }
                Files.move(bin, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(work.resolve(source));
                Files.deleteIfExists(work.resolve(name));
                Files.deleteIfExists(work);
            }
            return Files.readAllBytes(cached);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot build " + what + ": " + e.getMessage(), e);
        }
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
                : platform.arch().equals("arm64") ? "gcc-aarch64-linux-gnu libzstd-dev:arm64"
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

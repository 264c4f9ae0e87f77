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
 * Compiles the single file's first-run unpacker ({@code unpack.c}) for a platform, with zlib linked
 * statically so that it needs only glibc, and caches it by a hash of the source, the platform and
 * the compiler's version.
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
     * @throws SlipwayException (exit 2) when no C compiler or static zlib for that platform is
     *                          installed, with the packages to install
     */
    public static byte[] forPlatform(Platform platform, Path cacheDir) {
        String cc = compiler(platform);
        String version = Exec.run(List.of(cc, "--version"), cacheDir.getFileSystem().getPath("/"),
                Duration.ofSeconds(30)).output().lines().findFirst().orElse("");
        byte[] source;
        try (InputStream in = Unpacker.class.getResourceAsStream(SOURCE)) {
            source = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing resource " + SOURCE, e);
        }
        MessageDigest sha = Hashing.sha256();
        sha.update(source);
        sha.update((platform + "\n" + version).getBytes(StandardCharsets.UTF_8));
        String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path cached = cacheDir.resolve("unpack").resolve(platform + "-" + key);
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readAllBytes(cached);
            }
            Files.createDirectories(cached.getParent());
            Path work = Files.createTempDirectory(cached.getParent(), ".build");
            try {
                Path src = work.resolve(SOURCE);
                Files.write(src, source);
                Path bin = work.resolve("unpack");
                Exec.Result r = Exec.run(List.of(cc, "-Os", "-s", "-w", "-ffunction-sections",
                        "-fdata-sections", "-Wl,--gc-sections", "-Wl,--build-id=none", "-o", bin.toString(),
                        src.toString(), "-Wl,-Bstatic", "-lz", "-Wl,-Bdynamic"), work, Duration.ofMinutes(2));
                if (r.exitCode() != 0) {
                    throw SlipwayException.usage("cannot compile the single-file unpacker for " + platform
                            + " with " + cc + ":\n" + r.summary(8) + "\nIt needs a C compiler and static zlib"
                            + " for that platform (Debian: apt-get install " + packages(platform) + ")");
                }
                Files.move(bin, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(work.resolve(SOURCE));
                Files.deleteIfExists(work.resolve("unpack"));
                Files.deleteIfExists(work);
            }
            return Files.readAllBytes(cached);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot build the single-file unpacker: " + e.getMessage(), e);
        }
    }

    private static String compiler(Platform platform) {
        Platform host = Platform.host();
        String cc = platform.equals(host) ? "cc"
                : platform.arch().equals("arm64") ? "aarch64-linux-gnu-gcc"
                : platform.arch().equals("amd64") ? "x86_64-linux-gnu-gcc" : null;
        if (cc == null || !platform.os().equals("linux") || !onPath(cc)) {
            throw SlipwayException.usage("no C compiler for " + platform + " (looked for " + cc
                    + "); the single-file launcher needs one to build its first-run unpacker"
                    + " (Debian: apt-get install " + packages(platform) + ")");
        }
        return cc;
    }

    private static String packages(Platform platform) {
        return platform.equals(Platform.host()) ? "gcc zlib1g-dev"
                : platform.arch().equals("arm64") ? "gcc-aarch64-linux-gnu zlib1g-dev:arm64"
                : "gcc-x86-64-linux-gnu zlib1g-dev:amd64";
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
